"""Pagination styles, typed results and payload errors, on httpx.MockTransport."""

from __future__ import annotations

import pytest
from client_fakes import (
    Recorder,
    aweme,
    body_of,
    challenge_info,
    endpoint_of,
    ok,
    run_with_client,
    user,
)
from tiktok_engagement.scavio.errors import PayloadValidationError
from tiktok_engagement.scavio.paginators import (
    CursorPaginator,
    MaxCursorPaginator,
    PagedItem,
    as_cursor,
    as_has_more,
)


def test_user_posts_follows_max_cursor_given_as_number_then_string():
    pages = {
        "0": ok({"aweme_list": [aweme(1), aweme(2)], "has_more": 1, "max_cursor": 1711000000}),
        "1711000000": ok({"aweme_list": [aweme(3)], "has_more": 1, "max_cursor": "1710000000"}),
        "1710000000": ok({"aweme_list": [aweme(4)], "has_more": 0, "max_cursor": "1"}),
    }
    recorder = Recorder(lambda request: pages[body_of(request)["cursor"]])
    _, videos = run_with_client(recorder, lambda c: c.user_posts("MS4wsec", count=2, max_pages=10))
    assert [v.video_id[-1] for v in videos] == ["1", "2", "3", "4"]
    assert [b["cursor"] for b in recorder.bodies] == ["0", "1711000000", "1710000000"]
    first = recorder.bodies[0]
    assert first == {"sec_user_id": "MS4wsec", "count": 2, "sort_type": "0", "cursor": "0"}
    assert isinstance(first["count"], int)
    assert {endpoint_of(r) for r in recorder.requests} == {"user/posts"}
    assert all(r.method == "POST" for r in recorder.requests)


def test_user_posts_stops_at_max_pages_even_when_more_is_announced():
    recorder = Recorder(
        lambda request: ok(
            {
                "aweme_list": [aweme(int(body_of(request)["cursor"]))],
                "has_more": 1,
                "max_cursor": int(body_of(request)["cursor"]) + 1,
            }
        )
    )
    _, videos = run_with_client(recorder, lambda c: c.user_posts("sec", max_pages=3))
    assert len(recorder.requests) == 3
    assert len(videos) == 3


def test_user_posts_default_is_one_page():
    recorder = Recorder(lambda r: ok({"aweme_list": [aweme(1)], "has_more": 1, "max_cursor": 9}))
    run_with_client(recorder, lambda c: c.user_posts("sec"))
    assert len(recorder.requests) == 1


def test_pagination_stops_on_empty_page_despite_has_more():
    def handler(request):
        if body_of(request)["cursor"] == "0":
            return ok({"aweme_list": [aweme(1)], "has_more": 1, "max_cursor": "5"})
        return ok({"aweme_list": [], "has_more": 1, "max_cursor": "6"})

    recorder = Recorder(handler)
    client, videos = run_with_client(recorder, lambda c: c.user_posts("sec", max_pages=5))
    assert len(recorder.requests) == 2
    assert len(videos) == 1
    assert [e.suspect_empty for e in client.ledger.entries] == [False, True]


def test_pagination_stops_when_the_cursor_does_not_advance():
    recorder = Recorder(lambda r: ok({"aweme_list": [aweme(1)], "has_more": 1, "cursor": "0"}))
    run_with_client(recorder, lambda c: c.hashtag_videos("1654", max_pages=5))
    assert len(recorder.requests) == 1


def test_search_videos_numeric_cursor_unwraps_aweme_info_and_ranks_across_pages():
    def handler(request):
        cursor = body_of(request)["cursor"]
        if cursor == "0":
            entries = [{"type": 1, "aweme_info": aweme(1)}, {"type": 1, "aweme_info": aweme(2)}]
            return ok({"search_item_list": entries, "has_more": 1, "cursor": 2})
        assert cursor == "2"
        entries = [{"type": 996, "user_list": []}, {"type": 1, "aweme_info": aweme(3)}]
        return ok({"search_item_list": entries, "has_more": 0, "cursor": 4})

    recorder = Recorder(handler)
    _, items = run_with_client(
        recorder,
        lambda c: c.search_videos(
            "cat videos", count=2, max_pages=3, sort_type="1", publish_time="7"
        ),
    )
    assert [(i.page, i.rank, i.video.video_id[-1]) for i in items] == [
        (1, 1, "1"),
        (1, 2, "2"),
        (2, 3, "3"),
    ]
    assert all(isinstance(i, PagedItem) for i in items)
    assert recorder.bodies[0] == {
        "keyword": "cat videos",
        "count": 2,
        "sort_type": "1",
        "publish_time": "7",
        "cursor": "0",
    }
    assert endpoint_of(recorder.requests[0]) == "search/videos"


