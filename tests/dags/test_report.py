"""The HTML report: data from a serving DuckDB or Parquet exports, inline SVG charts, no network.

The browser test opens the page in headless Chromium (Debian's ``chromium``), checks the rendered
DOM has the charts with their data points, and takes a screenshot.
"""

from __future__ import annotations

import itertools
import math
import random
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from tiktok_engagement.report import (
    BRAND_MARTS,
    GRAPH_MARTS,
    LONE_COLOR,
    MARTS,
    OUTLIERS_PER_CREATOR,
    TOP_CREATOR_PAGES,
    TOP_DISCOVERED,
    TOP_UGC_CREATORS,
    ReportError,
    community_color,
    graph_layout,
    load_report_data,
    render_html,
    write_report,
)

from tests.conftest import require_service

DAYS = [date(2026, 11, 1) + timedelta(days=i) for i in range(4)]
NICHES = ["fitness", "beauty", "food"]
QUERIES = [
    ("home workout", "keyword"),
    ("gym", "hashtag"),
    ("<script>alert(1)</script>", "keyword"),
]


def band(ratio: float) -> str:
    if ratio < 0.02:
        return "not_resonating"
    if ratio < 0.03:
        return "below_healthy"
    return "healthy" if ratio <= 0.08 else ("strong" if ratio <= 0.10 else "highly_engaged")


def make_marts(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> None:
    """Small marts with the columns the report reads (the dbt project builds the real ones)."""
    rng = random.Random(7)
    con.execute(f"create schema if not exists {schema}")
    con.execute(
        f"""create table {schema}.creator_scorecard (creator_username varchar, snapshot_date date,
        niche varchar, follower_count bigint, follower_tier varchar, vetting_score double,
        like_view_band varchar, comment_view_band varchar, has_viral_potential boolean,
        avg_like_view_ratio double, avg_comment_view_ratio double, avg_share_view_ratio double,
        posts_analyzed integer, avg_engagement_rate double, overall_score double)"""
    )
    con.execute(
        f"""create table {schema}.niche_benchmarks (niche varchar, follower_tier varchar,
        snapshot_date date, creators integer, p25_avg_like_view_ratio double,
        p50_avg_like_view_ratio double, p75_avg_like_view_ratio double, p90_avg_like_view_ratio double,
        p50_avg_comment_view_ratio double, p50_avg_share_view_ratio double)"""
    )
    con.execute(
        f"""create table {schema}.query_trends (query varchar, query_type varchar, snapshot_date date,
        total_share_count bigint, total_play_count bigint, videos_found integer)"""
    )
    for i, day in enumerate(DAYS):
        for n in range(20):
            ratio = rng.uniform(0.01, 0.12)
            con.execute(
                f"insert into {schema}.creator_scorecard values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    f"creator.{n:02d}",
                    day,
                    NICHES[n % 3],
                    rng.randint(900, 2_000_000),
                    "micro",
                    None if n == 19 else round(rng.uniform(10, 95), 2),
                    band(ratio),
                    "healthy",
                    n % 4 == 0,
                    ratio,
                    rng.uniform(0.0005, 0.006),
                    rng.uniform(0.001, 0.02),
                    20,
                    ratio * 1.1,
                    None if n == 19 else round(rng.uniform(10, 95), 2),
                ],
            )
        for niche in NICHES:
            base = rng.uniform(0.02, 0.07)
            for tier in ("all", "micro"):
                con.execute(
                    f"insert into {schema}.niche_benchmarks values (?,?,?,?,?,?,?,?,?,?)",
                    [niche, tier, day, 7, base * 0.7, base, base * 1.3, base * 1.6, 0.002, 0.008],
                )
        for query, kind in QUERIES:
            con.execute(
                f"insert into {schema}.query_trends values (?,?,?,?,?,?)",
                [
                    query,
                    kind,
                    day,
                    rng.randint(10_000, 90_000) * (i + 1),
                    rng.randint(10**6, 10**7),
                    40,
                ],
            )

    make_creator_marts(con, schema)
    make_brand_marts(con, schema)
    make_graph_marts(con, schema)


