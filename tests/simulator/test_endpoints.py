"""Each endpoint over real HTTP: envelope, item shapes, validation, 401/404 and the error-body forms."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scavio_simulator import as_of_timestamp
from scavio_simulator.population import TIER_RANGES
from sim_helpers import (
    DAY,
    assert_aweme,
    assert_envelope,
    assert_hashtag,
    assert_profile,
    error_form,
    stats_place,
)

AS_OF = as_of_timestamp(DAY)


@pytest.fixture(scope="module")
def creator(world):
    return world.roster(12)[7]


def test_profile_by_username_and_by_sec_uid(api, world, creator):
    response = api.post("profile", {"username": creator.username})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert "success" not in body
    user = assert_envelope(body)["user"]
    profile = assert_profile(user)
    assert profile.unique_id == creator.username and profile.sec_uid == creator.sec_uid
    assert user["aweme_count"] == len(world.posts(creator, AS_OF))
    low, high = TIER_RANGES[creator.tier]
    assert low * 0.8 <= profile.follower_count <= high * 1.2
    assert api.data("profile", {"sec_user_id": creator.sec_uid})["user"] == user


def test_user_posts_items_are_awemes_latest_first(api, world, creator):
    data = api.data("user/posts", {"sec_user_id": creator.sec_uid, "count": 30, "cursor": "0"})
    assert set(data) >= {"aweme_list", "has_more", "max_cursor"}
    videos = [assert_aweme(item) for item in data["aweme_list"]]
    assert len(videos) == 30 and data["has_more"] == 1
    times = [v.created_at for v in videos]
    assert times == sorted(times, reverse=True)
    assert {v.author_unique_id for v in videos} == {creator.username}
    expected = [p.aweme_id for p in world.posts(creator, AS_OF)[:30]]
    assert [v.video_id for v in videos] == expected
    assert any(item["cha_list"] for item in data["aweme_list"])


def test_sec_uid_appears_on_some_authors_only(api, world):
    seen = set()
    for creator in world.roster(4):
        items = api.data("user/posts", {"sec_user_id": creator.sec_uid, "count": 30})["aweme_list"]
        seen.update("sec_uid" in item["author"] for item in items)
    assert seen == {True, False}


def test_search_videos_shape_and_relevance(api):
    data = api.data("search/videos", {"keyword": "home workout", "count": 10})
    assert isinstance(data["cursor"], int) and data["has_more"] == 1
    videos = [assert_aweme(entry["aweme_info"]) for entry in data["search_item_list"]]
    assert len(videos) == 10
    for video in videos:
        text = (video.description or "").lower() + " ".join(video.hashtags)
        assert "workout" in text or "home" in text


def test_hashtag_by_name_and_id_with_counts_in_all_three_places(api, world):
    by_place = {}
    for hashtag in world.hashtags:
        by_place.setdefault(hashtag.stats_place, hashtag)
    assert len(by_place) == 3
    places = set()
    for hashtag in by_place.values():
        info = api.data("hashtag", {"hashtag_name": hashtag.name})["challengeInfo"]
        parsed = assert_hashtag(info)
        assert parsed.title == hashtag.name and parsed.hashtag_id == hashtag.cid
        places.add(stats_place(info))
        assert api.data("hashtag", {"hashtag_id": hashtag.cid})["challengeInfo"] == info
    assert places == {"statsV2", "stats", "challenge.stats"}
    statsv2 = next(h for h in by_place.values() if h.stats_place == 0)
    info = api.data("hashtag", {"hashtag_name": "#" + statsv2.name.upper()})["challengeInfo"]
    assert isinstance(info["statsV2"]["videoCount"], str) and info["statsV2"]["viewCount"].isdigit()


def test_hashtag_videos_carry_the_tag(api, world):
    gym = world.hashtag("gym")
    data = api.data("hashtag/videos", {"hashtag_id": gym.cid, "count": 15})
    assert isinstance(data["cursor"], int) and data["has_more"] == 1
    videos = [assert_aweme(item) for item in data["aweme_list"]]
    assert len(videos) == 15 and all("gym" in v.hashtags for v in videos)
    cids = {
        c["cid"] for item in data["aweme_list"] for c in item["cha_list"] if c["cha_name"] == "gym"
    }
    assert cids == {gym.cid}


def test_video_detail_matches_the_feed(api, world, creator):
    item = api.data("user/posts", {"sec_user_id": creator.sec_uid, "count": 3})["aweme_list"][2]
    detail = api.data("video", {"video_id": item["aweme_id"]})["aweme_detail"]
    assert_aweme(detail)
    assert detail["statistics"] == item["statistics"]
    assert detail["desc"] == item["desc"]


def test_unknown_body_fields_are_ignored_and_count_bounds_hold(api, creator):
    data = api.data("profile", {"username": creator.username, "region": "US", "foo": {"bar": 1}})
    assert data["user"]["unique_id"] == creator.username
    for count in (1, 30):
        page = api.data("user/posts", {"sec_user_id": creator.sec_uid, "count": count})
        assert len(page["aweme_list"]) == count


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("profile", {}),
        ("profile", {"username": ""}),
        ("user/posts", {}),
        ("user/posts", {"sec_user_id": ""}),
        ("user/posts", {"sec_user_id": "SEC", "count": 0}),
        ("user/posts", {"sec_user_id": "SEC", "count": 31}),
        ("user/posts", {"sec_user_id": "SEC", "count": "lots"}),
        ("user/posts", {"sec_user_id": "SEC", "cursor": "next"}),
        ("user/posts", {"sec_user_id": "SEC", "sort_type": "2"}),
        ("search/videos", {}),
        ("search/videos", {"keyword": ""}),
        ("search/videos", {"keyword": "x" * 501}),
        ("search/videos", {"keyword": "gym", "publish_time": "2"}),
        ("search/videos", {"keyword": "gym", "count": 100}),
        ("hashtag", {"hashtag_name": ""}),
        ("hashtag/videos", {}),
        ("hashtag/videos", {"hashtag_id": ""}),
        ("video", {}),
    ],
)
def test_bad_parameters_are_400_and_free(api, creator, endpoint, body):
    if body.get("sec_user_id") == "SEC":
        body = {**body, "sec_user_id": creator.sec_uid}
    before = api.sim.stats()["credits_used"]
    response = api.post(endpoint, body)
    assert response.status_code == 400, response.text
    error_form(response.json())
    assert api.sim.stats()["credits_used"] == before


def test_a_body_that_is_not_a_json_object_is_400(api):
    assert api.post("profile", content=b"{not json").status_code == 400
    assert api.post("profile", content=b'["username"]').status_code == 400
    assert api.post("profile", day="20-11-2026", body={"username": "x"}).status_code == 400


def test_not_found_cases_are_404_and_free(api, world):
    deleted = next(
        post
        for creator in world.creators
        for post in world.history(creator, AS_OF)
        if post.deleted_at is not None
        and post.deleted_at < AS_OF
        and post.deleted_at - post.create_time > 3 * 86400
    )
    future = world.posts(world.creators[0], AS_OF + 30 * 86400)[0]
    assert future.create_time > AS_OF
    cases = [
        ("profile", {"username": "no.such.creator"}),
        ("profile", {"sec_user_id": "MS4wLjABAAAAnope"}),
        ("user/posts", {"sec_user_id": "MS4wLjABAAAAnope"}),
        ("hashtag", {"hashtag_name": "nosuchtagatall"}),
        ("hashtag", {"hashtag_id": "123"}),
        ("hashtag/videos", {"hashtag_id": "123"}),
        ("video", {"video_id": "7000000000000000000"}),
        ("video", {"video_id": "not-a-number"}),
        ("video", {"video_id": deleted.aweme_id}),
        ("video", {"video_id": future.aweme_id}),
    ]
    before = api.sim.stats()["credits_used"]
    for endpoint, body in cases:
        response = api.post(endpoint, body)
        assert response.status_code == 404, (endpoint, body, response.text)
        error_form(response.json())
    assert api.sim.stats()["credits_used"] == before
    # Before its deletion the same video was served.
    day_after_posting = datetime.fromtimestamp(deleted.create_time + 86400, UTC).date()
    assert (
        api.post("video", {"video_id": deleted.aweme_id}, day=day_after_posting).status_code == 200
    )


def test_error_bodies_rotate_through_the_three_forms(api):
    forms = [error_form(api.post("profile", {"username": "ghost.user"}).json()) for _ in range(3)]
    assert sorted(forms) == ["message", "nested", "string"]


def test_missing_or_wrong_key_is_401_and_free(api, creator):
    before = api.sim.stats()["credits_used"]
    for key in (None, "sk_wrong", "sim-demo-key-2"):
        response = api.post("profile", {"username": creator.username}, key=key)
        assert response.status_code == 401
        error_form(response.json())
    response = api.client.post(
        "profile",
        json={"username": creator.username},
        headers={"Authorization": f"Basic {api.sim.api_key}"},
    )
    assert response.status_code == 401
    assert api.sim.stats()["credits_used"] == before


def test_accepted_keys_are_configurable(simulator_factory, make_api, world):
    sim = simulator_factory(api_keys=("key-one", "key-two"), creators=50)
    api = make_api(sim)
    username = world.creators[3].username  # a 50-creator world is the 600-creator one's prefix
    assert api.post("profile", {"username": username}, key="key-one").status_code == 200
    assert api.post("profile", {"username": username}, key="key-two").status_code == 200
    assert api.post("profile", {"username": username}, key="sim-demo-key").status_code == 401
    sim.configure(api_keys=["rotated"])
    assert api.post("profile", {"username": username}, key="key-one").status_code == 401
    assert api.post("profile", {"username": username}, key="rotated").status_code == 200


def test_unknown_paths_and_methods(api):
    assert api.client.post("trending/nothing").status_code == 404
    response = api.client.get("profile", headers={"Authorization": f"Bearer {api.sim.api_key}"})
    assert response.status_code == 405
