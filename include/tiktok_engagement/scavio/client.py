"""Async client for the Scavio TikTok API: one pooled httpx client, limits, retries, budget, ledger.

What happens to one request (``ScavioClient.request``), attempt by attempt::

    stopped?            a 401, a 402, a credit cap or a missing date echo was seen: raise it again
    balance gate        with a credit reserve and no balance known yet: one attempt at a time
    in-flight gate      at most ``max_in_flight`` attempts in flight (released while backing off),
                        lowered to the plan's ``concurrency`` when a 429 reports a smaller one
    rate limiter        optional: evenly spaced starts for requests_per_second / _minute
    budget.reserve(1)   BudgetExceededError before sending if a cap or the reserve could be passed;
                        it stops the client
    POST                one pooled httpx.AsyncClient, explicit timeouts, an overall deadline of
                        ``timeout`` per attempt and at most ``max_response_bytes`` of answer
    date echo?          with ``expect_date_echo``: an answer without that X-Sim-Date stops all
    ledger + settle     one LedgerEntry per attempt; the reservation settled with the billed credits
    retry?              429 (after Retry-After), 500/502/503/504, transport errors (deadline and
                        size included) and malformed 2xx bodies, with full-jitter exponential
                        backoff, up to ``max_attempts``; never 400/401/402/403/404/410

The typed methods (:meth:`ScavioClient.profile`, :meth:`~ScavioClient.user_posts`,
:meth:`~ScavioClient.video_comments`, :meth:`~ScavioClient.user_followings`, ...) build the
body, page through answers with the paginators and parse each answer into records that carry
its ``request_seq`` and ``captured_at``. An answer whose payload fails validation is fetched again,
up to ``payload_attempts`` fetches in all (each one a new request). If items of a list page are
still bad after the last one, the good items are returned and each bad one becomes a
:class:`RejectedItem` in :attr:`ScavioClient.rejected`; a single object that is still bad is
rejected the same way and raises :class:`PayloadValidationError`. The client lands nothing.

The API key is sent only in the ``Authorization`` header (added by an ``httpx.Auth`` whose repr
hides it) and is masked wherever text from a request or an answer reaches a log line, an exception
or the ledger. Text from the server is also cleaned (:func:`clean_text`) on its way there, and no
error of ours keeps the httpx exception (which holds the request, header and all) in its chain.
"""

from __future__ import annotations

import asyncio
import copy
import email.utils
import logging
import math
import random
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, TypeAlias, TypeVar

import httpx
import orjson
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from .errors import (
    STATUS_ERRORS,
    AuthenticationError,
    BudgetExceededError,
    CreditsExhaustedError,
    DateNotHonouredError,
    MalformedResponseError,
    PayloadValidationError,
    RateLimitedError,
    ScavioAPIError,
    ScavioError,
    ServerError,
    TransportError,
    clean_text,
)
from .ledger import CreditBudget, LedgerEntry, RequestLedger, mask_text, params_json, redact_params
from .paginators import (
    BasePaginator,
    CommentsPaginator,
    CursorPaginator,
    FollowingsPaginator,
    MaxCursorPaginator,
    PagedComment,
    PagedFollowing,
    PagedItem,
    dig,
)
from .records import Comment, Following, Hashtag, Profile, RejectedItem, Video

__all__ = [
    "API_PREFIX",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "RETRY_STATUSES",
    "CreditBudget",
    "LedgerEntry",
    "PagedComment",
    "PagedFollowing",
    "PagedItem",
    "RateLimiter",
    "RejectedItem",
    "RequestLedger",
    "ScavioClient",
    "is_retryable",
    "parse_retry_after",
    "retry_delay",
]

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1/tiktok/"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_COUNT = 30
# video/comments and video/comments/replies take up to 50 items a page, the video lists 30.
MAX_COMMENT_COUNT = 50
# user/followings takes up to 20 accounts a page.
MAX_FOLLOWING_COUNT = 20
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
DATE_ECHO_HEADER = "X-Sim-Date"
_USER_AGENT = "tiktok-engagement-warehouse (httpx)"
# Connection failures that happen before the request leaves this machine, so cannot be billed.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAX_MESSAGE = 500
# Bytes of a body decoded for a snippet: the key is masked in all of them before the snippet is cut
# (far shorter), so no fragment of it can survive the cut.
_SNIPPET_BYTES = 4096
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

T = TypeVar("T")
ItemT = TypeVar("ItemT")


