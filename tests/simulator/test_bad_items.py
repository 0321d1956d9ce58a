"""Bad items on purpose: one permanently invalid video per named creator, among valid ones."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from typing import Any

import pytest
from scavio_simulator import (
    Population,
    SimulatorConfig,
    SimulatorError,
    SimulatorProcess,
    as_of_timestamp,
)
from scavio_simulator.__main__ import _serve_parser
from sim_helpers import DAY, Api, assert_aweme, assert_profile

CREATORS = 60
AS_OF = as_of_timestamp(DAY)
FEED_DEPTH = 150
"""How deep a default simulator's hashtag feed goes (5 pages of 30)."""


def _future_time(item: dict[str, Any]) -> None:
    item["create_time"] = 1_000_000_000_000


def _huge_count(item: dict[str, Any]) -> None:
    item["statistics"]["play_count"] = 2**64 + 5


def _negative_count(item: dict[str, Any]) -> None:
    item["statistics"]["digg_count"] = -3


def _missing_id(item: dict[str, Any]) -> None:
    del item["aweme_id"]
    del item["statistics"]["aweme_id"]


def _wrong_type(item: dict[str, Any]) -> None:
    item["statistics"]["share_count"] = {"n": 1}


CORRUPTIONS = {
    "future_time": _future_time,
    "huge_count": _huge_count,
    "negative_count": _negative_count,
    "missing_id": _missing_id,
    "wrong_type": _wrong_type,
}
"""What each kind must do to a clean item, written out independently of the server's code."""


def _lists(ranked: list[Any], post: Any) -> bool:
    """Whether a ranked feed shows ``post`` within the depth the simulator serves."""
    return post.aweme_id in {p.aweme_id for p in ranked[:FEED_DEPTH]}


@pytest.fixture(scope="module")
def small_world() -> Population:
    """The world of a ``creators=60`` simulator, built in-process."""
    return Population(seed=42, size=CREATORS)


@pytest.fixture(scope="module")
def chosen(small_world) -> dict[str, tuple[Any, Any, Any]]:
    """kind -> (creator, its second-newest post, a hashtag whose feed lists that post)."""
    picked: dict[str, tuple[Any, Any, Any]] = {}
    creators = iter(small_world.creators)
    for kind in CORRUPTIONS:
        for creator in creators:
            posts = small_world.posts(creator, AS_OF)
            if len(posts) < 3:
                continue
            post = posts[1]
            tags = [small_world.hashtag(tag) for tag in post.tags]
            listed = [
                tag
                for tag in tags
                if tag is not None and _lists(small_world.hashtag_posts(tag, AS_OF), post)
            ]
            if listed:
                picked[kind] = (creator, post, listed[0])
                break
    assert set(picked) == set(CORRUPTIONS), "the world has too few listed creators"
    return picked


@pytest.fixture(scope="module")
def bad_sim(chosen, small_world):
    """One simulator with every kind of bad item, and a bad profile, configured at start."""
    config = SimulatorConfig(
        creators=CREATORS,
        bad_items=tuple(f"{kind}:{creator.username}" for kind, (creator, _, _) in chosen.items()),
        bad_profile=(chosen["wrong_type"][0].username, small_world.creators[-1].username),
    )
    with SimulatorProcess(config) as sim:
        yield sim


def _aweme_id(item: dict[str, Any]) -> str:
    """The id of an item, even of one that lost its aweme_id (it is the tail of share_url)."""
    return item.get("aweme_id") or item["share_url"].rsplit("/", 1)[1]


def _assert_only_the_bad_item(items: list[dict[str, Any]], bad_ids: dict[str, str]) -> set[str]:
    """Every item valid except the bad ones, which must be corrupted; returns the bad ids seen."""
    seen = set()
    for item in items:
        if _aweme_id(item) in bad_ids:
            seen.add(_aweme_id(item))
        else:
            assert_aweme(item)
    return seen


@pytest.fixture(scope="module")
def clean_items(chosen) -> dict[str, dict[str, Any]]:
    """The chosen posts' items as a simulator without bad items answers them."""
    with SimulatorProcess(SimulatorConfig(creators=CREATORS)) as clean_sim:
        api = Api(clean_sim)
        try:
            return {
                post.aweme_id: api.data("video", {"video_id": post.aweme_id})["aweme_detail"]
                for _, post, _ in chosen.values()
            }
        finally:
            api.close()


