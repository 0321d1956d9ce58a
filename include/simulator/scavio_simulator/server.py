"""The simulator's HTTP server: the Scavio TikTok endpoints plus ``/_sim/`` admin endpoints.

The API paths are served by a small ASGI handler of our own rather than through Starlette's router,
because the throughput benchmark needs the simulator's own per-request work to stay far below the
client's; the admin endpoints are an ordinary Starlette app. Both run in one uvicorn worker.

Order of checks for an API request, and what each costs:

1. method (405) and ``Authorization: Bearer`` key (401), per-key per-minute window (429 with
   ``X-RateLimit-*`` headers), in-flight cap (429 with ``Retry-After: 1``), credit balance (402):
   answered at once, never billed, never delayed by the simulated latency.
2. The request is then *in flight*: faults are drawn (timeouts, injected 5xx), the body is
   validated (400) and the endpoint answered (404 or 200), and the answer waits out the latency.
   In-flight accounting ends when the answer is ready, before its first byte is sent, so a client
   that sends its next request after reading an answer is never refused for the previous one.
3. Billing: a 200 costs 1 credit, including empty lists and malformed bodies (the server believes
   it answered); 404 is free unless ``charge_not_found``; every other status is free. The stats
   count billed credits in total and per date the answer was given as of (``credits_by_date``).

The date: an answer is given as of ``X-Sim-Date: D`` when the request carries it, else as of the
configured clock, else as of today (UTC). Every answer on an API path, whatever its status
(including 401, 429, 402, injected faults, timeouts and malformed bodies), carries the response
header ``X-Sim-Date`` with that date, which is how a client tells that the server honours a past
date; ``echo_date=false`` turns the echo off to stand in for an API that does not. A request whose
``X-Sim-Date`` is not ``YYYY-MM-DD`` is answered as of no date: 400 (after admission), no echo.

Bad items: ``bad_items`` corrupts, on every fetch, the second-newest video of a creator (as of the
answer's date) wherever it is listed or fetched, one way per ``KIND:USERNAME``; ``bad_profile``
gives a creator's profile ``follower_count`` -1. Everything else in those answers stays valid.

Limits: the per-minute window is fixed (it starts with a key's first request and lasts 60 s);
``X-RateLimit-Reset`` is the Unix second it ends. The in-flight 429 body reports the accepted
requests in flight; ``max_in_flight`` in the stats also counts the refused arrival, so a value
above the cap means a client overshot.

Timeouts: a timed-out request is held ``timeout_hold_s`` (or until the client hangs up, which
ends its in-flight time at once), then answered 504, or "dropped": the status line and part of
the body are sent and the connection is closed, which a client sees as a broken connection.
Latency: an answer is computed at once and sent when ``latency_ms`` (+/- jitter) has passed
since arrival, so ``response_time`` is the latency and the server's own work is hidden in it.

Comments: ``video/comments`` (``video_id`` required, ``cursor`` "0", ``count`` 1-50, default 20)
answers ``{"comments": [...], "cursor": <next offset>, "has_more": 0|1, "total": <the video's
comment_count>, "status_code": 0}``, most liked first, at most 200 comments per video (see
``comments.py``); ``video/comments/replies`` (``comment_id`` required, ``video_id`` optional,
``cursor``, ``count`` 1-50) answers the same shape with a comment's replies, oldest first,
``total`` the replies existing by the date. Items: ``cid``, ``text``, ``create_time``,
``digg_count``, ``reply_comment_total``, ``aweme_id``, ``reply_id`` (the parent's ``cid`` on a
reply, ``"0"`` on a comment), ``reply_to_reply_id`` ``"0"``, ``user{unique_id, nickname}``. An
unknown, deleted or not-yet-posted video is the ``video`` endpoint's 404; an unknown comment 404.
Both bill 1 credit per page like the other endpoints and see the same faults.

Followings: ``user/followings`` (``sec_user_id`` required, ``count`` 1-20, default 20; the first
page without ``page_token`` and ``min_time`` (or ``min_time`` 0), every later one with both, as the previous answer gave
them: one without the other, an unreadable token or a ``min_time`` other than the token's is 400)
answers ``{"followings": [...], "has_more": true|false, "next_page_token": "<opaque>", "min_time":
<follow time of the page's last account, Unix s>, "max_time": <of its first>, "total": <the list's
length>, "status_code": 0}``, most recent follow first (see ``graph.py``). ``has_more`` is a
boolean and is true on every full page, so a list that ends on a page boundary is followed by one
empty page (``has_more`` false). The next page holds the follows strictly older than the token's,
so follows made between two pages never repeat an account. Items: ``uid``, ``unique_id``,
``sec_uid``, ``nickname``, ``follower_count`` (a creator's is its profile's), ``following_count``,
``verification_type``, ``avatar_thumb``. An unknown ``sec_user_id`` is 404, like ``user/posts``.
1 credit a page, the same faults (an injected empty page has ``has_more`` false).

Brands: ``profile`` and ``user/posts`` also answer for the brands' own accounts
(``Population.brands``, e.g. ``glowlab``); ``user/followings`` does not (only creators have a
following list in the world: 404). A search naming a brand and a brand's hashtag list the
videos that mention it (``population.py``, "Brands").

Error bodies rotate through the contract's three forms (``{"error": {"code", "message"}}``,
``{"error": "..."}``, ``{"message": "..."}``), one after the other, so any three consecutive
errors show all three.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import math
import os
import socket
import time
from collections import Counter, OrderedDict
from datetime import UTC, date, datetime
from pathlib import Path
from random import Random
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from . import payloads
from .config import RUNTIME_FIELDS, SimulatorConfig
from .graph import page_start, page_token, read_page_token
from .population import (
    MAX_RESULT_DEPTH,
    Population,
    Post,
    as_of_timestamp,
    parse_day,
    suggested_queries,
)

try:  # orjson serialises faster than the stdlib; it is in the project's lock (via Airflow)
    import orjson

    def _dumps(value: Any) -> bytes:
        return orjson.dumps(value)

    _loads = orjson.loads
    _JSONDecodeError: tuple[type[Exception], ...] = (orjson.JSONDecodeError,)

    def _dumps_exact(value: Any) -> bytes:
        try:
            return orjson.dumps(value)
        except TypeError:
            # orjson stops at 64-bit integers; the huge_count bad item goes beyond them on purpose.
            return _stdlib_dumps(value)

except ImportError:  # pragma: no cover - the stdlib gives the same bytes, only slower

    def _dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()

    _loads = json.loads
    _JSONDecodeError = (json.JSONDecodeError, UnicodeDecodeError)
    _dumps_exact = _dumps


def _stdlib_dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


log = logging.getLogger("scavio_simulator")

API_ENDPOINTS: dict[str, str] = {
    "/api/v1/tiktok/profile": "profile",
    "/api/v1/tiktok/user/posts": "user/posts",
    "/api/v1/tiktok/search/videos": "search/videos",
    "/api/v1/tiktok/hashtag": "hashtag",
    "/api/v1/tiktok/hashtag/videos": "hashtag/videos",
    "/api/v1/tiktok/video": "video",
    "/api/v1/tiktok/video/comments": "video/comments",
    "/api/v1/tiktok/video/comments/replies": "video/comments/replies",
    "/api/v1/tiktok/user/followings": "user/followings",
}
LIST_FIELDS: dict[str, str] = {
    "user/posts": "aweme_list",
    "search/videos": "search_item_list",
    "hashtag/videos": "aweme_list",
    "video/comments": "comments",
    "video/comments/replies": "comments",
    "user/followings": "followings",
}
SERVER_ERRORS: tuple[tuple[int, str, str], ...] = (
    (500, "internal_error", "Internal server error"),
    (502, "bad_gateway", "Upstream provider returned an invalid response"),
    (503, "service_unavailable", "Service temporarily unavailable, please retry"),
    (504, "gateway_timeout", "Upstream provider timed out"),
)
MALFORMED_KINDS = ("truncated", "html", "no_data", "missing_field")
BILLING_URL = "https://dashboard.scavio.dev/billing"
NOMINAL_BALANCE = 1_000_000
"""``credits_remaining`` reported when no balance is configured: a nominal figure that counts down."""

CACHE_BYTES = 64 * 1024 * 1024
"""Budget of the serialized-answer cache: large enough to hold a day of a large roster's answers."""