# The creators with audience rows: creator.05 has none (no comments sampled yet).
AUDIENCE_CREATORS = [f"creator.{n:02d}" for n in range(20) if n != 5]
# Videos on the watch list (negative_alert), most negative first, and one just below the bar.
ALERTS = [("v-alert-1", "creator.01", 0.62), ("v-alert-2", "creator.02", 0.45)]


def make_creator_marts(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> None:
    """The audience and content marts with the columns the creator pages read."""
    rng = random.Random(11)
    con.execute(
        f"""create table {schema}.creator_audience (creator_username varchar, snapshot_date date,
        videos_with_comments integer, comments_analyzed integer, net_sentiment double,
        negative_alert_videos integer, repeat_commenter_rate double, generic_comment_share double,
        comment_authenticity double, top_terms varchar[])"""
    )
    con.execute(
        f"""create table {schema}.creator_content_signals (creator_username varchar,
        snapshot_date date, posts_per_week_30d double, days_since_last_post integer,
        max_gap_days_90d integer, median_views_recent double, outlier_videos_30d integer,
        sponsored_share_30d double, sponsored_engagement_lift double, follower_growth_7d double,
        follower_growth_30d double, has_follower_spike boolean)"""
    )
    con.execute(
        f"""create table {schema}.video_comment_summary (video_id varchar,
        creator_username varchar, comments_analyzed integer, scored_share double,
        positive_share double, neutral_share double, negative_share double, net_sentiment double,
        generic_comment_share double, duplicate_comment_share double, question_share double,
        purchase_intent_share double, top_terms varchar[], negative_alert boolean)"""
    )
    con.execute(
        f"""create table {schema}.fct_video_snapshots (video_id varchar, snapshot_date date,
        creator_username varchar, created_at timestamptz, play_count bigint,
        engagement_rate double, views_vs_creator_median double, is_outlier boolean,
        sponsored_signal varchar)"""
    )
    for day in DAYS:
        for handle in AUDIENCE_CREATORS:
            con.execute(
                f"insert into {schema}.creator_audience values (?,?,?,?,?,?,?,?,?,?)",
                [
                    handle, day, 12, 540, rng.uniform(-0.4, 0.8), rng.randint(0, 2),
                    rng.uniform(0, 0.3), rng.uniform(0, 0.5), rng.uniform(20, 95),
                    ["ate", "<b>bold</b>", "where"],
                ],
            )  # fmt: skip
        for n in range(20):
            con.execute(
                f"insert into {schema}.creator_content_signals values (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    f"creator.{n:02d}", day, 3.5, 1, 6, 52_000.0, n % 3, 0.2, 1.3, 0.012,
                    0.05, n == 3,
                ],
            )  # fmt: skip
            con.execute(
                f"insert into {schema}.fct_video_snapshots values (?,?,?,?,?,?,?,?,?)",
                [
                    f"v-{n}-outlier", day, f"creator.{n:02d}", f"{day} 08:00:00+00", 900_000,
                    0.07, 6.5 + n, True, "disclosed" if n % 2 else "none",
                ],
            )  # fmt: skip
            con.execute(
                f"insert into {schema}.fct_video_snapshots values (?,?,?,?,?,?,?,?,?)",
                [
                    f"v-{n}-plain", day, f"creator.{n:02d}", f"{day} 09:00:00+00", 40_000,
                    0.05, 1.0, False, "none",
                ],
            )  # fmt: skip
    for video_id, handle, negative in [*ALERTS, ("v-calm", "creator.03", 0.39)]:
        con.execute(
            f"insert into {schema}.video_comment_summary values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                video_id, handle, 48, 0.9, 0.2, 1 - 0.2 - negative, negative, 0.2 - negative,
                0.1, 0.05, 0.12, 0.03, ["scam", "refund"], negative >= 0.40,
            ],
        )  # fmt: skip


