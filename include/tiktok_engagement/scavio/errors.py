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
    ├── PayloadValidationError       a required field is missing or has the wrong type; names the field
    └── BudgetExceededError          the per-run credit cap would be exceeded; nothing was sent

Messages never contain the API key: the client builds them from the status, the error body and the
endpoint path only.
"""

from __future__ import annotations


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

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs) -> None:
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
    """A payload lacks a required field or has it in an unusable type.

    ``field`` is the dotted path of the offending field (``statistics.play_count``), so the
    message says exactly what was wrong; the row is rejected rather than landed.
    """

    def __init__(self, field: str, problem: str, *, context: str | None = None) -> None:
        self.field = field
        self.problem = problem
        self.context = context
        where = f" in {context}" if context else ""
        super().__init__(f"field '{field}' {problem}{where}")


class BudgetExceededError(ScavioError):
    """Starting another request could exceed the per-run credit cap; nothing was sent."""


STATUS_ERRORS: dict[int, type[ScavioAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: CreditsExhaustedError,
    403: PermissionDeniedError,
    404: NotFoundError,
    410: EndpointRetiredError,
    429: RateLimitedError,
}
