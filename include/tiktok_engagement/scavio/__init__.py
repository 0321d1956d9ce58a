"""The Scavio TikTok API client: async HTTP client, paginators, request ledger, records, errors."""

from .client import RateLimiter, ScavioClient, is_retryable, parse_retry_after, retry_delay
from .errors import (
    AuthenticationError,
    BadRequestError,
    BudgetExceededError,
    CreditsExhaustedError,
    EndpointRetiredError,
    MalformedResponseError,
    NotFoundError,
    PayloadValidationError,
    PermissionDeniedError,
    RateLimitedError,
    ScavioAPIError,
    ScavioError,
    ServerError,
    TransportError,
)
from .ledger import CreditBudget, LedgerEntry, RequestLedger
from .paginators import BasePaginator, CursorPaginator, MaxCursorPaginator, PagedItem
from .records import Hashtag, Profile, Video

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "BasePaginator",
    "BudgetExceededError",
    "CreditBudget",
    "CreditsExhaustedError",
    "CursorPaginator",
    "EndpointRetiredError",
    "Hashtag",
    "LedgerEntry",
    "MalformedResponseError",
    "MaxCursorPaginator",
    "NotFoundError",
    "PagedItem",
    "PayloadValidationError",
    "PermissionDeniedError",
    "Profile",
    "RateLimitedError",
    "RateLimiter",
    "RequestLedger",
    "ScavioAPIError",
    "ScavioClient",
    "ScavioError",
    "ServerError",
    "TransportError",
    "Video",
    "is_retryable",
    "parse_retry_after",
    "retry_delay",
]
