"""Credit caps across processes, and the write-ahead journal of requests in flight.

A DAG run is many processes (mapped tasks, their retries), and several runs may extract the same
snapshot date, so a cap kept in one client's memory caps nothing. The request ledger in the landing
zone is the record of what was spent; this module adds what the ledger cannot know yet:

- :class:`CreditRegister`: a file-locked JSON file per snapshot date under ``<state dir>/credits``
  holding a *lease* for every load in progress. A load starts with a lease no bigger than what the
  caps leave (``SCAVIO_CREDIT_BUDGET`` for its run, ``SCAVIO_DAILY_CREDIT_BUDGET`` for the date) and
  asks for more as it goes (:meth:`CreditRegister.refill`, the client budget's ``refill`` hook).
  What the caps leave = cap - credits in the landed ledger (of the run, or of the date) - leases of
  other loads in progress. A finished load lands its ledger and then drops its lease, so its credits
  are counted once or, for a moment, twice: never zero times.
- The journal: every attempt a client records is appended at once to
  ``<state dir>/journal/<load_id>.jsonl`` (see ``RequestLedger(journal=...)``), beside a small
  ``<load_id>.json`` naming the load. A process killed before it landed its ledger leaves both;
  :func:`recover_journals` (run at the start of every load) lands that ledger under the load's own
  file name once the process is gone, and drops its lease: every billed request is kept.

The state directory is local (``<TIKTOK_DATA_DIR>/state``) even when the landing root is on S3;
workers that share a data volume share the caps. Leases of processes on another host are kept until
that host recovers them, which errs on the side of spending less.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .landing import LandedFileExistsError, Landing, Load
from .scavio.errors import BudgetExceededError
from .scavio.ledger import RequestLedger

log = logging.getLogger(__name__)


def _process_start(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (guards against a reused pid), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


@dataclass(frozen=True)
class Owner:
    """The process that holds a lease or writes a journal."""

    host: str
    pid: int
    start: str | None

    @classmethod
    def current(cls) -> Owner:
        pid = os.getpid()
        return cls(socket.gethostname(), pid, _process_start(pid))

    def is_gone(self) -> bool:
        """True only when it is certain: same host, and no process with this pid and start time."""
        if self.host != socket.gethostname():
            return False
        return _process_start(self.pid) != self.start


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def landed_spend(landing: Landing, snapshot_date: date, run_id: str | None = None) -> int:
    """Credits recorded in the landed ledger of a date (or of one run of it)."""
    table = landing.read("request_ledger", snapshot_date)
    if run_id is not None:
        table = table.filter(pc.equal(table["run_id"], pa.scalar(run_id)))
    # Rows a crashed compaction may have left twice are counted once.
    seen: dict[tuple[Any, Any, Any], int] = {}
    for load_id, seq, attempt, credits in zip(
        table["load_id"].to_pylist(),
        table["request_seq"].to_pylist(),
        table["attempt"].to_pylist(),
        table["credits_used"].to_pylist(),
        strict=True,
    ):
        seen[(load_id, seq, attempt)] = credits or 0
    return sum(seen.values())


@dataclass(frozen=True)
class Caps:
    """The caps a load must respect; ``None`` means no cap of that kind."""

    run: int | None = None
    daily: int | None = None

    @property
    def any(self) -> bool:
        return self.run is not None or self.daily is not None


class CreditRegister:
    """The leases of loads in progress for one snapshot date (see the module docstring)."""

    def __init__(self, state_dir: Path, landing: Landing, snapshot_date: date, caps: Caps) -> None:
        self.path = state_dir / "credits" / f"{snapshot_date.isoformat()}.json"
        self.lock = self.path.with_suffix(".lock")
        self.landing = landing
        self.snapshot_date = snapshot_date
        self.caps = caps

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}

    def _write(self, leases: dict[str, dict[str, Any]]) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(leases, sort_keys=True))
        os.replace(temporary, self.path)

    def _left(self, leases: dict[str, dict[str, Any]], load: Load) -> tuple[int | None, str]:
        """Credits the caps leave for ``load``, and the setting that leaves the fewest."""
        others = {k: v for k, v in leases.items() if k != load.load_id}
        left: list[tuple[int, str]] = []
        if self.caps.run is not None:
            held = sum(v["lease"] for v in others.values() if v["run_id"] == load.run_id)
            spent = landed_spend(self.landing, self.snapshot_date, load.run_id)
            left.append((self.caps.run - spent - held, "SCAVIO_CREDIT_BUDGET"))
        if self.caps.daily is not None:
            held = sum(v["lease"] for v in others.values())
            spent = landed_spend(self.landing, self.snapshot_date)
            left.append((self.caps.daily - spent - held, "SCAVIO_DAILY_CREDIT_BUDGET"))
        if not left:
            return None, ""
        amount, setting = min(left)
        return max(amount, 0), setting

    def open(self, load: Load, wanted: int) -> int | None:
        """Take the first lease of ``load``: up to ``wanted`` credits; ``None`` without caps."""
        if not self.caps.any:
            return None
        with _locked(self.lock):
            leases = self._read()
            left, _ = self._left(leases, load)
            granted = min(wanted, left) if left is not None else wanted
            leases[load.load_id] = {
                "run_id": load.run_id,
                "lease": granted,
                "owner": asdict(Owner.current()),
            }
            self._write(leases)
        return granted

    def refill(self, load: Load, wanted: int) -> int:
        """More credits for ``load``'s lease: what the caps still leave, at most ``wanted``.

        Raises :class:`BudgetExceededError` naming the cap when nothing is left, so the client
        stops with the reason.
        """
        with _locked(self.lock):
            leases = self._read()
            entry = leases.get(load.load_id)
            if entry is None:
                raise RuntimeError(f"load {load.load_id} holds no lease on {self.snapshot_date}")
            # The load's own lease counts as spent here: it is spent or in flight.
            left, setting = self._left(leases, load)
            if left is None:
                return wanted
            available = left - entry["lease"]
            if available <= 0:
                cap = self.caps.run if setting == "SCAVIO_CREDIT_BUDGET" else self.caps.daily
                scope = (
                    f"run {load.run_id}"
                    if setting == "SCAVIO_CREDIT_BUDGET"
                    else f"snapshot date {self.snapshot_date}"
                )
                raise BudgetExceededError(
                    f"{setting}={cap} reached: the {scope} has spent or holds every credit it "
                    "allows; spending stopped, what was fetched is landed",
                    setting=setting,
                )
            granted = min(wanted, available)
            entry["lease"] += granted
            self._write(leases)
            return granted

    def close(self, load_id: str) -> None:
        """Drop a load's lease once its ledger is landed."""
        if not self.caps.any and not self.path.exists():
            return
        with _locked(self.lock):
            leases = self._read()
            if leases.pop(load_id, None) is not None:
                self._write(leases)