# Brands: two competitive sets; snacks' only brand is never mentioned.
BRAND_SETS = {"beauty": ["GlowLab", "Lumé <Skin>"], "snacks": ["Crunchy"]}
# (brand, video, creator, type per date index, views per date index): what the UGC ranking reads.
MENTIONS = [
    ("GlowLab", "v1", "fan.a", {i: "earned" for i in range(4)}, {i: 1000 * (i + 1) for i in range(4)}),
    ("GlowLab", "v2", "fan.a", {1: "earned"}, {1: 500}),
    ("GlowLab", "v3", "fan.b", {3: "earned"}, {3: 3000}),
    # earned at first, then a disclosed partnership: no longer UGC from day 2 on
    ("GlowLab", "v4", "fan.c", {0: "earned", 1: "earned", 2: "sponsored", 3: "sponsored"},
     {i: 9000 for i in range(4)}),
    ("GlowLab", "v5", "glowlab", {i: "owned" for i in range(4)}, {i: 50_000 for i in range(4)}),
    *[("GlowLab", f"v-{n}", f"fan.{n}", {3: "earned"}, {3: views})
      for n, views in (("d", 100), ("e", 200), ("f", 300), ("g", 400), ("h", 500))],
    ("Lumé <Skin>", "v9", "<b>zoe</b>", {2: "earned", 3: "earned"}, {2: 70, 3: 100}),
]  # fmt: skip


