"""Accounting for Scavio requests: the request ledger and the per-run credit budget.

Every HTTP attempt the client sends (first tries, retries and failures alike) becomes one
:class:`LedgerEntry`; :meth:`RequestLedger.rows` turns them into rows of the landed
``request_ledger`` dataset. :class:`CreditBudget` is the guard that keeps a run under its credit cap.

Nothing here holds the API key: request bodies are stored as ``params_json`` after
:func:`redact_params` has masked every key-, token- or authorization-like field and every value
that contains a known secret.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from .errors import BudgetExceededError

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
    unknown (no answer, or a 2xx body that could not be read).
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
    suspect_empty: bool = False

    @property
    def ok(self) -> bool:
        """Whether the attempt got a usable 2xx answer."""
        return self.error_class is None


class RequestLedger:
    """An append-only list of :class:`LedgerEntry`, safe to share between tasks and threads."""

    def __init__(self) -> None:
        self._entries: list[LedgerEntry] = []
        self._next_seq = 1
        self._lock = threading.Lock()

    def next_seq(self) -> int:
        """Reserve the sequence number of a new logical request (1, 2, ...)."""
        with self._lock:
            seq = self._next_seq
            self._next_seq += 1
            return seq

    def record(self, entry: LedgerEntry) -> None:
        """Append one attempt."""
        with self._lock:
            self._entries.append(entry)

    @property
    def entries(self) -> list[LedgerEntry]:
        """A snapshot of the entries, in the order the attempts finished."""
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def rows(self, snapshot_date: date, run_id: str) -> list[dict[str, Any]]:
        """The entries as rows of ``landing.SCHEMAS["request_ledger"]``, ordered by (seq, attempt)."""
        ordered = sorted(self.entries, key=lambda e: (e.request_seq, e.attempt))
        return [{"snapshot_date": snapshot_date, "run_id": run_id, **asdict(e)} for e in ordered]

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


class CreditBudget:
    """A per-run credit cap shared by every request of a client (or several clients).

    Before each attempt the client reserves one credit (:meth:`reserve`); once the answer is in,
    it settles the reservation with what the API actually billed (:meth:`settle`). A reservation
    fails when ``spent + reserved + credits`` would pass the cap, so however many requests are in
    flight, the run never starts one that could exceed it. ``cap=None`` only counts. The lock is a thread lock:
    every operation is short and never awaits, so it serves asyncio tasks and threads alike.
    """

    def __init__(self, cap: int | None = None) -> None:
        if cap is not None and cap < 0:
            raise ValueError(f"credit cap must be >= 0 or None, got {cap}")
        self.cap = cap
        self._spent = 0
        self._reserved = 0
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
    def remaining(self) -> int | None:
        """Credits that may still be reserved; ``None`` without a cap."""
        if self.cap is None:
            return None
        with self._lock:
            return max(self.cap - self._spent - self._reserved, 0)

    def reserve(self, credits: int = 1) -> None:
        """Hold ``credits`` for a request about to be sent, or raise :class:`BudgetExceededError`."""
        with self._lock:
            if self.cap is not None and self._spent + self._reserved + credits > self.cap:
                raise BudgetExceededError(
                    f"starting another request could exceed the run's credit cap of {self.cap} "
                    f"(spent {self._spent}, reserved by requests in flight {self._reserved}); "
                    "nothing was sent"
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
        return f"CreditBudget(cap={self.cap}, spent={self._spent}, reserved={self._reserved})"