# ---- the journal ------------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalMeta:
    """What a journal belongs to: enough to land its ledger under the load's own file name."""

    snapshot_date: str
    load_id: str
    run_id: str
    run_attempt: int
    started_at: str
    part: str
    owner: dict[str, Any]

    @property
    def load(self) -> Load:
        from datetime import datetime

        return Load(
            self.load_id, self.run_id, self.run_attempt, datetime.fromisoformat(self.started_at)
        )


def journal_paths(state_dir: Path, load_id: str) -> tuple[Path, Path]:
    """(journal lines, meta) of a load."""
    directory = state_dir / "journal"
    return directory / f"{load_id}.jsonl", directory / f"{load_id}.json"


def start_journal(state_dir: Path, load: Load, snapshot_date: date, part: str) -> Path:
    """Write the journal's meta file and return the path the ledger appends its entries to."""
    lines, meta = journal_paths(state_dir, load.load_id)
    meta.parent.mkdir(parents=True, exist_ok=True)
    record = JournalMeta(
        snapshot_date.isoformat(),
        load.load_id,
        load.run_id,
        load.run_attempt,
        load.started_at.isoformat(),
        part,
        asdict(Owner.current()),
    )
    meta.write_text(json.dumps(asdict(record)))
    return lines


def end_journal(state_dir: Path, load_id: str) -> None:
    """Remove a load's journal once its ledger is landed."""
    for path in journal_paths(state_dir, load_id):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def ledger_file_name(load: Load, part: str) -> str:
    return load.file_name(part)


def recover_journals(state_dir: Path, landing: Landing) -> list[str]:
    """Land the ledgers of loads whose process died before landing them; returns their load ids.

    Journals of live processes, and of processes on other hosts, are left alone.
    """
    directory = state_dir / "journal"
    if not directory.is_dir():
        return []
    recovered = []
    for meta_path in sorted(directory.glob("*.json")):
        try:
            meta = JournalMeta(**json.loads(meta_path.read_text()))
        except (OSError, ValueError, TypeError) as exc:
            log.warning("journal meta %s unreadable (%s); left in place", meta_path, exc)
            continue
        if not Owner(**meta.owner).is_gone():
            continue
        lines, _ = journal_paths(state_dir, meta.load_id)
        day = date.fromisoformat(meta.snapshot_date)
        entries = RequestLedger.read_journal(lines) if lines.exists() else []
        if entries:
            ledger = RequestLedger()
            for entry in entries:
                ledger.record(entry)
            rows = ledger.rows(
                day, run_id=meta.run_id, run_attempt=meta.run_attempt, load_id=meta.load_id
            )
            with contextlib.suppress(LandedFileExistsError):
                landing.write("request_ledger", day, ledger_file_name(meta.load, meta.part), rows)
            log.warning(
                "load %s (run %s, try %d) was killed before landing its ledger: landed its %d "
                "journaled attempt(s)",
                meta.load_id,
                meta.run_id,
                meta.run_attempt,
                len(rows),
            )
        CreditRegister(state_dir, landing, day, Caps()).close(meta.load_id)
        end_journal(state_dir, meta.load_id)
        recovered.append(meta.load_id)
    return recovered