def parse_retry_after(value: Any, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP date; ``None`` if unusable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        try:
            seconds = float(text)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def is_retryable(exc: BaseException) -> bool:
    """Whether an attempt that raised ``exc`` may be tried again (the contract's retry table)."""
    if isinstance(exc, ScavioAPIError):
        return exc.status in RETRY_STATUSES
    return isinstance(exc, TransportError | MalformedResponseError)


def retry_delay(
    exc: BaseException | None,
    attempt_number: int,
    *,
    backoff_base: float,
    backoff_max: float,
    retry_after_cap: float,
) -> float:
    """Seconds to wait after failed attempt ``attempt_number`` (1-based) before the next one.

    A 429's ``Retry-After`` is honoured up to ``retry_after_cap`` (so a server asking for an hour
    cannot stall a run); everything else gets full jitter, ``uniform(0, min(max, base * 2**n))``,
    which spreads a crowd of concurrent retries instead of sending them back in step.
    """
    if isinstance(exc, RateLimitedError) and exc.retry_after is not None:
        return min(exc.retry_after, retry_after_cap)
    exponent = min(max(attempt_number - 1, 0), 60)
    return random.uniform(0.0, min(backoff_max, backoff_base * 2**exponent))


class RateLimiter:
    """Evenly spaced request starts for a requests-per-second and/or per-minute limit.

    This is a token bucket holding a single token: starts are at least ``interval`` apart, the
    strictest reading of either limit, so no burst can be counted against the plan by the server's
    window, whatever its alignment. With both limits given the slower one wins. Slots are handed out
    without awaiting in between, so concurrent tasks of one event loop each get their own.
    """

    def __init__(
        self, *, requests_per_second: float | None = None, requests_per_minute: float | None = None
    ) -> None:
        intervals = []
        for rate, period in ((requests_per_second, 1.0), (requests_per_minute, 60.0)):
            if rate is not None:
                if rate <= 0:
                    raise ValueError(f"request rates must be positive, got {rate}")
                intervals.append(period / rate)
        if not intervals:
            raise ValueError("give requests_per_second or requests_per_minute")
        self.interval = max(intervals)
        self._next_start = 0.0

    async def acquire(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """Wait for this caller's start slot."""
        now = time.monotonic()
        start = max(now, self._next_start)
        self._next_start = start + self.interval
        if start > now:
            await sleep(start - now)


class _BearerAuth(httpx.Auth):
    """Adds the key per request, so it lives in no default header and no repr shows it."""

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._api_key}"
        yield request

    def __repr__(self) -> str:
        return "_BearerAuth(api_key=***)"


class _Secrets(tuple):
    """The strings to mask; a tuple whose repr hides them, since ``vars(client)`` may be logged."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "(***)"


@dataclass(slots=True)
class _Call:
    """One logical request and its attempts so far."""

    endpoint: str
    path: str
    body: dict[str, Any]
    item_key: str | None
    items_path: str | None
    seq: int
    params_json: str
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class _Answer:
    """A usable answer: the envelope's ``data``, the request that got it and when it arrived."""

    data: dict[str, Any]
    seq: int
    captured_at: datetime


# How a page's raw items become records: (items, answer, endpoint, item_key, where) ->
# (a record or None per item, the rejected ones).
_ParseItems: TypeAlias = Callable[
    [list[Any], _Answer, str, "str | None", str], tuple[list[ItemT | None], list[RejectedItem]]
]


@dataclass(slots=True)
class _Received:
    """One attempt's answer off the wire: the response is closed, its body is ``content``."""

    response: httpx.Response
    content: bytes
    started_at: datetime
    captured_at: datetime
    latency_ms: float


class _TooLarge(Exception):
    """Internal: the answer passed ``max_response_bytes``; becomes a TransportError."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def _loads(content: bytes) -> tuple[bool, Any]:
    """(parsed, value): orjson's verdict on a body, without leaving an exception to chain to."""
    try:
        return True, orjson.loads(content)
    except orjson.JSONDecodeError:
        return False, None


def _clean_body(value: Any, secrets: tuple[str, ...]) -> Any:
    """An error body with secrets masked and every text in it cleaned like a message."""
    if isinstance(value, dict):
        return {
            clean_text(key): _clean_body(item, secrets)
            for key, item in redact_params(value, secrets).items()
        }
    if isinstance(value, list):
        return [_clean_body(item, secrets) for item in value]
    if isinstance(value, str):
        return clean_text(mask_text(value, secrets))
    return value


class InFlightGate:
    """At most ``limit`` holders at once, first come first served; the limit can be lowered.

    An ``asyncio.Semaphore`` cannot shrink while its permits are out or waited for. Entering is
    free of awaits while a slot is open and nobody waits, as the semaphore's is.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.out = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    def lower(self, limit: int) -> None:
        self.limit = min(self.limit, limit)

    async def __aenter__(self) -> None:
        if self.out < self.limit and not self._waiters:
            self.out += 1
            return
        turn = asyncio.get_running_loop().create_future()
        self._waiters.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # granted, then cancelled: hand it on
                self.out -= 1
                self._wake()
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        self.out -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.out < self.limit:
            turn = self._waiters.popleft()
            if not turn.done():  # a waiter cancelled meanwhile leaves its turn behind
                self.out += 1
                turn.set_result(None)


class ScavioClient:
    """Async client for the Scavio TikTok endpoints; use as ``async with ScavioClient(...) as c``.

    ``base_url`` is the API root (``https://api.scavio.dev``); endpoints are the paths after
    ``/api/v1/tiktok/``. ``max_in_flight`` caps attempts in flight (the plan's concurrency), and
    ``requests_per_second`` / ``requests_per_minute`` optionally space their starts. Retries follow
    :func:`is_retryable` with :func:`retry_delay`, at most ``max_attempts`` attempts per request.
    ``timeout`` bounds each attempt as a whole (connect, send and the last byte of the answer), and
    an answer above ``max_response_bytes`` is abandoned; both are retried as transport errors.
    ``payload_attempts`` is how often an answer whose payload fails validation is fetched in all.
    ``budget`` holds the credit caps and the reserve; ``ledger`` receives one entry per attempt
    (both are created when not given, and available as attributes). ``extra_headers`` go on every
    request (``X-Sim-Date`` for the simulator). With ``expect_date_echo`` (``YYYY-MM-DD``) every
    answer must carry ``X-Sim-Date`` with that date, or the client stops with
    :class:`DateNotHonouredError`. ``transport`` replaces the network (``httpx.MockTransport`` in
    tests).

    After a 401, a 402, a :class:`BudgetExceededError` or a :class:`DateNotHonouredError`,
    :attr:`stopped` holds that error and every call, concurrent or later, raises an error of the
    same class and message (chained from it) without sending anything. :attr:`rejected` collects
    the items that stayed invalid.
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        max_in_flight: int = 1,
        requests_per_second: float | None = None,
        requests_per_minute: float | None = None,
        timeout: float = 30.0,
        max_attempts: int = 4,
        backoff_base: float = 0.5,
        backoff_max: float = 8.0,
        retry_after_cap: float = 30.0,
        budget: CreditBudget | None = None,
        ledger: RequestLedger | None = None,
        extra_headers: dict[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        payload_attempts: int = 3,
        expect_date_echo: str | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if not api_key or not api_key.strip():
            raise ValueError(
                "no Scavio API key given; set SCAVIO_API_KEY or the scavio_default connection"
            )
        base = base_url.strip().rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {base_url!r}")
        # Tolerate a base URL that already names the TikTok prefix.
        if base.endswith(API_PREFIX.rstrip("/")):
            base = base[: -len(API_PREFIX.rstrip("/"))]
        if max_in_flight < 1:
            raise ValueError(f"max_in_flight must be >= 1, got {max_in_flight}")
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
        if payload_attempts < 1:
            raise ValueError(f"payload_attempts must be >= 1, got {payload_attempts}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        if max_response_bytes < 1:
            raise ValueError(f"max_response_bytes must be >= 1, got {max_response_bytes}")
        if expect_date_echo is not None:
            try:
                if not _ISO_DATE.fullmatch(expect_date_echo):
                    raise ValueError
                date.fromisoformat(expect_date_echo)
            except ValueError:
                raise ValueError(
                    f"expect_date_echo must be a date as YYYY-MM-DD, got {expect_date_echo!r}"
                ) from None

        self.base_url = base
        self.max_in_flight = max_in_flight
        self.requests_per_second = requests_per_second
        self.requests_per_minute = requests_per_minute
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.payload_attempts = payload_attempts
        self.max_response_bytes = max_response_bytes
        self.expect_date_echo = expect_date_echo
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_cap = retry_after_cap
        self.budget = budget if budget is not None else CreditBudget(None)
        self.ledger = ledger if ledger is not None else RequestLedger()
        self.stopped: ScavioError | None = None
        self.rejected: list[RejectedItem] = []

        self._secrets = _Secrets({api_key, api_key.strip()})
        self._gate = InFlightGate(max_in_flight)
        self._stop_event = asyncio.Event()
        # Held by the one attempt allowed out while a reserve is set and no balance is known.
        self._balance_gate = asyncio.Lock()
        self._limiter = (
            RateLimiter(
                requests_per_second=requests_per_second, requests_per_minute=requests_per_minute
            )
            if requests_per_second is not None or requests_per_minute is not None
            else None
        )
        headers = {"Accept": "application/json", "User-Agent": _USER_AGENT}
        headers.update(extra_headers or {})
        self._http = httpx.AsyncClient(
            base_url=base,
            auth=_BearerAuth(api_key.strip()),
            headers=headers,
            timeout=httpx.Timeout(
                connect=min(timeout, 10.0), read=timeout, write=timeout, pool=timeout
            ),
            # The in-flight gate keeps attempts at max_in_flight or below, so the pool never makes one wait.
            limits=httpx.Limits(
                max_connections=max_in_flight, max_keepalive_connections=max_in_flight
            ),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        stopped = type(self.stopped).__name__ if self.stopped else None
        return (
            f"ScavioClient(base_url={self.base_url!r}, max_in_flight={self.max_in_flight}, "
            f"requests_per_second={self.requests_per_second}, "
            f"requests_per_minute={self.requests_per_minute}, budget={self.budget!r}, "
            f"stopped={stopped}, rejected={len(self.rejected)})"
        )

    @property
    def in_flight_cap(self) -> int:
        """How many attempts may be out at once: ``max_in_flight``, or less if the API said so."""
        return self._gate.limit

    async def __aenter__(self) -> ScavioClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # ------------------------------------------------------------------ typed endpoints

    async def profile(
        self, *, username: str | None = None, sec_user_id: str | None = None
    ) -> Profile:
        """A creator's profile by ``username`` or ``sec_user_id`` (give exactly one)."""
        if bool(username) == bool(sec_user_id):
            raise ValueError("give exactly one of username or sec_user_id")
        body: dict[str, Any] = {"username": username} if username else {"sec_user_id": sec_user_id}
        return await self._fetch_object(
            "profile", body, username or sec_user_id, "user", Profile.from_payload
        )

    async def user_posts(
        self,
        sec_user_id: str,
        *,
        count: int = 20,
        max_pages: int = 1,
        sort_type: str = "0",
        item_key: str | None = None,
    ) -> list[Video]:
        """A creator's posts, newest first by default, over up to ``max_pages`` pages of ``count``."""
        _check_count(count)
        body = {"sec_user_id": sec_user_id, "count": count, "sort_type": str(sort_type)}
        pages = await self._paginate(
            "user/posts", body, MaxCursorPaginator(max_pages=max_pages), item_key or sec_user_id
        )
        return [video for page in pages for video in page if video is not None]

    async def search_videos(
        self,
        keyword: str,
        *,
        count: int = 20,
        max_pages: int = 1,
        sort_type: str = "0",
        publish_time: str = "0",
    ) -> list[PagedItem]:
        """Videos found for ``keyword``, each with its page and its rank across pages.

        A rejected video keeps its place in the ranking (the next one is not moved up); entries
        that are not videos (no ``aweme_info``) take no rank.
        """
        _check_count(count)
        body = {
            "keyword": keyword,
            "count": count,
            "sort_type": str(sort_type),
            "publish_time": str(publish_time),
        }
        paginator = CursorPaginator(items_path="search_item_list", max_pages=max_pages)
        pages = await self._paginate("search/videos", body, paginator, keyword, search=True)
        return _ranked(pages)

    async def hashtag(
        self, *, hashtag_name: str | None = None, hashtag_id: str | None = None
    ) -> Hashtag:
        """A hashtag by name or id (give exactly one)."""
        if bool(hashtag_name) == bool(hashtag_id):
            raise ValueError("give exactly one of hashtag_name or hashtag_id")
        body: dict[str, Any] = (
            {"hashtag_name": hashtag_name} if hashtag_name else {"hashtag_id": hashtag_id}
        )
        return await self._fetch_object(
            "hashtag", body, hashtag_name or hashtag_id, "challengeInfo", Hashtag.from_payload
        )

    async def hashtag_videos(
        self, hashtag_id: str, *, count: int = 20, max_pages: int = 1, item_key: str | None = None
    ) -> list[PagedItem]:
        """Videos listed under a hashtag, each with its page and its rank across pages."""
        _check_count(count)
        body = {"hashtag_id": hashtag_id, "count": count}
        paginator = CursorPaginator(items_path="aweme_list", max_pages=max_pages)
        pages = await self._paginate("hashtag/videos", body, paginator, item_key or hashtag_id)
        return _ranked(pages)

    async def video(self, video_id: str) -> Video:
        """One video by id."""
        return await self._fetch_object(
            "video", {"video_id": video_id}, video_id, "aweme_detail", Video.from_payload
        )

    async def video_comments(
        self, video_id: str, *, count: int = 50, max_pages: int = 1, item_key: str | None = None
    ) -> list[PagedComment]:
        """A video's comments in the API's order, each with its page and rank across pages.

        Each page costs a credit; paging stops at ``max_pages``, when ``has_more`` is 0 or on an
        empty page. A rejected comment keeps its rank (the next one is not moved up).
        """
        _check_count(count, MAX_COMMENT_COUNT)
        body = {"video_id": video_id, "count": count}
        pages = await self._pages(
            "video/comments",
            body,
            CommentsPaginator(max_pages=max_pages),
            item_key or video_id,
            self._comment_parser(None),
        )
        return _ranked_comments(pages)

    async def comment_replies(
        self,
        video_id: str,
        comment_id: str,
        *,
        count: int = 50,
        max_pages: int = 1,
        item_key: str | None = None,
    ) -> list[PagedComment]:
        """The replies to one comment, each with its page and rank; ``parent_comment_id`` set."""
        _check_count(count, MAX_COMMENT_COUNT)
        body = {"video_id": video_id, "comment_id": comment_id, "count": count}
        pages = await self._pages(
            "video/comments/replies",
            body,
            CommentsPaginator(max_pages=max_pages),
            item_key or f"{video_id}/{comment_id}",
            self._comment_parser(comment_id),
        )
        return _ranked_comments(pages)

    async def user_followings(
        self,
        sec_uid: str,
        *,
        count: int = MAX_FOLLOWING_COUNT,
        max_pages: int = 1,
        item_key: str | None = None,
    ) -> list[PagedFollowing]:
        """The accounts ``sec_uid`` follows, most recent follow first, each with its page and its
        position across pages.

        Each page costs a credit; paging stops at ``max_pages``, when ``has_more`` is false, on an
        empty page, or when the answer's page token does not advance. A rejected account keeps
        its position (the next one is not moved up).
        """
        _check_count(count, MAX_FOLLOWING_COUNT)
        pages = await self._pages(
            "user/followings",
            {"sec_user_id": sec_uid, "count": count},
            FollowingsPaginator(max_pages=max_pages),
            item_key or sec_uid,
            self._following_parser,
        )
        results: list[PagedFollowing] = []
        position = 0
        for page_number, page in enumerate(pages, start=1):
            for following in page:
                position += 1
                if following is not None:
                    results.append(PagedFollowing(page_number, position, following))
        return results

    # ------------------------------------------------------------------ payloads, fetched again

    async def _fetch_object(
        self,
        endpoint: str,
        body: dict[str, Any],
        item_key: str | None,
        key: str,
        parse: Callable[..., T],
    ) -> T:
        """``data[key]`` parsed, fetched again while invalid; rejected and raised if it stays so."""
        for attempt in range(1, self.payload_attempts + 1):
            answer = await self._request(endpoint, body, item_key=item_key)
            payload = answer.data.get(key)
            try:
                if payload is None:
                    raise PayloadValidationError(key, "is missing", context=f"{endpoint} response")
                return parse(payload, request_seq=answer.seq, captured_at=answer.captured_at)
            except PayloadValidationError as exc:
                error = exc
            if attempt == self.payload_attempts:
                bad = answer.data if payload is None else payload
                self._reject([self._rejection(error, bad, answer, endpoint, item_key, endpoint)])
                raise error
            self._log_refetch(endpoint, item_key, f"{error.field} {error.problem}", attempt)
        raise AssertionError("unreachable")

    async def _paginate(
        self,
        endpoint: str,
        body: dict[str, Any],
        paginator: BasePaginator,
        item_key: str | None,
        *,
        search: bool = False,
    ) -> list[list[Video | None]]:
        """Every page's videos in order, ``None`` where an item was rejected."""
        return await self._pages(
            endpoint, body, paginator, item_key, partial(self._parse_videos, search=search)
        )

    async def _pages(
        self,
        endpoint: str,
        body: dict[str, Any],
        paginator: BasePaginator,
        item_key: str | None,
        parse: _ParseItems[ItemT],
    ) -> list[list[ItemT | None]]:
        """Every page's items in order as ``parse`` reads them, ``None`` where one was rejected."""
        pages: list[list[ItemT | None]] = []
        while paginator.has_next_page:
            pages.append(
                await self._fetch_page(endpoint, body, paginator, item_key, len(pages) + 1, parse)
            )
        return pages

    async def _fetch_page(
        self,
        endpoint: str,
        body: dict[str, Any],
        paginator: BasePaginator,
        item_key: str | None,
        page_number: int,
        parse: _ParseItems[ItemT],
    ) -> list[ItemT | None]:
        """One page, fetched again while any of it fails validation; then its bad items rejected.

        A refetch is only a chance to get the bad items right: the answer with the fewest bad
        items stands, its bad items rejected, also when a refetch fails (a cap reached, a server
        error after its retries, an unusable list).
        """
        where = f"{endpoint} page {page_number}"
        kept: tuple[list[ItemT | None], list[RejectedItem], str | None] | None = None
        for attempt in range(1, self.payload_attempts + 1):
            try:
                expect_items = page_number == 1 or not paginator.empty_last_page
                answer = await self._request(
                    endpoint,
                    paginator.update_request(body),
                    item_key=item_key,
                    items_path=paginator.items_path if expect_items else None,
                )
            except ScavioError as exc:
                if kept is None:
                    raise
                log.warning(
                    "%s item=%s: fetching it again failed (%s); keeping the answer before",
                    where,
                    item_key,
                    self._safe(str(exc), _MAX_MESSAGE),
                )
                break
            page_error: PayloadValidationError | None = None
            try:
                items = paginator.items(answer.data)
                next_cursor = paginator.next_cursor(answer.data, items)
            except PayloadValidationError as exc:
                page_error = exc
            last = attempt == self.payload_attempts
            if page_error is not None:
                if last and kept is not None:
                    break  # an earlier answer had a usable list: it stands
                if last:
                    rejection = self._rejection(
                        page_error, answer.data, answer, endpoint, item_key, where
                    )
                    self._reject([rejection])
                    raise page_error
                problem = f"{page_error.field} {page_error.problem}"
            else:
                videos, rejected = parse(items, answer, endpoint, item_key, where)
                # The answer with the fewest bad items stands (the latest among equals): a
                # refetch can bring a transient fault of its own next to a permanently bad item.
                if kept is None or len(rejected) <= len(kept[1]):
                    kept = (videos, rejected, next_cursor)
                if not rejected or last:
                    break
                problem = rejected[0].reason + (
                    f" and {len(rejected) - 1} more" if len(rejected) > 1 else ""
                )
            self._log_refetch(where, item_key, problem, attempt)
        if kept is None:
            raise AssertionError("unreachable")
        videos, rejected, next_cursor = kept
        self._reject(rejected)
        paginator.advance(next_cursor)
        return videos

    def _following_parser(
        self, items: list[Any], answer: _Answer, endpoint: str, item_key: str | None, where: str
    ) -> tuple[list[Following | None], list[RejectedItem]]:
        """A page parser for followed accounts."""
        accounts: list[Following | None] = []
        rejected: list[RejectedItem] = []
        for index, item in enumerate(items, start=1):
            try:
                accounts.append(
                    Following.from_payload(
                        item, request_seq=answer.seq, captured_at=answer.captured_at
                    )
                )
            except PayloadValidationError as exc:
                rejected.append(
                    self._rejection(exc, item, answer, endpoint, item_key, f"{where} item {index}")
                )
                accounts.append(None)
        return accounts, rejected

    def _comment_parser(self, parent_comment_id: str | None) -> _ParseItems[Comment]:
        """A page parser for comments (replies to ``parent_comment_id`` when given)."""

        def parse(
            items: list[Any], answer: _Answer, endpoint: str, item_key: str | None, where: str
        ) -> tuple[list[Comment | None], list[RejectedItem]]:
            comments: list[Comment | None] = []
            rejected: list[RejectedItem] = []
            for index, item in enumerate(items, start=1):
                try:
                    comments.append(
                        Comment.from_payload(
                            item,
                            request_seq=answer.seq,
                            captured_at=answer.captured_at,
                            parent_comment_id=parent_comment_id,
                        )
                    )
                except PayloadValidationError as exc:
                    rejected.append(
                        self._rejection(
                            exc, item, answer, endpoint, item_key, f"{where} item {index}"
                        )
                    )
                    comments.append(None)
            return comments, rejected

        return parse

    def _parse_videos(
        self,
        items: list[Any],
        answer: _Answer,
        endpoint: str,
        item_key: str | None,
        where: str,
        *,
        search: bool,
    ) -> tuple[list[Video | None], list[RejectedItem]]:
        videos: list[Video | None] = []
        rejected: list[RejectedItem] = []
        seq, captured_at = answer.seq, answer.captured_at
        skipped = 0
        for index, entry in enumerate(items, start=1):
            item = entry
            try:
                if search:
                    if type(entry) is not dict:
                        raise PayloadValidationError(
                            f"search_item_list[{index - 1}]",
                            f"must be an object, got {type(entry).__name__}",
                        )
                    item = entry.get("aweme_info")
                    if item is None:
                        # Search lists can carry cards that are not videos; they have no rank.
                        skipped += 1
                        continue
                videos.append(Video.from_payload(item, request_seq=seq, captured_at=captured_at))
            except PayloadValidationError as exc:
                rejected.append(
                    self._rejection(exc, item, answer, endpoint, item_key, f"{where} item {index}")
                )
                videos.append(None)
        if skipped:
            log.info("%s item=%s: skipped %d entries without aweme_info", where, item_key, skipped)
        return videos, rejected

    def _rejection(
        self,
        error: PayloadValidationError,
        payload: Any,
        answer: _Answer,
        endpoint: str,
        item_key: str | None,
        where: str,
    ) -> RejectedItem:
        rejection = RejectedItem.from_error(
            error,
            payload,
            endpoint=endpoint,
            item_key=item_key,
            request_seq=answer.seq,
            captured_at=answer.captured_at,
            where=where,
        )
        reason = self._mask(rejection.reason)
        if reason != rejection.reason:
            rejection = RejectedItem(**{**_fields(rejection), "reason": reason})
        return rejection

    def _reject(self, rejected: list[RejectedItem]) -> None:
        if not rejected:
            return
        self.rejected.extend(rejected)
        for item in rejected:
            log.warning(
                "rejected an invalid item after %d fetch(es): %s item=%s id=%s: %s",
                self.payload_attempts,
                item.endpoint,
                item.item_key,
                item.item_id,
                item.reason,
            )

    def _log_refetch(self, where: str, item_key: str | None, problem: str, attempt: int) -> None:
        log.warning(
            "%s item=%s: invalid payload (%s); fetching it again (%d/%d)",
            where,
            item_key,
            problem,
            attempt + 1,
            self.payload_attempts,
        )

    # ------------------------------------------------------------------ the request pipeline

    async def request(
        self,
        endpoint: str,
        body: dict[str, Any],
        *,
        item_key: str | None = None,
        items_path: str | None = None,
    ) -> dict[str, Any]:
        """POST ``body`` to ``/api/v1/tiktok/<endpoint>`` and return the envelope's ``data``.

        Retries what :func:`is_retryable` allows and raises the last error otherwise. ``item_key``
        labels the ledger entries and log lines (a username, a query). ``items_path`` is the dotted
        path of the list the answer should carry: an empty or missing list is logged as a suspect
        empty response and flagged in the ledger, and still returned.
        """
        answer = await self._request(endpoint, body, item_key=item_key, items_path=items_path)
        return answer.data

    async def _request(
        self,
        endpoint: str,
        body: dict[str, Any],
        *,
        item_key: str | None = None,
        items_path: str | None = None,
    ) -> _Answer:
        self._raise_if_stopped()
        name = endpoint.strip().strip("/")
        if name.startswith(API_PREFIX.strip("/") + "/"):
            name = name[len(API_PREFIX.strip("/")) + 1 :]
        call = _Call(
            endpoint=name,
            path=API_PREFIX + name,
            body=dict(body),
            item_key=item_key,
            items_path=items_path,
            seq=self.ledger.next_seq(),
            params_json=params_json(body, self._secrets),
        )
        # A fresh controller per request: tenacity keeps per-run statistics on the instance.
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(is_retryable),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        return await retrying(self._attempt, call)

    async def _attempt(self, call: _Call) -> _Answer:
        if self.budget.reserve_floor is not None and self.budget.last_known_remaining is None:
            # The reserve cannot be judged before an answer reports the balance, so until one
            # does, a single request is out at a time and at most one credit can go unjudged.
            async with self._balance_gate:
                if self.budget.last_known_remaining is None:
                    return await self._attempt_once(call)
        return await self._attempt_once(call)

    async def _attempt_once(self, call: _Call) -> _Answer:
        async with self._gate:
            self._raise_if_stopped()
            if self._limiter is not None:
                await self._limiter.acquire(self._sleep)
                self._raise_if_stopped()
            try:
                self.budget.reserve(1)
            except BudgetExceededError as exc:
                # A cap reached is the end of this client's spending, like a 402.
                self._stop(exc)
                raise
            call.attempts += 1
            received = await self._transmit(call)
            if received.response.status_code in (401, 402, 429) or not self._date_echoed(received):
                # Stop every other request, or lower the in-flight cap to the plan's, before this
                # slot lets the next one out.
                return self._conclude(call, received)
        # The slot is free once the answer's bytes are in. Yielding here lets a waiting request go
        # out before this answer is decoded: otherwise answers that arrive together are decoded one
        # after another while their slots sit idle, and the in-flight cap is never reached.
        await asyncio.sleep(0)
        return self._conclude(call, received)

    def _record(
        self,
        call: _Call,
        started_at: datetime,
        captured_at: datetime,
        latency_ms: float,
        status: int | None,
        error: BaseException | None,
        credits_used: int | None,
        credits_remaining: int | None,
        charge: int,
        suspect_empty: bool = False,
    ) -> None:
        """Settle the attempt's credit reservation and write its ledger entry."""
        self.budget.settle(1, charge)
        message = None if error is None else self._safe(str(error), _MAX_MESSAGE)
        self.ledger.record(
            LedgerEntry(
                request_seq=call.seq,
                endpoint=call.endpoint,
                params_json=call.params_json,
                item_key=call.item_key,
                attempt=call.attempts,
                status=status,
                error_class=None if error is None else type(error).__name__,
                error_message=message,
                credits_used=credits_used,
                credits_remaining=credits_remaining,
                latency_ms=latency_ms,
                started_at=started_at,
                captured_at=captured_at,
                suspect_empty=suspect_empty,
            )
        )
        log.debug(
            "%s #%d attempt %d item=%s -> %s in %.0f ms%s",
            call.endpoint,
            call.seq,
            call.attempts,
            call.item_key,
            status if error is None else f"{status} {type(error).__name__}",
            latency_ms,
            "" if credits_used is None else f" (credits {credits_used}, left {credits_remaining})",
        )

    async def _transmit(self, call: _Call) -> _Received:
        """Send one attempt (its reservation already held) and read the whole answer.

        Our error is raised after the ``except`` block that built it, so it does not keep the httpx
        exception (and the request with its Authorization header) as ``__context__``.
        """
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        error: ScavioError | None = None
        status: int | None = None
        charge = 1  # anything that may have reached the server may have been billed
        try:
            async with asyncio.timeout(self.timeout):
                response, content = await self._exchange(call)
        except TimeoutError:
            error = TransportError(
                f"no complete answer from {call.path} within the {self.timeout:g} s deadline"
            )
        except _TooLarge as exc:
            status = exc.status
            error = TransportError(
                f"{call.path} answered HTTP {status} with an answer larger than "
                f"{self.max_response_bytes} bytes; it was abandoned"
            )
        except httpx.DecodingError as exc:
            # A body whose content encoding is broken is a malformed answer, retried like one.
            error = MalformedResponseError(
                f"{call.path} answered with a body that could not be decoded: "
                f"{self._safe(str(exc))}"
            )
        except httpx.TransportError as exc:
            error = TransportError(
                f"{type(exc).__name__} calling {call.path}: {self._safe(str(exc))}".rstrip(": ")
            )
            charge = 0 if isinstance(exc, _NOT_SENT) else 1
        except BaseException as exc:
            # Cancellation, or a failure below us that is not an HTTP error: record the attempt and
            # keep its credit (it may have been sent), then let it propagate unchanged.
            now = datetime.now(UTC)
            self._record(call, started_at, now, _ms(started), None, exc, None, None, 1)
            raise
        latency_ms = _ms(started)
        captured_at = datetime.now(UTC)
        if error is not None:
            self._record(
                call, started_at, captured_at, latency_ms, status, error, None, None, charge
            )
            raise error
        return _Received(response, content, started_at, captured_at, latency_ms)

    async def _exchange(self, call: _Call) -> tuple[httpx.Response, bytes]:
        """POST and read the body, abandoning it as soon as it passes ``max_response_bytes``."""
        limit = self.max_response_bytes
        async with self._http.stream("POST", call.path, json=call.body) as response:
            length = _content_length(response)
            if length is not None and length > limit:
                raise _TooLarge(response.status_code)
            if length is not None and "content-encoding" not in response.headers:
                # The common case: the length is known and the connection enforces it.
                return response, await response.aread()
            # No length, or a compressed body whose decoded size is what counts: count as it comes.
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise _TooLarge(response.status_code)
                chunks.append(chunk)
            return response, b"".join(chunks)

    def _date_echoed(self, received: _Received) -> bool:
        expected = self.expect_date_echo
        if expected is None:
            return True
        echoed = received.response.headers.get(DATE_ECHO_HEADER)
        return echoed is not None and echoed.strip() == expected

    def _date_error(self, received: _Received) -> DateNotHonouredError:
        expected = self.expect_date_echo
        echoed = received.response.headers.get(DATE_ECHO_HEADER)
        echo = (
            "no X-Sim-Date echo"
            if echoed is None
            else f"its X-Sim-Date echo is {clean_text(echoed, 40)!r}"
        )
        return DateNotHonouredError(
            f"the API answered without confirming it serves {expected} ({echo}); the live API "
            f"serves only current counts, so landing this answer would store today's counts under "
            f"{expected}; runs for past dates need the simulator"
        )

    def _conclude(self, call: _Call, received: _Received) -> _Answer:
        """Classify an answer: return its data, or record and raise the matching error."""
        response = received.response
        status = response.status_code
        timing = (call, received.started_at, received.captured_at, received.latency_ms, status)
        date_error = None if self._date_echoed(received) else self._date_error(received)
        if response.is_success:
            envelope_error, data, credits_used, credits_remaining = self._read_envelope(
                received, call
            )
            if envelope_error is not None:
                failure = date_error or envelope_error
                # A 2xx is billed even when its body cannot be read (one credit per request, by
                # the contract), so the ledger counts it: it must add up to what the API billed.
                self._record(*timing, failure, 1, None, 1)
                if date_error is not None:
                    self._stop(date_error)
                raise failure
            self.budget.observe_remaining(credits_remaining)
            if date_error is not None:
                # Billed, so recorded; but its data belongs to another date and is dropped.
                self._record(*timing, date_error, credits_used, credits_remaining, credits_used)
                self._stop(date_error)
                raise date_error
            suspect = False
            if call.items_path is not None:
                items = dig(data, call.items_path)
                suspect = items is None or (isinstance(items, list) and not items)
            self._record(*timing, None, credits_used, credits_remaining, credits_used, suspect)
            if suspect:
                log.warning(
                    "suspect empty response: %s item=%s answered HTTP %d with no %s",
                    call.endpoint,
                    call.item_key,
                    status,
                    call.items_path,
                )
            return _Answer(data, call.seq, received.captured_at)

        error = self._api_error(received, call)
        billed = _as_int(error.body.get("credits_used")) or 0
        remaining = _as_int(error.body.get("credits_remaining"))
        self.budget.observe_remaining(remaining)
        if date_error is not None:
            self._record(*timing, date_error, billed, remaining, billed)
            self._stop(date_error)
            raise date_error
        self._record(*timing, error, billed, remaining, billed)
        if isinstance(error, AuthenticationError | CreditsExhaustedError):
            self._stop(error)
        raise error

    def _read_envelope(
        self, received: _Received, call: _Call
    ) -> tuple[MalformedResponseError | None, dict[str, Any], int, int | None]:
        """(error, data, credits_used, credits_remaining) of a 2xx answer; error when malformed."""
        where = f"{call.path} answered HTTP {received.response.status_code}"
        parsed, envelope = _loads(received.content)
        if not parsed:
            text = self._snippet(received.content)
            return (
                MalformedResponseError(f"{where} with a body that is not JSON: {text!r}"),
                {},
                0,
                None,
            )
        if not isinstance(envelope, dict):
            return (
                MalformedResponseError(
                    f"{where} with JSON {type(envelope).__name__}, not the envelope object"
                ),
                {},
                0,
                None,
            )
        data = envelope.get("data")
        if not isinstance(data, dict):
            found = "no 'data'" if data is None else f"'data' as {type(data).__name__}"
            return MalformedResponseError(f"{where} with {found} in the envelope"), {}, 0, None
        warnings = envelope.get("warnings")
        if warnings:
            log.warning("%s: API warnings: %s", call.endpoint, self._safe(str(warnings)))
        # Every TikTok endpoint costs one credit; an envelope without the field is counted so.
        credits_used = _as_int(envelope.get("credits_used"))
        return (
            None,
            data,
            1 if credits_used is None else credits_used,
            _as_int(envelope.get("credits_remaining")),
        )

    def _error_details(self, received: _Received) -> tuple[str | None, str, dict[str, Any]]:
        """(code, message, body) from an error answer in any of its forms, cleaned and masked.

        Forms seen: ``{"error": {"code", "message"}}``, ``{"error": "..."}``, ``{"message": "..."}``,
        and bodies that are not JSON at all (a proxy's HTML page, an empty 502).
        """
        response = received.response
        reason = response.reason_phrase or "error"
        parsed, body = _loads(received.content)
        if not parsed:
            text = self._snippet(received.content)
            return None, f"{reason} (non-JSON body: {text!r})" if text else reason, {}
        if not isinstance(body, dict):
            return None, f"{reason} (body: {self._safe(str(body))!r})", {}
        body = _clean_body(body, self._secrets)
        code: Any = None
        message: Any = None
        error = body.get("error")
        if isinstance(error, dict):
            code, message = error.get("code"), error.get("message")
        elif isinstance(error, str) and error:
            message = error
        if not message and body.get("message"):
            message = body["message"]
        if code is None and isinstance(body.get("code"), str):
            code = body["code"]
        if not message:
            message = reason
        return (self._safe(str(code)) if code else None), self._safe(str(message)), body

    def _api_error(self, received: _Received, call: _Call) -> ScavioAPIError:
        status = received.response.status_code
        code, message, body = self._error_details(received)
        kwargs: dict[str, Any] = {
            "status": status,
            "code": code,
            "endpoint": call.path,
            "body": body,
        }
        if status == 401:
            message = (
                f"Scavio rejected the API key (HTTP 401): {message}; "
                "check SCAVIO_API_KEY / the scavio_default connection"
            )
        elif status == 402:
            balance = body.get("credit_balance")
            billing = body.get("billing_url") or "the Scavio dashboard"
            message = (
                f"Scavio account is out of credits (HTTP 402): {message}; credit balance "
                f"{balance if balance is not None else 'unknown'}; top up at {billing}. "
                "All further requests are stopped; what was fetched is kept"
            )
        elif status == 429:
            retry_after = parse_retry_after(received.response.headers.get("Retry-After"))
            if retry_after is None:
                retry_after = parse_retry_after(body.get("retry_after"))
            plan_cap = _as_int(body.get("concurrency"))
            if plan_cap is not None and 1 <= plan_cap < self._gate.limit:
                self._lower_in_flight_cap(plan_cap, body.get("plan"))
            return RateLimitedError(message, retry_after=retry_after, **kwargs)
        error_class = STATUS_ERRORS.get(status) or (
            ServerError if status >= 500 else ScavioAPIError
        )
        return error_class(message, **kwargs)

    def _lower_in_flight_cap(self, plan_cap: int, plan: Any) -> None:
        """Send at most ``plan_cap`` attempts at once from now on: the plan allows no more.

        Configured above the plan's cap, the client would meet a 429 on every attempt past it and
        spend its retries on them. Attempts already out finish normally; no new one starts until
        fewer than ``plan_cap`` are out.
        """
        log.warning(
            "the API allows %d requests in flight%s; lowering max_in_flight from %d to %d",
            plan_cap,
            "" if plan is None else f" on the {self._safe(str(plan), 40)} plan",
            self._gate.limit,
            plan_cap,
        )
        self._gate.lower(plan_cap)

    # ------------------------------------------------------------------ stop, sleep, retry hooks

    def _stop(self, error: ScavioError) -> None:
        if self.stopped is not None:
            return
        self.stopped = error
        self._stop_event.set()  # wakes every task backing off or waiting for a rate-limit slot
        log.error("%s; no further requests will be sent", error)

    def _raise_if_stopped(self) -> None:
        stopped = self.stopped
        if stopped is None:
            return
        # A fresh error per call: re-raising one shared instance from many tasks would grow its
        # traceback with every raise.
        if isinstance(stopped, ScavioAPIError):
            clone: BaseException = type(stopped)(
                stopped.api_message,
                status=stopped.status,
                code=stopped.code,
                endpoint=stopped.endpoint,
                body=stopped.body,
            )
        else:
            try:
                clone = copy.copy(stopped)
            except TypeError:  # an error class of a caller's refill that cannot be rebuilt
                clone = stopped
        raise clone from stopped

    async def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the client stops, so waiting calls fail at once."""
        if self._stop_event.is_set():
            return
        try:
            async with asyncio.timeout(max(seconds, 0.0)):
                await self._stop_event.wait()
        except TimeoutError:
            pass

    def _wait(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        return retry_delay(
            exc,
            retry_state.attempt_number,
            backoff_base=self.backoff_base,
            backoff_max=self.backoff_max,
            retry_after_cap=self.retry_after_cap,
        )

    def _log_retry(self, retry_state: RetryCallState) -> None:
        call: _Call = retry_state.args[0]
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        delay = retry_state.next_action.sleep if retry_state.next_action else 0.0
        log.log(
            logging.INFO if isinstance(exc, RateLimitedError) else logging.WARNING,
            "%s item=%s attempt %d/%d failed (%s); retrying in %.2f s",
            call.endpoint,
            call.item_key,
            retry_state.attempt_number,
            self.max_attempts,
            self._safe(str(exc), _MAX_MESSAGE),
            delay,
        )

    def _mask(self, text: str) -> str:
        return mask_text(text, self._secrets)

    def _safe(self, text: str, limit: int = 300) -> str:
        """Server-supplied ``text`` fit for a log line, an exception or the ledger."""
        return clean_text(self._mask(text), limit)

    def _snippet(self, content: bytes) -> str:
        return self._safe(content[:_SNIPPET_BYTES].decode("utf-8", errors="replace"))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _fields(item: RejectedItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in RejectedItem.__dataclass_fields__}


def _ranked(pages: list[list[Video | None]]) -> list[PagedItem]:
    """Videos with their 1-based page and rank; a rejected video (``None``) keeps its rank."""
    results: list[PagedItem] = []
    rank = 0
    for page_number, page in enumerate(pages, start=1):
        for video in page:
            rank += 1
            if video is not None:
                results.append(PagedItem(page_number, rank, video))
    return results


def _ranked_comments(pages: list[list[Comment | None]]) -> list[PagedComment]:
    """Comments with their 1-based page and rank; a rejected comment (``None``) keeps its rank."""
    results: list[PagedComment] = []
    rank = 0
    for page_number, page in enumerate(pages, start=1):
        for comment in page:
            rank += 1
            if comment is not None:
                results.append(PagedComment(page_number, rank, comment))
    return results


def _check_count(count: int, maximum: int = MAX_COUNT) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= maximum:
        raise ValueError(f"count must be an integer from 1 to {maximum}, got {count!r}")