def make_brand_marts(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> None:
    """brand_share_of_voice and brand_mentions with the columns the brand page reads."""
    con.execute(
        f"""create table {schema}.brand_share_of_voice (brand varchar, snapshot_date date,
        videos bigint, views bigint, engagements bigint, creators bigint,
        share_of_voice_views double, share_of_voice_videos double, share_of_voice_creators double,
        earned_share double, new_ugc_creators bigint, net_sentiment double,
        competitive_set varchar, owned_videos bigint, sponsored_videos bigint,
        earned_videos bigint, owned_views bigint, sponsored_views bigint, earned_views bigint)"""
    )
    con.execute(
        f"""create table {schema}.brand_mentions (brand varchar, video_id varchar,
        snapshot_date date, creator_username varchar, mention_type varchar, matched_on varchar,
        play_count bigint, engagement_rate double, first_seen_date date)"""
    )
    for i, day in enumerate(DAYS):
        for brand_set, brands in BRAND_SETS.items():
            for n, brand in enumerate(brands):
                mentioned = brand_set == "beauty"
                share = (0.7 - 0.1 * i if n == 0 else 0.3 + 0.1 * i) if mentioned else None
                # videos and views by type: owned, sponsored, earned (Lumé has no earned views)
                split = [1, 1, 3, 50_000 + i, 20_000, 30_000 if n == 0 else 0]
                con.execute(
                    f"insert into {schema}.brand_share_of_voice values "
                    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [
                        brand, day, 5 if mentioned else 0, 100_000 if mentioned else 0, 9000, 4,
                        share, share, share, 0.6 if mentioned else None, i, 0.25 - 0.1 * n,
                        brand_set, *(split if mentioned else [0] * 6),
                    ],
                )  # fmt: skip
    for brand, video, creator, kinds, views in MENTIONS:
        for i, kind in kinds.items():
            con.execute(
                f"insert into {schema}.brand_mentions values (?,?,?,?,?,?,?,?,?)",
                [
                    brand,
                    video,
                    DAYS[i],
                    creator,
                    kind,
                    "#glowlab",
                    views[i],
                    0.05,
                    DAYS[min(kinds)],
                ],
            )


# The graph: communities on two followings dates, the second the one of the last report date.
GRAPH_DATES = [DAYS[0], DAYS[2]]
COMMUNITIES = {
    DAYS[0]: [("creator.00", 1, 2), ("creator.01", 1, 2)],
    DAYS[2]: [
        ("creator.00", 1, 3), ("creator.01", 1, 3), ("creator.02", 1, 3),
        ("creator.03", 2, 2), ("creator.04", 2, 2), ("creator.05", 3, 1),
    ],
}  # fmt: skip
DISCOVERED = 18  # accounts off the roster on DAYS[2]; the page shows TOP_DISCOVERED of them
# (follower, followed as listed, the roster creator it is, first seen, is_mutual)
FOLLOWS = [
    ("creator.00", "creator.01", "creator.01", DAYS[0], True),
    ("creator.01", "creator.00", "creator.00", DAYS[0], True),
    ("creator.03", "Creator.04", "creator.04", DAYS[2], False),
    ("creator.00", "hub.00", None, DAYS[0], False),
    ("creator.01", "hub.00", None, DAYS[0], False),
    ("creator.03", "hub.00", None, DAYS[2], False),
    ("creator.04", "hub.01", None, DAYS[3], False),  # after the graph's date
    ("creator.02", "hub.17", None, DAYS[2], False),  # not among the top discovered
]


def make_graph_marts(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> None:
    """The four graph marts with the columns the graph page reads."""
    con.execute(
        f"""create table {schema}.creator_communities (snapshot_date date, creator_username varchar,
        niche varchar, community_id bigint, community_anchor varchar, community_size bigint,
        dominant_niche varchar, dominant_niche_share double, similar_creators bigint)"""
    )
    con.execute(
        f"""create table {schema}.creator_discovery (snapshot_date date, account_username varchar,
        account_sec_uid varchar, account_nickname varchar, follower_count bigint,
        follower_tier varchar, followed_by_roster bigint, follower_niches varchar[],
        new_follows_7d bigint, first_followed_date date, discovery_rank bigint,
        rank_in_tier bigint)"""
    )
    con.execute(
        f"""create table {schema}.creator_follows (follower_username varchar,
        followed_username varchar, followed_sec_uid varchar, followed_follower_count bigint,
        first_seen_date date, last_seen_date date, followed_roster_username varchar,
        followed_is_roster boolean, is_mutual boolean)"""
    )
    con.execute(
        f"""create table {schema}.creator_similarity (creator_a varchar, creator_b varchar,
        niche_a varchar, niche_b varchar, following_jaccard double, commenter_jaccard double,
        is_mutual boolean, shared_followings bigint)"""
    )
    for day, members in COMMUNITIES.items():
        for handle, community, size in members:
            con.execute(
                f"insert into {schema}.creator_communities values (?,?,?,?,?,?,?,?,?)",
                [day, handle, NICHES[int(handle[-1]) % 3], community, "x", size, "fitness", 0.5, 1],
            )
    con.execute(
        f"insert into {schema}.creator_discovery values "
        "(?, 'hub.00', 's0', 'Hub', 5000000, 'mega', 2, ['beauty'], 0, ?, 1, 1)",
        [DAYS[0], DAYS[0]],
    )
    for rank in range(1, DISCOVERED + 1):
        followers = (3_000_000, 5_000)[rank % 2] if rank <= 4 else 20_000 * rank
        con.execute(
            f"insert into {schema}.creator_discovery values (?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                DAYS[2], f"hub.{rank - 1:02d}", f"s{rank}", f"Hub {rank}", followers, "mid",
                DISCOVERED + 3 - rank, ["beauty", "food"], rank % 2, DAYS[0], rank, rank,
            ],
        )  # fmt: skip
    for follower, followed, roster, seen, mutual in FOLLOWS:
        con.execute(
            f"insert into {schema}.creator_follows values (?,?,?,?,?,?,?,?,?)",
            [follower, followed, "s", 100, seen, DAYS[3], roster, roster is not None, mutual],
        )
    for a, b, following, commenter in [
        ("creator.00", "creator.01", 0.08, 0.01),
        ("creator.03", "creator.04", 0.11, None),
        ("creator.02", "creator.05", None, 0.2),
    ]:
        con.execute(
            f"insert into {schema}.creator_similarity values (?,?,'fitness','food',?,?,false,3)",
            [a, b, following, commenter],
        )


@pytest.fixture
def serving_db(tmp_path) -> Path:
    path = tmp_path / "tiktok.duckdb"
    con = duckdb.connect(str(path))
    make_marts(con)
    con.close()
    return path


def test_report_reads_the_latest_date_from_the_serving_file(serving_db):
    data = load_report_data(serving_db)
    assert data.snapshot_date == DAYS[-1]
    assert (
        len(data.scorecards) == 20
        and data.scorecards[0]["vetting_score"] >= data.scorecards[1]["vetting_score"]
    )
    assert data.scorecards[-1]["vetting_score"] is None  # unscored creators last
    assert [b["niche"] for b in data.benchmarks] == sorted(NICHES)
    assert all(len(points) == len(DAYS) for points in data.trends.values())
    earlier = load_report_data(serving_db, DAYS[1])
    assert earlier.snapshot_date == DAYS[1] and all(len(p) == 2 for p in earlier.trends.values())


def test_report_reads_parquet_exports_too(serving_db, tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    con = duckdb.connect(str(serving_db), read_only=True)
    for mart in MARTS:
        con.execute(f"copy marts.{mart} to '{exports / (mart + '.parquet')}' (format parquet)")
    con.close()
    assert render_html(load_report_data(exports)) == render_html(load_report_data(serving_db))


def test_the_page_is_self_contained_escaped_and_deterministic(serving_db, tmp_path):
    out = write_report(serving_db, tmp_path / "report" / "index.html")
    page = out.read_text()
    assert page == render_html(load_report_data(serving_db)), "same data, same bytes"
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page), (
        "nothing loaded from outside"
    )
    assert page.count('class="bar"') == 15
    assert page.count('class="pt"') == len(QUERIES) * len(DAYS)
    assert page.count('class="median"') == len(NICHES)


def top_pages(data) -> list[str]:
    return [r["creator_username"] for r in data.scorecards if r["vetting_score"] is not None][
        :TOP_CREATOR_PAGES
    ]


def test_a_page_per_top_creator_with_its_history_and_the_watch_list(serving_db):
    data = load_report_data(serving_db)
    top = top_pages(data)
    assert [p.username for p in data.creator_pages] == top and len(top) == TOP_CREATOR_PAGES
    for page in data.creator_pages:
        assert [d for d, _ in page.followers_history] == DAYS
        if page.username in AUDIENCE_CREATORS:
            assert [r["snapshot_date"] for r in page.audience_history] == DAYS
            assert page.audience is page.audience_history[-1]
        else:
            assert page.audience is None and not page.audience_history
        assert page.content is not None and page.content["posts_per_week_30d"] == 3.5
        # only the outlier of the report's date, not the plain video nor earlier dates
        assert [o["video_id"] for o in page.outliers] == [f"v-{int(page.username[-2:])}-outlier"]
        assert len(page.outliers) <= OUTLIERS_PER_CREATOR
    assert [(r["video_id"], r["creator_username"]) for r in data.watch_list] == [
        (v, c) for v, c, _ in ALERTS
    ]
    earlier = load_report_data(serving_db, DAYS[1])
    assert all(len(p.followers_history) == 2 for p in earlier.creator_pages)
    assert all(
        p.audience is None or p.audience["snapshot_date"] == DAYS[1] for p in earlier.creator_pages
    )


def test_the_creator_pages_render_their_charts_and_tables(serving_db):
    data = load_report_data(serving_db)
    page = render_html(data)
    with_audience = [p for p in data.creator_pages if p.audience_history]
    assert page.count('class="creator-page"') == TOP_CREATOR_PAGES
    assert page.count('class="sentiment-pt"') == len(with_audience) * len(DAYS)
    assert page.count('class="followers-pt"') == TOP_CREATOR_PAGES * len(DAYS)
    assert page.count("No comments analysed yet.") == TOP_CREATOR_PAGES - len(with_audience)
    assert page.count('class="alert-row"') == len(ALERTS)
    assert page.count('<table class="outliers">') == TOP_CREATOR_PAGES
    for handle in top_pages(data):  # every page linked from the scorecards
        assert f'href="#creator-creator-{handle[-2:]}"' in page
        assert f'id="creator-creator-{handle[-2:]}"' in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page
    # the scale of sentiment is fixed at -1..1 with a zero line
    assert page.count('class="zero"') == len(with_audience)


def test_the_brand_page_per_competitive_set(serving_db):
    data = load_report_data(serving_db)
    assert [(s.name, s.brands) for s in data.brand_sets] == sorted(BRAND_SETS.items())
    beauty, snacks = data.brand_sets
    assert all([r["snapshot_date"] for r in beauty.history[b]] == DAYS for b in beauty.brands)
    assert beauty.today["GlowLab"]["share_of_voice_views"] == pytest.approx(0.4)
    assert beauty.split["GlowLab"] == {
        "owned": (1, 50_003),
        "sponsored": (1, 20_000),
        "earned": (3, 30_000),
    }
    # Each video once, as of its latest capture: v1's views of the last date (4000) plus v2's;
    # v4 turned sponsored, the brand's own account is never UGC; the top five by views.
    assert beauty.top_ugc["GlowLab"] == [
        {"creator_username": "fan.a", "earned_videos": 2, "views": 4500},
        {"creator_username": "fan.b", "earned_videos": 1, "views": 3000},
        {"creator_username": "fan.h", "earned_videos": 1, "views": 500},
        {"creator_username": "fan.g", "earned_videos": 1, "views": 400},
        {"creator_username": "fan.f", "earned_videos": 1, "views": 300},
    ]
    assert len(beauty.top_ugc["GlowLab"]) == TOP_UGC_CREATORS
    assert beauty.top_ugc["Lumé <Skin>"] == [
        {"creator_username": "<b>zoe</b>", "earned_videos": 1, "views": 100}
    ]
    assert snacks.top_ugc == {}
    earlier = load_report_data(serving_db, DAYS[1]).brand_sets[0]
    assert all(len(rows) == 2 for rows in earlier.history.values())
    assert earlier.top_ugc["GlowLab"] == [
        {"creator_username": "fan.c", "earned_videos": 1, "views": 9000},
        {"creator_username": "fan.a", "earned_videos": 2, "views": 2500},
    ]
    assert "Lumé <Skin>" not in earlier.top_ugc

    page = render_html(data)
    assert page.count('class="brand-set"') == len(BRAND_SETS)
    assert page.count('class="sov-pt"') == len(BRAND_SETS["beauty"]) * len(DAYS)
    assert page.count('class="split-seg"') == 3 * len(BRAND_SETS["beauty"]) - 1  # Lumé: no earned
    assert page.count('class="ugc-row"') == TOP_UGC_CREATORS + 1
    assert page.count('class="brand-row"') == 3
    assert "No share of voice yet." in page and "no mentions on this date" in page
    assert page.count("No earned mentions yet.") == 1
    assert "Lumé &lt;Skin&gt;" in page and "&lt;b&gt;zoe&lt;/b&gt;" in page
    assert "<b>zoe</b>" not in page and "<Skin>" not in page


def test_the_graph_page_as_of_the_latest_followings_date(serving_db):
    graph = load_report_data(serving_db).graph
    assert graph is not None and graph.snapshot_date == DAYS[2]
    assert [m["creator_username"] for m in graph.members] == [h for h, _, _ in COMMUNITIES[DAYS[2]]]
    assert [d["discovery_rank"] for d in graph.discovered] == list(range(1, TOP_DISCOVERED + 1))
    assert [d["discovery_rank"] for d in graph.lookalikes] == list(range(5, DISCOVERED + 1))
    # roster follows by the roster creator's handle, not as listed; no edge first seen later,
    # none to an account outside the top discovered
    assert graph.edges == [
        ("creator.00", "creator.01", True),
        ("creator.00", "hub.00", False),
        ("creator.01", "creator.00", True),
        ("creator.01", "hub.00", False),
        ("creator.03", "creator.04", False),
        ("creator.03", "hub.00", False),
    ]
    assert [(p["creator_a"], p["creator_b"]) for p in graph.similar_pairs] == [
        ("creator.03", "creator.04"),
        ("creator.00", "creator.01"),
    ]
    earlier = load_report_data(serving_db, DAYS[1]).graph
    assert earlier is not None and earlier.snapshot_date == DAYS[0]
    assert [d["account_username"] for d in earlier.discovered] == ["hub.00"]
    assert len(earlier.members) == 2 and len(earlier.edges) == 4

    page = render_html(load_report_data(serving_db))
    assert page.count('class="node roster"') == len(COMMUNITIES[DAYS[2]])
    assert page.count('class="node discovered"') == TOP_DISCOVERED
    assert page.count('class="edge mutual"') == 1, "a mutual pair is one line"
    assert page.count('class="edge follows"') == 1
    assert page.count('class="edge discovery"') == 3
    assert page.count('class="discovery-row"') == TOP_DISCOVERED
    assert page.count('class="lookalike-row"') == DISCOVERED - 4
    assert page.count('class="community-row"') == 3
    # hub.00: two of its three roster followers are in community 1
    hub = re.search(r'<rect class="node discovered" data-rank="1" [^>]*fill="([^"]+)"', page)
    assert hub and hub.group(1) == community_color(1, 3)
    lone = re.search(r'<circle class="node roster" data-community="3" [^>]*fill="([^"]+)"', page)
    assert lone and lone.group(1) == LONE_COLOR


def test_the_graph_layout_is_a_deterministic_circle_by_community(serving_db):
    graph = load_report_data(serving_db).graph
    assert graph is not None
    layout = graph_layout(graph, radius=100.0, centre=200.0)
    assert layout == graph_layout(graph, radius=100.0, centre=200.0)
    roster = [m["creator_username"] for m in graph.members]
    for name, (x, y, _) in layout.items():
        expected = 100.0 if name in roster else 45.0
        assert math.hypot(x - 200, y - 200) == pytest.approx(expected)
    # community 1 from the top, clockwise; a free slot before each next community (8 slots)
    slots = [round((layout[h][2] + math.pi / 2) / (2 * math.pi) * 8) for h in roster]
    assert slots == [0, 1, 2, 4, 5, 7]
    inner = sorted(layout[d["account_username"]][2] for d in graph.discovered)
    gaps = {round(b - a, 9) for a, b in itertools.pairwise(inner)}
    assert gaps == {round(2 * math.pi / TOP_DISCOVERED, 9)}, "spread evenly"


def test_a_source_without_the_marts_fails_clearly(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(
        ReportError,
        match="creator_scorecard, niche_benchmarks, query_trends, creator_audience, "
        "creator_content_signals, video_comment_summary, fct_video_snapshots, "
        "brand_share_of_voice, brand_mentions, creator_communities, creator_discovery, "
        "creator_follows, creator_similarity not found",
    ):
        load_report_data(path)
    with pytest.raises(ReportError, match="no Parquet export for mart creator_scorecard"):
        load_report_data(tmp_path)


def test_an_empty_warehouse_still_renders(tmp_path):
    path = tmp_path / "tiktok.duckdb"
    con = duckdb.connect(str(path))
    make_marts(con)
    for mart in MARTS:
        con.execute(f"delete from marts.{mart}")
    con.close()
    page = render_html(load_report_data(path))
    assert "no data yet" in page and "No scored creators" in page
    assert "No video has a negative alert." in page and 'class="creator-page"' not in page


def test_empty_brand_and_graph_marts_render_their_empty_states(tmp_path):
    """An older warehouse's data with the new marts built but empty (no brands, no followings)."""
    path = tmp_path / "tiktok.duckdb"
    con = duckdb.connect(str(path))
    make_marts(con)
    for mart in (*BRAND_MARTS, *GRAPH_MARTS):
        con.execute(f"delete from marts.{mart}")
    con.close()
    data = load_report_data(path)
    assert data.brand_sets == [] and data.graph is None and len(data.scorecards) == 20
    page = render_html(data)
    assert "No brands tracked" in page and "No followings landed yet" in page
    assert 'class="brand-set"' not in page and 'id="graph-chart"' not in page


def test_a_warehouse_without_a_new_mart_fails_clearly(tmp_path):
    older = tmp_path / "older.duckdb"
    con = duckdb.connect(str(older))
    make_marts(con)
    con.execute("drop table marts.creator_discovery")
    con.close()
    with pytest.raises(ReportError, match=r"mart\(s\) creator_discovery not found"):
        load_report_data(older)
    changed = tmp_path / "changed.duckdb"
    con = duckdb.connect(str(changed))
    make_marts(con)
    con.execute("alter table marts.brand_share_of_voice drop column earned_views")
    con.close()
    with pytest.raises(ReportError, match="brand_share_of_voice lacks column.s. earned_views"):
        load_report_data(changed)


def test_a_warehouse_without_the_audience_columns_fails_clearly(tmp_path):
    path = tmp_path / "tiktok.duckdb"
    con = duckdb.connect(str(path))
    make_marts(con)
    con.execute("alter table marts.creator_scorecard drop column overall_score")
    con.close()
    with pytest.raises(ReportError, match="creator_scorecard lacks column.s. overall_score"):
        load_report_data(path)


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
]


def chromium() -> str:
    def find() -> str:
        found = shutil.which("chromium") or shutil.which("chromium-browser")
        if not found:
            raise FileNotFoundError("not on PATH (apt-get install -y chromium)")
        return found

    return require_service("headless Chromium", find)


def test_charts_render_in_headless_chromium(serving_db, tmp_path):
    browser = chromium()
    page = write_report(serving_db, tmp_path / "index.html")
    profile = tmp_path / "chromium-profile"
    dom = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    # The DOM as the browser parsed it: five kinds of chart, with their data points.
    data = load_report_data(serving_db)
    with_audience = [p for p in data.creator_pages if p.audience_history]
    brand_svgs = sum(
        1 + any(r["share_of_voice_views"] is not None for rows in s.history.values() for r in rows)
        for s in data.brand_sets
    )
    assert dom.count("<svg") == (
        2 + len(QUERIES) + TOP_CREATOR_PAGES + len(with_audience) + brand_svgs + 1
    )
    # the brand page's charts and the graph page's network picture
    assert len(re.findall(r'<circle class="sov-pt"', dom)) == len(BRAND_SETS["beauty"]) * len(DAYS)
    assert len(re.findall(r'<rect class="split-seg"', dom)) == 5
    assert len(re.findall(r'<svg class="chart graph" id="graph-chart"', dom)) == 1
    assert len(re.findall(r'<circle class="node roster"', dom)) == len(COMMUNITIES[DAYS[2]])
    assert len(re.findall(r'<rect class="node discovered"', dom)) == TOP_DISCOVERED
    assert len(re.findall(r'<path class="edge (mutual|follows)"', dom)) == 2
    assert len(re.findall(r'<line class="edge discovery"', dom)) == 3
    assert len(re.findall(r'<circle class="sentiment-pt"', dom)) == len(with_audience) * len(DAYS)
    assert len(re.findall(r'<circle class="followers-pt"', dom)) == TOP_CREATOR_PAGES * len(DAYS)
    assert len(re.findall(r'<section class="creator-page"', dom)) == TOP_CREATOR_PAGES
    assert len(re.findall(r'<tr class="alert-row"', dom)) == len(ALERTS)
    assert len(re.findall(r'<rect class="bar"', dom)) == 15
    assert len(re.findall(r'<circle class="pt"', dom)) == len(QUERIES) * len(DAYS)
    assert len(re.findall(r'<line class="median"', dom)) == len(NICHES)
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--window-size=1280,6000",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 20_000  # a page with charts, not a blank one
