"""The world's vetting signals: engagement by follower tier, sponsored posts, follower growth and
bought-follower spikes, and the flags tests find them by."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

from scavio_simulator import TIERS, Population, as_of_timestamp
from scavio_simulator.population import (
    DISCLOSURE_TAGS,
    DISCLOSURE_TAGS_BY_REGION,
    SOFT_TAGS,
    SPONSOR_TAG_NAMES,
)
from sim_helpers import DAY, assert_aweme

LAST_DEMO_DAY = date(2026, 11, 30)
# Published view-based engagement benchmarks ((likes + comments + shares) / views) by tier.
TIER_BANDS = {
    "nano": (0.08, 0.15),
    "micro": (0.055, 0.11),
    "mid": (0.04, 0.08),
    "macro": (0.025, 0.055),
    "mega": (0.015, 0.035),
}


def _average_engagement(world: Population, as_of: int) -> dict[str, list[float]]:
    """Per tier, each creator's average engagement rate over its 20 latest posts with views."""
    by_tier: dict[str, list[float]] = {tier: [] for tier in TIERS}
    for creator in world.creators:
        rates = []
        for post in world.posts(creator, as_of)[:20]:
            views, likes, comments, shares, *_ = post.counts(as_of)
            if views:
                rates.append((likes + comments + shares) / views)
        if rates:
            by_tier[creator.tier].append(sum(rates) / len(rates))
    return by_tier


def test_engagement_falls_with_follower_tier(world):
    by_tier = _average_engagement(world, as_of_timestamp(LAST_DEMO_DAY))
    medians = [statistics.median(by_tier[tier]) for tier in TIERS]
    assert medians == sorted(medians, reverse=True), medians
    for tier, median in zip(TIERS, medians, strict=True):
        low, high = TIER_BANDS[tier]
        assert low <= median <= high, (tier, median)
    # Creators still differ within a tier: the seed's small creator at 8% like/view outranks a
    # big one at 0.5%, and both exist.
    assert max(by_tier["mega"]) > 0.05 and min(by_tier["nano"]) < 0.05
    assert min(by_tier["mega"]) < 0.01