def test_hashtag_videos_string_cursor_pages_and_ranks():
    def handler(request):
        cursor = body_of(request)["cursor"]
        if cursor == "0":
            return ok({"aweme_list": [aweme(1), aweme(2)], "has_more": True, "cursor": "20"})
        return ok({"aweme_list": [aweme(3)], "has_more": False, "cursor": "30"})

    recorder = Recorder(handler)
    client, items = run_with_client(
        recorder, lambda c: c.hashtag_videos("1654", count=2, max_pages=4, item_key="hashtag:fyp")
    )
    assert [(i.page, i.rank) for i in items] == [(1, 1), (1, 2), (2, 3)]
    assert recorder.bodies == [
        {"hashtag_id": "1654", "count": 2, "cursor": "0"},
        {"hashtag_id": "1654", "count": 2, "cursor": "20"},
    ]
    assert {e.item_key for e in client.ledger.entries} == {"hashtag:fyp"}


def test_single_object_endpoints_parse_records():
    def handler(request):
        endpoint = endpoint_of(request)
        if endpoint == "profile":
            return ok({"user": user()})
        if endpoint == "hashtag":
            return ok({"challengeInfo": challenge_info()})
        return ok({"aweme_detail": aweme(7)})

    recorder = Recorder(handler)

    async def scenario(client):
        return (
            await client.profile(username="creator"),
            await client.profile(sec_user_id="MS4wLjABAAAAcreator"),
            await client.hashtag(hashtag_name="fyp"),
            await client.video("7350810998023900007"),
        )

    _, (profile, profile_by_id, hashtag, video) = run_with_client(recorder, scenario)
    assert profile.sec_uid == "MS4wLjABAAAAcreator" and profile.is_verified
    assert profile_by_id.unique_id == "creator"
    assert (hashtag.hashtag_id, hashtag.video_count, hashtag.view_count) == ("1654", 12, 3400)
    assert video.play_count == 1007
    assert recorder.bodies == [
        {"username": "creator"},
        {"sec_user_id": "MS4wLjABAAAAcreator"},
        {"hashtag_name": "fyp"},
        {"video_id": "7350810998023900007"},
    ]


def test_a_bad_item_is_rejected_naming_the_field():
    bad = aweme(1)
    del bad["statistics"]["play_count"]
    recorder = Recorder(lambda r: ok({"aweme_list": [bad], "has_more": 0}))
    client, videos = run_with_client(recorder, lambda c: c.user_posts("sec"))
    assert videos == []
    (rejected,) = client.rejected
    assert rejected.reason.startswith("statistics.play_count is missing")


def test_missing_object_in_data_is_a_payload_error():
    recorder = Recorder(lambda r: ok({"something_else": {}}))
    with pytest.raises(PayloadValidationError) as info:
        run_with_client(recorder, lambda c: c.profile(username="x"))
    assert info.value.field == "user"


def test_items_that_are_not_a_list_are_a_payload_error():
    recorder = Recorder(lambda r: ok({"aweme_list": {"0": aweme(1)}, "has_more": 0}))
    with pytest.raises(PayloadValidationError) as info:
        run_with_client(recorder, lambda c: c.user_posts("sec"))
    assert info.value.field == "aweme_list"


@pytest.mark.parametrize("count", [0, 31, "20", True])
def test_count_outside_the_contract_is_refused_before_sending(count):
    recorder = Recorder(lambda r: ok({"aweme_list": [], "has_more": 0}))
    with pytest.raises(ValueError, match="count"):
        run_with_client(recorder, lambda c: c.user_posts("sec", count=count))
    assert recorder.requests == []


def test_profile_needs_exactly_one_identifier():
    recorder = Recorder(lambda r: ok({"user": user()}))
    with pytest.raises(ValueError):
        run_with_client(recorder, lambda c: c.profile())
    with pytest.raises(ValueError):
        run_with_client(recorder, lambda c: c.profile(username="a", sec_user_id="b"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", "0"),
        (" 17 ", "17"),
        (1711000000, "1711000000"),
        (20.0, "20"),
        (None, None),
        ("", None),
    ],
)
def test_as_cursor_accepts_strings_and_numbers(raw, expected):
    assert as_cursor(raw, "cursor") == expected


@pytest.mark.parametrize("raw", [True, 1.5, {"a": 1}])
def test_as_cursor_rejects_other_types(raw):
    with pytest.raises(PayloadValidationError) as info:
        as_cursor(raw, "max_cursor")
    assert info.value.field == "max_cursor"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(1, True), (0, False), (True, True), (False, False), ("1", True), ("0", False), (None, False)],
)
def test_as_has_more(raw, expected):
    assert as_has_more(raw) is expected


def test_paginator_classes_name_their_cursor_field():
    assert MaxCursorPaginator().cursor_field == "max_cursor"
    assert MaxCursorPaginator().items_path == "aweme_list"
    paginator = CursorPaginator(items_path="search_item_list", max_pages=2)
    assert paginator.update_request({"keyword": "k"}) == {"keyword": "k", "cursor": "0"}
    paginator.update_state({"has_more": 1, "cursor": 12, "max_cursor": 99}, [object()])
    assert paginator.cursor == "12" and paginator.has_next_page
    paginator.update_state({"has_more": 1, "cursor": 24}, [object()])
    assert not paginator.has_next_page  # max_pages reached
    with pytest.raises(ValueError):
        CursorPaginator(items_path="x", max_pages=0)
