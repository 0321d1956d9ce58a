"""The HTML report: data from a serving DuckDB or Parquet exports, inline SVG charts, no network.

The browser test opens the page in headless Chromium (Debian's ``chromium``), checks the rendered
DOM has the charts with their data points, and takes a screenshot.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from tiktok_engagement.report import (
    MARTS,
    OUTLIERS_PER_CREATOR,
    TOP_CREATOR_PAGES,
    ReportError,
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


def test_a_source_without_the_marts_fails_clearly(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(
        ReportError,
        match="creator_scorecard, niche_benchmarks, query_trends, creator_audience, "
        "creator_content_signals, video_comment_summary, fct_video_snapshots not found",
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
    assert dom.count("<svg") == 2 + len(QUERIES) + TOP_CREATOR_PAGES + len(with_audience)
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
