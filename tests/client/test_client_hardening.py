"""Hardening: an overall deadline per attempt, a maximum answer size, clean server text, and no
httpx exception (which holds the request and its Authorization header) kept in our errors."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import time

import httpx
import pytest
from client_fakes import Recorder, aweme, make_client, ok, run_with_client
from tiktok_engagement.scavio.client import ScavioClient
from tiktok_engagement.scavio.errors import (
    MalformedResponseError,
    NotFoundError,
    ScavioError,
    ServerError,
    TransportError,
    clean_text,
)

POSTS = {"aweme_list": [aweme(1)], "has_more": 0}
ENVELOPE = json.dumps({"data": POSTS, "credits_used": 1, "credits_remaining": 5}).encode()
HOSTILE = (
    "line one\nFAKE LOG LINE\r\x1b[31mred\x00\u202egnp.exe\u2066x\u2069\u2028end " + "y" * 5000
)


class Trickle(httpx.AsyncByteStream):
    """A body that arrives in chunks, ``delay`` seconds apart (a server trickling bytes)."""

    def __init__(self, body: bytes, chunks: int, delay: float) -> None:
        size = -(-len(body) // chunks)
        self.parts = [body[i : i + size] for i in range(0, len(body), size)]
        self.delay = delay

    async def __aiter__(self):
        for part in self.parts:
            await asyncio.sleep(self.delay)
            yield part


def _trickling(chunks: int, delay: float, body: bytes = ENVELOPE):
    return lambda request: httpx.Response(200, stream=Trickle(body, chunks, delay))


def test_a_trickling_answer_cannot_hold_an_attempt_past_the_timeout():
    recorder = Recorder(_trickling(chunks=10, delay=0.2))  # 2 s of trickle, each read prompt
    holder = {}

    async def scenario(client):
        holder["client"] = client
        return await client.user_posts("sec")

    started = time.monotonic()
    with pytest.raises(TransportError, match="within the 0.5 s deadline") as info:
        run_with_client(recorder, scenario, timeout=0.5, max_attempts=2)
    assert time.monotonic() - started < 1.8  # two attempts of 0.5 s, not two of 2 s
    assert len(recorder.requests) == 2  # retried like any transport error
    entries = holder["client"].ledger.entries
    assert [e.error_class for e in entries] == ["TransportError", "TransportError"]
    assert holder["client"].budget.spent == 2  # the server was reached, so it may have billed
    _assert_no_httpx_inside(info.value)


def test_a_slow_answer_within_the_deadline_is_read_whole():
    client, videos = run_with_client(
        Recorder(_trickling(chunks=3, delay=0.01)), lambda c: c.user_posts("s"), timeout=5
    )
    assert len(videos) == 1 and client.ledger.entries[0].status == 200


@pytest.mark.parametrize(
    "respond",
    [
        lambda r: httpx.Response(200, content=ENVELOPE),  # Content-Length says it up front
        lambda r: httpx.Response(200, stream=Trickle(ENVELOPE, 4, 0)),  # no length: counted
        lambda r: httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(ENVELOPE)
        ),  # small on the wire, too large decoded
    ],
    ids=["content-length", "streamed", "gzip"],
)
def test_an_answer_over_max_response_bytes_is_abandoned_and_retried(respond):
    recorder = Recorder(respond)
    holder = {}

    async def scenario(client):
        holder["client"] = client
        return await client.user_posts("sec")

    limit = len(ENVELOPE) - 1
    with pytest.raises(TransportError, match=f"larger than {limit} bytes") as info:
        run_with_client(recorder, scenario, max_response_bytes=limit, max_attempts=3)
    assert len(recorder.requests) == 3
    assert [e.status for e in holder["client"].ledger.entries] == [200] * 3
    _assert_no_httpx_inside(info.value)


@pytest.mark.parametrize(
    "respond",
    [
        lambda r: httpx.Response(200, content=ENVELOPE),
        lambda r: httpx.Response(200, stream=Trickle(ENVELOPE, 4, 0)),
        lambda r: httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(ENVELOPE)
        ),
    ],
    ids=["content-length", "streamed", "gzip"],
)
def test_an_answer_at_the_limit_is_read(respond):
    _, videos = run_with_client(
        Recorder(respond), lambda c: c.user_posts("s"), max_response_bytes=len(ENVELOPE)
    )
    assert len(videos) == 1


def test_max_response_bytes_is_validated():
    with pytest.raises(ValueError, match="max_response_bytes"):
        ScavioClient(base_url="https://api.scavio.dev", api_key="k", max_response_bytes=0)


def test_clean_text():
    cleaned = clean_text(HOSTILE)
    assert len(cleaned) <= 300 and cleaned.endswith("...")
    assert cleaned.startswith("line one FAKE LOG LINE [31mred gnp.exe x end yyy")
    for bad in ("\n", "\r", "\x1b", "\x00", "\u202e", "\u2066", "\u2069", "\u2028"):
        assert bad not in cleaned
    assert clean_text("short", 300) == "short"
    assert clean_text("x" * 20, 10) == "xxxxxxx..."
    assert clean_text({"a": "b\nc"}) == "{'a': 'b\\nc'}"


def _assert_clean(text: str, limit: int = 1000) -> None:
    for bad in ("\n", "\r", "\x1b", "\x00", "\u202e", "\u2066", "\u2028"):
        assert bad not in text, f"{bad!r} in {text[:80]!r}"
    assert len(text) <= limit


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(503, json={"error": {"code": "busy\nX", "message": HOSTILE}}),
        httpx.Response(503, json={"error": HOSTILE}),
        httpx.Response(503, json={"message": HOSTILE}),
        httpx.Response(503, text=f"<html>{HOSTILE}</html>"),
        httpx.Response(503, json=[HOSTILE]),
    ],
    ids=["error-object", "error-string", "message", "html", "json-list"],
)
def test_server_text_in_errors_logs_and_the_ledger_is_cleaned(response, caplog):
    caplog.set_level(logging.DEBUG, logger="tiktok_engagement")
    holder = {}

    async def scenario(client):
        holder["client"] = client
        return await client.user_posts("sec")

    with pytest.raises(ServerError) as info:
        run_with_client(Recorder(lambda r: response), scenario, max_attempts=2)
    error = info.value
    _assert_clean(str(error))
    _assert_clean(error.api_message, 300 + 40)
    if error.code:
        _assert_clean(error.code, 300)
    _assert_clean(json.dumps(error.body, ensure_ascii=False), 10_000)
    for entry in holder["client"].ledger.entries:
        _assert_clean(entry.error_message, 500)
    for record in caplog.records:
        _assert_clean(record.getMessage(), 2000)


def test_malformed_bodies_and_warnings_are_cleaned(caplog):
    caplog.set_level(logging.WARNING, logger="tiktok_engagement")
    answers = iter(
        [
            httpx.Response(200, text=HOSTILE),
            httpx.Response(200, json={"data": POSTS, "warnings": [HOSTILE], "credits_used": 1}),
        ]
    )
    client, videos = run_with_client(Recorder(lambda r: next(answers)), lambda c: c.user_posts("s"))
    assert len(videos) == 1
    assert client.ledger.entries[0].error_class == "MalformedResponseError"
    _assert_clean(client.ledger.entries[0].error_message, 500)
    assert any("API warnings" in m for m in caplog.messages)
    for message in caplog.messages:
        _assert_clean(message, 2000)


def test_a_not_found_message_is_cleaned():
    recorder = Recorder(lambda r: httpx.Response(404, json={"error": {"message": HOSTILE}}))
    with pytest.raises(NotFoundError) as info:
        run_with_client(recorder, lambda c: c.video("1"))
    _assert_clean(str(info.value), 400)


def _reachable(root: object) -> list[object]:
    """Everything an exception reaches through its chain, attributes, args and containers."""
    seen: set[int] = set()
    found: list[object] = []
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, str | bytes | int | float | bool | type(None)):
            continue
        seen.add(id(obj))
        found.append(obj)
        if isinstance(obj, BaseException):
            stack += [obj.__cause__, obj.__context__, *obj.args]
        if isinstance(obj, dict):
            stack += [*obj.keys(), *obj.values()]
        elif isinstance(obj, list | tuple | set | frozenset):
            stack += list(obj)
        if hasattr(obj, "__dict__") and not isinstance(obj, type):
            stack += list(vars(obj).values())
        for slot in getattr(type(obj), "__slots__", ()):
            if hasattr(obj, slot):
                stack.append(getattr(obj, slot))
    return found


def _assert_no_httpx_inside(error: BaseException) -> None:
    assert error.__context__ is None and error.__cause__ is None
    for obj in _reachable(error):
        assert not isinstance(obj, httpx.Request | httpx.Response | httpx.HTTPError), obj


@pytest.mark.parametrize(
    ("respond", "error_class"),
    [
        (httpx.ConnectError("refused"), TransportError),
        (httpx.ReadTimeout("slow"), TransportError),
        (httpx.RemoteProtocolError("peer closed"), TransportError),
        (
            lambda r: httpx.Response(
                200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")
            ),
            MalformedResponseError,
        ),
        (lambda r: httpx.Response(200, text="not json"), MalformedResponseError),
        (lambda r: httpx.Response(500, text="not json"), ServerError),
    ],
    ids=["connect", "read-timeout", "protocol", "decoding", "not-json", "server"],
)
def test_our_errors_keep_no_httpx_exception_or_request(respond, error_class):
    def handler(request):
        if isinstance(respond, Exception):
            raise respond
        return respond(request)

    with pytest.raises(error_class) as info:
        run_with_client(Recorder(handler), lambda c: c.user_posts("sec"), max_attempts=2)
    _assert_no_httpx_inside(info.value)


def test_an_attempt_error_raised_directly_has_no_context():
    async def main():
        async with make_client(lambda r: (_ for _ in ()).throw(httpx.ConnectError("x"))) as client:
            try:
                await client.request("user/posts", {"sec_user_id": "s"})
            except ScavioError as exc:
                return exc
        return None

    error = asyncio.run(main())
    assert isinstance(error, TransportError)
    _assert_no_httpx_inside(error)


def test_answers_are_still_read_after_the_stream_closes():
    client, data = run_with_client(
        Recorder(lambda r: ok(POSTS)), lambda c: c.request("user/posts", {"sec_user_id": "s"})
    )
    assert data == POSTS
