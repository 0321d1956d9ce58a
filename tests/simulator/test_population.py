"""The synthetic world, in-process: size, niches, tiers, engagement profiles, time, roster, queries."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from datetime import timedelta

import pytest
from scavio_simulator import (
    REFERENCE_DATE,
    TIERS,
    Population,
    as_of_timestamp,
    suggested_queries,
)
from scavio_simulator.population import TIER_RANGES
from sim_helpers import DAY

AS_OF = as_of_timestamp(DAY)


@pytest.fixture(scope="module")
def ratios(world: Population) -> list[tuple[float, float, float]]:
    """Per creator (like/view, comment/view, share/view) over its latest 20 posts, as a vetter would."""
    out = []
    for creator in world.creators:
        totals = [0, 0, 0, 0]
        for post in world.posts(creator, AS_OF)[:20]:
            views, likes, comments, shares, *_ = post.counts(AS_OF)
            for i, value in enumerate((views, likes, comments, shares)):
                totals[i] += value
        if totals[0]:
            out.append((totals[1] / totals[0], totals[2] / totals[0], totals[3] / totals[0]))
    return out


def test_size_niches_and_every_tier_in_every_niche(world):
    assert len(world.creators) >= 500
    niches = Counter(c.niche for c in world.creators)
    assert len(niches) >= 8
    assert set(TIERS) == {"nano", "micro", "mid", "macro", "mega"}
    for niche in niches:
        assert {c.tier for c in world.in_niche(niche)} == set(TIERS), niche
    for creator in world.creators:
        low, high = TIER_RANGES[creator.tier]
        assert low <= creator.follower_count < high
    assert min(c.follower_count for c in world.creators) >= 1_000
    assert max(c.follower_count for c in world.creators) <= 10_000_000


def test_handles_are_realistic_unique_and_resolvable(world):
    handles = [c.username for c in world.creators]
    assert len(set(handles)) == len(handles)
    for handle in handles:
        assert re.fullmatch(r"[a-z0-9._]{3,24}", handle) and not handle.endswith("."), handle
    assert any("." in h for h in handles) and any("_" in h for h in handles)
    assert any(re.search(r"\d\d$", h) for h in handles)
    sec_uids = {c.sec_uid for c in world.creators}
    assert len(sec_uids) == len(handles)
    assert all(s.startswith("MS4wLjABAAAA") and len(s) > 50 for s in sec_uids)
    first = world.creators[0]
    assert world.get(first.username) is first and world.get("@" + first.username.upper()) is first
    assert world.by_sec_uid(first.sec_uid) is first
    assert world.get("nobody.here.404") is None


def test_big_creators_are_sometimes_verified_and_small_ones_never(world):
    verified = Counter(c.tier for c in world.creators if c.verification_type > 0)
    assert verified["mega"] > 0 and verified["nano"] == 0 and verified["micro"] == 0


def test_every_engagement_profile_is_present(ratios):
    likes = [r[0] for r in ratios]
    assert sum(r < 0.02 for r in likes) >= 20, "below 2% like/view"
    assert sum(0.03 <= r <= 0.08 for r in likes) >= 100, "healthy 3-8%"
    assert sum(r > 0.10 for r in likes) >= 20, "above 10%"
    assert sum(r[1] > 0.005 for r in ratios) >= 20, "comment-heavy"
    assert sum(r[2] > 0.01 for r in ratios) >= 20, "share-heavy / viral"
    assert 0.02 < statistics.median(likes) < 0.09


def test_fresh_zero_view_posts_and_implausible_likes_exist(world):
    zero_views = implausible = 0
    for creator in world.creators[:300]:
        for post in world.posts(creator, AS_OF):
            views, likes, *_ = post.counts(AS_OF)
            zero_views += views == 0
            implausible += likes > views
    assert zero_views >= 3
    assert 3 <= implausible <= 300


def test_post_history_spans_months_at_the_reference_date(world):
    reference = as_of_timestamp(REFERENCE_DATE)
    sizes = []
    spans = []
    for creator in world.creators[::10]:
        posts = world.posts(creator, reference)
        sizes.append(len(posts))
        spans.append((posts[0].create_time - posts[-1].create_time) / 86400)
    assert 50 <= statistics.median(sizes) <= 120
    assert min(sizes) >= 30 and max(sizes) <= 200
    assert statistics.median(spans) >= 60


def test_counts_grow_posts_appear_and_nothing_from_the_future_is_visible(world):
    later = as_of_timestamp(DAY + timedelta(days=3))
    grew = new = 0
    for creator in world.creators[:60]:
        before = world.posts(creator, AS_OF)
        after = world.posts(creator, later)
        assert all(p.create_time <= AS_OF for p in before)
        assert [p.create_time for p in before] == sorted(
            (p.create_time for p in before), reverse=True
        )
        still_there = {p.aweme_id: p for p in after}
        for post in before:
            if post.aweme_id in still_there:
                old, now = post.counts(AS_OF), post.counts(later)
                assert all(b >= a for a, b in zip(old, now, strict=True))
                grew += now[0] > old[0]
        new += len({p.aweme_id for p in after} - {p.aweme_id for p in before})
    assert grew > 500 and new > 30


def test_followers_drift_with_the_date(world):
    creator = world.creators[5]
    counts = {
        creator.followers_at(as_of_timestamp(DAY + timedelta(days=d))) for d in range(0, 60, 7)
    }
    assert len(counts) > 5


def test_same_seed_same_world_other_seed_other_world(world):
    again = Population(seed=42, size=600)
    assert [c.username for c in again.creators] == [c.username for c in world.creators]
    creator = world.creators[17]
    twin = again.get(creator.username)
    ours = [(p.aweme_id, p.desc, p.counts(AS_OF)) for p in world.posts(creator, AS_OF)]
    assert ours == [(p.aweme_id, p.desc, p.counts(AS_OF)) for p in again.posts(twin, AS_OF)]
    other = Population(seed=43, size=600)
    assert [c.username for c in other.creators] != [c.username for c in world.creators]
    # A bigger world extends a smaller one: the first creators are the same people.
    assert [c.username for c in Population(seed=42, size=50).creators] == [
        c.username for c in world.creators[:50]
    ]


def test_roster_is_balanced_across_niches_and_tiers(world):
    roster = world.roster(60)
    assert len(roster) == len({c.username for c in roster}) == 60
    by_niche = Counter(c.niche for c in roster)
    assert set(by_niche.values()) == {6}
    for niche in by_niche:
        assert {c.tier for c in roster if c.niche == niche} == set(TIERS)
    assert [c.username for c in world.roster(20)] == [c.username for c in roster[:20]]


def test_suggested_queries_resolve_to_results(world):
    queries = suggested_queries()
    assert {t for _, t in queries} == {"keyword", "hashtag"}
    assert ("home workout", "keyword") in queries and ("gym", "hashtag") in queries
    for query, kind in queries:
        if kind == "hashtag":
            assert not query.startswith("#")
            assert world.hashtag(query) is not None, query
    assert len(world.search("skincare routine", AS_OF)) >= 60


def test_keyword_and_hashtag_results_overlap(world):
    workout = {p.aweme_id for p in world.search("home workout", AS_OF)}
    gym = {p.aweme_id for p in world.hashtag_posts(world.hashtag("gym"), AS_OF)}
    assert workout & gym
    assert world.search("zzzz qqqq", AS_OF) == []
