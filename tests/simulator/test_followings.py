"""``user/followings``: shape, paging by ``page_token`` and ``min_time``, errors, billing, and the
world's graph (niche ties, hubs, brands' ambassadors, mutual follows, slow churn)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from scavio_simulator import Population, as_of_timestamp
from scavio_simulator.graph import MAX_FOLLOWING, MIN_FOLLOWING
from sim_helpers import DAY

AS_OF = as_of_timestamp(DAY)
ITEM_KEYS = {
    "uid", "unique_id", "sec_uid", "nickname", "follower_count", "following_count",
    "verification_type", "avatar_thumb",
}  # fmt: skip
DATA_KEYS = {
    "followings", "has_more", "next_page_token", "min_time", "max_time", "total", "status_code",
}  # fmt: skip


def _walk(api, sec_uid: str, count: int = 20, **kwargs) -> list[dict]:
    """Every page of a creator's list, sending back page_token and min_time as given."""
    body: dict = {"sec_user_id": sec_uid, "count": count}
    pages = []
    while True:
        data = api.data("user/followings", body, **kwargs)
        pages.append(data)
        if not data["has_more"]:
            return pages
        body = {**body, "page_token": data["next_page_token"], "min_time": data["min_time"]}


@pytest.fixture(scope="module")
def roster(world: Population):
    return world.roster(60)


def test_page_shape_billing_and_date_echo(api, simulator, roster):
    creator = roster[0]
    before = simulator.stats()["credits_used"]
    response = api.post("user/followings", {"sec_user_id": creator.sec_uid})
    assert response.status_code == 200 and response.headers["x-sim-date"] == DAY.isoformat()
    body = response.json()
    assert body["credits_used"] == 1 and simulator.stats()["credits_used"] == before + 1
    data = body["data"]
    assert set(data) == DATA_KEYS
    assert data["has_more"] is True and len(data["followings"]) == 20  # count defaults to 20
    assert isinstance(data["next_page_token"], str) and data["next_page_token"]
    assert isinstance(data["min_time"], int) and data["min_time"] <= data["max_time"] <= AS_OF
    assert MIN_FOLLOWING <= data["total"] <= MAX_FOLLOWING
    for item in data["followings"]:
        assert set(item) == ITEM_KEYS
        assert item["unique_id"] and item["sec_uid"].startswith("MS4wLjABAAAA")
        assert isinstance(item["follower_count"], int) and item["follower_count"] >= 0


def test_pages_follow_page_token_and_min_time_to_the_whole_list(api, world, roster):
    creator = roster[1]
    pages = _walk(api, creator.sec_uid)
    listed = [item["unique_id"] for page in pages for item in page["followings"]]
    expected = world.follow_graph.followings(creator, AS_OF)
    assert listed == [f.account.unique_id for f in expected]  # most recent follow first
    assert len(set(listed)) == len(listed) == pages[0]["total"]
    assert pages[-1]["has_more"] is False
    for page in pages[:-1]:
        assert page["has_more"] is True and len(page["followings"]) == 20
    # min_time is the follow time of each page's last account: pages go back in time.
    times = [page["min_time"] for page in pages if page["followings"]]
    assert times == sorted(times, reverse=True)
    # A profile shows the same follower count as the list does.
    first = expected[0].account
    if first.creator is not None:
        assert pages[0]["followings"][0]["follower_count"] == world.followers_at(
            first.creator, AS_OF
        )


def test_a_list_ending_on_a_page_boundary_ends_with_one_empty_page(api, world, roster):
    graph = world.follow_graph
    for creator in roster:
        size = len(graph.followings(creator, AS_OF))
        count = next((c for c in range(20, 9, -1) if size % c == 0), None)
        if count is not None:
            break
    else:
        raise AssertionError("no creator with a list of a multiple of 10-20")
    pages = _walk(api, creator.sec_uid, count=count)
    assert len(pages) == size // count + 1
    assert pages[-2]["has_more"] is True and len(pages[-2]["followings"]) == count
    last = pages[-1]
    assert last["followings"] == [] and last["has_more"] is False
    assert last["next_page_token"] == "" and last["min_time"] == pages[-2]["min_time"]


