"""The marts' semantics, pinned with values computed by hand from a small hand-written landing.

The landing (three days, six creators, two queries, a ledger) is written with ``Landing.write``,
one load per day (run ``run-<day>``), and built for real (one dbt run over the three days). Every
expected number below is worked out in the comment beside it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from tiktok_engagement.landing import Landing

from .conftest import Warehouse, new_warehouse
from .landing_rows import hashtag, ledger, load, loads_row, post, profile, rejected, result

pytestmark = pytest.mark.slow  # real dbt builds

D1, D2, D3 = date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 3)
LOADS = {
    day: load(f"run-{day}", datetime(day.year, day.month, day.day, 12, tzinfo=UTC))
    for day in (D1, D2, D3)
}
approx = pytest.approx


def write_hand_landing(root: str) -> None:
    landing = Landing(root)

    def write(dataset: str, day: date, part: str, rows: list[dict]) -> None:
        landing.write(dataset, day, LOADS[day].file_name(part), rows, load=LOADS[day])

    # Day 1 feeds. alice: three posts with views and one without.
    day1_posts = [
        post(D1, "alice", "beauty", 1, "a4", 0, 0, 0, 0, created="2024-02-29T08:00:00"),
        post(D1, "alice", "beauty", 2, "a1", 1000, 100, 2, 30, created="2024-02-28T10:00:00"),
        post(D1, "alice", "beauty", 3, "a2", 2000, 120, 4, 10, created="2024-02-27T10:00:00"),
        post(D1, "alice", "beauty", 4, "a3", 4000, 280, 20, 20, created="2024-02-26T10:00:00"),
        post(D1, "bob", "beauty", 1, "b2", 20000, 100, 10, 20, created="2024-02-21T10:00:00"),
        post(D1, "bob", "beauty", 2, "b1", 10000, 50, 5, 10, created="2024-02-20T10:00:00"),
        # frank (20K followers, 8 % like/view) and grace (100K, 0.5 %), equal comment and share rates
        post(D1, "frank", "food", 1, "f1", 1000, 80, 2, 5, created="2024-02-25T10:00:00"),
        post(D1, "grace", "food", 1, "g1", 10000, 50, 20, 50, created="2024-02-25T10:00:00"),
        # eve: likes above views (implausible, kept); no profile ever
        post(D1, "eve", "comedy", 1, "e1", 100, 150, 1, 1, created="2024-02-25T10:00:00"),
    ]
    # dave: 22 posts; the 20 newest at 4 % like/view, the two oldest (left out) at 50 %.
    for i in range(1, 21):
        day_of_month = i + 1  # Feb 2 .. Feb 21
        day1_posts.append(
            post(
                D1,
                "dave",
                "beauty",
                21 - i,
                f"d{i:02d}",
                1000,
                40,
                1,
                5,
                created=f"2024-02-{day_of_month:02d}T10:00:00",
            )
        )
    day1_posts.append(
        post(D1, "dave", "beauty", 21, "d21", 1000, 500, 100, 100, created="2024-01-11T10:00:00")
    )
    day1_posts.append(
        post(D1, "dave", "beauty", 22, "d22", 1000, 500, 100, 100, created="2024-01-10T10:00:00")
    )
    write("creator_posts", D1, "part-0000", day1_posts)
    write(
        "creator_posts",
        D2,
        "part-0000",
        [
            post(D2, "alice", "beauty", 1, "a4", 50, 2, 0, 1, created="2024-02-29T08:00:00"),
            post(D2, "alice", "beauty", 2, "a1", 1500, 130, 3, 40, created="2024-02-28T10:00:00"),
            post(
                D2, "alice", "beauty", 3, "a2", 1900, 125, 4, 10, created="2024-02-27T10:00:00"
            ),  # views dropped
        ],
    )
    write(
        "creator_posts",
        D3,
        "part-0000",
        [
            post(D3, "alice", "beauty", 1, "a4", 80, 3, 0, 1, created="2024-02-29T08:00:00"),
            post(D3, "alice", "beauty", 2, "a1", 1600, 140, 3, 42, created="2024-02-28T10:00:00"),
            post(D3, "alice", "beauty", 3, "a2", 2100, 130, 5, 11, created="2024-02-27T10:00:00"),
            post(
                D3, "alice", "beauty", 4, "a3", 5000, 300, 25, 25, created="2024-02-26T10:00:00"
            ),  # back after a gap
        ],
    )
    created = {"created": "2024-02-20T10:00:00"}
    write(
        "search_results",
        D1,
        "search-lipstick",
        [
            result(D1, "lipstick", "keyword", 1, "s1", 1000, 60, 1, 50, **created),
            result(D1, "lipstick", "keyword", 2, "s2", 2000, 90, 2, 50, **created),
            result(D1, "lipstick", "keyword", 3, "s3", 100, 5, 0, 10, **created),
            result(
                D1,
                "lipstick",
                "keyword",
                4,
                "a1",
                1000,
                100,
                2,
                30,
                author="alice",
                created="2024-02-28T10:00:00",
            ),
        ],
    )
    write(
        "search_results",
        D1,
        "search-glow",
        [
            result(D1, "#glow", "hashtag", 1, "s5", 100, 10, 0, 10, **created),
            result(D1, "#glow", "hashtag", 2, "s4", 100, 10, 0, 10, **created),
        ],
    )
    write(
        "search_results",
        D2,
        "search-lipstick",
        [
            result(D2, "lipstick", "keyword", 1, "s1", 1500, 80, 1, 70, **created),
            result(D2, "lipstick", "keyword", 2, "s3", 100, 5, 0, 10, **created),
            result(D2, "lipstick", "keyword", 3, "s6", 50, 2, 0, 5, **created),
        ],
    )
    write(
        "search_results",
        D2,
        "search-glow",
        [
            result(D2, "#glow", "hashtag", 1, "s5", 120, 12, 0, 12, **created),
            result(D2, "#glow", "hashtag", 2, "s7", 10, 1, 0, 0, **created),
        ],
    )
    write(
        "search_results",
        D3,
        "search-lipstick",
        [
            result(D3, "lipstick", "keyword", 1, "s1", 1600, 85, 1, 80, **created),
            result(
                D3, "lipstick", "keyword", 2, "s2", 2100, 95, 2, 55, **created
            ),  # back after a gap
        ],
    )
    write("hashtags", D1, "part-0000", [hashtag(D1, "#glow", 5000, 100)])
    write(
        "profiles",
        D1,
        "part-0000",
        [
            profile(D1, "alice", "beauty", 20_000),
            profile(D1, "bob", "beauty", 100_000),
            profile(D1, "dave", "beauty", 5_000),
            profile(D1, "frank", "food", 20_000),
            profile(D1, "grace", "food", 100_000),
        ],
    )
    write("profiles", D3, "part-0000", [profile(D3, "alice", "beauty", 120_000, verified=True)])
    write(
        "request_ledger",
        D1,
        "part-0000",
        [
            ledger(D1, 1, "user/posts", status=429, credits=0, error="RateLimitError"),
            ledger(D1, 1, "user/posts", attempt=2),
            ledger(D1, 2, "user/posts"),
            ledger(D1, 3, "search/videos", status=None, credits=None, error="TimeoutError"),
            ledger(D1, 3, "search/videos", attempt=2),
        ],
    )
    write("request_ledger", D2, "part-0000", [ledger(D2, 1, "profile")])
    # One feed item of alice's on D1 failed validation (the rest of her feed landed).
    write(
        "rejected",
        D1,
        "part-0000",
        [rejected(D1, "alice", "a9", "create_time out of range", request_seq=2)],
    )
    # The D1 and D2 loads wrote their summaries last; D2's was stopped (a credit cap).
    finished = timedelta(minutes=5)
    write(
        "loads",
        D1,
        "part-0000",
        [loads_row(D1, LOADS[D1], finished=LOADS[D1].started_at + finished, rows_rejected=1)],
    )
    write(
        "loads",
        D2,
        "part-0000",
        [loads_row(D2, LOADS[D2], outcome="stopped", finished=LOADS[D2].started_at + finished)],
    )


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    warehouse = new_warehouse(tmp_path_factory, "hand", tmp_path_factory.mktemp("hand-landing"))
    write_hand_landing(str(warehouse.landing))
    warehouse.build(D1, through=D3)
    return warehouse


def row(warehouse: Warehouse, table: str, columns: str, where: str, params: list) -> dict:
    names = [c.strip() for c in columns.split(",")]
    rows = warehouse.query(f"select {columns} from marts.{table} where {where}", params)
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0], strict=True))


# ---------------------------------------------------------------------------------------------
# fct_video_snapshots


def test_video_ratios_are_fractions(hand: Warehouse) -> None:
    a1 = row(
        hand,
        "fct_video_snapshots",
        "like_view_ratio, comment_view_ratio, share_view_ratio, engagement_rate",
        "video_id = ? and snapshot_date = ?",
        ["a1", D1],
    )
    # 100/1000, 2/1000, 30/1000, (100 + 2 + 30)/1000
    assert a1 == {
        "like_view_ratio": approx(0.10),
        "comment_view_ratio": approx(0.002),
        "share_view_ratio": approx(0.03),
        "engagement_rate": approx(0.132),
    }


def test_zero_views_give_null_ratios(hand: Warehouse) -> None:
    a4 = row(
        hand,
        "fct_video_snapshots",
        "like_view_ratio, comment_view_ratio, share_view_ratio, engagement_rate, is_implausible",
        "video_id = ? and snapshot_date = ?",
        ["a4", D1],
    )
    assert a4 == {
        "like_view_ratio": None,
        "comment_view_ratio": None,
        "share_view_ratio": None,
        "engagement_rate": None,
        "is_implausible": False,
    }


def test_gains_against_previous_snapshot(hand: Warehouse) -> None:
    columns = "previous_snapshot_date, views_gained, shares_gained, is_implausible"
    where = "video_id = ? and snapshot_date = ?"
    # first snapshot: NULL gains
    assert row(hand, "fct_video_snapshots", columns, where, ["a1", D1]) == {
        "previous_snapshot_date": None,
        "views_gained": None,
        "shares_gained": None,
        "is_implausible": False,
    }
    # 1500 - 1000 views, 40 - 30 shares
    assert row(hand, "fct_video_snapshots", columns, where, ["a1", D2]) == {
        "previous_snapshot_date": D1,
        "views_gained": 500,
        "shares_gained": 10,
        "is_implausible": False,
    }
    # a3 was not captured on day 2: its previous snapshot is day 1 (5000 - 4000, 25 - 20)
    assert row(hand, "fct_video_snapshots", columns, where, ["a3", D3]) == {
        "previous_snapshot_date": D1,
        "views_gained": 1000,
        "shares_gained": 5,
        "is_implausible": False,
    }


def test_implausible_rows_are_flagged_not_dropped(hand: Warehouse) -> None:
    columns = (
        "views_gained, has_count_decrease, has_likes_above_views, is_implausible, like_view_ratio"
    )
    where = "video_id = ? and snapshot_date = ?"
    # views 2000 -> 1900
    assert row(hand, "fct_video_snapshots", columns, where, ["a2", D2]) == {
        "views_gained": -100,
        "has_count_decrease": True,
        "has_likes_above_views": False,
        "is_implausible": True,
        "like_view_ratio": approx(125 / 1900),
    }
    # 150 likes on 100 views: kept, ratio 1.5
    assert row(hand, "fct_video_snapshots", columns, where, ["e1", D1]) == {
        "views_gained": None,
        "has_count_decrease": False,
        "has_likes_above_views": True,
        "is_implausible": True,
        "like_view_ratio": approx(1.5),
    }


def test_video_snapshot_rows(hand: Warehouse) -> None:
    # day 1: 31 feed videos + s1..s5 (a1 is in both a feed and a query: one row); day 2: 3 + 5; day 3: 4 + 2
    counts = dict(
        hand.query("select snapshot_date, count(*) from marts.fct_video_snapshots group by 1")
    )
    assert counts == {D1: 36, D2: 8, D3: 6}
    a1 = row(
        hand,
        "fct_video_snapshots",
        "creator_username, seen_in_creator_posts, search_appearances",
        "video_id = 'a1' and snapshot_date = ?",
        [D1],
    )
    assert a1 == {
        "creator_username": "alice",
        "seen_in_creator_posts": True,
        "search_appearances": 1,
    }
    s1 = row(
        hand,
        "fct_video_snapshots",
        "creator_username, seen_in_creator_posts",
        "video_id = 's1' and snapshot_date = ?",
        [D1],
    )
    assert s1 == {"creator_username": "outsider", "seen_in_creator_posts": False}


# ---------------------------------------------------------------------------------------------
# creator_scorecard


SCORE_COLUMNS = (
    "posts_analyzed, posts_with_views, avg_like_view_ratio, median_like_view_ratio, pooled_like_view_ratio, "
    "avg_comment_view_ratio, median_comment_view_ratio, pooled_comment_view_ratio, avg_share_view_ratio, "
    "median_share_view_ratio, pooled_share_view_ratio, avg_engagement_rate, like_view_band, comment_view_band, "
    "has_viral_potential, follower_count, follower_tier, like_view_percentile_in_niche, vetting_score, "
    "vetting_rank_in_niche"
)


def scorecard(warehouse: Warehouse, creator: str, day: date) -> dict:
    return row(
        warehouse,
        "creator_scorecard",
        SCORE_COLUMNS,
        "creator_username = ? and snapshot_date = ?",
        [creator, day],
    )


def test_scorecard_averages_medians_pooled(hand: Warehouse) -> None:
    # alice day 1, posts with views: a1 (1000 views: 100 likes, 2 comments, 30 shares),
    # a2 (2000: 120, 4, 10), a3 (4000: 280, 20, 20); a4 has no views and only counts in posts_analyzed.
    # like/view 0.10, 0.06, 0.07 -> avg 0.0766667, median 0.07, pooled 500/7000
    # comment/view 0.002, 0.002, 0.005 -> avg 0.003, median 0.002, pooled 26/7000
    # share/view 0.03, 0.005, 0.005 -> avg 0.0133333 (> 0.01: viral), median 0.005, pooled 60/7000
    # engagement 0.132, 0.067, 0.08 -> avg 0.093
    assert scorecard(hand, "alice", D1) == {
        "posts_analyzed": 4,
        "posts_with_views": 3,
        "avg_like_view_ratio": approx(0.23 / 3),
        "median_like_view_ratio": approx(0.07),
        "pooled_like_view_ratio": approx(500 / 7000),
        "avg_comment_view_ratio": approx(0.003),
        "median_comment_view_ratio": approx(0.002),
        "pooled_comment_view_ratio": approx(26 / 7000),
        "avg_share_view_ratio": approx(0.04 / 3),
        "median_share_view_ratio": approx(0.005),
        "pooled_share_view_ratio": approx(60 / 7000),
        "avg_engagement_rate": approx(0.093),
        "like_view_band": "healthy",
        "comment_view_band": "healthy",
        "has_viral_potential": True,
        "follower_count": 20_000,
        "follower_tier": "micro",
        "like_view_percentile_in_niche": approx(1.0),  # beauty: bob 0.005 < dave 0.04 < alice
        # c(r, b) = r / (r + b) against beauty's day-1 medians: like 0.04, comment 0.001, share 0.005
        # 100 * (0.5 * 0.0766667/0.1166667 + 0.2 * 0.003/0.004 + 0.3 * 0.0133333/0.0183333) = 69.6753
        "vetting_score": approx(69.68),
        "vetting_rank_in_niche": 1,
    }


def test_scorecard_bands_for_weak_creator(hand: Warehouse) -> None:
    # bob: 50/10000 and 100/20000 likes -> 0.005 (< 0.02), comments 0.0005 (< 0.001), shares 0.001
    bob = scorecard(hand, "bob", D1)
    assert bob["like_view_band"] == "not_resonating"
    assert bob["comment_view_band"] == "low"
    assert bob["has_viral_potential"] is False
    assert bob["follower_tier"] == "mid"  # 100 000 is mid (100K to < 500K)
    assert bob["like_view_percentile_in_niche"] == approx(0.0)
    # 100 * (0.5 * 0.005/0.045 + 0.2 * 0.0005/0.0015 + 0.3 * 0.001/0.006) = 17.2222
    assert bob["vetting_score"] == approx(17.22)
    assert bob["vetting_rank_in_niche"] == 3


def test_recent_posts_are_the_20_newest(hand: Warehouse) -> None:
    # dave's two oldest posts (50 % like/view) are outside his 20 newest (all 4 %)
    dave = scorecard(hand, "dave", D1)
    assert dave["posts_analyzed"] == 20
    assert dave["avg_like_view_ratio"] == approx(0.04)
    assert dave["median_like_view_ratio"] == approx(0.04)
    assert dave["pooled_like_view_ratio"] == approx(0.04)
    assert dave["like_view_percentile_in_niche"] == approx(0.5)
    assert dave["follower_tier"] == "nano"
    assert dave["vetting_score"] == approx(50.0)  # exactly at every niche median
    assert dave["vetting_rank_in_niche"] == 2


def test_vetting_prefers_engagement_over_followers(hand: Warehouse) -> None:
    # The seed's example: a 20K-follower creator at 8 % like/view is worth more than a 100K-follower
    # creator at 0.5 %. food medians: like (0.08 + 0.005)/2 = 0.0425, comment 0.002, share 0.005.
    frank = scorecard(hand, "frank", D1)
    grace = scorecard(hand, "grace", D1)
    assert (frank["follower_count"], grace["follower_count"]) == (20_000, 100_000)
    assert frank["vetting_score"] == approx(
        57.65
    )  # 100 * (0.5 * 0.08/0.1225 + 0.2 * 0.5 + 0.3 * 0.5)
    assert grace["vetting_score"] == approx(
        30.26
    )  # 100 * (0.5 * 0.005/0.0475 + 0.2 * 0.5 + 0.3 * 0.5)
    assert frank["vetting_score"] > grace["vetting_score"]
    assert (frank["vetting_rank_in_niche"], grace["vetting_rank_in_niche"]) == (1, 2)


def test_follower_count_is_latest_profile_on_or_before(hand: Warehouse) -> None:
    # profiles: day 1 (20 000) and day 3 (120 000); day 2 has none and uses day 1's
    assert scorecard(hand, "alice", D2)["follower_count"] == 20_000
    assert scorecard(hand, "alice", D2)["follower_tier"] == "micro"
    assert scorecard(hand, "alice", D3)["follower_count"] == 120_000
    assert scorecard(hand, "alice", D3)["follower_tier"] == "mid"
    eve = scorecard(hand, "eve", D1)  # never profiled
    assert (eve["follower_count"], eve["follower_tier"]) == (None, None)
    assert (
        eve["like_view_band"] == "highly_engaged"
    )  # 150 likes / 100 views, flagged upstream, still scored


# ---------------------------------------------------------------------------------------------
# niche_benchmarks and dim_creators


def test_niche_benchmarks_percentiles(hand: Warehouse) -> None:
    columns = (
        "creators, p25_avg_like_view_ratio, p50_avg_like_view_ratio, p75_avg_like_view_ratio, "
        "p90_avg_like_view_ratio, p50_avg_comment_view_ratio, p50_avg_share_view_ratio, "
        "healthy_like_view_ratio_low, healthy_like_view_ratio_high"
    )
    where = "niche = ? and follower_tier = ? and snapshot_date = ?"
    # beauty avg like/view: bob 0.005, dave 0.04, alice 0.0766667 (continuous percentiles)
    assert row(hand, "niche_benchmarks", columns, where, ["beauty", "all", D1]) == {
        "creators": 3,
        "p25_avg_like_view_ratio": approx(0.0225),  # 0.005 + 0.5 * 0.035
        "p50_avg_like_view_ratio": approx(0.04),
        "p75_avg_like_view_ratio": approx(0.04 + 0.5 * (0.23 / 3 - 0.04)),
        "p90_avg_like_view_ratio": approx(0.04 + 0.8 * (0.23 / 3 - 0.04)),
        "p50_avg_comment_view_ratio": approx(0.001),  # 0.0005, 0.001, 0.003
        "p50_avg_share_view_ratio": approx(0.005),  # 0.001, 0.005, 0.0133333
        "healthy_like_view_ratio_low": approx(0.03),
        "healthy_like_view_ratio_high": approx(0.08),
    }
    micro = row(
        hand,
        "niche_benchmarks",
        "creators, p50_avg_like_view_ratio",
        where,
        ["beauty", "micro", D1],
    )
    assert micro == {"creators": 1, "p50_avg_like_view_ratio": approx(0.23 / 3)}
    macro = row(
        hand,
        "niche_benchmarks",
        "creators, p50_avg_like_view_ratio",
        where,
        ["beauty", "macro", D1],
    )
    assert macro == {"creators": 0, "p50_avg_like_view_ratio": None}
    tiers = hand.query("select distinct follower_tier from marts.niche_benchmarks order by 1")
    assert [t for (t,) in tiers] == ["all", "macro", "mega", "micro", "mid", "nano"]
    # 3 niches x 6 tiers on day 1, beauty only on days 2 and 3
    assert hand.query("select count(*) from marts.niche_benchmarks")[0][0] == 30


def test_dim_creators_latest_profile(hand: Warehouse) -> None:
    alice = row(
        hand,
        "dim_creators",
        "sec_uid, niche, follower_count, follower_tier, is_verified, first_seen_date, last_seen_date",
        "creator_username = ?",
        ["alice"],
    )
    assert alice == {
        "sec_uid": "sec-alice",
        "niche": "beauty",
        "follower_count": 120_000,
        "follower_tier": "mid",
        "is_verified": True,
        "first_seen_date": D1,
        "last_seen_date": D3,
    }
    assert hand.query("select count(*) from marts.dim_creators")[0][0] == 6


# ---------------------------------------------------------------------------------------------
# trending_videos and query_trends


def ranking(warehouse: Warehouse, query: str, day: date) -> list[tuple]:
    return warehouse.query(
        "select video_id, rank_by_shares, is_new, shares_gained from marts.trending_videos "
        "where query = ? and snapshot_date = ? order by rank_by_shares",
        [query, day],
    )


def test_rank_by_shares_and_is_new(hand: Warehouse) -> None:
    # day 1: s1 and s2 tie on 50 shares, s2 has more views; a1 30; s3 10. All new.
    assert ranking(hand, "lipstick", D1) == [
        ("s2", 1, True, None),
        ("s1", 2, True, None),
        ("a1", 3, True, None),
        ("s3", 4, True, None),
    ]
    # equal shares and views: video_id decides
    assert ranking(hand, "#glow", D1) == [("s4", 1, True, None), ("s5", 2, True, None)]
    # day 2: s1 70 shares (+20), s3 10 (+0), s6 new
    assert ranking(hand, "lipstick", D2) == [
        ("s1", 1, False, 20),
        ("s3", 2, False, 0),
        ("s6", 3, True, None),
    ]
    # day 3: s2 returns after a gap: not new, +5 shares since its day-1 snapshot
    assert ranking(hand, "lipstick", D3) == [("s1", 1, False, 10), ("s2", 2, False, 5)]
    assert ranking(hand, "#glow", D2) == [("s5", 1, False, 2), ("s7", 2, True, None)]


def test_query_trends(hand: Warehouse) -> None:
    columns = (
        "query_type, videos_found, new_videos, total_play_count, total_share_count, median_share_view_ratio, "
        "top_video_id, share_growth, share_growth_rate, hashtag_view_count"
    )
    where = "query = ? and snapshot_date = ?"
    # share/view: s1 0.05, s2 0.025, s3 0.1, a1 0.03 -> median 0.04
    assert row(hand, "query_trends", columns, where, ["lipstick", D1]) == {
        "query_type": "keyword",
        "videos_found": 4,
        "new_videos": 4,
        "total_play_count": 4100,
        "total_share_count": 140,
        "median_share_view_ratio": approx(0.04),
        "top_video_id": "s2",
        "share_growth": None,
        "share_growth_rate": None,
        "hashtag_view_count": None,
    }
    # 70 + 10 + 5 = 85 shares, 85 - 140 = -55; share/view 0.0467, 0.1, 0.1 -> median 0.1
    assert row(hand, "query_trends", columns, where, ["lipstick", D2]) == {
        "query_type": "keyword",
        "videos_found": 3,
        "new_videos": 1,
        "total_play_count": 1650,
        "total_share_count": 85,
        "median_share_view_ratio": approx(0.1),
        "top_video_id": "s1",
        "share_growth": -55,
        "share_growth_rate": approx(-55 / 140),
        "hashtag_view_count": None,
    }
    day3 = row(hand, "query_trends", columns, where, ["lipstick", D3])
    assert (day3["total_share_count"], day3["share_growth"], day3["new_videos"]) == (135, 50, 0)
    assert day3["share_growth_rate"] == approx(50 / 85)
    assert day3["median_share_view_ratio"] == approx((80 / 1600 + 55 / 2100) / 2)
    glow = row(hand, "query_trends", columns, where, ["#glow", D1])
    assert (
        glow["query_type"],
        glow["top_video_id"],
        glow["total_share_count"],
        glow["hashtag_view_count"],
    ) == (
        "hashtag",
        "s4",
        20,
        5000,
    )
    glow2 = row(hand, "query_trends", columns, where, ["#glow", D2])
    assert (glow2["share_growth"], glow2["new_videos"]) == (-8, 1)


# ---------------------------------------------------------------------------------------------
# api_usage, api_runs, rejected_items and source_freshness


def test_api_usage(hand: Warehouse) -> None:
    usage = hand.query(
        "select snapshot_date, endpoint, requests, failed_requests, retries, credits_used, cost_usd "
        "from marts.api_usage order by 1, 2"
    )
    assert usage == [
        # search/videos: a timeout (no status, no credits) then a success on attempt 2
        (D1, "search/videos", 2, 1, 1, 1, approx(0.005)),
        # user/posts: a 429 then a success on attempt 2, and a plain success
        (D1, "user/posts", 3, 1, 1, 2, approx(0.010)),
        (D2, "profile", 1, 0, 0, 1, approx(0.005)),
    ]


def test_api_runs(hand: Warehouse) -> None:
    runs = hand.query(
        "select snapshot_date, run_id, started_at, finished_at, loads, run_attempts, requests, "
        "retries, credits_used, cost_usd, rows_rejected, outcome from marts.api_runs order by 1"
    )
    noon = {day: LOADS[day].started_at for day in (D1, D2)}
    five = timedelta(minutes=5)
    assert runs == [
        # five attempts (two retried), 0 + 1 + 1 + NULL + 1 credits; its load ran to the end
        (D1, "run-2024-03-01", noon[D1], noon[D1] + five, 1, 1, 5, 2, 3, approx(0.015), 1,
         "complete"),
        (D2, "run-2024-03-02", noon[D2], noon[D2] + five, 1, 1, 1, 0, 1, approx(0.005), 0,
         "stopped"),
    ]  # fmt: skip
    # the spend per run adds up to the spend per endpoint
    assert hand.query("select sum(credits_used) from marts.api_runs") == hand.query(
        "select sum(credits_used) from marts.api_usage"
    )


def test_rejected_items(hand: Warehouse) -> None:
    assert hand.query(
        "select snapshot_date, load_id, request_seq, item_position, dataset, endpoint, item_key, "
        "item_id, reason, run_id from marts.rejected_items"
    ) == [
        (
            D1,
            LOADS[D1].load_id,
            2,
            1,
            "creator_posts",
            "user/posts",
            "alice",
            "a9",
            "create_time out of range",
            "run-2024-03-01",
        )
    ]


def test_source_freshness_shows_stale_datasets(hand: Warehouse) -> None:
    freshness = {
        dataset: (latest, behind, stale)
        for dataset, latest, behind, stale in hand.query(
            "select dataset, latest_snapshot_date, days_behind, is_stale from marts.source_freshness"
        )
    }
    assert freshness == {
        "creator_posts": (D3, 0, False),
        "search_results": (D3, 0, False),
        "profiles": (D3, 0, False),
        "request_ledger": (D2, 1, True),
        "hashtags": (D1, 2, True),
        "loads": (D2, 1, True),
    }


def test_documented_columns_are_the_real_columns(hand: Warehouse) -> None:
    import yaml
    from tiktok_engagement.warehouse import CONTRACT_TABLES, DBT_PROJECT_DIR

    documented = {
        model["name"]: [column["name"] for column in model["columns"]]
        for model in yaml.safe_load(
            (DBT_PROJECT_DIR / "models/marts/_marts__models.yml").read_text()
        )["models"]
    }
    for table in (*CONTRACT_TABLES, "api_runs", "rejected_items"):
        actual = [
            name
            for (name,) in hand.query(
                "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [table],
            )
        ]
        assert sorted(actual) == sorted(documented[table]), table