def test_sponsored_posts_carry_disclosures_and_perform_worse(world):
    as_of = as_of_timestamp(DAY)
    posts = [post for creator in world.creators[:300] for post in world.posts(creator, as_of)]
    sponsored = [p for p in posts if p.sponsor is not None]
    assert 0.02 < len(sponsored) / len(posts) < 0.08
    kinds = {p.sponsor for p in sponsored}
    assert kinds == {"disclosed", "soft", "platform", "undisclosed"}
    local_tags = {t for tags in DISCLOSURE_TAGS_BY_REGION.values() for t in tags}
    all_tags = {t for p in sponsored for t in p.sponsor_tags}
    assert set(DISCLOSURE_TAGS) | set(SOFT_TAGS) <= all_tags and all_tags & local_tags
    captions = " ".join(p.caption for p in sponsored)
    assert "paid partnership with @" in captions and "thanks to @" in captions
    assert "use code " in captions
    for post in sponsored:
        if post.sponsor == "disclosed":
            assert post.sponsor_tags or "paid partnership with @" in post.caption
        if post.sponsor == "platform":
            assert post.is_ads
        if post.sponsor == "undisclosed":
            assert not post.sponsor_tags and "@" not in post.caption
    # A few creators post far more ads than the rest.
    rates = sorted(c.sponsor_rate for c in world.creators)
    assert rates[len(rates) // 2] < 0.04 and rates[-len(rates) // 10] > 0.08
    # Lower like/view than the creator's organic posts, on the same creators.
    lifts = []
    for creator in world.creators[:300]:
        mine = world.posts(creator, as_of)
        paid = [p.like_rate for p in mine if p.sponsor is not None]
        organic = [p.like_rate for p in mine if p.sponsor is None and not p.implausible]
        if paid and organic:
            lifts.append(statistics.median(paid) / statistics.median(organic))
    assert len(lifts) > 50 and statistics.median(lifts) < 0.8


def test_sponsor_tags_are_hashtags_in_desc_and_cha_list(api, world):
    as_of = as_of_timestamp(DAY)
    post = next(
        p
        for creator in world.roster(60)
        for p in world.posts(creator, as_of)
        if p.sponsor_tags and p.create_time < as_of - 86_400
    )
    item = api.data("video", {"video_id": post.aweme_id})["aweme_detail"]
    video = assert_aweme(item)
    tag = post.sponsor_tags[0]
    assert item["desc"].endswith(f" #{tag}") and video.hashtags[-1] == tag
    cid = item["cha_list"][-1]["cid"]
    assert cid == world.hashtag(tag).cid and cid
    assert all(world.hashtag(name) is not None for name in SPONSOR_TAG_NAMES)


def test_flags_tests_can_find_in_the_bundled_roster(world):
    roster = world.roster(60)
    pods = [c for c in roster if c.is_pod]
    hostile = [c for c in roster if c.is_controversial]
    spikers = [c for c in roster if c.spike_phase is not None]
    assert len(pods) >= 2 and len(hostile) >= 2 and len(spikers) == 4
    assert not {c.username for c in pods} & {c.username for c in spikers}
    assert all(len(c.pod_members) == 10 for c in pods)
    assert all(c.negativity >= 0.45 for c in hostile)
    assert all(c.negativity < 0.15 for c in roster if not c.is_controversial)
    again = Population(seed=42, size=600).roster(60)
    assert [c.username for c in again if c.is_pod] == [c.username for c in pods]


def _daily_followers(world: Population, creator, first: date, days: int) -> list[int]:
    return [
        world.followers_at(creator, as_of_timestamp(first + timedelta(days=d))) for d in range(days)
    ]


def test_followers_grow_by_date_and_the_profile_reports_them(api, world):
    creator = world.roster(12)[7]
    counts = _daily_followers(world, creator, DAY - timedelta(days=10), 11)
    assert len(set(counts)) > 5
    profile = api.data("profile", {"username": creator.username})["user"]
    assert profile["follower_count"] == counts[-1]
    assert world.followers_at(creator, as_of_timestamp(DAY)) == counts[-1], "deterministic"
    # Small creators grow faster than big ones, on the whole.
    month = {tier: [] for tier in TIERS}
    for c in world.roster(60):
        start, end = _daily_followers(world, c, DAY - timedelta(days=28), 29)[::28]
        if c.spike_phase is None:
            month[c.tier].append(end / start - 1)
    assert statistics.median(month["nano"]) > statistics.median(month["mega"])


def test_follower_buyers_jump_on_spike_days_with_no_viral_video_before(world):
    first = LAST_DEMO_DAY - timedelta(days=6)
    spikers = [c for c in world.roster(60) if c.spike_phase is not None]
    seen = 0
    for creator in spikers:
        days = world.spike_days(creator, first - timedelta(days=30), LAST_DEMO_DAY)
        assert days
        for day in days:
            before, after = _daily_followers(world, creator, day - timedelta(days=1), 2)
            assert after / before - 1 > 0.06, (creator, day)
            moment = as_of_timestamp(day)
            recent = world.history(creator, moment)
            assert not [p for p in recent if p.viral and p.create_time > moment - 3 * 86_400]
        seen += any(first <= day <= LAST_DEMO_DAY for day in days)
    assert seen >= 2, "the demo's 7 days show spikes"
    # Everyone else moves by well under that on any day.
    for creator in world.roster(60)[:20]:
        if creator.spike_phase is None:
            counts = _daily_followers(world, creator, first, 7)
            steps = [b / a - 1 for a, b in zip(counts, counts[1:], strict=False)]
            assert statistics.median(steps) < 0.02
