"""Helpers for the simulator tests: a raw HTTP caller and shape assertions (no mocks)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx
from scavio_simulator import SimulatorProcess
from tiktok_engagement.scavio.records import Hashtag, Profile, Video

DAY = date(2026, 11, 20)
"""The snapshot date most tests ask for (fixed, so results never depend on the real today)."""

ENVELOPE_KEYS = {"data", "response_time", "credits_used", "credits_remaining"}
PROFILE_KEYS = {
    "unique_id", "nickname", "sec_uid", "uid", "signature", "bio_url", "follower_count",
    "following_count", "aweme_count", "total_favorited", "verification_type",
}  # fmt: skip
COUNT_KEYS = ("play_count", "digg_count", "comment_count", "share_count", "collect_count")


class Api:
    """Raw HTTP calls to one simulator's TikTok endpoints, as of a date by default."""

    def __init__(self, sim: SimulatorProcess, day: date | None = DAY) -> None:
        self.sim = sim
        self.day = day
        self.client = httpx.Client(base_url=f"{sim.base_url}/api/v1/tiktok/", timeout=15.0)

    def post(
        self,
        endpoint: str,
        body: Any = None,
        *,
        day: date | None | str = "default",
        key: str | None = "default",
        content: bytes | None = None,
    ) -> httpx.Response:
        headers = {}
        key = self.sim.api_key if key == "default" else key
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        day = self.day if day == "default" else day
        if day is not None:
            headers["X-Sim-Date"] = day.isoformat() if isinstance(day, date) else day
        if content is not None:
            return self.client.post(endpoint, content=content, headers=headers)
        return self.client.post(endpoint, json=body if body is not None else {}, headers=headers)

    def data(self, endpoint: str, body: Any, **kwargs: Any) -> dict[str, Any]:
        response = self.post(endpoint, body, **kwargs)
        assert response.status_code == 200, response.text
        return assert_envelope(response.json())

    def close(self) -> None:
        self.client.close()


def assert_envelope(body: Any) -> dict[str, Any]:
    """The success envelope exactly as the contract has it; returns ``data``."""
    assert isinstance(body, dict)
    assert set(body) == ENVELOPE_KEYS, body.keys()
    assert isinstance(body["response_time"], int) and body["response_time"] >= 0
    assert body["credits_used"] == 1
    assert isinstance(body["credits_remaining"], int) and body["credits_remaining"] >= 0
    assert isinstance(body["data"], dict)
    return body["data"]


def assert_aweme(item: Any) -> Video:
    """A video item in TikTok's shape; parsed with the project's own record parser."""
    assert isinstance(item["aweme_id"], str) and re.fullmatch(r"\d{19}", item["aweme_id"])
    assert isinstance(item["create_time"], int)
    assert isinstance(item["desc"], str)
    stats = item["statistics"]
    for name in COUNT_KEYS:
        assert isinstance(stats[name], int) and stats[name] >= 0, (name, stats)
    assert item["author"]["unique_id"] and item["author"]["nickname"]
    assert set(item["music"]) >= {"title", "author"}
    assert isinstance(item["video"]["duration"], int) and item["video"]["duration"] > 0
    assert item["cha_list"] is None or all(set(c) >= {"cid", "cha_name"} for c in item["cha_list"])
    assert isinstance(item["text_extra"], list)
    video = Video.from_payload(item)
    assert video.video_id == item["aweme_id"]
    return video


def assert_profile(user: Any) -> Profile:
    assert set(user) >= PROFILE_KEYS, PROFILE_KEYS - set(user)
    assert isinstance(user["uid"], str) and isinstance(user["sec_uid"], str)
    for name in ("follower_count", "following_count", "aweme_count", "total_favorited"):
        assert isinstance(user[name], int) and user[name] >= 0
    return Profile.from_payload(user)


def assert_hashtag(info: Any) -> Hashtag:
    assert set(info["challenge"]) >= {"id", "title", "desc"}
    assert isinstance(info["challenge"]["id"], str)
    hashtag = Hashtag.from_payload(info)
    assert hashtag.video_count and hashtag.view_count
    return hashtag


def stats_place(info: dict[str, Any]) -> str:
    """Which of the contract's three places carries a hashtag's counts."""
    if "statsV2" in info:
        return "statsV2"
    if "stats" in info:
        return "stats"
    assert "stats" in info["challenge"]
    return "challenge.stats"


def error_form(body: dict[str, Any]) -> str:
    """Which of the contract's three error-body forms this is."""
    if isinstance(body.get("error"), dict):
        assert body["error"]["code"] and body["error"]["message"]
        return "nested"
    if isinstance(body.get("error"), str):
        return "string"
    assert isinstance(body.get("message"), str)
    return "message"


def walk(
    api: Api,
    endpoint: str,
    body: dict[str, Any],
    *,
    cursor_in: str,
    cursor_out: str,
    list_key: str,
    cursor_as: type = str,
    day: date = DAY,
    max_pages: int = 50,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Page to exhaustion; returns (items, pages' data). ``cursor_as`` is how the cursor is sent back."""
    items: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    cursor: Any = cursor_as(0)
    for _ in range(max_pages):
        data = api.data(endpoint, {**body, cursor_in: cursor}, day=day)
        pages.append(data)
        items.extend(data[list_key])
        assert data["has_more"] in (0, 1)
        if data["has_more"] == 0:
            return items, pages
        cursor = cursor_as(int(data[cursor_out]))
    raise AssertionError(f"{endpoint} still has_more after {max_pages} pages")
