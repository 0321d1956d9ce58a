"""The official Scavio SDK, unchanged, against the simulator: the proof that the fake is faithful."""

from __future__ import annotations

import asyncio

import pytest
from scavio import (
    AsyncScavioClient,
    InsufficientCreditsError,
    InvalidAPIKeyError,
    NotFoundError,
    ScavioClient,
)
from sim_helpers import assert_aweme, assert_envelope, assert_hashtag, assert_profile


def _client(sim, key: str | None = None) -> ScavioClient:
    # The SDK's own limiter defaults to 1 request/s; 50 keeps the test fast and is still the SDK's.
    return ScavioClient(
        api_key=key or sim.api_key,
        base_url=sim.base_url,
        max_requests_per_second=50,
        max_retries=0,
    )


def test_sync_client_calls_every_endpoint(simulator, world):
    creator = world.roster(3)[1]
    with _client(simulator) as client:
        profile = client.tiktok.profile(username=creator.username)
        user = assert_envelope(profile)["user"]
        assert assert_profile(user).sec_uid == creator.sec_uid

        posts = assert_envelope(client.tiktok.user_posts(user["sec_uid"], count=5))
        assert len(posts["aweme_list"]) == 5 and posts["has_more"] == 1
        for item in posts["aweme_list"]:
            assert_aweme(item)
        second = assert_envelope(
            client.tiktok.user_posts(user["sec_uid"], cursor=str(posts["max_cursor"]), count=5)
        )
        assert {i["aweme_id"] for i in second["aweme_list"]}.isdisjoint(
            {i["aweme_id"] for i in posts["aweme_list"]}
        )

        search = assert_envelope(
            client.tiktok.search_videos("home workout", count=5, sort_type="0")
        )
        assert len(search["search_item_list"]) == 5
        assert_aweme(search["search_item_list"][0]["aweme_info"])

        info = assert_envelope(client.tiktok.hashtag(hashtag_name="gym"))["challengeInfo"]
        hashtag = assert_hashtag(info)

        videos = assert_envelope(client.tiktok.hashtag_videos(hashtag.hashtag_id, count=5))
        assert len(videos["aweme_list"]) == 5
        video_id = videos["aweme_list"][0]["aweme_id"]

        detail = assert_envelope(client.tiktok.video(video_id))["aweme_detail"]
        assert assert_aweme(detail).video_id == video_id


def test_async_client_calls_every_endpoint(simulator, world):
    creator = world.roster(3)[2]

    async def run() -> list[dict]:
        async with AsyncScavioClient(
            api_key=simulator.api_key, base_url=simulator.base_url, max_requests_per_second=50
        ) as client:
            profile = await client.tiktok.profile(username=creator.username)
            sec_uid = profile["data"]["user"]["sec_uid"]
            info = await client.tiktok.hashtag(hashtag_name="skincare")
            cid = info["data"]["challengeInfo"]["challenge"]["id"]
            posts, search, videos = await asyncio.gather(
                client.tiktok.user_posts(sec_uid, count=3),
                client.tiktok.search_videos("skincare routine", count=3),
                client.tiktok.hashtag_videos(cid, count=3),
            )
            video = await client.tiktok.video(posts["data"]["aweme_list"][0]["aweme_id"])
            return [profile, info, posts, search, videos, video]

    answers = asyncio.run(run())
    for answer in answers:
        assert_envelope(answer)
    profile, info, posts, search, videos, video = (a["data"] for a in answers)
    assert profile["user"]["unique_id"] == creator.username
    assert_hashtag(info["challengeInfo"])
    assert (
        len(posts["aweme_list"])
        == len(search["search_item_list"])
        == len(videos["aweme_list"])
        == 3
    )
    assert video["aweme_detail"]["aweme_id"] == posts["aweme_list"][0]["aweme_id"]


def test_sdk_exceptions_map_for_401_404_402(simulator_factory, world):
    sim = simulator_factory(creators=20, credit_balance=1)
    username = world.creators[0].username
    with (
        _client(sim, key="sk_not_a_real_key") as client,
        pytest.raises(InvalidAPIKeyError) as bad_key,
    ):
        client.tiktok.profile(username=username)
    assert bad_key.value.status_code == 401

    with _client(sim) as client:
        with pytest.raises(NotFoundError) as missing:
            client.tiktok.profile(username="no.such.creator")
        assert missing.value.status_code == 404
        with pytest.raises(NotFoundError):
            client.tiktok.video("7000000000000000000")
        assert client.tiktok.profile(username=username)["credits_remaining"] == 0
        with pytest.raises(InsufficientCreditsError) as broke:
            client.tiktok.profile(username=username)
    assert broke.value.status_code == 402
    assert broke.value.response_body["credit_balance"] == 0
    assert broke.value.response_body["billing_url"]


def test_async_sdk_maps_401(simulator):
    async def run() -> None:
        async with AsyncScavioClient(api_key="sk_wrong", base_url=simulator.base_url) as client:
            await client.tiktok.hashtag(hashtag_name="gym")

    with pytest.raises(InvalidAPIKeyError):
        asyncio.run(run())
