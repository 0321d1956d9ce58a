"""Async client for the Scavio TikTok API: one pooled httpx client, limits, retries, budget, ledger.

What happens to one request (``ScavioClient.request``), attempt by attempt::

    stopped?            a 401 or 402 was seen: raise it again, send nothing
    semaphore           at most ``max_in_flight`` attempts in flight (released while backing off)
    rate limiter        optional: evenly spaced starts for requests_per_second / _minute
    budget.reserve(1)   BudgetExceededError before sending if the cap could be passed
    POST                one pooled httpx.AsyncClient, explicit timeouts
    ledger + settle     one LedgerEntry per attempt; the reservation settled with the billed credits
    retry?              429 (after Retry-After), 500/502/503/504, transport errors and malformed 2xx
                        bodies, with full-jitter exponential backoff, up to ``max_attempts``;
                        never 400/401/402/403/404/410

The typed methods (:meth:`ScavioClient.profile`, :meth:`~ScavioClient.user_posts`, ...) build the
body, page through answers with the paginators and parse the payloads into records; a payload that
fails validation raises :class:`PayloadValidationError` naming the field. The client lands nothing.

The API key is sent only in the ``Authorization`` header (added by an ``httpx.Auth`` whose repr
hides it) and is masked wherever text from a request or an answer reaches a log line, an exception
or the ledger.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from .errors import (
    STATUS_ERRORS,
    AuthenticationError,
    CreditsExhaustedError,
    MalformedResponseError,
    PayloadValidationError,
    RateLimitedError,
    ScavioAPIError,
    ScavioError,
    ServerError,
    TransportError,
)
from .ledger import CreditBudget, LedgerEntry, RequestLedger, mask_text, params_json, redact_params
from .paginators import BasePaginator, CursorPaginator, MaxCursorPaginator, PagedItem, dig
from .records import Hashtag, Profile, Video

__all__ = [
    "API_PREFIX",
    "RETRY_STATUSES",
    "CreditBudget",
    "LedgerEntry",
    "PagedItem",
    "RateLimiter",
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
_USER_AGENT = "tiktok-engagement-warehouse (httpx)"
# Connection failures that happen before the request leaves this machine, so cannot be billed.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAX_MESSAGE = 500


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


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def _error_details(response: httpx.Response) -> tuple[str | None, str, dict[str, Any]]:
    """(code, message, body) from an error answer in any of its forms.

    Forms seen: ``{"error": {"code", "message"}}``, ``{"error": "..."}``, ``{"message": "..."}``,
    and bodies that are not JSON at all (a proxy's HTML page, an empty 502).
    """
    try:
        body = response.json()
    except ValueError:
        text = _snippet(response.text or "")
        reason = response.reason_phrase or "error"
        return None, f"{reason} (non-JSON body: {text!r})" if text else reason, {}
    if not isinstance(body, dict):
        return None, f"{response.reason_phrase or 'error'} (body: {_snippet(str(body))!r})", {}
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
        message = response.reason_phrase or "error"
    return (str(code) if code else None), str(message), body


class ScavioClient:
    """Async client for the Scavio TikTok endpoints; use as ``async with ScavioClient(...) as c``.

    ``base_url`` is the API root (``https://api.scavio.dev``); endpoints are the paths after
    ``/api/v1/tiktok/``. ``max_in_flight`` caps attempts in flight (the plan's concurrency), and
    ``requests_per_second`` / ``requests_per_minute`` optionally space their starts. Retries follow
    :func:`is_retryable` with :func:`retry_delay`, at most ``max_attempts`` attempts per request.
    ``budget`` caps the credits of the run; ``ledger`` receives one entry per attempt (both are
    created when not given, and available as attributes). ``extra_headers`` go on every request
    (``X-Sim-Date`` for the simulator). ``transport`` replaces the network (``httpx.MockTransport``
    in tests).

    After a 401 or 402, :attr:`stopped` holds that error and every call, concurrent or later, raises
    an error of the same class and message (chained from it) without sending anything.
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
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")

        self.base_url = base
        self.max_in_flight = max_in_flight
        self.requests_per_second = requests_per_second
        self.requests_per_minute = requests_per_minute
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_cap = retry_after_cap
        self.budget = budget if budget is not None else CreditBudget(None)
        self.ledger = ledger if ledger is not None else RequestLedger()
        self.stopped: ScavioError | None = None

        self._secrets = _Secrets({api_key, api_key.strip()})
        self._semaphore = asyncio.Semaphore(max_in_flight)
        self._stop_event = asyncio.Event()
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
            # The semaphore keeps attempts at max_in_flight, so the pool never makes one wait.
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
            f"stopped={stopped})"
        )

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
        body = {"username": username} if username else {"sec_user_id": sec_user_id}
        data = await self.request("profile", body, item_key=username or sec_user_id)
        return Profile.from_payload(_required(data, "user", "profile"))

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
        return [Video.from_payload(item) for page in pages for item in page]

    async def search_videos(
        self,
        keyword: str,
        *,
        count: int = 20,
        max_pages: int = 1,
        sort_type: str = "0",
        publish_time: str = "0",
    ) -> list[PagedItem]:
        """Videos found for ``keyword``, each with its page and its rank across pages."""
        _check_count(count)
        body = {
            "keyword": keyword,
            "count": count,
            "sort_type": str(sort_type),
            "publish_time": str(publish_time),
        }
        paginator = CursorPaginator(items_path="search_item_list", max_pages=max_pages)
        pages = await self._paginate("search/videos", body, paginator, keyword)
        results: list[PagedItem] = []
        skipped = 0
        for page_number, page in enumerate(pages, start=1):
            for index, entry in enumerate(page):
                if not isinstance(entry, dict):
                    raise PayloadValidationError(
                        f"search_item_list[{index}]",
                        f"must be an object, got {type(entry).__name__}",
                        context=f"search/videos page {page_number}",
                    )
                aweme = entry.get("aweme_info")
                if aweme is None:
                    # Search lists can carry cards that are not videos; they have no rank to keep.
                    skipped += 1
                    continue
                video = Video.from_payload(aweme)
                results.append(PagedItem(page_number, len(results) + 1, video))
        if skipped:
            log.info("search/videos %r: skipped %d entries without aweme_info", keyword, skipped)
        return results

    async def hashtag(
        self, *, hashtag_name: str | None = None, hashtag_id: str | None = None
    ) -> Hashtag:
        """A hashtag by name or id (give exactly one)."""
        if bool(hashtag_name) == bool(hashtag_id):
            raise ValueError("give exactly one of hashtag_name or hashtag_id")
        body = {"hashtag_name": hashtag_name} if hashtag_name else {"hashtag_id": hashtag_id}
        data = await self.request("hashtag", body, item_key=hashtag_name or hashtag_id)
        return Hashtag.from_payload(_required(data, "challengeInfo", "hashtag"))

    async def hashtag_videos(
        self, hashtag_id: str, *, count: int = 20, max_pages: int = 1, item_key: str | None = None
    ) -> list[PagedItem]:
        """Videos listed under a hashtag, each with its page and its rank across pages."""
        _check_count(count)
        body = {"hashtag_id": hashtag_id, "count": count}
        paginator = CursorPaginator(items_path="aweme_list", max_pages=max_pages)
        pages = await self._paginate("hashtag/videos", body, paginator, item_key or hashtag_id)
        results: list[PagedItem] = []
        for page_number, page in enumerate(pages, start=1):
            for item in page:
                results.append(PagedItem(page_number, len(results) + 1, Video.from_payload(item)))
        return results

    async def video(self, video_id: str) -> Video:
        """One video by id."""
        data = await self.request("video", {"video_id": video_id}, item_key=video_id)
        return Video.from_payload(_required(data, "aweme_detail", "video"))

    async def _paginate(
        self, endpoint: str, body: dict[str, Any], paginator: BasePaginator, item_key: str | None
    ) -> list[list[Any]]:
        pages: list[list[Any]] = []
        while paginator.has_next_page:
            data = await self.request(
                endpoint,
                paginator.update_request(body),
                item_key=item_key,
                items_path=paginator.items_path,
            )
            items = paginator.items(data)
            pages.append(items)
            paginator.update_state(data, items)
        return pages

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

    async def _attempt(self, call: _Call) -> dict[str, Any]:
        async with self._semaphore:
            self._raise_if_stopped()
            if self._limiter is not None:
                await self._limiter.acquire(self._sleep)
                self._raise_if_stopped()
            self.budget.reserve(1)
            call.attempts += 1
            response, started_at, latency_ms = await self._transmit(call)
            if response.status_code in (401, 402):
                # Stop every other request before this slot lets the next one out.
                return self._conclude(call, response, started_at, latency_ms)
        # The slot is free once the answer's bytes are in. Yielding here lets a waiting request go
        # out before this answer is decoded: otherwise answers that arrive together are decoded one
        # after another while their slots sit idle, and the in-flight cap is never reached.
        await asyncio.sleep(0)
        return self._conclude(call, response, started_at, latency_ms)

    def _record(
        self,
        call: _Call,
        started_at: datetime,
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
        message = None if error is None else self._mask(str(error))[:_MAX_MESSAGE]
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

    async def _transmit(self, call: _Call) -> tuple[httpx.Response, datetime, float]:
        """Send one attempt (its reservation already held) and read the whole answer."""
        started_at = datetime.now(UTC)
        started = time.perf_counter()

        def elapsed_ms() -> float:
            return (time.perf_counter() - started) * 1000.0

        try:
            response = await self._http.post(call.path, json=call.body)
        except httpx.DecodingError as exc:
            # A body whose content encoding is broken is a malformed answer, retried like one.
            error = MalformedResponseError(
                self._mask(f"{call.path} answered with a body that could not be decoded: {exc}")
            )
            self._record(call, started_at, elapsed_ms(), None, error, None, None, 1)
            raise error from None
        except httpx.TransportError as exc:
            error = TransportError(
                self._mask(f"{type(exc).__name__} calling {call.path}: {exc}".rstrip(": "))
            )
            # A request that may have reached the server may have been billed: count it.
            charge = 0 if isinstance(exc, _NOT_SENT) else 1
            self._record(call, started_at, elapsed_ms(), None, error, None, None, charge)
            # The message already names the httpx error; not chaining it keeps its unmasked text
            # (and the request it carries) out of printed tracebacks.
            raise error from None
        except BaseException as exc:
            # Cancellation, or a failure below us that is not an HTTP error: record the attempt and
            # keep its credit (it may have been sent), then let it propagate unchanged.
            self._record(call, started_at, elapsed_ms(), None, exc, None, None, 1)
            raise
        return response, started_at, elapsed_ms()

    def _conclude(
        self, call: _Call, response: httpx.Response, started_at: datetime, latency_ms: float
    ) -> dict[str, Any]:
        """Classify an answer: return its data, or record and raise the matching error."""
        status = response.status_code
        if response.is_success:
            try:
                data, credits_used, credits_remaining = self._read_envelope(response, call)
            except MalformedResponseError as error:
                self._record(call, started_at, latency_ms, status, error, None, None, 1)
                raise
            suspect = False
            if call.items_path is not None:
                items = dig(data, call.items_path)
                suspect = items is None or (isinstance(items, list) and not items)
            self._record(
                call,
                started_at,
                latency_ms,
                status,
                None,
                credits_used,
                credits_remaining,
                credits_used,
                suspect,
            )
            if suspect:
                log.warning(
                    "suspect empty response: %s item=%s answered HTTP %d with no %s",
                    call.endpoint,
                    call.item_key,
                    status,
                    call.items_path,
                )
            return data

        error = self._api_error(response, call)
        billed = _as_int(error.body.get("credits_used")) or 0
        self._record(
            call,
            started_at,
            latency_ms,
            status,
            error,
            billed,
            _as_int(error.body.get("credits_remaining")),
            billed,
        )
        if isinstance(error, AuthenticationError | CreditsExhaustedError):
            self._stop(error)
        raise error

    def _read_envelope(
        self, response: httpx.Response, call: _Call
    ) -> tuple[dict[str, Any], int, int | None]:
        where = f"{call.path} answered HTTP {response.status_code}"
        try:
            envelope = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            text = self._mask(_snippet(response.text or ""))
            raise MalformedResponseError(
                f"{where} with a body that is not JSON: {text!r}"
            ) from None
        if not isinstance(envelope, dict):
            raise MalformedResponseError(
                f"{where} with JSON {type(envelope).__name__}, not the envelope object"
            )
        data = envelope.get("data")
        if not isinstance(data, dict):
            found = "no 'data'" if data is None else f"'data' as {type(data).__name__}"
            raise MalformedResponseError(f"{where} with {found} in the envelope")
        warnings = envelope.get("warnings")
        if warnings:
            log.warning("%s: API warnings: %s", call.endpoint, self._mask(str(warnings)))
        # Every TikTok endpoint costs one credit; an envelope without the field is counted so.
        credits_used = _as_int(envelope.get("credits_used"))
        return (
            data,
            1 if credits_used is None else credits_used,
            _as_int(envelope.get("credits_remaining")),
        )

    def _api_error(self, response: httpx.Response, call: _Call) -> ScavioAPIError:
        status = response.status_code
        code, message, body = _error_details(response)
        message = self._mask(message)
        body = redact_params(body, self._secrets)
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
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is None:
                retry_after = parse_retry_after(body.get("retry_after"))
            return RateLimitedError(message, retry_after=retry_after, **kwargs)
        error_class = STATUS_ERRORS.get(status) or (
            ServerError if status >= 500 else ScavioAPIError
        )
        return error_class(message, **kwargs)

    # ------------------------------------------------------------------ stop, sleep, retry hooks

    def _stop(self, error: ScavioAPIError) -> None:
        if self.stopped is not None:
            return
        self.stopped = error
        self._stop_event.set()  # wakes every task backing off or waiting for a rate-limit slot
        log.error("%s; no further requests will be sent", error)

    def _raise_if_stopped(self) -> None:
        stopped = self.stopped
        if stopped is None:
            return
        if isinstance(stopped, ScavioAPIError):
            # A fresh error per call: re-raising one shared instance from many tasks would grow
            # its traceback with every raise.
            clone = type(stopped)(
                stopped.api_message,
                status=stopped.status,
                code=stopped.code,
                endpoint=stopped.endpoint,
                body=stopped.body,
            )
            raise clone from stopped
        raise stopped

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
            self._mask(str(exc)),
            delay,
        )

    def _mask(self, text: str) -> str:
        return mask_text(text, self._secrets)


def _required(data: dict[str, Any], key: str, endpoint: str) -> Any:
    value = data.get(key)
    if value is None:
        raise PayloadValidationError(key, "is missing", context=f"{endpoint} response")
    return value


def _check_count(count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise ValueError(f"count must be an integer from 1 to {MAX_COUNT}, got {count!r}")