def _expected(clean_items, kind: str, aweme_id: str) -> dict[str, Any]:
    item = copy.deepcopy(clean_items[aweme_id])
    CORRUPTIONS[kind](item)
    return item


def _all_posts(api: Api, creator: Any, sort_type: str) -> list[dict[str, Any]]:
    """Every item of a creator's posts feed, page after page."""
    items: list[dict[str, Any]] = []
    cursor = 0
    while True:
        body = {"sec_user_id": creator.sec_uid, "count": 30, "sort_type": sort_type}
        data = api.data("user/posts", {**body, "cursor": cursor})
        items.extend(data["aweme_list"])
        if not data["has_more"]:
            return items
        cursor = int(data["max_cursor"])


@pytest.mark.parametrize("kind", list(CORRUPTIONS))
def test_user_posts_corrupts_only_the_second_newest_item(
    bad_sim, make_api, chosen, clean_items, kind
):
    api = make_api(bad_sim)
    creator, post, _ = chosen[kind]
    expected = _expected(clean_items, kind, post.aweme_id)
    for sort_type in ("0", "1"):  # newest first, and by likes
        for _fetch in range(2):  # a refetch gives the same bad item: it is permanent
            items = _all_posts(api, creator, sort_type)
            assert _assert_only_the_bad_item(items, {post.aweme_id: kind}) == {post.aweme_id}
            (bad,) = [item for item in items if _aweme_id(item) == post.aweme_id]
            assert bad == expected
            if sort_type == "0":
                assert items[1] == expected
    # Newest first: the bad item is second whatever the page size, here alone on page 2.
    first = api.data("user/posts", {"sec_user_id": creator.sec_uid, "count": 1})
    assert_aweme(first["aweme_list"][0])
    second = api.data(
        "user/posts",
        {"sec_user_id": creator.sec_uid, "count": 1, "cursor": int(first["max_cursor"])},
    )
    assert second["aweme_list"] == [expected]
    detail = api.data("video", {"video_id": post.aweme_id})["aweme_detail"]
    assert detail == expected


def test_hashtag_feeds_list_the_bad_items_corrupted(bad_sim, make_api, chosen, clean_items):
    api = make_api(bad_sim)
    bad_ids = {post.aweme_id: kind for kind, (_, post, _) in chosen.items()}
    for kind, (_, post, tag) in chosen.items():
        found = {}
        for cursor in range(0, FEED_DEPTH, 30):
            data = api.data(
                "hashtag/videos", {"hashtag_id": tag.cid, "count": 30, "cursor": cursor}
            )
            _assert_only_the_bad_item(data["aweme_list"], bad_ids)
            found.update({_aweme_id(i): i for i in data["aweme_list"] if _aweme_id(i) in bad_ids})
            if not data["has_more"]:
                break
        assert found[post.aweme_id] == _expected(clean_items, kind, post.aweme_id)


def test_search_lists_the_bad_items_corrupted(bad_sim, make_api, chosen, clean_items, small_world):
    api = make_api(bad_sim)
    bad_ids = {post.aweme_id: kind for kind, (_, post, _) in chosen.items()}
    # A caption word of a bad post is a query whose results are sure to hold it.
    kind, (_, post, _) = next(iter(chosen.items()))
    keyword = next(
        word
        for word in post.caption.split()
        if word.isalpha() and len(word) > 3 and _lists(small_world.search(word, AS_OF), post)
    )
    seen: dict[str, dict[str, Any]] = {}
    for cursor in range(0, FEED_DEPTH, 30):
        data = api.data("search/videos", {"keyword": keyword, "count": 30, "cursor": cursor})
        items = [entry["aweme_info"] for entry in data["search_item_list"]]
        _assert_only_the_bad_item(items, bad_ids)
        seen.update({_aweme_id(i): i for i in items if _aweme_id(i) in bad_ids})
        if not data["has_more"]:
            break
    assert seen[post.aweme_id] == _expected(clean_items, kind, post.aweme_id)
    for aweme_id, item in seen.items():
        assert item == _expected(clean_items, bad_ids[aweme_id], aweme_id)


