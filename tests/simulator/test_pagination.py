"""The three pagination styles, walked to exhaustion, with cursors sent back as strings and numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from scavio_simulator import as_of_timestamp
from sim_helpers import DAY, walk

AS_OF = as_of_timestamp(DAY)


@pytest.mark.parametrize("cursor_as", [str, int])
def test_user_posts_walks_the_whole_history_without_gaps_or_repeats(api, world, cursor_as):
    creator = world.roster(30)[11 if cursor_as is str else 12]
    items, pages = walk(
        api,
        "user/posts",
        {"sec_user_id": creator.sec_uid, "count": 25},
        cursor_in="cursor",
        cursor_out="max_cursor",
        list_key="aweme_list",
        cursor_as=cursor_as,
    )
    ids = [item["aweme_id"] for item in items]
    assert ids == [p.aweme_id for p in world.posts(creator, AS_OF)]
    assert len(ids) == len(set(ids))
    profile = api.data("profile", {"username": creator.username})["user"]
    assert profile["aweme_count"] == len(ids)
    assert all(len(page["aweme_list"]) == 25 for page in pages[:-1])
    assert pages[-1]["has_more"] == 0


def test_max_cursor_comes_back_as_string_and_as_number(api, world):
    kinds = set()
    for creator in world.roster(8):
        data = api.data("user/posts", {"sec_user_id": creator.sec_uid, "count": 10})
        kinds.add(type(data["max_cursor"]))
        nxt = api.data(
            "user/posts",
            {"sec_user_id": creator.sec_uid, "count": 10, "cursor": data["max_cursor"]},
        )
        kinds.add(type(nxt["max_cursor"]))
    assert kinds == {str, int}


def test_user_posts_popular_order(api, world):
    creator = world.roster(5)[2]
    items, _ = walk(
        api,
        "user/posts",
        {"sec_user_id": creator.sec_uid, "count": 30, "sort_type": "1"},
        cursor_in="cursor",
        cursor_out="max_cursor",
        list_key="aweme_list",
    )
    views = [item["statistics"]["play_count"] for item in items]
    assert views == sorted(views, reverse=True)
    assert len(items) == len(world.posts(creator, AS_OF))


@pytest.mark.parametrize("cursor_as", [str, int])
def test_search_pages_to_exhaustion_at_most_five_pages(api, cursor_as):
    items, pages = walk(
        api,
        "search/videos",
        {"keyword": "skincare routine", "count": 12},
        cursor_in="cursor",
        cursor_out="cursor",
        list_key="search_item_list",
        cursor_as=cursor_as,
    )
    assert all(isinstance(page["cursor"], int) for page in pages)
    assert len(pages) == 5 and len(items) == 60
    ids = [entry["aweme_info"]["aweme_id"] for entry in items]
    assert len(set(ids)) == len(ids)


def test_search_ordering_is_deterministic_per_date(api):
    body = {"keyword": "budget travel", "count": 20}
    first = api.data("search/videos", body)
    again = api.data("search/videos", body)
    assert first == again


def test_search_most_liked_and_publish_time_filters(api):
    liked = api.data("search/videos", {"keyword": "easy dinner", "count": 20, "sort_type": "1"})
    likes = [e["aweme_info"]["statistics"]["digg_count"] for e in liked["search_item_list"]]
    assert likes == sorted(likes, reverse=True)
    recent = api.data("search/videos", {"keyword": "easy dinner", "count": 30, "publish_time": "7"})
    oldest = AS_OF - 7 * 86400
    assert recent["search_item_list"]
    assert all(e["aweme_info"]["create_time"] >= oldest for e in recent["search_item_list"])


@pytest.mark.parametrize("cursor_as", [str, int])
def test_hashtag_videos_pages_to_exhaustion(api, world, cursor_as):
    tag = world.hashtag("skincare")
    items, pages = walk(
        api,
        "hashtag/videos",
        {"hashtag_id": tag.cid, "count": 30},
        cursor_in="cursor",
        cursor_out="cursor",
        list_key="aweme_list",
        cursor_as=cursor_as,
    )
    assert len(pages) == 5 and len(items) == 150
    assert all("skincare" in {c["cha_name"] for c in item["cha_list"]} for item in items)
    assert len({item["aweme_id"] for item in items}) == 150


def test_a_short_feed_ends_before_five_pages(api, world):
    # Go back to when few creators had started posting, so the feed is shorter than 5 pages.
    tag = world.hashtag("parrot")
    day = DAY
    while len(world.hashtag_posts(tag, as_of_timestamp(day))) >= 150:
        day -= timedelta(days=30)
    expected = [p.aweme_id for p in world.hashtag_posts(tag, as_of_timestamp(day))]
    assert expected
    items, _ = walk(
        api,
        "hashtag/videos",
        {"hashtag_id": tag.cid, "count": 30},
        cursor_in="cursor",
        cursor_out="cursor",
        list_key="aweme_list",
        day=day,
    )
    assert [item["aweme_id"] for item in items] == expected


def test_keyword_search_and_hashtag_feed_overlap(api, world):
    search, _ = walk(
        api,
        "search/videos",
        {"keyword": "home workout", "count": 30},
        cursor_in="cursor",
        cursor_out="cursor",
        list_key="search_item_list",
    )
    gym, _ = walk(
        api,
        "hashtag/videos",
        {"hashtag_id": world.hashtag("gym").cid, "count": 30},
        cursor_in="cursor",
        cursor_out="cursor",
        list_key="aweme_list",
    )
    overlap = {e["aweme_info"]["aweme_id"] for e in search} & {v["aweme_id"] for v in gym}
    assert len(overlap) >= 3
