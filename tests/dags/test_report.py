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
from tiktok_engagement.report import ReportError, load_report_data, render_html, write_report

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
        posts_analyzed integer)"""
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
                f"insert into {schema}.creator_scorecard values (?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
    for mart in ("creator_scorecard", "niche_benchmarks", "query_trends"):
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


def test_a_source_without_the_marts_fails_clearly(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(
        ReportError, match="creator_scorecard, niche_benchmarks, query_trends not found"
    ):
        load_report_data(path)
    with pytest.raises(ReportError, match="no Parquet export for mart creator_scorecard"):
        load_report_data(tmp_path)


def test_an_empty_warehouse_still_renders(tmp_path):
    path = tmp_path / "tiktok.duckdb"
    con = duckdb.connect(str(path))
    make_marts(con)
    for mart in ("creator_scorecard", "niche_benchmarks", "query_trends"):
        con.execute(f"delete from marts.{mart}")
    con.close()
    page = render_html(load_report_data(path))
    assert "no data yet" in page and "No scored creators" in page


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
    # The DOM as the browser parsed it: three kinds of chart, with their data points.
    assert dom.count("<svg") == 2 + len(QUERIES)
    assert len(re.findall(r'<rect class="bar"', dom)) == 15
    assert len(re.findall(r'<circle class="pt"', dom)) == len(QUERIES) * len(DAYS)
    assert len(re.findall(r'<line class="median"', dom)) == len(NICHES)
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--window-size=1280,2200",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 20_000  # a page with charts, not a blank one
