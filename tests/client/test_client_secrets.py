"""The API key never shows up in logs, exceptions, the ledger or reprs."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import traceback
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from client_fakes import API_KEY, Recorder, aweme, body_of, ok, run_with_client
from tiktok_engagement.scavio.client import ScavioClient

POSTS = {"aweme_list": [aweme(1)], "has_more": 0}


def _all_loggers_at_debug(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "tiktok_engagement", "tiktok_engagement.scavio.client"):
        caplog.set_level(logging.DEBUG, logger=name)


def _error_texts(exc: BaseException) -> list[str]:
    """Everything an exception could print: str, repr, args, body, and the chain a traceback shows."""
    texts = []
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        texts += [str(exc), repr(exc), repr(exc.args), json.dumps(getattr(exc, "body", {}))]
        texts.append("".join(traceback.format_exception_only(exc)))
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return texts


def test_key_never_appears_in_logs_exceptions_ledger_or_reprs(caplog):
    _all_loggers_at_debug(caplog)
    echo = f"key {API_KEY} is not valid"

    def handler(request):
        assert request.headers["Authorization"] == f"Bearer {API_KEY}"  # it is sent, only there
        scenario = body_of(request).get("sec_user_id") or body_of(request).get("keyword")
        if scenario == "ok":
            return ok(POSTS)
        if scenario == "limited":
            return httpx.Response(429, headers={"Retry-After": "1"}, json={"error": echo})
        if scenario == "server":
            return httpx.Response(500, json={"error": {"code": "boom", "message": echo}})
        if scenario == "transport":
            raise httpx.ConnectError(f"cannot connect with {API_KEY}")
        if scenario == "malformed":
            return httpx.Response(200, text=f"<html>{API_KEY}</html>")
        if scenario == "warnings":
            return httpx.Response(200, json={"data": POSTS, "warnings": [echo], "credits_used": 1})
        if scenario == "notfound":
            return httpx.Response(404, json={"message": echo, "token": API_KEY})
        return httpx.Response(401, json={"error": {"code": "invalid_api_key", "message": echo}})

    errors: list[BaseException] = []

    async def scenario(client):
        for name in (
            "ok",
            "limited",
            "server",
            "transport",
            "malformed",
            "warnings",
            "notfound",
            "auth",
            "after",
        ):
            try:
                await client.user_posts(name)
            except Exception as exc:
                errors.append(exc)
        try:  # a caller that puts a credential into the body: sent, but never recorded
            await client.request(
                "search/videos", {"keyword": "ok", "api_key": API_KEY, "q": API_KEY}
            )
        except Exception as exc:
            errors.append(exc)

    client, _ = run_with_client(Recorder(handler), scenario, max_attempts=2)

    assert len(errors) == 8  # limited, server, transport, malformed, notfound, auth, after, request
    texts = [t for exc in errors for t in _error_texts(exc)]
    texts.append(caplog.text)
    texts += [r.getMessage() for r in caplog.records]
    texts.append(repr(client))
    texts.append(repr(vars(client)))
    texts += [
        repr(row)
        for row in client.ledger.rows(date(2025, 1, 1), run_id="r", run_attempt=1, load_id="l")
    ]
    for text in texts:
        assert API_KEY not in text
    assert "***" in caplog.text  # the echoed key was masked, not dropped


class _EnvelopeHandler(BaseHTTPRequestHandler):
    seen_authorization: list[str] = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        type(self).seen_authorization.append(self.headers.get("Authorization", ""))
        payload = json.dumps({"data": POSTS, "credits_used": 1, "credits_remaining": 9}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):  # keep the test output quiet
        pass


@pytest.fixture
def loopback_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EnvelopeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_key_stays_out_of_httpx_and_httpcore_debug_logs_on_a_real_connection(
    caplog, loopback_server
):
    """MockTransport skips httpcore; a loopback server exercises the real transport's logging."""
    _all_loggers_at_debug(caplog)
    _EnvelopeHandler.seen_authorization.clear()

    async def main():
        async with ScavioClient(
            base_url=loopback_server, api_key=API_KEY, max_in_flight=2
        ) as client:
            results = await asyncio.gather(client.user_posts("a"), client.user_posts("b"))
            return client, results

    client, results = asyncio.run(main())
    assert all(len(r) == 1 for r in results)
    assert _EnvelopeHandler.seen_authorization == [f"Bearer {API_KEY}"] * 2
    assert any(r.name.startswith("httpcore") for r in caplog.records)  # the loggers did speak
    assert API_KEY not in caplog.text
    assert API_KEY not in repr(client) and API_KEY not in repr(vars(client))
