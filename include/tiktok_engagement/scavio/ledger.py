"""Accounting for Scavio requests: the request ledger and the credit budget.

Every HTTP attempt the client sends (first tries, retries and failures alike) becomes one
:class:`LedgerEntry`; :meth:`RequestLedger.rows` turns them into rows of the landed
``request_ledger`` dataset. With a journal, each entry is also appended to a JSON-lines file the
moment it is recorded, so the spend of a process that is killed before it lands can still be landed
by the next one (:meth:`RequestLedger.read_journal`). :class:`CreditBudget` is the guard that keeps
a run under its credit cap, asks a shared register for more when it has one, and keeps the
account's balance above a reserve.

Nothing here holds the API key: request bodies are stored as ``params_json`` after
:func:`redact_params` has masked every key-, token- or authorization-like field and every value
that contains a known secret.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson

from .errors import BudgetExceededError, CreditReserveReachedError

log = logging.getLogger(__name__)

REDACTED = "***"

# Name parts that mark a field as a credential. Matched on the last part of a snake_cased name so
# that ``keyword`` or ``sec_user_id`` stay readable while ``api_key``, ``apiKey``, ``x-api-key``,
# ``access_token`` or ``Authorization`` are masked.
_SECRET_SUFFIXES = frozenset(
    {
        "key",
        "apikey",
        "token",
        "secret",
        "password",
        "passwd",
        "authorization",
        "auth",
        "credential",
        "credentials",
        "bearer",
    }
)
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def is_secret_name(name: str) -> bool:
    """Whether a field name looks like it carries a credential (``api_key``, ``authToken``...)."""
    snake = _CAMEL_BOUNDARY.sub("_", name).lower().replace("-", "_")
    parts = [part for part in snake.split("_") if part]
    return bool(parts) and (parts[-1] in _SECRET_SUFFIXES or "authorization" in snake)


def redact_params(value: Any, secrets: tuple[str, ...] = ()) -> Any:
    """A copy of ``value`` with credential-like fields and any text containing a secret masked."""
    if isinstance(value, dict):
        return {
            key: REDACTED if is_secret_name(str(key)) else redact_params(item, secrets)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_params(item, secrets) for item in value]
    if isinstance(value, str):
        return mask_text(value, secrets)
    return value


def mask_text(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every occurrence of each (non-empty) secret replaced by ``***``."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def params_json(body: dict[str, Any], secrets: tuple[str, ...] = ()) -> str:
    """The request body as compact, key-sorted JSON after redaction (the ledger's ``params_json``)."""
    return json.dumps(
        redact_params(body, secrets), separators=(",", ":"), sort_keys=True, ensure_ascii=False
    )


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One HTTP attempt: what was asked, how it ended, what it cost and how long it took.

    ``request_seq`` numbers logical requests (one call of ``ScavioClient.request``, so one page);
    its retries share the number and count ``attempt`` up from 1. ``status`` is ``None`` when no
    HTTP answer arrived (transport error, timeout). ``credits_used`` is ``None`` when the cost is
    unknown (no answer arrived); a 2xx whose body could not be read counts its one credit. ``started_at`` is when the attempt
    was sent, ``captured_at`` when it ended (the answer's bytes were in, or the error was seen).
    """

    request_seq: int
    endpoint: str
    params_json: str
    item_key: str | None
    attempt: int
    status: int | None
    error_class: str | None
    error_message: str | None
    credits_used: int | None
    credits_remaining: int | None
    latency_ms: float
    started_at: datetime
    captured_at: datetime
    suspect_empty: bool = False

    @property
    def ok(self) -> bool:
        """Whether the attempt got a usable 2xx answer."""
        return self.error_class is None


_ENTRY_FIELDS = tuple(f.name for f in fields(LedgerEntry))
_DATETIME_FIELDS = ("started_at", "captured_at")


def ledger_rows(
    entries: Iterable[LedgerEntry],
    snapshot_date: date,
    *,
    run_id: str,
    run_attempt: int,
    load_id: str,
) -> list[dict[str, Any]]:
    """Entries as rows of the landed ``request_ledger`` dataset, ordered by (seq, attempt)."""
    ordered = sorted(entries, key=lambda e: (e.request_seq, e.attempt))
    return [
        {
            "snapshot_date": snapshot_date,
            "run_id": run_id,
            # Field by field: asdict deep-copies every value, a cost at thousands of entries.
            **{name: getattr(e, name) for name in _ENTRY_FIELDS},
            "load_id": load_id,
            "run_attempt": run_attempt,
        }
        for e in ordered
    ]


class RequestLedger:
    """An append-only list of :class:`LedgerEntry`, safe to share between tasks and threads.

    With ``journal`` (a local file path), every entry is also appended to that file as one JSON
    line as soon as it is recorded: the entry's fields, datetimes as ISO 8601. Each line goes to the
    operating system in one unbuffered write, so a process killed a moment later (even by SIGKILL)
    leaves every recorded attempt in the file, at worst with a torn last line, which
    :meth:`read_journal` skips. Call :meth:`close` when done.
    """

    def __init__(self, journal: str | os.PathLike[str] | None = None) -> None:
        self._entries: list[LedgerEntry] = []
        self._next_seq = 1
        self._lock = threading.Lock()
        self.journal = None if journal is None else Path(journal)
        self._journal_file = None
        if self.journal is not None:
            # Unbuffered: one write() per line is all it takes for the line to outlive the process.
            self._journal_file = open(self.journal, "ab", buffering=0)  # noqa: SIM115

    def next_seq(self) -> int:
        """Reserve the sequence number of a new logical request (1, 2, ...)."""
        with self._lock:
            seq = self._next_seq
            self._next_seq += 1
            return seq

    def record(self, entry: LedgerEntry) -> None:
        """Append one attempt (and write it to the journal, when there is one)."""
        journal = self._journal_file
        line = b"" if journal is None else orjson.dumps(entry) + b"\n"
        with self._lock:
            self._entries.append(entry)
            if journal is not None:
                journal.write(line)

    def close(self) -> None:
        """Close the journal file; entries stay readable, but no more may be recorded."""
        with self._lock:
            if self._journal_file is not None and not self._journal_file.closed:
                self._journal_file.close()

    def __enter__(self) -> RequestLedger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @staticmethod
    def read_journal(path: str | os.PathLike[str]) -> list[LedgerEntry]:
        """The entries a journal holds, in the order they were recorded.

        A last line without its newline or that is not valid JSON is the write a killed process
        did not finish: it is skipped (that attempt's entry was never complete). A bad line before
        the last one means the file is damaged, and raises ``ValueError`` naming the line.
        """
        lines = Path(path).read_bytes().split(b"\n")
        # A complete file ends with a newline, leaving an empty last piece; anything else is torn.
        complete, last = lines[:-1], lines[-1]
        entries = [_entry_from_line(line, path, number) for number, line in enumerate(complete, 1)]
        if last.strip():
            try:
                entries.append(_entry_from_line(last, path, len(lines)))
            except ValueError:
                log.warning("%s: skipped the torn last line of the journal", path)
        return entries

    @property
    def entries(self) -> list[LedgerEntry]:
        """A snapshot of the entries, in the order the attempts finished."""
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def rows(
        self, snapshot_date: date, *, run_id: str, run_attempt: int, load_id: str
    ) -> list[dict[str, Any]]:
        """The entries as rows of ``landing.SCHEMAS["request_ledger"]``, ordered by (seq, attempt).

        Each row is the entry's fields plus the run's ``snapshot_date``, ``run_id``,
        ``run_attempt`` and ``load_id``.
        """
        return ledger_rows(
            self.entries, snapshot_date, run_id=run_id, run_attempt=run_attempt, load_id=load_id
        )

    @property
    def requests(self) -> int:
        """Logical requests that sent at least one attempt."""
        return len({e.request_seq for e in self.entries})

    @property
    def attempts(self) -> int:
        """HTTP attempts sent, retries included."""
        return len(self)

    @property
    def retries(self) -> int:
        """Attempts beyond the first of their request."""
        return sum(1 for e in self.entries if e.attempt > 1)

    @property
    def credits_used(self) -> int:
        """Credits the API reported as billed (unknown costs count as 0 here)."""
        return sum(e.credits_used or 0 for e in self.entries)

    def _final_attempts(self) -> list[LedgerEntry]:
        last: dict[int, LedgerEntry] = {}
        for entry in self.entries:
            if entry.request_seq not in last or entry.attempt > last[entry.request_seq].attempt:
                last[entry.request_seq] = entry
        return list(last.values())

    def failures_by_class(self) -> dict[str, int]:
        """Logical requests whose last attempt failed, counted by error class."""
        return dict(
            Counter(e.error_class for e in self._final_attempts() if e.error_class is not None)
        )

    def errors_by_class(self) -> dict[str, int]:
        """Every failed attempt (retried ones included), counted by error class."""
        return dict(Counter(e.error_class for e in self.entries if e.error_class is not None))

    def suspect_empty_items(self) -> list[str]:
        """Item keys (or endpoints, when no key was given) of answers flagged as suspect empty."""
        return sorted({e.item_key or e.endpoint for e in self.entries if e.suspect_empty})

    def summary(self) -> dict[str, Any]:
        """Counts for reports and logs: requests, attempts, retries, credits, failures, suspects."""
        suspects = self.suspect_empty_items()
        return {
            "requests": self.requests,
            "attempts": self.attempts,
            "retries": self.retries,
            "credits_used": self.credits_used,
            "failures_by_class": self.failures_by_class(),
            "errors_by_class": self.errors_by_class(),
            "suspect_empty": sum(1 for e in self.entries if e.suspect_empty),
            "suspect_empty_items": suspects,
        }


def _entry_from_line(line: bytes, path: object, number: int) -> LedgerEntry:
    try:
        record = orjson.loads(line)
        values = {name: record[name] for name in _ENTRY_FIELDS if name in record}
        for name in _DATETIME_FIELDS:
            values[name] = datetime.fromisoformat(values[name])
        return LedgerEntry(**values)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: line {number} is not a ledger entry ({exc})") from None


class CreditBudget:
    """The credit caps shared by every request of a client (or several clients).

    Before each attempt the client reserves one credit (:meth:`reserve`); once the answer is in,
    it settles the reservation with what the API actually billed (:meth:`settle`). A reservation
    fails when ``spent + reserved + credits`` would pass ``cap``, so however many requests are in
    flight, the client never starts one that could exceed it. ``cap=None`` only counts.

    ``refill(n)`` is asked for more when a reservation would pass ``cap`` (``n`` is the shortfall,
    normally 1); it returns how many credits it grants (0: none), which raise ``cap``. It lets
    several processes draw on one cap kept elsewhere (a run's register). It may itself raise
    :class:`BudgetExceededError` naming its setting; that is the stop reason then (any other
    exception it raises reaches the caller of the request, and stops nothing). It is called under
    the budget's lock, so it must be synchronous and short. Without ``cap`` it is never called.

    ``reserve_floor`` is the reserve: the client reports each ``credits_remaining`` an answer
    carries (:meth:`observe_remaining`), and a reservation fails with
    :class:`CreditReserveReachedError` when ``remaining - reserved - credits`` would fall below it.
    While no answer has reported the balance, reservations are not refused on its account; the
    client then lets only one request out at a time until one does.

    The lock is a thread lock: every operation is short and never awaits, so it serves asyncio
    tasks and threads alike.
    """

    def __init__(
        self,
        cap: int | None = None,
        *,
        refill: Callable[[int], int] | None = None,
        reserve_floor: int | None = None,
    ) -> None:
        if cap is not None and cap < 0:
            raise ValueError(f"credit cap must be >= 0 or None, got {cap}")
        if reserve_floor is not None and reserve_floor < 0:
            raise ValueError(f"credit reserve must be >= 0 or None, got {reserve_floor}")
        self.cap = cap
        self.refill = refill
        self.reserve_floor = reserve_floor
        self._granted = 0
        self._spent = 0
        self._reserved = 0
        self._last_remaining: int | None = None
        self._lock = threading.Lock()

    @property
    def spent(self) -> int:
        """Credits billed so far (as settled from the answers)."""
        return self._spent

    @property
    def reserved(self) -> int:
        """Credits held by attempts in flight."""
        return self._reserved

    @property
    def granted(self) -> int:
        """Credits ``refill`` added to the cap so far."""
        return self._granted

    @property
    def remaining(self) -> int | None:
        """Credits that may still be reserved without a refill; ``None`` without a cap."""
        if self.cap is None:
            return None
        with self._lock:
            return max(self.cap - self._spent - self._reserved, 0)

    @property
    def last_known_remaining(self) -> int | None:
        """The account's balance as the answers report it; ``None`` until one does."""
        return self._last_remaining

    def observe_remaining(self, credits_remaining: int | None) -> None:
        """Take note of the ``credits_remaining`` an answer reported (``None`` is ignored)."""
        if credits_remaining is None:
            return
        with self._lock:
            # Answers to concurrent requests arrive in any order; the lowest figure is the latest
            # balance (a top-up in the middle of a run is only seen by the next run).
            if self._last_remaining is None or credits_remaining < self._last_remaining:
                self._last_remaining = credits_remaining

    def reserve(self, credits: int = 1) -> None:
        """Hold ``credits`` for a request about to be sent, or raise :class:`BudgetExceededError`.

        The reserve is checked first, so a refused request asks ``refill`` for nothing.
        """
        with self._lock:
            floor, balance = self.reserve_floor, self._last_remaining
            if (
                floor is not None
                and balance is not None
                and balance - self._reserved - credits < floor
            ):
                raise CreditReserveReachedError(
                    f"starting another request could take the account below its credit reserve, "
                    f"SCAVIO_CREDIT_RESERVE={floor}: the account has {balance} credits left "
                    f"(requests in flight hold {self._reserved}); nothing was sent"
                )
            if self.cap is not None:
                shortfall = self._spent + self._reserved + credits - self.cap
                if shortfall > 0 and self.refill is not None:
                    granted = self.refill(shortfall)
                    if granted > 0:
                        self.cap += granted
                        self._granted += granted
                    shortfall -= max(granted, 0)
                if shortfall > 0:
                    refilled = (
                        f", {self._granted} of them granted by the shared register"
                        if self.refill is not None
                        else ""
                    )
                    raise BudgetExceededError(
                        f"starting another request could exceed the run's credit cap "
                        f"(SCAVIO_CREDIT_BUDGET={self.cap}{refilled}): spent {self._spent}, "
                        f"reserved by requests in flight {self._reserved}; nothing was sent",
                        setting="SCAVIO_CREDIT_BUDGET",
                    )
            self._reserved += credits

    def settle(self, reserved: int, used: int) -> None:
        """Release a reservation of ``reserved`` credits and book the ``used`` credits billed."""
        with self._lock:
            self._reserved = max(self._reserved - reserved, 0)
            self._spent += used
            over = self.cap is not None and self._spent > self.cap
        if over:
            # Only possible when one request is billed more than it reserved; say so loudly.
            log.warning("credit cap %s passed: %s credits spent", self.cap, self._spent)

    def __repr__(self) -> str:
        return (
            f"CreditBudget(cap={self.cap}, spent={self._spent}, reserved={self._reserved}, "
            f"reserve_floor={self.reserve_floor}, last_known_remaining={self._last_remaining})"
        )
