"""Shared fakes for the client unit tests: payload builders and a client on httpx.MockTransport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from tiktok_engagement.scavio.client import ScavioClient

BASE_URL = "https://api.scavio.test"
API_KEY = "sk-live-TESTKEY-0123456789abcdef"


def aweme(n: int, **overrides: Any) -> dict[str, Any]:
    """A minimal valid video item whose id encodes ``n``."""
    item = {
        "aweme_id": f"73508109980239{n:05d}",
        "desc": f"video {n} #tag",
        "create_time": 1711494099 + n,
        "statistics": {
            "play_count": 1000 + n,
            "digg_count": 100 + n,
            "comment_count": 10 + n,
            "share_count": n,
            "collect_count": n,
        },
        "author": {"unique_id": "creator", "nickname": "Creator"},
    }
    item.update(overrides)
    return item


def user(**overrides: Any) -> dict[str, Any]:
    payload = {
        "unique_id": "creator",
        "nickname": "Creator",
        "sec_uid": "MS4wLjABAAAAcreator",
        "uid": "107955",
        "follower_count": 1234,
        "verification_type": 1,
    }
    payload.update(overrides)
    return payload


def challenge_info() -> dict[str, Any]:
    return {
        "challenge": {"id": "1654", "title": "fyp", "desc": "for you"},
        "statsV2": {"videoCount": "12", "viewCount": "3400"},
    }


def envelope(data: dict[str, Any], credits_used: int = 1, credits_remaining: int = 500) -> dict:
    return {
        "data": data,
        "response_time": 12,
        "credits_used": credits_used,
        "credits_remaining": credits_remaining,
    }


def ok(data: dict[str, Any], **kwargs: Any) -> httpx.Response:
    return httpx.Response(200, json=envelope(data, **kwargs))


def body_of(request: httpx.Request) -> dict[str, Any]:
    return json.loads(request.content)


def endpoint_of(request: httpx.Request) -> str:
    return request.url.path.removeprefix("/api/v1/tiktok/")


Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


def make_client(handler: Handler, **kwargs: Any) -> ScavioClient:
    """A client on a MockTransport; retries back off for milliseconds, not seconds."""
    options: dict[str, Any] = {
        "base_url": BASE_URL,
        "api_key": API_KEY,
        "backoff_base": 0.001,
        "backoff_max": 0.002,
        "retry_after_cap": 0.01,
        "transport": httpx.MockTransport(handler),
    }
    options.update(kwargs)
    return ScavioClient(**options)


def run_with_client(
    handler: Handler, scenario: Callable[[ScavioClient], Awaitable[Any]], **kwargs: Any
) -> tuple[ScavioClient, Any]:
    """Run ``scenario(client)`` in a fresh event loop; return the client and the result."""

    async def main() -> tuple[ScavioClient, Any]:
        async with make_client(handler, **kwargs) as client:
            return client, await scenario(client)

    return asyncio.run(main())


class Recorder:
    """Wraps a handler, keeping every request it saw."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        result = self.handler(request)
        if asyncio.iscoroutine(result):
            result = await result
        return result

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [body_of(r) for r in self.requests]