def test_bad_profile_has_a_negative_follower_count(bad_sim, make_api, chosen, small_world):
    api = make_api(bad_sim)
    for username in bad_sim.config.bad_profile:
        user = api.data("profile", {"username": username})["user"]
        assert user["follower_count"] == -1
        assert_profile({**user, "follower_count": 0})  # everything else stays valid
    good = api.data("profile", {"username": small_world.creators[0].username})["user"]
    assert_profile(good)


def test_bad_items_are_runtime_changeable_and_survive_faults(
    simulator_factory, make_api, chosen, clean_items
):
    sim = simulator_factory(creators=CREATORS)
    api = make_api(sim)
    creator, post, _ = chosen["huge_count"]
    body = {"sec_user_id": creator.sec_uid, "count": 30}
    assert_aweme(api.data("user/posts", body)["aweme_list"][1])  # cached clean...
    sim.configure(bad_items=[f"huge_count:{creator.username}"], bad_profile=[creator.username])
    items = api.data("user/posts", body)["aweme_list"]  # ...never served once it is bad
    assert items[1] == _expected(clean_items, "huge_count", post.aweme_id)
    assert api.data("profile", {"username": creator.username})["user"]["follower_count"] == -1

    # Faults that re-read a cached answer and serialize it again keep the 65-bit count exact.
    sim.configure(malformed_rate=1.0, fault_seed=2)
    reserialized = 0
    for _ in range(12):
        response = api.post("user/posts", body)
        assert response.status_code == 200
        try:
            items = json.loads(response.content)["data"]["aweme_list"]
        except (ValueError, KeyError):
            continue  # truncated, HTML or without data: nothing re-serialized to check
        reserialized += 1
        assert items[1]["statistics"]["play_count"] == 2**64 + 5
    assert reserialized, "no malformed answer of the missing-field kind was drawn"
    sim.configure(malformed_rate=0.0, empty_rate=1.0)
    assert api.data("user/posts", body)["aweme_list"] == []

    sim.configure(empty_rate=0.0, bad_items=[], bad_profile=[])
    assert api.data("user/posts", body)["aweme_list"][1] == clean_items[post.aweme_id]

    with pytest.raises(SimulatorError, match="unknown creator 'no.such.user'"):
        sim.configure(bad_items=["huge_count:no.such.user"])
    with pytest.raises(SimulatorError, match="KIND:USERNAME"):
        sim.configure(bad_items=["rotten:x"])
    assert sim.configure().bad_items == (), "a refused change leaves the config as it was"


def test_bad_item_settings_parse_from_env_flags_and_json():
    config = SimulatorConfig.from_env(
        {
            "SCAVIO_SIM_BAD_ITEMS": "future_time:alba.silva, missing_id:sarac.bits",
            "SCAVIO_SIM_BAD_PROFILE": "alba.silva",
        }
    )
    assert config.bad_items == ("future_time:alba.silva", "missing_id:sarac.bits")
    assert config.bad_item_specs() == [("future_time", "alba.silva"), ("missing_id", "sarac.bits")]
    assert config.bad_profile == ("alba.silva",)
    assert SimulatorConfig.from_dict(config.to_dict()) == config
    args = _serve_parser().parse_args(
        ["--bad-item", "huge_count:a", "--bad-item", "wrong_type:b", "--bad-profile", "c"]
    )
    assert args.bad_items == ["huge_count:a", "wrong_type:b"] and args.bad_profile == ["c"]
    for spec in ("huge_count", "huge_count:", "rotten:alba.silva"):
        with pytest.raises(ValueError, match="KIND:USERNAME"):
            SimulatorConfig(bad_items=(spec,))


def test_the_cli_refuses_an_unknown_bad_item_creator_with_exit_2():
    done = subprocess.run(
        [sys.executable, "-m", "scavio_simulator", "--port", "0", "--creators", "5"]
        + ["--bad-item", "future_time:no.such.user"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "bad_items names an unknown creator 'no.such.user'" in done.stderr