_JSON = b"application/json"
_HTML_ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>Error</title></head><body>"
    b"<h1>Something went wrong</h1><p>The upstream service is temporarily unavailable.</p>"
    b"</body></html>"
)


class ApiError(Exception):
    """An API answer other than 200, raised inside request handling."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}
        self.headers = headers or []


class _Reply:
    __slots__ = ("status", "body", "headers", "content_type", "drop")

    def __init__(
        self,
        status: int,
        body: bytes,
        headers: list[tuple[bytes, bytes]] | None = None,
        content_type: bytes = _JSON,
        drop: bool = False,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers or []
        self.content_type = content_type
        self.drop = drop


class _Payload:
    """A successful answer's ``data`` as serialized bytes, and the endpoint that made it."""

    __slots__ = ("data", "endpoint")

    def __init__(self, data: bytes, endpoint: str) -> None:
        self.data = data
        self.endpoint = endpoint


class _Disconnected(Exception):
    pass


class _Day:
    """A date answers are given as of, with its echo header built once."""

    __slots__ = ("date", "as_of", "iso", "header")

    def __init__(self, day: date) -> None:
        self.date = day
        self.as_of = as_of_timestamp(day)
        self.iso = day.isoformat()
        self.header = (b"x-sim-date", self.iso.encode())


class _Ticket:
    """One admitted request's hold on a credit, released when it is charged or when it ends.

    ``day`` is None only for an unparseable ``X-Sim-Date``, answered 400 before any billing.
    """

    __slots__ = ("holds_credit", "day")

    def __init__(self, holds_credit: bool, day: _Day | None) -> None:
        self.holds_credit = holds_credit
        self.day = day


# -- parameter parsing ------------------------------------------------------------------------------


