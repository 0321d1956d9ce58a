"""The simulated clock and determinism: a run for date D sees the world as of D, the same in any process."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from scavio_simulator import as_of_timestamp
from sim_helpers import DAY


def _without_timing(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in ("response_time", "credits_remaining")}


def test_two_processes_with_the_same_seed_answer_identically(simulator_factory, make_api, world):
    first = make_api(simulator_factory(creators=120))
    second = make_api(simulator_factory(creators=120))
    creator = world.creators[7]
    tag = world.hashtag("recipe")
    calls = [
        ("profile", {"username": creator.username}),
        ("user/posts", {"sec_user_id": creator.sec_uid, "count": 30}),
        ("search/videos", {"keyword": "sourdough bread", "count": 20}),
        ("hashtag", {"hashtag_name": "recipe"}),
        ("hashtag/videos", {"hashtag_id": tag.cid, "count": 20, "cursor": "20"}),
    ]
    for endpoint, body in calls:
        a = first.post(endpoint, body)
        b = second.post(endpoint, body)
        assert a.status_code == b.status_code == 200
        assert _without_timing(a.json()) == _without_timing(b.json()), endpoint


def test_a_later_date_sees_grown_counts_and_new_posts(api, world):
    creator = world.roster(40)[25]
    later = DAY + timedelta(days=4)
    before = api.data("user/posts", {"sec_user_id": creator.sec_uid, "count": 30})["aweme_list"]
    after = api.data("user/posts", {"sec_user_id": creator.sec_uid, "count": 30}, day=later)
    after_items = {item["aweme_id"]: item for item in after["aweme_list"]}
    assert set(after_items) - {item["aweme_id"] for item in before}, "no new posts in 4 days"
    grew = 0
    for item in before:
        if item["aweme_id"] in after_items:
            old, new = item["statistics"], after_items[item["aweme_id"]]["statistics"]
            assert all(new[k] >= old[k] for k in old if k != "aweme_id")
            grew += new["play_count"] > old["play_count"]
    assert grew > 0
    assert (
        api.data("profile", {"username": creator.username}, day=later)["user"]["aweme_count"]
        > api.data("profile", {"username": creator.username})["user"]["aweme_count"]
    )


def test_posts_created_after_the_date_are_invisible(api, world):
    noon = as_of_timestamp(DAY)
    for creator in world.roster(6):
        items = api.data("user/posts", {"sec_user_id": creator.sec_uid, "count": 30})["aweme_list"]
        assert items and all(item["create_time"] <= noon for item in items)
    found = api.data("search/videos", {"keyword": "gym", "count": 30})["search_item_list"]
    assert all(entry["aweme_info"]["create_time"] <= noon for entry in found)


def test_search_results_evolve_as_new_posts_appear(api):
    body = {"keyword": "home workout", "count": 30}
    today = {
        e["aweme_info"]["aweme_id"] for e in api.data("search/videos", body)["search_item_list"]
    }
    week_on = api.data("search/videos", body, day=DAY + timedelta(days=7))["search_item_list"]
    later = {e["aweme_info"]["aweme_id"] for e in week_on}
    assert later - today


def test_clock_endpoint_and_header_precedence(simulator_factory, make_api, world):
    sim = simulator_factory(creators=60, clock="2026-10-01")
    api = make_api(sim)
    creator = world.creators[2]
    body = {"sec_user_id": creator.sec_uid, "count": 1}
    oct_first = api.data("user/posts", body, day=None)["aweme_list"][0]
    assert oct_first["create_time"] <= as_of_timestamp(date(2026, 10, 1))
    sim.set_clock(date(2026, 11, 15))
    mid_nov = api.data("user/posts", body, day=None)["aweme_list"][0]
    assert (
        as_of_timestamp(date(2026, 10, 1))
        < mid_nov["create_time"]
        <= as_of_timestamp(date(2026, 11, 15))
    )
    header_wins = api.data("user/posts", body, day=date(2026, 10, 1))["aweme_list"][0]
    assert header_wins == oct_first
    sim.set_clock(None)
    today = datetime.now(UTC).date()
    assert api.data("user/posts", body, day=None) == api.data("user/posts", body, day=today)
    clock = sim._call("GET", "/_sim/clock")
    assert clock["date"] is None and clock["as_of"].startswith(today.isoformat())
