"""Retry policy: what is retried, how long it waits, and what the ledger shows."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from client_fakes import Recorder, aweme, body_of, make_client, ok, run_with_client
from tiktok_engagement.scavio.client import is_retryable, parse_retry_after, retry_delay
from tiktok_engagement.scavio.errors import (
    MalformedResponseError,
    RateLimitedError,
    ServerError,
    TransportError,
)

POSTS = {"aweme_list": [aweme(1)], "has_more": 0}


def scripted(*responses):
    """A handler answering with each item in turn (an exception item is raised)."""
    queue = list(responses)

    def handler(request):
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        # A fresh response per request, so a scripted answer can be served again.
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)

    return handler


def test_429_with_retry_after_then_success_is_one_request_with_two_attempts():
    limited = httpx.Response(
        429,
        headers={"Retry-After": "1"},
        json={
            "error": {"code": "rate_limited", "message": "too many in flight"},
            "plan": "free",
            "concurrency": 1,
            "in_flight": 1,
            "retry_after": 1,
        },
    )
    recorder = Recorder(scripted(limited, ok(POSTS)))
    client, videos = run_with_client(recorder, lambda c: c.user_posts("sec"))
    assert len(videos) == 1
    entries = client.ledger.entries
    assert [(e.request_seq, e.attempt, e.status, e.error_class) for e in entries] == [
        (1, 1, 429, "RateLimitedError"),
        (1, 2, 200, None),
    ]
    assert entries[0].credits_used == 0 and entries[1].credits_used == 1
    assert client.ledger.summary()["retries"] == 1
    assert client.budget.spent == 1 and client.budget.reserved == 0


def test_retry_after_is_honoured_up_to_the_cap():
    limited = httpx.Response(429, headers={"Retry-After": "0.25"}, json={"error": "slow down"})
    recorder = Recorder(scripted(limited, ok(POSTS)))
    started = time.monotonic()
    run_with_client(recorder, lambda c: c.user_posts("sec"), retry_after_cap=5.0)
    assert time.monotonic() - started >= 0.24


def test_429_body_retry_after_is_used_without_the_header():
    limited = httpx.Response(429, json={"error": "slow down", "retry_after": 3})
    recorder = Recorder(scripted(limited))
    with pytest.raises(RateLimitedError) as info:
        run_with_client(recorder, lambda c: c.user_posts("sec"), max_attempts=1)
    assert info.value.retry_after == 3.0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried_then_succeeds(status):
    recorder = Recorder(scripted(httpx.Response(status, json={"error": "upstream"}), ok(POSTS)))
    client, videos = run_with_client(recorder, lambda c: c.user_posts("sec"))
    assert len(videos) == 1
    assert [e.status for e in client.ledger.entries] == [status, 200]


def test_5xx_exhausted_raises_server_error_after_max_attempts():
    recorder = Recorder(scripted(httpx.Response(503, json={"message": "maintenance"})))
    holder = {}

    async def scenario(client):
        holder["client"] = client
        return await client.user_posts("sec")

    with pytest.raises(ServerError) as info:
        run_with_client(recorder, scenario, max_attempts=3)
    assert info.value.status == 503
    assert "maintenance" in str(info.value)
    assert len(recorder.requests) == 3
    ledger = holder["client"].ledger
    assert [e.attempt for e in ledger.entries] == [1, 2, 3]
    assert ledger.failures_by_class() == {"ServerError": 1}
    assert ledger.errors_by_class() == {"ServerError": 3}


def test_other_5xx_statuses_are_not_retried():
    recorder = Recorder(scripted(httpx.Response(501, json={"error": "nope"})))
    with pytest.raises(ServerError):
        run_with_client(recorder, lambda c: c.user_posts("sec"))
    assert len(recorder.requests) == 1


def test_transport_error_is_retried_and_recorded():
    recorder = Recorder(scripted(httpx.ConnectError("connection refused"), ok(POSTS)))
    client, videos = run_with_client(recorder, lambda c: c.user_posts("sec"))
    assert len(videos) == 1
    first, second = client.ledger.entries
    assert (first.status, first.error_class, first.credits_used) == (None, "TransportError", None)
    assert "ConnectError" in first.error_message
    assert second.status == 200
    assert client.budget.spent == 1  # a refused connection cannot have been billed


def test_timeouts_exhausted_raise_transport_error():
    recorder = Recorder(scripted(httpx.ReadTimeout("read timed out")))
    with pytest.raises(TransportError, match="ReadTimeout"):
        run_with_client(recorder, lambda c: c.user_posts("sec"), max_attempts=2)
    assert len(recorder.requests) == 2


def test_malformed_answer_is_retried_then_succeeds():
    recorder = Recorder(scripted(httpx.Response(200, text="<html>gateway</html>"), ok(POSTS)))
    client, videos = run_with_client(recorder, lambda c: c.user_posts("sec"))
    assert len(videos) == 1
    assert [e.error_class for e in client.ledger.entries] == ["MalformedResponseError", None]


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="not json"),
        httpx.Response(200, json=[1, 2]),
        httpx.Response(200, json={"credits_used": 1}),
        httpx.Response(200, json={"data": "text"}),
    ],
    ids=["not-json", "not-object", "no-data", "data-not-object"],
)
def test_malformed_answer_exhausted_raises(response):
    recorder = Recorder(scripted(response))
    with pytest.raises(MalformedResponseError):
        run_with_client(recorder, lambda c: c.user_posts("sec"), max_attempts=3)
    assert len(recorder.requests) == 3


def test_backoff_releases_the_in_flight_slot():
    """With one slot, a call waiting out a Retry-After must let another call through meanwhile."""
    order = []

    def handler(request):
        who = body_of(request)["sec_user_id"]
        order.append(who)
        if who == "a" and order.count("a") == 1:
            return httpx.Response(429, headers={"Retry-After": "0.2"}, json={"error": "busy"})
        return ok(POSTS)

    async def main():
        async with make_client(handler, max_in_flight=1, retry_after_cap=1.0) as client:
            first = asyncio.create_task(client.user_posts("a"))
            await asyncio.sleep(0.05)
            await client.user_posts("b")
            await first

    asyncio.run(main())
    assert order == ["a", "b", "a"]


def test_parse_retry_after_forms():
    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(2) == 2.0
    assert parse_retry_after("-4") == 0.0
    http_date = format_datetime(now + timedelta(seconds=10), usegmt=True)
    assert parse_retry_after(http_date, now=now) == pytest.approx(10.0)
    assert (
        parse_retry_after(format_datetime(now - timedelta(seconds=10), usegmt=True), now=now) == 0
    )
    for unusable in (None, "", "soon", "nan", True):
        assert parse_retry_after(unusable) is None


def test_retry_delay_honours_retry_after_capped_and_otherwise_full_jitter():
    limited = RateLimitedError("busy", retry_after=5.0)
    assert retry_delay(limited, 1, backoff_base=0.5, backoff_max=8, retry_after_cap=2) == 2
    assert retry_delay(limited, 1, backoff_base=0.5, backoff_max=8, retry_after_cap=30) == 5
    unknown = RateLimitedError("busy", retry_after=None)
    assert 0 <= retry_delay(unknown, 1, backoff_base=0.5, backoff_max=8, retry_after_cap=30) <= 0.5
    server = ServerError("down", status=503)
    for attempt, ceiling in [
        (1, 0.5),
        (2, 1.0),
        (3, 2.0),
        (4, 4.0),
        (5, 8.0),
        (9, 8.0),
        (500, 8.0),
    ]:
        delays = [
            retry_delay(server, attempt, backoff_base=0.5, backoff_max=8, retry_after_cap=30)
            for _ in range(50)
        ]
        assert all(0 <= d <= ceiling for d in delays)


def test_is_retryable_follows_the_contract():
    assert is_retryable(ServerError("x", status=502))
    assert not is_retryable(ServerError("x", status=501))
    assert is_retryable(RateLimitedError("x"))
    assert is_retryable(TransportError("x"))
    assert is_retryable(MalformedResponseError("x"))
    assert not is_retryable(ValueError("x"))


def test_undecodable_body_is_malformed_and_retried():
    def handler(request):
        return httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")
        )

    recorder = Recorder(handler)
    with pytest.raises(MalformedResponseError, match="could not be decoded"):
        run_with_client(recorder, lambda c: c.user_posts("sec"), max_attempts=2)
    assert len(recorder.requests) == 2


def test_an_unexpected_failure_is_recorded_and_propagates_unchanged():
    def handler(request):
        raise RuntimeError("bug in a transport")

    holder = {}

    async def scenario(client):
        holder["client"] = client
        return await client.user_posts("sec")

    with pytest.raises(RuntimeError):
        run_with_client(Recorder(handler), scenario)
    client = holder["client"]
    assert [e.error_class for e in client.ledger.entries] == ["RuntimeError"]
    assert client.budget.reserved == 0