def _text(params: dict[str, Any], name: str) -> str | None:
    """A string parameter; an empty string counts as omitted, numbers are accepted as text."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ApiError(400, "bad_request", f"'{name}' must be a string")
    text = str(value).strip()
    return text or None


def _required(params: dict[str, Any], name: str) -> str:
    value = _text(params, name)
    if value is None:
        raise ApiError(400, "bad_request", f"'{name}' is required")
    return value


def _integer(params: dict[str, Any], name: str, default: int, what: str) -> int:
    """An integer parameter sent as a number or a decimal string; ``default`` when absent."""
    value = params.get(name)
    if value is None or value == "":
        return default
    message = f"'{name}' must be {what}"
    if isinstance(value, bool):
        raise ApiError(400, "bad_request", message)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ApiError(400, "bad_request", message) from None
    if number != value and str(number) != str(value).strip():  # 1.5, "2.0"
        raise ApiError(400, "bad_request", message)
    return number


def _count(params: dict[str, Any]) -> int:
    count = _integer(params, "count", 20, "an integer between 1 and 30")
    if not 1 <= count <= 30:
        raise ApiError(400, "bad_request", f"'count' must be between 1 and 30, got {count}")
    return count


def _comment_count(params: dict[str, Any]) -> int:
    count = _integer(params, "count", 20, "an integer between 1 and 50")
    if not 1 <= count <= 50:
        raise ApiError(400, "bad_request", f"'count' must be between 1 and 50, got {count}")
    return count


def _following_count(params: dict[str, Any]) -> int:
    count = _integer(params, "count", 20, "an integer between 1 and 20")
    if not 1 <= count <= 20:
        raise ApiError(400, "bad_request", f"'count' must be between 1 and 20, got {count}")
    return count


def _cursor(params: dict[str, Any]) -> int:
    cursor = _integer(params, "cursor", 0, "a non-negative integer")
    if cursor < 0:
        raise ApiError(400, "bad_request", "'cursor' must be a non-negative integer")
    return cursor


def _choice(params: dict[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = _text(params, name)
    if value is None:
        return default
    if value not in allowed:
        raise ApiError(400, "bad_request", f"'{name}' must be one of {', '.join(allowed)}")
    return value


class SimulatorServer:
    """The ASGI application: state, fault injection and the nine endpoints over one Population."""

    def __init__(
        self, config: SimulatorConfig | None = None, population: Population | None = None
    ) -> None:
        self.config = config or SimulatorConfig()
        self.population = population or Population(self.config.seed, self.config.creators)
        self._data_cache: OrderedDict[tuple, bytes] = OrderedDict()
        self._cache_bytes = 0
        self._date_cache: dict[bytes, _Day] = {}
        self._today: _Day | None = None
        self._bad_posts: dict[int, tuple[str, ...]] = {}
        self._bad_profiles: frozenset[int] = frozenset()
        self.started = time.time()
        self.in_flight = 0
        self._reserved = 0
        self._windows: dict[str, list[float]] = {}
        self._error_forms = 0
        self._apply_config(self.config, reset_balance=True)
        self.reset_stats()
        self.admin = Starlette(
            routes=[
                Route("/_sim/health", self._health, methods=["GET"]),
                Route("/_sim/stats", self._stats_endpoint, methods=["GET"]),
                Route("/_sim/stats/reset", self._reset_endpoint, methods=["POST"]),
                Route("/_sim/config", self._config_endpoint, methods=["GET", "POST"]),
                Route("/_sim/clock", self._clock_endpoint, methods=["GET", "POST"]),
                Route("/_sim/roster", self._roster_endpoint, methods=["GET"]),
                Route("/_sim/queries", self._queries_endpoint, methods=["GET"]),
                Route(
                    "/api/{rest:path}",
                    self._unknown_api,
                    methods=["GET", "POST", "PUT", "DELETE", "PATCH"],
                ),
            ]
        )

    # -- configuration and stats --------------------------------------------------------------------

    def _apply_config(self, config: SimulatorConfig, *, reset_balance: bool) -> None:
        # Resolved before anything changes, so an unknown username leaves the old config in force.
        bad_posts, bad_profiles = self._resolve_bad_creators(config)
        if bad_posts != self._bad_posts or bad_profiles != self._bad_profiles:
            # Cached answers were serialized with the old corruption: none may be served again.
            self._data_cache.clear()
            self._cache_bytes = 0
        self._bad_posts = bad_posts
        self._bad_profiles = bad_profiles
        self.config = config
        self._keys = frozenset(config.api_keys)
        # Every (re)configuration restarts the fault sequence, so a test that configures and then
        # sends N requests sees the same faults on every run.
        self._fault_rng = Random(f"faults:{config.fault_seed}")
        self._latency_rng = Random(f"latency:{config.fault_seed}")
        self._clock_day = _Day(parse_day(config.clock)) if config.clock else None
        self.clock_ts = self._clock_day.as_of if self._clock_day is not None else None
        if reset_balance:
            self.balance = config.credit_balance

    def _resolve_bad_creators(
        self, config: SimulatorConfig
    ) -> tuple[dict[int, tuple[str, ...]], frozenset[int]]:
        """Creator index -> bad-item kinds, and the indexes of bad profiles; unknown names raise."""
        bad_posts: dict[int, tuple[str, ...]] = {}
        for kind, username in config.bad_item_specs():
            creator = self.population.get(username)
            if creator is None:
                raise ValueError(f"bad_items names an unknown creator {username!r}")
            bad_posts[creator.index] = (*bad_posts.get(creator.index, ()), kind)
        bad_profiles = set()
        for username in config.bad_profile:
            creator = self.population.get(username)
            if creator is None:
                raise ValueError(f"bad_profile names an unknown creator {username!r}")
            bad_profiles.add(creator.index)
        return bad_posts, frozenset(bad_profiles)

    def reconfigure(self, changes: dict[str, Any]) -> SimulatorConfig:
        """Apply run-time changes (any field but seed/creators); raises ValueError when invalid."""
        frozen = sorted(set(changes) - RUNTIME_FIELDS)
        if frozen:
            raise ValueError(
                f"cannot change {', '.join(frozen)} while running; start a new simulator"
            )
        new = self.config.replace(**changes)
        self._apply_config(new, reset_balance="credit_balance" in changes)
        return new

    def reset_stats(self) -> None:
        """Zero the counters; the balance goes back to the configured credit_balance."""
        self.requests = 0
        self.by_endpoint: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.credits_used = 0
        self.credits_by_date: Counter[str] = Counter()
        self.max_in_flight = self.in_flight
        self.rate_limited = 0
        self.rate_limited_in_flight = 0
        self.rate_limited_per_minute = 0
        self._windows.clear()
        self.balance = self.config.credit_balance

    def stats(self) -> dict[str, Any]:
        """Counters since start or the last reset (see the module docstring for what is billed).

        ``credits_remaining`` is None when no balance is configured (envelopes then report a
        nominal balance counting down from 1,000,000). ``credits_by_date`` maps each ``YYYY-MM-DD``
        answered as of to the credits billed for it; its values sum to ``credits_used``.
        """
        return {
            "requests": self.requests,
            "by_endpoint": dict(self.by_endpoint),
            "by_status": dict(self.by_status),
            "credits_used": self.credits_used,
            "credits_by_date": dict(sorted(self.credits_by_date.items())),
            "credits_remaining": self.balance,
            "credit_balance": self.config.credit_balance,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "rate_limited": self.rate_limited,
            "rate_limited_in_flight": self.rate_limited_in_flight,
            "rate_limited_per_minute": self.rate_limited_per_minute,
            "faults": dict(self.faults),
            "clock": self.config.clock,
            "uptime_s": round(time.time() - self.started, 3),
        }

    # -- ASGI -----------------------------------------------------------------------------------------

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            endpoint = API_ENDPOINTS.get(scope["path"])
            if endpoint is not None:
                await self._api(scope, receive, send, endpoint)
                return
        await self.admin(scope, receive, send)

    async def _api(self, scope: dict, receive: Any, send: Any, endpoint: str) -> None:
        arrived = time.perf_counter()
        self.requests += 1
        self.by_endpoint[endpoint] += 1
        headers = dict(scope["headers"])
        day = self._day(headers)
        reply, extra_headers = self._admit(scope, headers)
        if reply is None:
            self.in_flight += 1
            if self.in_flight > self.max_in_flight:
                self.max_in_flight = self.in_flight
            # Credits are held at admission so that concurrent requests never overspend the balance.
            ticket = _Ticket(self.balance is not None, day)
            if ticket.holds_credit:
                self._reserved += 1
            try:
                reply = await self._serve(day, receive, endpoint, arrived, ticket)
            except ApiError as exc:
                reply = self._error(exc.status, exc.code, exc.message, exc.extra, exc.headers)
                if exc.status == 404 and self.config.charge_not_found:
                    self._charge(ticket)
            except _Disconnected:
                reply = None
            finally:
                # Released before the first byte goes out: see the module docstring.
                self.in_flight -= 1
                self._release(ticket)
        if reply is None:
            self.by_status["client_closed"] += 1
            self.faults["client_disconnected"] += 1
            return
        self.by_status["dropped" if reply.drop else str(reply.status)] += 1
        if extra_headers:
            reply.headers.extend(extra_headers)
        if day is not None and self.config.echo_date:
            reply.headers.append(day.header)
        await self._send(send, reply)

    def _admit(self, scope: dict, headers: dict[bytes, bytes]) -> tuple[_Reply | None, list]:
        """Checks answered before any work: method, key, per-minute window, in-flight cap, credits."""
        if scope["method"] != "POST":
            return self._error(405, "method_not_allowed", "Use POST with a JSON body"), []
        auth = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, key = auth.partition(" ")
        key = key.strip()
        if not auth:
            return self._error(
                401, "unauthorized", "Missing API key: send Authorization: Bearer <key>"
            ), []
        if scheme.lower() != "bearer" or key not in self._keys:
            return self._error(401, "invalid_api_key", "Invalid API key"), []

        config = self.config
        rate_headers: list[tuple[bytes, bytes]] = []
        if config.per_minute is not None:
            now = time.time()
            window = self._windows.get(key)
            if window is None or now - window[0] >= 60.0:
                window = self._windows[key] = [now, 0]
            window[1] += 1
            reset_at = window[0] + 60.0
            rate_headers = [
                (b"x-ratelimit-limit", str(config.per_minute).encode()),
                (
                    b"x-ratelimit-remaining",
                    str(max(0, config.per_minute - int(window[1]))).encode(),
                ),
                (b"x-ratelimit-reset", str(math.ceil(reset_at)).encode()),
            ]
            if window[1] > config.per_minute:
                self.rate_limited += 1
                self.rate_limited_per_minute += 1
                retry_after = max(1, math.ceil(reset_at - now))
                reply = self._error(
                    429,
                    "rate_limited",
                    f"Rate limit of {config.per_minute} requests per minute exceeded",
                    {
                        "plan": config.plan_name,
                        "limit": config.per_minute,
                        "retry_after": retry_after,
                    },
                    [(b"retry-after", str(retry_after).encode())],
                )
                return reply, rate_headers

        if config.in_flight_cap is not None and self.in_flight >= config.in_flight_cap:
            self.rate_limited += 1
            self.rate_limited_in_flight += 1
            # The refused arrival is momentarily one more in flight: max_in_flight above the cap
            # is how a test sees that its client overshot.
            self.max_in_flight = max(self.max_in_flight, self.in_flight + 1)
            reply = self._error(
                429,
                "too_many_requests",
                f"Too many requests in flight for the {config.plan_name} plan ({config.in_flight_cap} max)",
                {
                    "plan": config.plan_name,
                    "concurrency": config.in_flight_cap,
                    "in_flight": self.in_flight,
                    "retry_after": 1,
                },
                [(b"retry-after", b"1")],
            )
            return reply, rate_headers

        if self.balance is not None and self.balance - self._reserved <= 0:
            reply = self._error(
                402,
                "insufficient_credits",
                "Insufficient credits: top up to continue",
                {
                    "credit_balance": max(0, self.balance),
                    "message": "Insufficient credits: top up to continue",
                    "billing_url": BILLING_URL,
                },
            )
            return reply, rate_headers
        return None, rate_headers

    async def _serve(
        self,
        day: _Day | None,
        receive: Any,
        endpoint: str,
        arrived: float,
        ticket: _Ticket,
    ) -> _Reply:
        body = await _read_body(receive)
        config = self.config
        fault = None
        if config.timeout_rate or config.error_rate:
            draw = self._fault_rng.random()
            if draw < config.timeout_rate:
                fault = "timeout"
            elif draw < config.timeout_rate + config.error_rate:
                fault = "error"
        if fault == "timeout":
            return await self._time_out(receive)
        # The answer is computed first and sent when the simulated latency has elapsed, so the
        # server's own work hides inside the latency instead of adding to it.
        ready_at = arrived + self._latency_s()
        try:
            reply = self._respond(day, body, endpoint, fault, arrived, ready_at, ticket)
        except ApiError as exc:
            await _sleep_until(ready_at)
            raise exc from None
        await _sleep_until(ready_at)
        return reply

    def _latency_s(self) -> float:
        config = self.config
        if not (config.latency_ms or config.latency_jitter_ms):
            return 0.0
        jitter = config.latency_jitter_ms
        delay = config.latency_ms + (self._latency_rng.uniform(-jitter, jitter) if jitter else 0.0)
        return max(0.0, delay) / 1000.0

    def _respond(
        self,
        day: _Day | None,
        body: bytes,
        endpoint: str,
        fault: str | None,
        arrived: float,
        ready_at: float,
        ticket: _Ticket,
    ) -> _Reply:
        params = self._params(body)
        if day is None:
            raise ApiError(400, "bad_request", "X-Sim-Date must be YYYY-MM-DD")
        as_of = day.as_of
        if fault == "error":
            self.faults["error"] += 1
            status, code, message = SERVER_ERRORS[
                int(self._fault_rng.random() * len(SERVER_ERRORS))
            ]
            raise ApiError(status, code, message)
        generated = self.population.generated_posts
        payload = self._answer(endpoint, params, as_of)
        if self.population.generated_posts != generated:
            # Cached posts live for the whole run and hold no reference cycles. Without this, each
            # full collection walks all of them while every request in flight waits, a pause that
            # grows with the posts generated; freezing hides them from the collector in O(1).
            gc.freeze()
        return self._success(payload, arrived, ready_at, ticket)

    async def _time_out(self, receive: Any) -> _Reply:
        self.faults["timeout"] += 1
        if await _wait_for_disconnect(receive, self.config.timeout_hold_s):
            raise _Disconnected
        action = self.config.timeout_action
        if action == "mixed":
            action = "drop" if self._fault_rng.random() < 0.5 else "504"
        if action == "drop":
            self.faults["dropped"] += 1
            return _Reply(200, b'{"data":{"aweme_list":[{"aweme_id":"7', drop=True)
        raise ApiError(504, "gateway_timeout", "Upstream provider timed out")

    def _params(self, body: bytes) -> dict[str, Any]:
        if not body.strip():
            return {}
        try:
            params = _loads(body)
        except _JSONDecodeError:
            raise ApiError(400, "bad_request", "Request body must be a JSON object") from None
        if not isinstance(params, dict):
            raise ApiError(400, "bad_request", "Request body must be a JSON object")
        return params

    def _day(self, headers: dict[bytes, bytes]) -> _Day | None:
        """The date this request is answered as of; None when its ``X-Sim-Date`` is not a date."""
        raw = headers.get(b"x-sim-date")
        if raw is not None:
            day = self._date_cache.get(raw)
            if day is None:
                try:
                    day = _Day(parse_day(raw.decode("latin-1").strip()))
                except ValueError:
                    return None
                if len(self._date_cache) < 10_000:
                    self._date_cache[raw] = day
            return day
        if self._clock_day is not None:
            return self._clock_day
        today = datetime.now(UTC).date()
        if self._today is None or self._today.date != today:
            self._today = _Day(today)
        return self._today

    # -- replies ------------------------------------------------------------------------------------

    def _charge(self, ticket: _Ticket) -> None:
        self.credits_used += 1
        # Only a request with a readable X-Sim-Date is charged: an unreadable one is answered 400.
        assert ticket.day is not None
        self.credits_by_date[ticket.day.iso] += 1
        if self.balance is not None:
            self.balance -= 1
        # The held credit is now spent: releasing it here, not when the answer is finally sent
        # after the latency, keeps a later arrival from seeing the same credit counted twice.
        self._release(ticket)

    def _release(self, ticket: _Ticket) -> None:
        if ticket.holds_credit:
            ticket.holds_credit = False
            self._reserved -= 1

    def _reload(self, data: bytes) -> Any:
        """Parse a cached answer again; exact (stdlib) while bad items may hold 65-bit counts."""
        return json.loads(data) if self._bad_posts else _loads(data)

    def _remaining(self) -> int:
        if self.balance is None:
            return max(0, NOMINAL_BALANCE - self.credits_used)
        return max(0, self.balance)

    def _envelope(self, data: bytes, arrived: float, ready_at: float) -> bytes:
        elapsed = round((max(time.perf_counter(), ready_at) - arrived) * 1000)
        tail = b',"response_time":%d,"credits_used":1,"credits_remaining":%d}' % (
            elapsed,
            self._remaining(),
        )
        return b'{"data":' + data + tail

    def _success(
        self, payload: _Payload, arrived: float, ready_at: float, ticket: _Ticket
    ) -> _Reply:
        config = self.config
        data = payload.data
        if (
            config.empty_rate
            and payload.endpoint in LIST_FIELDS
            and self._fault_rng.random() < config.empty_rate
        ):
            self.faults["empty"] += 1
            data = _empty_list(payload.endpoint, data, self._reload)
        self._charge(ticket)
        if config.malformed_rate and self._fault_rng.random() < config.malformed_rate:
            kind = MALFORMED_KINDS[int(self._fault_rng.random() * len(MALFORMED_KINDS))]
            self.faults["malformed"] += 1
            self.faults[f"malformed_{kind}"] += 1
            return self._malformed(kind, data, payload.endpoint, arrived, ready_at)
        return _Reply(200, self._envelope(data, arrived, ready_at))

    def _malformed(
        self, kind: str, data: bytes, endpoint: str, arrived: float, ready_at: float
    ) -> _Reply:
        if kind == "html":
            return _Reply(200, _HTML_ERROR_PAGE, content_type=b"text/html; charset=utf-8")
        if kind == "truncated":
            whole = self._envelope(data, arrived, ready_at)
            cut = max(1, int(len(whole) * (0.2 + 0.6 * self._fault_rng.random())))
            return _Reply(200, whole[:cut])
        if kind == "no_data":
            elapsed = round((max(time.perf_counter(), ready_at) - arrived) * 1000)
            body = {
                "response_time": elapsed,
                "credits_used": 1,
                "credits_remaining": self._remaining(),
            }
            return _Reply(200, _dumps(body))
        damaged = _drop_required_field(endpoint, self._reload(data))
        return _Reply(200, self._envelope(_dumps_exact(damaged), arrived, ready_at))

    def _error(
        self,
        status: int,
        code: str,
        message: str,
        extra: dict[str, Any] | None = None,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> _Reply:
        form = self._error_forms % 3
        self._error_forms += 1
        if form == 0:
            body: dict[str, Any] = {"error": {"code": code, "message": message}}
        elif form == 1:
            body = {"error": message}
        else:
            body = {"message": message}
        if extra:
            body.update(extra)
        return _Reply(status, _dumps(body), list(headers or []))

    async def _send(self, send: Any, reply: _Reply) -> None:
        headers = [
            (b"content-type", reply.content_type),
            (b"content-length", str(len(reply.body) + (64 if reply.drop else 0)).encode()),
            *reply.headers,
        ]
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        # A drop announces more bytes than it sends and stops: the client sees a broken connection.
        await send({"type": "http.response.body", "body": reply.body, "more_body": reply.drop})

    # -- the endpoints ------------------------------------------------------------------------------

    def _cached(self, key: tuple, build: Any) -> bytes:
        """Serialized ``data`` per (endpoint, parameters, date): retries and re-runs cost no work."""
        cache = self._data_cache
        data = cache.get(key)
        if data is not None:
            cache.move_to_end(key)
            return data
        data = cache[key] = _dumps_exact(build())
        self._cache_bytes += len(data)
        while self._cache_bytes > CACHE_BYTES and len(cache) > 1:
            _, evicted = cache.popitem(last=False)
            self._cache_bytes -= len(evicted)
        return data

    def _item(self, post: Post, as_of: int) -> dict[str, Any]:
        """A video item as of ``as_of``, corrupted when it is a bad item (see ``bad_items``)."""
        item = payloads.aweme(self.population, post, as_of)
        kinds = self._bad_posts.get(post.creator.index)
        if kinds is not None:
            visible = self.population.posts(post.creator, as_of)
            if len(visible) >= 2 and visible[1].aweme_id == post.aweme_id:
                payloads.corrupt_aweme(item, kinds)
        return item

    def _answer(self, endpoint: str, params: dict[str, Any], as_of: int) -> _Payload:
        handler = _HANDLERS[endpoint]
        return _Payload(handler(self, params, as_of), endpoint)

    def _profile(self, params: dict[str, Any], as_of: int) -> bytes:
        username = _text(params, "username")
        sec_uid = _text(params, "sec_user_id")
        if username is None and sec_uid is None:
            raise ApiError(400, "bad_request", "Provide 'username' or 'sec_user_id'")
        pop = self.population
        creator = (
            pop.account(username) if username is not None else pop.account_by_sec_uid(sec_uid or "")
        )
        if creator is None:
            raise ApiError(404, "not_found", f"User '{username or sec_uid}' not found")

        def build() -> dict[str, Any]:
            user = payloads.profile_user(pop, creator.username, as_of)
            if creator.index in self._bad_profiles:
                user["follower_count"] = -1
            return {"user": user}

        return self._cached(("profile", creator.index, as_of), build)

    def _user_posts(self, params: dict[str, Any], as_of: int) -> bytes:
        sec_uid = _required(params, "sec_user_id")
        count = _count(params)
        cursor = _cursor(params)
        sort_type = _choice(params, "sort_type", ("0", "1"), "0")
        creator = self.population.account_by_sec_uid(sec_uid)
        if creator is None:
            raise ApiError(404, "not_found", "User not found for this sec_user_id")
        pop = self.population

        def build() -> dict[str, Any]:
            posts = pop.posts(creator, as_of)
            if sort_type == "1":
                ranked = sorted(posts, key=lambda p: (-p.counts(as_of)[0], p.aweme_id))
                page = ranked[cursor : cursor + count]
                next_cursor = cursor + len(page)
                has_more = next_cursor < len(ranked)
                min_cursor = cursor
            else:
                # max_cursor is the create_time in ms of the page's oldest post: the next page
                # holds posts strictly older, so pages never overlap even as new posts appear.
                start = 0
                if cursor:
                    start = next(
                        (i for i, p in enumerate(posts) if p.create_time * 1000 < cursor),
                        len(posts),
                    )
                page = posts[start : start + count]
                has_more = start + len(page) < len(posts)
                next_cursor = page[-1].create_time * 1000 if page else cursor
                min_cursor = page[0].create_time * 1000 if page else cursor
            # The contract says max_cursor arrives as a string or a number: alternate per page.
            as_string = (creator.index + cursor // 1000) % 2 == 0
            return {
                "aweme_list": [self._item(p, as_of) for p in page],
                "has_more": 1 if has_more else 0,
                "max_cursor": str(next_cursor) if as_string else next_cursor,
                "min_cursor": min_cursor,
                "status_code": 0,
            }

        return self._cached(("posts", creator.index, as_of, sort_type, cursor, count), build)

    def _feed_page(self, ranked: list, cursor: int, count: int) -> tuple[list, int, int]:
        limit = min(len(ranked), self.config.max_pages * count, MAX_RESULT_DEPTH)
        page = ranked[cursor : min(cursor + count, limit)]
        next_cursor = cursor + len(page)
        return page, next_cursor, 1 if next_cursor < limit else 0

    def _search_videos(self, params: dict[str, Any], as_of: int) -> bytes:
        keyword = _required(params, "keyword")
        if len(keyword) > 500:
            raise ApiError(400, "bad_request", "'keyword' must be 1-500 characters")
        count = _count(params)
        cursor = _cursor(params)
        sort_type = _choice(params, "sort_type", ("0", "1"), "0")
        publish_time = _choice(params, "publish_time", ("0", "1", "7", "30", "90", "180"), "0")
        pop = self.population

        def build() -> dict[str, Any]:
            ranked = pop.search(keyword, as_of, sort_type, int(publish_time))
            page, next_cursor, has_more = self._feed_page(ranked, cursor, count)
            return {
                "search_item_list": [{"type": 1, "aweme_info": self._item(p, as_of)} for p in page],
                "cursor": next_cursor,
                "has_more": has_more,
                "status_code": 0,
            }

        key = (
            "search",
            keyword.lower(),
            as_of,
            sort_type,
            publish_time,
            cursor,
            count,
            self.config.max_pages,
        )
        return self._cached(key, build)

    def _hashtag(self, params: dict[str, Any], as_of: int) -> bytes:
        name = _text(params, "hashtag_name")
        cid = _text(params, "hashtag_id")
        if name is None and cid is None:
            raise ApiError(400, "bad_request", "Provide 'hashtag_name' or 'hashtag_id'")
        pop = self.population
        hashtag = pop.hashtag(name) if name is not None else pop.hashtag_by_id(cid or "")
        if hashtag is None:
            raise ApiError(404, "not_found", f"Hashtag '{name or cid}' not found")
        return self._cached(
            ("hashtag", hashtag.name, as_of),
            lambda: {"challengeInfo": payloads.challenge_info(hashtag, as_of), "status_code": 0},
        )

    def _hashtag_videos(self, params: dict[str, Any], as_of: int) -> bytes:
        cid = _required(params, "hashtag_id")
        count = _count(params)
        cursor = _cursor(params)
        pop = self.population
        hashtag = pop.hashtag_by_id(cid)
        if hashtag is None:
            raise ApiError(404, "not_found", f"Hashtag id '{cid}' not found")

        def build() -> dict[str, Any]:
            page, next_cursor, has_more = self._feed_page(
                pop.hashtag_posts(hashtag, as_of), cursor, count
            )
            return {
                "aweme_list": [self._item(p, as_of) for p in page],
                "cursor": next_cursor,
                "has_more": has_more,
                "status_code": 0,
            }

        return self._cached(
            ("tagfeed", hashtag.name, as_of, cursor, count, self.config.max_pages), build
        )

    def _video(self, params: dict[str, Any], as_of: int) -> bytes:
        video_id = _required(params, "video_id")
        post = self.population.find_post(video_id)
        if post is None or not post.visible_at(as_of):
            raise ApiError(404, "not_found", f"Video '{video_id}' not found or deleted")
        return self._cached(
            ("video", video_id, as_of),
            lambda: {"aweme_detail": self._item(post, as_of), "status_code": 0},
        )

    def _visible_post(self, video_id: str, as_of: int) -> Post:
        post = self.population.find_post(video_id)
        if post is None or not post.visible_at(as_of):
            raise ApiError(404, "not_found", f"Video '{video_id}' not found or deleted")
        return post

    def _video_comments(self, params: dict[str, Any], as_of: int) -> bytes:
        video_id = _required(params, "video_id")
        cursor = _cursor(params)
        count = _comment_count(params)
        post = self._visible_post(video_id, as_of)
        book = self.population.comment_book

        def build() -> dict[str, Any]:
            listed = book.comments(post, as_of)
            page = listed[cursor : cursor + count]
            next_cursor = cursor + len(page)
            return {
                "comments": [payloads.comment_item(c, as_of) for c in page],
                "cursor": next_cursor,
                "has_more": 1 if next_cursor < len(listed) else 0,
                "total": post.counts(as_of)[2],
                "status_code": 0,
            }

        return self._cached(("comments", video_id, as_of, cursor, count), build)

    def _comment_replies(self, params: dict[str, Any], as_of: int) -> bytes:
        comment_id = _required(params, "comment_id")
        video_id = _text(params, "video_id")
        cursor = _cursor(params)
        count = _comment_count(params)
        post = self._visible_post(video_id, as_of) if video_id is not None else None
        book = self.population.comment_book
        comment = book.find(comment_id, post)
        if (
            comment is None
            or comment.create_time > as_of
            or (post is None and not comment.post.visible_at(as_of))
        ):
            raise ApiError(404, "not_found", f"Comment '{comment_id}' not found or deleted")

        def build() -> dict[str, Any]:
            replies = book.replies(comment, as_of)
            page = replies[cursor : cursor + count]
            next_cursor = cursor + len(page)
            return {
                "comments": [payloads.comment_item(r, as_of) for r in page],
                "cursor": next_cursor,
                "has_more": 1 if next_cursor < len(replies) else 0,
                "total": len(replies),
                "status_code": 0,
            }

        return self._cached(("replies", comment_id, as_of, cursor, count), build)

    def _user_followings(self, params: dict[str, Any], as_of: int) -> bytes:
        sec_uid = _required(params, "sec_user_id")
        count = _following_count(params)
        token = _text(params, "page_token")
        min_time = _integer(params, "min_time", 0, "a non-negative integer")
        if min_time < 0:
            raise ApiError(400, "bad_request", "'min_time' must be a non-negative integer")
        if (token is None) != ("min_time" not in params or min_time == 0):
            # A first page may carry min_time 0; a later page needs both, as the last answer
            # gave them.
            raise ApiError(
                400, "bad_request", "'page_token' and 'min_time' go together: send both or neither"
            )
        after = None
        if token is not None:
            after = read_page_token(token)
            if after is None:
                raise ApiError(400, "bad_request", "'page_token' is not a valid page token")
            if after[0] != min_time:
                raise ApiError(400, "bad_request", "'min_time' does not match 'page_token'")
        creator = self.population.by_sec_uid(sec_uid)
        if creator is None:
            raise ApiError(404, "not_found", "User not found for this sec_user_id")
        graph = self.population.follow_graph

        def build() -> dict[str, Any]:
            listing = graph.followings(creator, as_of)
            start = page_start(listing, after)
            page = listing[start : start + count]
            return {
                "followings": [payloads.following_item(graph, f, as_of) for f in page],
                # TikTok's way: a full page says there may be more, so a list that ends exactly
                # on a page boundary is followed by one empty page.
                "has_more": len(page) == count,
                "next_page_token": page_token(page[-1]) if page else "",
                "min_time": page[-1].followed_at if page else min_time,
                "max_time": page[0].followed_at if page else 0,
                "total": len(listing),
                "status_code": 0,
            }

        return self._cached(("followings", creator.index, as_of, token, count), build)

    # -- admin endpoints ----------------------------------------------------------------------------

    async def _health(self, request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "seed": self.config.seed,
                "creators": len(self.population),
                "pid": os.getpid(),
            }
        )

    async def _stats_endpoint(self, request: Request) -> Response:
        return JSONResponse(self.stats())

    async def _reset_endpoint(self, request: Request) -> Response:
        self.reset_stats()
        return JSONResponse(self.stats())

    async def _config_endpoint(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                changes = await request.json()
                if not isinstance(changes, dict):
                    raise ValueError("the body must be a JSON object of settings")
                self.reconfigure(changes)
            except (ValueError, TypeError) as exc:
                return JSONResponse(
                    {"error": {"code": "bad_request", "message": str(exc)}}, status_code=400
                )
        return JSONResponse(self.config.to_dict())

    async def _clock_endpoint(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                body = await request.json()
                day = body.get("date") if isinstance(body, dict) else None
                self.reconfigure({"clock": day})
            except (ValueError, TypeError) as exc:
                return JSONResponse(
                    {"error": {"code": "bad_request", "message": str(exc)}}, status_code=400
                )
        as_of = (
            self.clock_ts
            if self.clock_ts is not None
            else as_of_timestamp(datetime.now(UTC).date())
        )
        return JSONResponse(
            {"date": self.config.clock, "as_of": datetime.fromtimestamp(as_of, UTC).isoformat()}
        )

    async def _roster_endpoint(self, request: Request) -> Response:
        try:
            count = int(request.query_params.get("count", "60"))
        except ValueError:
            count = 0
        if count < 1:
            return JSONResponse(
                {"error": {"code": "bad_request", "message": "count must be >= 1"}}, status_code=400
            )
        creators = self.population.roster(count)
        if request.query_params.get("format") == "csv":
            lines = ["username,niche", *(f"{c.username},{c.niche}" for c in creators)]
            return PlainTextResponse("\n".join(lines) + "\n", media_type="text/csv")
        return JSONResponse(
            {
                "seed": self.config.seed,
                "count": len(creators),
                "creators": [
                    {
                        "username": c.username,
                        "niche": c.niche,
                        "tier": c.tier,
                        "archetype": c.archetype,
                        "follower_count": c.follower_count,
                        "sec_uid": c.sec_uid,
                    }
                    for c in creators
                ],
            }
        )

    async def _queries_endpoint(self, request: Request) -> Response:
        return JSONResponse({"queries": [{"query": q, "type": t} for q, t in suggested_queries()]})

    async def _unknown_api(self, request: Request) -> Response:
        return JSONResponse(
            {"error": {"code": "not_found", "message": f"Unknown endpoint {request.url.path}"}},
            status_code=404,
        )


_HANDLERS = {
    "profile": SimulatorServer._profile,
    "user/posts": SimulatorServer._user_posts,
    "search/videos": SimulatorServer._search_videos,
    "hashtag": SimulatorServer._hashtag,
    "hashtag/videos": SimulatorServer._hashtag_videos,
    "video": SimulatorServer._video,
    "video/comments": SimulatorServer._video_comments,
    "video/comments/replies": SimulatorServer._comment_replies,
    "user/followings": SimulatorServer._user_followings,
}


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _sleep_until(moment: float) -> None:
    remaining = moment - time.perf_counter()
    if remaining > 0:
        await asyncio.sleep(remaining)


async def _wait_for_disconnect(receive: Any, seconds: float) -> bool:
    """Hold for ``seconds``; True as soon as the client goes away (so it stops counting in flight)."""
    try:
        async with asyncio.timeout(seconds):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return True
    except TimeoutError:
        return False


def _empty_list(endpoint: str, data: bytes, load: Any) -> bytes:
    body = load(data)
    body[LIST_FIELDS[endpoint]] = []
    body["has_more"] = False if endpoint == "user/followings" else 0
    return _dumps_exact(body)


def _drop_required_field(endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
    """Remove one field a client must require, so it has to reject the item and say which."""
    if endpoint == "profile":
        data["user"].pop("follower_count", None)
    elif endpoint == "hashtag":
        data["challengeInfo"]["challenge"].pop("id", None)
    elif endpoint == "video":
        data["aweme_detail"]["statistics"].pop("play_count", None)
    elif endpoint == "user/followings":
        items = data.get("followings") or []
        if items:
            items[len(items) // 2].pop("unique_id", None)
        else:
            data.pop("followings", None)
    elif endpoint.startswith("video/comments"):
        items = data.get("comments") or []
        if items:
            items[len(items) // 2].pop("create_time", None)
        else:
            data.pop("comments", None)
    else:
        items = data.get(LIST_FIELDS[endpoint]) or []
        if items:
            item = items[len(items) // 2]
            item = item.get("aweme_info", item)
            item["statistics"].pop("play_count", None)
        else:
            data.pop(LIST_FIELDS[endpoint], None)
    return data


class _DropNoise(logging.Filter):
    """Hide uvicorn's complaint about the responses we cut short on purpose (timeout drops)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


