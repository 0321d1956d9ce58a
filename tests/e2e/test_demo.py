"""The README's demo end to end: simulator, Airflow backfill, printed tables, files on disk.

Runs ``python -m tiktok_engagement.demo --days 2`` (two days instead of seven, to keep the test
within minutes) in a temporary data directory, exactly as ``make demo`` runs it otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

REPO = Path(__file__).resolve().parents[2]
LAST = date(2026, 11, 7)
DAYS = 2
BUNDLED_BRANDS = ["GlowLab", "Lumé Skin", "Velvet Beauty"]  # include/brands.csv


def section(output: str, heading: str) -> list[str]:
    """The lines of the printed table under the ``==> heading`` line (up to the blank line)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"==> {heading}"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].strip())
    return lines[start + 1 : end]


def test_the_demo_backfills_through_airflow_and_prints_the_marts(tmp_path):
    data = tmp_path / "data"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW", "SCAVIO_", "TIKTOK_"))
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tiktok_engagement.demo",
            "--days",
            str(DAYS),
            "--end-date",
            LAST.isoformat(),
            "--data-dir",
            str(data),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1700,
        check=False,
    )
    output = result.stdout
    log = data / "airflow" / "backfill.log"
    assert result.returncode == 0, output[-3000:] + result.stderr[-3000:]

    # progress: one line per date and DAG, in date order, all successful
    dates = [(LAST - timedelta(days=n)).isoformat() for n in reversed(range(DAYS))]
    runs = [
        line.split()[:3]
        for line in output.splitlines()
        if line.lstrip().startswith(tuple(dates)) and "tiktok_" in line
    ]
    expected = [
        [d, dag, "success"]
        for d in dates
        for dag in (
            "tiktok_creator_posts",
            "tiktok_search_trends",
            "tiktok_comments",
            "tiktok_creator_graph",
            "tiktok_warehouse",
        )
    ]
    assert [r for r in runs if r[2] != "running..."] == expected, output[-3000:]

    creators = section(output, "top creators by vetting score")
    assert creators[0].split()[:3] == ["#", "creator", "niche"]
    assert len(creators) == 2 + 10
    bands = {"not_resonating", "below_healthy", "healthy", "strong", "highly_engaged"}
    assert all(bands & set(row.split()) for row in creators[2:]), creators
    scores = [float(row.split()[5]) for row in creators[2:]]
    assert scores == sorted(scores, reverse=True)
    # the audience columns beside them: comments were sampled, scored and modelled
    header = creators[0].split()
    assert header[-5:] == ["overall", "net", "sentiment", "authenticity", "comments"]
    audience = [row.split()[-3:] for row in creators[2:]]
    assert any(cells[0] != "-" for cells in audience), creators
    for net, authenticity, _ in audience:
        assert net == "-" or -1 <= float(net) <= 1
        assert authenticity == "-" or 0 <= float(authenticity) <= 100

    benchmarks = section(output, "niche benchmarks")
    assert benchmarks[0].startswith("niche") and len(benchmarks) > 2
    trending = section(output, "trending on")
    assert trending[0].startswith("query") and len(trending) > 2

    # the bundled brands, one competitive set: their shares of views add up to the whole
    brands = section(output, "share of voice on")
    assert brands[0].split()[:2] == ["brand", "set"]
    assert sorted(row[: row.index(" beauty ")].strip() for row in brands[2:]) == BUNDLED_BRANDS
    shares = [float(row.split()[-6].rstrip("%")) for row in brands[2:]]
    assert sum(shares) == pytest.approx(100, abs=0.05), brands

    # the graph: backfilled on the first date only (the policy: nobody due again within a week)
    discovery = section(output, "top 5 discovery candidates")
    assert f"followings of {dates[0]}" in output
    assert discovery[0].split()[:2] == ["#", "account"] and len(discovery) == 2 + 5
    assert [row.split()[0] for row in discovery[2:]] == ["1", "2", "3", "4", "5"]
    followings = data / "landing" / "followings"
    assert sorted(p.name for p in followings.iterdir() if not p.name.startswith(".")) == [
        f"snapshot_date={dates[0]}"
    ]

    # the printed tables are the published marts of the last date
    serving = data / "warehouse" / "tiktok.duckdb"
    con = duckdb.connect(str(serving), read_only=True)
    try:
        candidates = con.execute(
            "select account_username from marts.creator_discovery where snapshot_date = ? "
            "order by discovery_rank limit 5",
            [date.fromisoformat(dates[0])],
        ).fetchall()
        share_rows = con.execute(
            "select brand, share_of_voice_views from marts.brand_share_of_voice "
            "where snapshot_date = ? order by share_of_voice_views desc, brand",
            [LAST],
        ).fetchall()
        graphed = con.execute(
            "select count(*) from marts.creator_communities where snapshot_date = ?",
            [date.fromisoformat(dates[0])],
        ).fetchone()[0]
        top = con.execute(
            "select creator_username from marts.creator_scorecard where snapshot_date = ? "
            "and vetting_score is not null order by vetting_score desc, creator_username limit 1",
            [LAST],
        ).fetchone()[0]
        built = con.execute("select distinct snapshot_date from marts.query_trends").fetchall()
        audience_rows = con.execute(
            "select count(*) from marts.creator_audience where snapshot_date = ?", [LAST]
        ).fetchone()[0]
    finally:
        con.close()
    assert creators[2].split()[1] == top
    assert [row.split()[1] for row in discovery[2:]] == [c for (c,) in candidates]
    assert [f"{share * 100:.2f}" for _, share in share_rows] == [f"{s:.2f}" for s in shares]
    assert {d.isoformat() for (d,) in built} == set(dates)
    assert audience_rows > 0

    # the files the demo points at
    exports = data / "exports" / "marts"
    assert (exports / "creator_scorecard" / f"{LAST}.parquet").is_file()
    assert (exports / "dim_creators.parquet").is_file()
    report = data / "report" / "index.html"
    page = report.read_text()
    assert report.is_file() and "<svg" in page
    assert 'class="creator-page"' in page and 'id="watch"' in page
    assert page.count('class="brand-set"') == 1 and page.count('class="sov-pt"') == 3 * DAYS
    assert 'id="graph-chart"' in page and page.count('class="node roster"') == graphed > 0
    assert (data / "airflow" / "airflow.db").is_file() and log.is_file()
    for path in (serving, f"{exports}/", report, log):
        assert str(path) in output
    assert "make airflow-ui" in output
