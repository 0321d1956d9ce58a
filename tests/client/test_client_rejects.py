"""Lineage on every record; bad items rejected, not fatal; transiently bad answers fetched again."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import httpx
import orjson
import pytest
from client_fakes import Recorder, aweme, body_of, challenge_info, endpoint_of, ok, run_with_client
from tiktok_engagement.scavio import RejectedItem
from tiktok_engagement.scavio.errors import BudgetExceededError, PayloadValidationError
from tiktok_engagement.scavio.ledger import CreditBudget
from tiktok_engagement.scavio.records import raw_json

BAD_ITEMS = {
    "future_time": lambda: aweme(4, create_time=1_000_000_000_000),
    "huge_count": lambda: aweme(4, statistics={**aweme(4)["statistics"], "play_count": 2**64 + 5}),
    "negative_count": lambda: aweme(4, statistics={**aweme(4)["statistics"], "digg_count": -3}),
    "missing_id": lambda: {k: v for k, v in aweme(4).items() if k != "aweme_id"},
    "wrong_type": lambda: aweme(4, statistics={**aweme(4)["statistics"], "share_count": {"n": 1}}),
}
REASONS = {
    "future_time": "create_time must be Unix seconds from 2006-01-01 to 2100-01-01 UTC, "
    "got 1000000000000 (user/posts page 1 item 4)",
    "huge_count": "statistics.play_count must be at most 9223372036854775807 "
    "(user/posts page 1 item 4)",
    "negative_count": "statistics.digg_count must not be negative, got -3 "
    "(user/posts page 1 item 4)",
    "missing_id": "aweme_id is missing (user/posts page 1 item 4)",
    "wrong_type": "statistics.share_count must be an integer, got {'n': 1} "
    "(user/posts page 1 item 4)",
}


def _page_with(bad: dict) -> httpx.Response:
    items = [aweme(1), aweme(2), aweme(3), bad, aweme(5)]
    # Served as JSON bytes, so the client parses them as it parses the wire.
    return httpx.Response(
        200,
        content=json.dumps(
            {
                "data": {"aweme_list": items, "has_more": 0},
                "credits_used": 1,
                "credits_remaining": 9,
            }
        ),
    )


def test_records_carry_the_request_and_the_moment_of_their_answer():
    def handler(request):
        endpoint = endpoint_of(request)
        if endpoint == "profile":
            return ok({"user": {"unique_id": "c", "sec_uid": "s", "follower_count": 1}})
        if endpoint == "hashtag":
            return ok({"challengeInfo": challenge_info()})
        if endpoint == "video":
            return ok({"aweme_detail": aweme(9)})
        if endpoint == "search/videos":
            return ok({"search_item_list": [{"aweme_info": aweme(7)}], "has_more": 0})
        if endpoint == "hashtag/videos":
            return ok({"aweme_list": [aweme(8)], "has_more": 0})
        cursor = body_of(request)["cursor"]
        return ok({"aweme_list": [aweme(int(cursor) + 1)], "has_more": 1, "max_cursor": 1})

    async def scenario(client):
        before = datetime.now(UTC)
        results = (
            await client.profile(username="c"),
            await client.user_posts("s", max_pages=2),
            await client.hashtag(hashtag_name="fyp"),
            await client.hashtag_videos("1654"),
            await client.search_videos("cats"),
            await client.video("9"),
        )
        return before, results

    client, (before, (profile, posts, hashtag, tagged, found, video)) = run_with_client(
        Recorder(handler), scenario
    )
    records = [profile, *posts, hashtag, tagged[0].video, found[0].video, video]
    assert [r.request_seq for r in records] == [1, 2, 3, 4, 5, 6, 7]
    entries = {e.request_seq: e for e in client.ledger.entries}
    for record in records:
        entry = entries[record.request_seq]
        assert record.captured_at == entry.captured_at
        assert before <= entry.started_at <= record.captured_at <= datetime.now(UTC)
        assert record.captured_at.tzinfo is UTC


@pytest.mark.parametrize("kind", sorted(BAD_ITEMS))
def test_one_bad_item_among_good_ones_is_rejected_after_every_fetch(kind, caplog):
    caplog.set_level(logging.WARNING, logger="tiktok_engagement")
    bad = BAD_ITEMS[kind]()
    recorder = Recorder(lambda r: _page_with(bad))
    client, videos = run_with_client(
        recorder, lambda c: c.user_posts("sec", item_key="alice"), payload_attempts=3
    )
    assert [v.video_id[-1] for v in videos] == ["1", "2", "3", "5"]
    assert len(recorder.requests) == 3  # payload_attempts fetches, each a request of its own
    assert [(e.request_seq, e.attempt) for e in client.ledger.entries] == [(1, 1), (2, 1), (3, 1)]
    assert {v.request_seq for v in videos} == {3}  # the good items of the last answer
    (rejected,) = client.rejected
    assert isinstance(rejected, RejectedItem)
    assert rejected.reason == REASONS[kind]
    assert (rejected.endpoint, rejected.item_key, rejected.request_seq) == (
        "user/posts",
        "alice",
        3,
    )
    assert rejected.captured_at == client.ledger.entries[-1].captured_at
    # The item as the client read it off the wire (orjson reads 2**64 + 5 as a float).
    assert rejected.raw_json == raw_json(orjson.loads(json.dumps(bad)))
    assert rejected.item_id == (None if kind == "missing_id" else "7350810998023900004")
    assert sum("fetching it again" in m for m in caplog.messages) == 2
    assert any("rejected an invalid item" in m and REASONS[kind] in m for m in caplog.messages)


def test_a_transiently_bad_page_is_fixed_by_the_refetch():
    answers = iter(
        [
            _page_with(BAD_ITEMS["huge_count"]()),
            ok({"aweme_list": [aweme(1), aweme(4)], "has_more": 0}),
        ]
    )
    recorder = Recorder(lambda r: next(answers))
    client, videos = run_with_client(recorder, lambda c: c.user_posts("sec"))
    assert [v.video_id[-1] for v in videos] == ["1", "4"]
    assert client.rejected == []
    assert len(recorder.requests) == 2 and client.ledger.requests == 2
    assert {v.request_seq for v in videos} == {2}


def test_one_fetch_when_payload_attempts_is_one():
    recorder = Recorder(lambda r: _page_with(BAD_ITEMS["negative_count"]()))
    client, videos = run_with_client(recorder, lambda c: c.user_posts("s"), payload_attempts=1)
    assert len(videos) == 4 and len(client.rejected) == 1 and len(recorder.requests) == 1


def test_search_keeps_the_rank_of_a_rejected_video_and_rejects_non_objects():
    entries = [
        {"aweme_info": aweme(1)},
        {"aweme_info": aweme(2, create_time=-5)},
        "not an entry",
        {"type": 996, "user_list": []},
        {"aweme_info": aweme(3)},
    ]
    recorder = Recorder(lambda r: ok({"search_item_list": entries, "has_more": 0}))
    client, items = run_with_client(recorder, lambda c: c.search_videos("cats"))
    assert [(i.rank, i.video.video_id[-1]) for i in items] == [(1, "1"), (4, "3")]
    reasons = [r.reason for r in client.rejected]
    assert reasons[0].startswith("create_time must be Unix seconds") and "item 2)" in reasons[0]
    assert (
        reasons[1] == "search_item_list[2] must be an object, got str (search/videos page 1 item 3)"
    )
    assert client.rejected[1].raw_json == b'"not an entry"'
    assert [r.item_key for r in client.rejected] == ["cats", "cats"]


def test_rejects_on_a_later_page_name_it_and_paging_goes_on():
    def handler(request):
        cursor = body_of(request)["cursor"]
        if cursor == "0":
            return ok({"aweme_list": [aweme(1)], "has_more": 1, "cursor": "5"})
        if cursor == "5":
            return ok(
                {"aweme_list": [aweme(2, aweme_id=True), aweme(3)], "has_more": 1, "cursor": "9"}
            )
        return ok({"aweme_list": [aweme(4)], "has_more": 0, "cursor": "10"})

    recorder = Recorder(handler)
    client, items = run_with_client(recorder, lambda c: c.hashtag_videos("1654", max_pages=5))
    assert [(i.page, i.rank) for i in items] == [(1, 1), (2, 3), (3, 4)]
    assert [b["cursor"] for b in recorder.bodies] == ["0", "5", "5", "5", "9"]
    (rejected,) = client.rejected
    assert rejected.reason.endswith("(hashtag/videos page 2 item 1)")


@pytest.mark.parametrize(
    ("endpoint", "call", "data", "reason"),
    [
        (
            "profile",
            lambda c: c.profile(username="creator"),
            {"user": {"unique_id": "creator", "sec_uid": "s", "follower_count": -1}},
            "follower_count must not be negative, got -1 (profile)",
        ),
        (
            "hashtag",
            lambda c: c.hashtag(hashtag_name="fyp"),
            {"challengeInfo": {"challenge": {"title": "fyp"}}},
            "challenge.id is missing (hashtag)",
        ),
        (
            "video",
            lambda c: c.video("7350810998023900004"),
            {"aweme_detail": BAD_ITEMS["future_time"]()},
            "create_time must be Unix seconds from 2006-01-01 to 2100-01-01 UTC, "
            "got 1000000000000 (video)",
        ),
        (
            "profile",
            lambda c: c.profile(username="creator"),
            {"other": 1},
            "user is missing (profile)",
        ),
    ],
    ids=["profile", "hashtag", "video", "no-object"],
)
def test_a_single_object_that_stays_bad_is_rejected_and_raises(endpoint, call, data, reason):
    recorder = Recorder(lambda r: ok(data))
    holder = {}

    async def scenario(client):
        holder["client"] = client
        return await call(client)

    with pytest.raises(PayloadValidationError):
        run_with_client(recorder, scenario, payload_attempts=2)
    client = holder["client"]
    assert len(recorder.requests) == 2
    (rejected,) = client.rejected
    assert (rejected.endpoint, rejected.reason, rejected.request_seq) == (endpoint, reason, 2)


def test_a_single_object_fixed_by_the_refetch():
    answers = iter(
        [
            ok({"user": {"unique_id": "c", "sec_uid": "s", "follower_count": -1}}),
            ok({"user": {"unique_id": "c", "sec_uid": "s", "follower_count": 5}}),
        ]
    )
    client, profile = run_with_client(
        Recorder(lambda r: next(answers)), lambda c: c.profile(username="c")
    )
    assert profile.follower_count == 5 and profile.request_seq == 2 and client.rejected == []


def test_a_page_whose_list_stays_unusable_is_rejected_whole_and_raises():
    recorder = Recorder(lambda r: ok({"aweme_list": [aweme(1)], "has_more": 1, "max_cursor": True}))
    holder = {}

    async def scenario(client):
        holder["client"] = client
        return await client.user_posts("sec", max_pages=3)

    with pytest.raises(PayloadValidationError) as info:
        run_with_client(recorder, scenario)
    assert info.value.field == "max_cursor"
    assert len(recorder.requests) == 3
    (rejected,) = holder["client"].rejected
    assert rejected.reason.endswith("(user/posts page 1)") and rejected.item_id is None


def test_a_failed_refetch_keeps_the_answer_before_it():
    answers = iter(
        [_page_with(BAD_ITEMS["negative_count"]()), httpx.Response(500, json={"error": "x"})]
    )
    recorder = Recorder(lambda r: next(answers))
    budget = CreditBudget(None)
    client, videos = run_with_client(
        recorder, lambda c: c.user_posts("sec"), max_attempts=1, budget=budget
    )
    assert len(videos) == 4 and {v.request_seq for v in videos} == {1}
    (rejected,) = client.rejected
    assert rejected.request_seq == 1


def test_a_cap_reached_while_refetching_keeps_the_answer_before_it():
    recorder = Recorder(lambda r: _page_with(BAD_ITEMS["wrong_type"]()))

    async def scenario(client):
        videos = await client.user_posts("sec")
        with pytest.raises(BudgetExceededError):
            await client.user_posts("next")
        return videos

    client, videos = run_with_client(recorder, scenario, budget=CreditBudget(2))
    assert len(videos) == 4 and len(recorder.requests) == 2
    assert [r.request_seq for r in client.rejected] == [2]


def test_an_unusable_list_on_the_last_refetch_keeps_the_answer_before_it():
    answers = iter([_page_with(BAD_ITEMS["missing_id"]()), ok({"aweme_list": {"not": "a list"}})])
    client, videos = run_with_client(
        Recorder(lambda r: next(answers)), lambda c: c.user_posts("s"), payload_attempts=2
    )
    assert len(videos) == 4 and len(client.rejected) == 1


def test_the_answer_with_the_fewest_bad_items_stands():
    permanent = BAD_ITEMS["wrong_type"]()
    transient = aweme(1)
    del transient["statistics"]["play_count"]
    answers = iter(
        [
            _page_with(permanent),
            ok({"aweme_list": [transient, aweme(2), aweme(3), permanent, aweme(5)], "has_more": 0}),
            ok({"aweme_list": [transient, aweme(2), aweme(3), permanent, aweme(5)], "has_more": 0}),
        ]
    )
    client, videos = run_with_client(Recorder(lambda r: next(answers)), lambda c: c.user_posts("s"))
    assert [v.video_id[-1] for v in videos] == ["1", "2", "3", "5"]
    assert {v.request_seq for v in videos} == {1}
    assert [r.request_seq for r in client.rejected] == [1]
