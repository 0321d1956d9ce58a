"""Errors raised by the Scavio client.

The hierarchy, and what the extraction does with each::

    ScavioError                      base of everything below
    ├── ScavioAPIError               the API answered with an error status
    │   ├── BadRequestError          400: a parameter is wrong; never retried
    │   ├── AuthenticationError      401: missing or invalid key; fails the whole run at once
    │   ├── CreditsExhaustedError    402: out of credits; stop spending, land what was fetched
    │   ├── PermissionDeniedError    403: the key lacks permission; never retried
    │   ├── NotFoundError            404: unknown user or deleted video; the item is marked, the run goes on
    │   ├── EndpointRetiredError     410: the endpoint is gone; never retried
    │   ├── RateLimitedError         429: too many in flight; retried after Retry-After
    │   └── ServerError              5xx: retried with jittered exponential backoff
    ├── TransportError               connection failure or timeout; retried with backoff
    ├── MalformedResponseError       a 2xx body that is not the JSON envelope; retried, then raised
    ├── PayloadValidationError       a field is missing, of the wrong type or out of range; names it
    ├── DateNotHonouredError         the API did not echo the requested X-Sim-Date; fails the run
    └── BudgetExceededError          a credit cap would be passed; nothing was sent; stops all
        └── CreditReserveReachedError   the account balance would fall below the reserve

Messages never contain the API key: the client builds them from the status, the error body and the
endpoint path only. Text that comes from the server passes through :func:`clean_text` first, so no
answer can put a newline (a forged log line), a terminal escape or a bidi override into a log line,
an exception or the ledger, nor make either one unboundedly long.
"""

from __future__ import annotations

import re
from typing import Any

SERVER_TEXT_LIMIT = 300
"""Longest piece of server-supplied text (an error message, a body snippet) that is kept."""

# C0 and C1 controls (newlines and escapes among them), line and paragraph separators, the byte
# order mark and the bidirectional formatting characters, which can make a log line read differently
# from what it holds.
_UNSAFE_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def clean_text(text: object, limit: int = SERVER_TEXT_LIMIT) -> str:
    """``text`` as one safe line of at most ``limit`` characters.

    Control, separator and bidi characters become spaces, runs of whitespace collapse to one space,
    and a longer text is cut, ending in ``...``. Use it on anything an answer supplied before it is
    logged, raised or recorded.
    """
    text = text if isinstance(text, str) else str(text)
    # Cut well beyond the limit first so a megabyte body costs no more than a short one.
    text = " ".join(_UNSAFE_CHARS.sub(" ", text[: limit * 4 + 16]).split())
    if len(text) <= limit:
        return text
    return text[: max(limit - 3, 0)] + "..."


class ScavioError(Exception):
    """Base class for every error raised by this package."""


class ScavioAPIError(ScavioError):
    """The API answered with a non-2xx status.

    ``code`` and ``message`` come from the error body, whichever of its three forms it took
    (``{"error": {"code", "message"}}``, ``{"error": "..."}`` or ``{"message": "..."}``).
    """

    status: int = 0
    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        endpoint: str | None = None,
        body: dict | None = None,
    ) -> None:
        if status is not None:
            self.status = status
        self.code = code
        self.endpoint = endpoint
        self.body = body or {}
        self.api_message = message
        where = f" from {endpoint}" if endpoint else ""
        code_part = f" [{code}]" if code else ""
        super().__init__(f"HTTP {self.status}{code_part}{where}: {message}")


class BadRequestError(ScavioAPIError):
    status = 400


class AuthenticationError(ScavioAPIError):
    status = 401


class CreditsExhaustedError(ScavioAPIError):
    status = 402

    @property
    def credit_balance(self) -> int | None:
        return self.body.get("credit_balance")

    @property
    def billing_url(self) -> str | None:
        return self.body.get("billing_url")


class PermissionDeniedError(ScavioAPIError):
    status = 403


class NotFoundError(ScavioAPIError):
    status = 404


class EndpointRetiredError(ScavioAPIError):
    status = 410


class RateLimitedError(ScavioAPIError):
    status = 429
    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(ScavioAPIError):
    status = 500
    retryable = True


class TransportError(ScavioError):
    """The request did not complete: connection refused or reset, or a timeout."""

    retryable = True


class MalformedResponseError(ScavioError):
    """A 2xx answer whose body is not the JSON success envelope."""

    retryable = True


class PayloadValidationError(ScavioError):
    """A payload lacks a required field, has it in an unusable type or out of its range.

    ``field`` is the dotted path of the offending field (``statistics.play_count``), so the
    message says exactly what was wrong; the row is rejected rather than landed. ``problem`` often
    quotes the bad value, so it is cleaned like any other server text.
    """

    def __init__(self, field: str, problem: str, *, context: str | None = None) -> None:
        self.field = field
        self.problem = clean_text(problem)
        self.context = None if context is None else clean_text(context)
        where = f" in {self.context}" if self.context else ""
        super().__init__(f"field '{field}' {self.problem}{where}")


class DateNotHonouredError(ScavioError):
    """The API answered without echoing the ``X-Sim-Date`` it was asked to answer as of.

    Only the simulator can answer as of a past date; the live API serves today's counts whatever the
    request says. Landing such an answer would store today's counts under another date, so the
    client stops at the first one: never retried, and every other call fails the same way.
    """


class BudgetExceededError(ScavioError):
    """Starting another request could pass a credit cap; nothing was sent.

    ``setting`` names the cap that stopped it (``SCAVIO_CREDIT_BUDGET``,
    ``SCAVIO_DAILY_CREDIT_BUDGET``, ``SCAVIO_CREDIT_RESERVE``), so a caller can say which one; it is
    ``None`` when the raiser did not say. The client stops at the first one, like at a 402.
    """

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


class CreditReserveReachedError(BudgetExceededError):
    """Another request could take the account's balance below SCAVIO_CREDIT_RESERVE."""

    def __init__(self, message: str, *, setting: str | None = "SCAVIO_CREDIT_RESERVE") -> None:
        super().__init__(message, setting=setting)


STATUS_ERRORS: dict[int, type[ScavioAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: CreditsExhaustedError,
    403: PermissionDeniedError,
    404: NotFoundError,
    410: EndpointRetiredError,
    429: RateLimitedError,
}
