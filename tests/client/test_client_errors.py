"""Error statuses: the exception built from each body form, no retries, and the 401/402 stop."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from client_fakes import Recorder, aweme, body_of, make_client, ok, run_with_client
from tiktok_engagement.scavio.errors import (
    AuthenticationError,
    BadRequestError,
    CreditsExhaustedError,
    EndpointRetiredError,
    NotFoundError,
    PermissionDeniedError,
    ScavioAPIError,
)

POSTS = {"aweme_list": [aweme(1)], "has_more": 0}


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (402, CreditsExhaustedError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (410, EndpointRetiredError),
        (422, ScavioAPIError),
    ],
)
def test_client_errors_are_not_retried(status, error_class):
    recorder = Recorder(
        lambda r: httpx.Response(status, json={"error": {"code": "c", "message": "m"}})
    )
    holder = {}

    async def scenario(client):
        holder["client"] = client
        return await client.video("7350810998023949599")

    with pytest.raises(error_class) as info:
        run_with_client(recorder, scenario)
    assert type(info.value) is error_class
    assert info.value.status == status
    assert len(recorder.requests) == 1
    (entry,) = holder["client"].ledger.entries
    assert (entry.attempt, entry.status, entry.error_class) == (1, status, error_class.__name__)
    assert entry.credits_used == 0


@pytest.mark.parametrize(
    ("response", "code", "message"),
    [
        (
            httpx.Response(404, json={"error": {"code": "not_found", "message": "user gone"}}),
            "not_found",
            "user gone",
        ),
        (httpx.Response(404, json={"error": "user gone"}), None, "user gone"),
        (
            httpx.Response(404, json={"message": "user gone", "code": "not_found"}),
            "not_found",
            "user gone",
        ),
        (httpx.Response(404, text="<html><body>user gone</body></html>"), None, "user gone"),
        (httpx.Response(404, json=["user gone"]), None, "user gone"),
        (httpx.Response(404, content=b""), None, "Not Found"),
    ],
    ids=["error-object", "error-string", "message-only", "html", "json-list", "empty"],
)
def test_error_body_forms(response, code, message):
    recorder = Recorder(lambda r: response)
    with pytest.raises(NotFoundError) as info:
        run_with_client(recorder, lambda c: c.profile(username="gone"))
    error = info.value
    assert error.code == code
    assert message in error.api_message
    assert error.endpoint == "/api/v1/tiktok/profile"
    assert str(error).startswith("HTTP 404")
    assert "/api/v1/tiktok/profile" in str(error)
    assert isinstance(error.body, dict)


def test_404_body_keeps_the_error_body_and_billing_is_taken_from_it():
    body = {"error": {"code": "not_found", "message": "video deleted"}, "credits_used": 1}
    recorder = Recorder(lambda r: httpx.Response(404, json=body))
    holder = {}

    async def scenario(client):
        holder["client"] = client
        return await client.video("1")

    with pytest.raises(NotFoundError) as info:
        run_with_client(recorder, scenario)
    assert info.value.body["error"]["code"] == "not_found"
    assert holder["client"].budget.spent == 1
    assert holder["client"].ledger.entries[0].credits_used == 1


def test_401_fails_with_a_clear_message_and_stops_later_calls_without_sending():
    recorder = Recorder(
        lambda r: httpx.Response(
            401, json={"error": {"code": "invalid_api_key", "message": "Invalid API key"}}
        )
    )

    async def scenario(client):
        with pytest.raises(AuthenticationError) as first:
            await client.profile(username="a")
        with pytest.raises(AuthenticationError) as later:
            await client.user_posts("sec")
        return first.value, later.value

    client, (first, later) = run_with_client(recorder, scenario)
    assert "Scavio rejected the API key (HTTP 401): Invalid API key" in str(first)
    assert "SCAVIO_API_KEY" in str(first) and "scavio_default" in str(first)
    assert client.stopped is first
    assert str(later) == str(first) and later.__cause__ is first
    assert len(recorder.requests) == 1
    assert len(client.ledger.entries) == 1


def test_402_message_names_balance_and_billing_url_and_stops_spending():
    body = {
        "error": {"code": "insufficient_credits", "message": "Out of credits"},
        "credit_balance": 0,
        "billing_url": "https://scavio.dev/billing",
    }
    recorder = Recorder(lambda r: httpx.Response(402, json=body))

    async def scenario(client):
        with pytest.raises(CreditsExhaustedError) as first:
            await client.user_posts("sec")
        with pytest.raises(CreditsExhaustedError):
            await client.search_videos("cats")
        return first.value

    client, error = run_with_client(recorder, scenario)
    message = str(error)
    assert "HTTP 402" in message and "Out of credits" in message
    assert "credit balance 0" in message and "https://scavio.dev/billing" in message
    assert error.credit_balance == 0 and error.billing_url == "https://scavio.dev/billing"
    assert isinstance(client.stopped, CreditsExhaustedError)
    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    ("status", "error_class"), [(401, AuthenticationError), (402, CreditsExhaustedError)]
)
def test_401_and_402_stop_concurrent_calls(status, error_class):
    async def handler(request):
        await asyncio.sleep(0.01)
        return httpx.Response(status, json={"error": "stop"})

    recorder = Recorder(handler)

    async def scenario(client):
        return await asyncio.gather(
            *(client.user_posts(f"sec{i}") for i in range(20)), return_exceptions=True
        )

    client, results = run_with_client(recorder, scenario, max_in_flight=3)
    assert all(isinstance(r, error_class) for r in results)
    assert len(recorder.requests) <= 3
    assert isinstance(client.stopped, error_class)


def test_a_stop_wakes_calls_that_are_backing_off():
    """A call waiting out a long Retry-After fails at once when another call sees a 402."""

    def handler(request):
        if body_of(request)["sec_user_id"] == "slow":
            return httpx.Response(429, headers={"Retry-After": "5"}, json={"error": "busy"})
        return httpx.Response(402, json={"error": "Out of credits", "credit_balance": 0})

    recorder = Recorder(handler)

    async def main():
        async with make_client(recorder, max_in_flight=2, retry_after_cap=10.0) as client:
            waiting = asyncio.create_task(client.user_posts("slow"))
            await asyncio.sleep(0.05)
            with pytest.raises(CreditsExhaustedError):
                await client.user_posts("other")
            started = time.monotonic()
            with pytest.raises(CreditsExhaustedError):
                await waiting
            return time.monotonic() - started

    assert asyncio.run(main()) < 1.0
    assert [body_of(r)["sec_user_id"] for r in recorder.requests] == ["slow", "other"]


def test_not_found_does_not_stop_the_client():
    def handler(request):
        if body_of(request)["sec_user_id"] == "gone":
            return httpx.Response(404, json={"error": {"code": "not_found", "message": "no user"}})
        return ok(POSTS)

    async def scenario(client):
        return await asyncio.gather(
            client.user_posts("gone"), client.user_posts("here"), return_exceptions=True
        )

    client, (gone, here) = run_with_client(Recorder(handler), scenario)
    assert isinstance(gone, NotFoundError)
    assert len(here) == 1
    assert client.stopped is None
