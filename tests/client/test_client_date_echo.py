"""Past dates: every answer must echo the X-Sim-Date asked for, or the client stops at once."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from client_fakes import Recorder, aweme, make_client, ok, run_with_client
from tiktok_engagement.scavio.client import ScavioClient
from tiktok_engagement.scavio.errors import DateNotHonouredError, NotFoundError

DAY = "2025-03-01"
POSTS = {"aweme_list": [aweme(1)], "has_more": 0}


def _echoing(response: httpx.Response, echo: str | None = DAY) -> httpx.Response:
    headers = dict(response.headers)
    if echo is not None:
        headers["X-Sim-Date"] = echo
    return httpx.Response(response.status_code, headers=headers, content=response.content)


def _options(**kwargs):
    return {"expect_date_echo": DAY, "extra_headers": {"X-Sim-Date": DAY}, **kwargs}


def test_answers_that_echo_the_date_are_used_as_usual():
    def handler(request):
        assert request.headers["X-Sim-Date"] == DAY  # sending it stays the caller's job
        if request.url.path.endswith("video"):
            return _echoing(httpx.Response(404, json={"error": "gone"}))
        return _echoing(ok(POSTS))

    async def scenario(client):
        videos = await client.user_posts("sec")
        with pytest.raises(NotFoundError):
            await client.video("1")
        return videos

    client, videos = run_with_client(Recorder(handler), scenario, **_options())
    assert len(videos) == 1 and client.stopped is None


def _refused(handler, **kwargs):
    recorder = Recorder(handler)
    holder = {}

    async def scenario(client):
        holder["client"] = client
        results = await asyncio.gather(
            *(client.user_posts(f"s{i}") for i in range(5)), return_exceptions=True
        )
        with pytest.raises(DateNotHonouredError):
            await client.profile(username="later")
        return results

    client, results = run_with_client(recorder, scenario, **_options(**kwargs))
    return recorder, client, results


@pytest.mark.parametrize(
    ("response", "status", "billed"),
    [
        (ok(POSTS), 200, 1),
        (httpx.Response(503, json={"error": "busy"}), 503, 0),
        (httpx.Response(200, text="<html>not json</html>"), 200, 1),
    ],
    ids=["success", "retryable-error", "malformed"],
)
def test_an_answer_without_the_echo_stops_the_client_after_one_request(response, status, billed):
    recorder, client, results = _refused(lambda r: _echoing(response, echo=None), max_in_flight=3)
    assert len(recorder.requests) == 1  # never retried, and nothing else goes out
    assert all(isinstance(r, DateNotHonouredError) for r in results)
    assert isinstance(client.stopped, DateNotHonouredError)
    message = str(client.stopped)
    assert f"the API answered without confirming it serves {DAY} (no X-Sim-Date echo)" in message
    assert "serves only current counts" in message
    assert f"store today's counts under {DAY}" in message and "need the simulator" in message
    (entry,) = client.ledger.entries  # it was answered (and may be billed), so it is recorded
    assert (entry.status, entry.error_class) == (status, "DateNotHonouredError")
    assert entry.credits_used == billed
    assert client.budget.spent == (1 if billed is None else billed)


def test_a_different_echo_is_refused_and_named():
    _, client, results = _refused(lambda r: _echoing(ok(POSTS), echo="2025-03-02"))
    assert "its X-Sim-Date echo is '2025-03-02'" in str(client.stopped)
    assert all(isinstance(r, DateNotHonouredError) for r in results)


def test_the_data_of_a_refused_answer_is_not_returned():
    async def main():
        async with make_client(lambda r: ok(POSTS), **_options()) as client:
            with pytest.raises(DateNotHonouredError):
                await client.request("user/posts", {"sec_user_id": "s"})
            return client

    client = asyncio.run(main())
    assert client.ledger.entries[0].credits_used == 1


def test_without_expect_date_echo_no_echo_is_needed():
    client, videos = run_with_client(Recorder(lambda r: ok(POSTS)), lambda c: c.user_posts("s"))
    assert len(videos) == 1


@pytest.mark.parametrize("value", ["2025-3-1", "2025-02-30", "yesterday", ""])
def test_expect_date_echo_must_be_a_date(value):
    with pytest.raises(ValueError, match="expect_date_echo"):
        ScavioClient(base_url="https://api.scavio.dev", api_key="k", expect_date_echo=value)