def test_bad_parameters_are_400_and_an_unknown_user_404(api, roster):
    sec_uid = roster[0].sec_uid
    first = api.data("user/followings", {"sec_user_id": sec_uid})
    token, min_time = first["next_page_token"], first["min_time"]
    for body, message in [
        ({}, "'sec_user_id' is required"),
        ({"sec_user_id": sec_uid, "count": 21}, "between 1 and 20"),
        ({"sec_user_id": sec_uid, "count": 0}, "between 1 and 20"),
        ({"sec_user_id": sec_uid, "page_token": token}, "go together"),
        ({"sec_user_id": sec_uid, "min_time": min_time}, "go together"),
        ({"sec_user_id": sec_uid, "page_token": "nonsense", "min_time": 5}, "not a valid"),
        ({"sec_user_id": sec_uid, "page_token": token, "min_time": min_time + 1}, "does not match"),
        ({"sec_user_id": sec_uid, "min_time": -1}, "non-negative"),
    ]:
        response = api.post("user/followings", body)
        assert response.status_code == 400 and message in response.text, (body, response.text)
    assert api.post("user/followings", {"sec_user_id": sec_uid, "min_time": 0}).status_code == 200
    missing = api.post("user/followings", {"sec_user_id": "MS4wLjABAAAAnobody"})
    assert missing.status_code == 404


def test_an_injected_empty_page_says_has_more_false(simulator_factory, make_api, roster):
    api = make_api(simulator_factory(empty_rate=1.0))
    data = api.data("user/followings", {"sec_user_id": roster[0].sec_uid})
    assert data["followings"] == [] and data["has_more"] is False


def test_lists_are_deterministic_and_change_slowly(world, roster):
    again = Population(seed=42, size=600).follow_graph
    graph = world.follow_graph
    removed = added = 0
    for creator in roster[:20]:
        now = graph.followings(creator, AS_OF)
        twin = again.population[creator.username]
        assert [f.account.unique_id for f in again.followings(twin, AS_OF)] == [
            f.account.unique_id for f in now
        ]
        assert MIN_FOLLOWING <= len(now) <= MAX_FOLLOWING
        later = {f.account.unique_id for f in graph.followings(creator, AS_OF + 30 * 86_400)}
        before = {f.account.unique_id for f in now}
        removed += len(before - later)
        added += len(later - before)
        # A few a week, not a reshuffle.
        assert len(before ^ later) < 0.2 * len(before)
    assert removed > 20 and added > 20  # about 1-2 of each a week per creator


def test_creators_follow_their_niche_hubs_and_each_other(world, roster):
    graph = world.follow_graph
    lists = {c.username: graph.followings(c, AS_OF) for c in roster}
    in_niche = across = 0
    for creator in roster:
        for follow in lists[creator.username]:
            other = follow.account.creator
            if other is not None:
                in_niche += other.niche == creator.niche
                across += other.niche != creator.niche
    # 1 creator in 10 shares a niche, yet most followed creators are of the follower's niche.
    assert in_niche > 2 * across
    # Hubs: non-roster accounts followed by many roster creators, some in the 10K-2M band.
    on_roster = {c.username for c in roster}
    followed_by = Counter(
        f.account.unique_id
        for follows in lists.values()
        for f in follows
        if f.account.unique_id not in on_roster
    )
    hubs = {a.unique_id: a for a, _ in graph.global_hubs}
    hubs.update({a.unique_id: a for hubs_ in graph.niche_hubs.values() for a, _ in hubs_})
    top = [name for name, n in followed_by.most_common(10)]
    assert sum(name in hubs for name in top) >= 3
    assert followed_by.most_common(1)[0][1] >= 12
    scoutable = [
        n
        for name, n in followed_by.items()
        if name in hubs and 10_000 <= graph.followers_at(hubs[name], AS_OF) <= 2_000_000
    ]
    assert scoutable and max(scoutable) >= 8
    # Mutual follows among roster creators.
    names = {c: {f.account.unique_id for f in follows} for c, follows in lists.items()}
    mutual = [(a, b) for a in names for b in names[a] if b in names and a in names[b] and a < b]
    assert len(mutual) >= 10


def test_ambassadors_follow_the_brands_that_paid_them(world, roster):
    graph = world.follow_graph
    pairs = 0
    for creator in roster:
        paid = [p for p in world.history(creator, AS_OF) if p.brand is not None]
        if not paid:
            continue
        follows = {f.account.unique_id: f for f in graph.followings(creator, AS_OF)}
        for brand in {p.brand for p in paid}:
            first = min(p.create_time for p in paid if p.brand == brand)
            if first + 36 * 3600 <= AS_OF:
                assert brand in follows, (creator.username, brand)
                # From 0-36 hours after the first paid post on (a fan follows earlier).
                assert follows[brand].followed_at <= first + 36 * 3600
                pairs += 1
    assert pairs >= 10
    # ... and never unfollow them.
    later = AS_OF + int(timedelta(days=60).total_seconds())
    for creator in roster[:10]:
        brands = {p.brand for p in world.history(creator, AS_OF) if p.brand}
        assert brands <= {f.account.unique_id for f in graph.followings(creator, later)}