def serve(
    config: SimulatorConfig | SimulatorServer,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    ready_file: str | os.PathLike[str] | None = None,
    log_level: str = "warning",
) -> None:
    """Run the simulator (of this config, or this app) in the foreground until SIGINT/SIGTERM.

    The socket is bound here, before uvicorn starts, so that ``port=0`` picks a free port with no
    race; the chosen port is written to ``ready_file`` (if given) once the world is built.
    """
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    actual_port = sock.getsockname()[1]
    app = config if isinstance(config, SimulatorServer) else SimulatorServer(config)
    config = app.config
    gc.collect()
    gc.freeze()
    logging.getLogger("uvicorn.error").addFilter(_DropNoise())
    uv_config = uvicorn.Config(
        app,
        loop="auto",
        http="auto",
        lifespan="off",
        access_log=False,
        log_level=log_level,
        # Longer than any client's idle-connection expiry, so the server never closes a pooled
        # connection the client is about to reuse.
        timeout_keep_alive=75,
        timeout_graceful_shutdown=2,
        backlog=2048,
    )
    server = uvicorn.Server(uv_config)
    log.warning(
        "Scavio simulator on http://%s:%d (seed %d, %d creators)",
        host,
        actual_port,
        config.seed,
        config.creators,
    )
    if ready_file is not None:
        path = Path(ready_file)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(f"{actual_port}\n")
        temporary.replace(path)
    server.run(sockets=[sock])
