"""The tiktok-extract command, run as an operator would: a subprocess against the simulator."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from scavio_simulator import SimulatorConfig, SimulatorProcess
from tiktok_engagement.landing import Landing


def run_cli(simulator, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "SCAVIO_BASE_URL": simulator.base_url,
        "SCAVIO_API_KEY": simulator.api_key,
        "TIKTOK_DATA_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "tiktok_engagement.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_dry_run_prints_the_cost_and_spends_nothing(simulator, tmp_path):
    before = simulator.stats()["requests"]
    result = run_cli(simulator, tmp_path, "--date", "2026-11-01", "--dry-run")
    assert result.returncode == 0, result.stderr
    # Default roster: 60 creators, profile + posts on the first day = 120; 10 keywords x 2 pages
    # + 6 hashtags x (lookup + 2 pages) = 38; the 3 default brands (include/brands.csv) add an
    # account (2) and a keyword (2) and a hashtag (3) each = 21.
    assert "at most 179 credits ($0.895)" in result.stdout
    assert "60 creators (60 profile requests), 16 queries and 3 brands" in result.stdout
    assert "nothing was spent" in result.stdout
    assert simulator.stats()["requests"] == before
    assert not list(tmp_path.rglob("*.parquet"))


def test_run_for_one_creator_lands_its_posts(simulator, tmp_path):
    result = run_cli(
        simulator,
        tmp_path,
        "--date",
        "2026-11-01",
        "--only",
        "creators",
        "--creator",
        "ethanmuller",
    )
    assert result.returncode == 0, result.stderr
    assert "requests 2 (retries 0), credits 2" in result.stdout
    files = list((tmp_path / "landing" / "creator_posts").rglob("*.parquet"))
    assert len(files) == 1
    assert set(pq.read_table(files[0]).column("creator_username").to_pylist()) == {"ethanmuller"}
    # After landing, the dry run knows the profile is fresh and the sec_uid is known.
    again = run_cli(
        simulator,
        tmp_path,
        "--date",
        "2026-11-02",
        "--only",
        "creators",
        "--creator",
        "ethanmuller",
        "--dry-run",
    )
    assert "at most 1 credits" in again.stdout


def test_bad_roster_exits_2_naming_the_row(simulator, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "username,niche\nok_handle,fitness\nrobert'); DROP TABLE creators;--,fitness\n"
    )
    result = run_cli(simulator, tmp_path, "--dry-run", TIKTOK_CREATORS_FILE=str(roster))
    assert result.returncode == 2
    assert f"{roster} line 3: username" in result.stderr
    assert "is not a TikTok handle" in result.stderr


def test_wrong_key_exits_3_with_one_clear_message(simulator, tmp_path):
    result = run_cli(
        simulator, tmp_path, "--date", "2026-11-01", SCAVIO_API_KEY="sk_not_the_key_987"
    )
    assert result.returncode == 3
    assert "Scavio rejected the API key (HTTP 401)" in result.stderr
    assert "sk_not_the_key_987" not in result.stderr + result.stdout
    # No data lands; the refused attempts are on record in the ledger and the load's row.
    landed = {p.relative_to(tmp_path / "landing").parts[0] for p in tmp_path.rglob("*.parquet")}
    assert landed == {"request_ledger", "loads"}
    for path in tmp_path.rglob("*.parquet"):
        assert b"sk_not_the_key_987" not in path.read_bytes()


def landed_files(tmp_path: Path, dataset: str) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in (tmp_path / "landing" / dataset).rglob("*.parquet")}


def test_a_rerun_spends_nothing_and_fresh_captures_again_beside_it(simulator, tmp_path):
    one_creator = ("--date", "2026-11-01", "--only", "creators", "--creator", "ethanmuller")
    assert run_cli(simulator, tmp_path, *one_creator).returncode == 0
    first_posts = landed_files(tmp_path, "creator_posts")
    first_ledger = landed_files(tmp_path, "request_ledger")
    assert len(first_posts) == len(first_ledger) == 1

    before = simulator.stats()["requests"]
    again = run_cli(simulator, tmp_path, *one_creator)
    assert again.returncode == 0, again.stderr
    assert "requests 0 (retries 0), credits 0 ($0.000)" in again.stdout
    assert "skipped 1 item(s) an earlier load of the date already landed" in again.stdout
    assert simulator.stats()["requests"] == before
    assert landed_files(tmp_path, "creator_posts") == first_posts
    assert landed_files(tmp_path, "request_ledger") == first_ledger

    fresh = run_cli(simulator, tmp_path, *one_creator, "--fresh")
    assert fresh.returncode == 0, fresh.stderr
    assert "requests 2 (retries 0), credits 2" in fresh.stdout
    assert "skipped" not in fresh.stdout
    assert simulator.stats()["requests"] == before + 2
    posts = landed_files(tmp_path, "creator_posts")
    # The fresh capture is a file of its own; the first one is untouched.
    assert len(posts) == 2 and {p: posts[p] for p in first_posts} == first_posts
    assert len(landed_files(tmp_path, "request_ledger")) == 2
    rows = Landing(str(tmp_path / "landing")).read("creator_posts").to_pylist()
    assert {r["creator_username"] for r in rows} == {"ethanmuller"}
    assert len({r["run_id"] for r in rows}) == 2


def test_the_dry_run_shows_skipped_items_and_a_daily_and_monthly_estimate(simulator, tmp_path):
    landed = run_cli(
        simulator,
        tmp_path,
        *("--date", "2026-11-01", "--only", "creators", "--creator", "ethanmuller"),
    )
    assert landed.returncode == 0, landed.stderr
    before = simulator.stats()["requests"]
    dry = run_cli(simulator, tmp_path, "--date", "2026-11-01", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    # The landed creator is skipped: 59 x (profile + posts) + 38 for the queries + 21 for the
    # default brands.
    assert lines[0].startswith("dry run for 2026-11-01: at most 177 credits ($0.885)")
    assert "59 creators (59 profile requests), 16 queries and 3 brands" in lines[0]
    assert "  1 item(s) already landed for 2026-11-01 are skipped (--fresh: again)" in lines
    # A steady day: 60 posts requests, 60/7 profile refreshes, 38 query credits = 106.6.
    assert (
        "  a steady day for this roster and query list: about 107 credits ($0.53); "
        "30 days: about 3197 credits ($15.99)"
    ) in lines
    assert "  caps: none set" in lines
    assert any("is not today" in line and "would be refused" in line for line in lines)

    fresh = run_cli(
        simulator,
        tmp_path,
        "--date",
        "2026-11-01",
        "--dry-run",
        "--fresh",
        SCAVIO_CREDIT_BUDGET="100",
        SCAVIO_DAILY_CREDIT_BUDGET="500",
    )
    assert "at most 179 credits" in fresh.stdout and "skipped" not in fresh.stdout
    assert "  caps: SCAVIO_CREDIT_BUDGET=100, SCAVIO_DAILY_CREDIT_BUDGET=500" in fresh.stdout
    assert simulator.stats()["requests"] == before


@pytest.fixture(scope="module")
def untouched_simulator() -> Iterator[SimulatorProcess]:
    """A simulator only the bad-setting runs talk to: any request at all shows in its stats."""
    with SimulatorProcess(SimulatorConfig()) as process:
        yield process


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (("--max-in-flight", "0"), {}, "--max-in-flight 0 must be at least 1"),
        (("--budget", "-1"), {}, "--budget -1 must be at least 0"),
        ((), {"SCAVIO_MAX_IN_FLIGHT": "0"}, "SCAVIO_MAX_IN_FLIGHT='0'"),
        ((), {"SCAVIO_PRICE_PER_CREDIT": "0"}, "SCAVIO_PRICE_PER_CREDIT='0'"),
        (
            (),
            {"TIKTOK_POSTS_PER_CREATOR": "31"},
            "TIKTOK_POSTS_PER_CREATOR='31' must be at most 30",
        ),
        (("--creator", "nobody.here"), {}, "--creator: 'nobody.here' not on the roster"),
        (("--query", "#no_such_tag"), {}, "--query: '#no_such_tag' is not in the query file"),
    ],
    ids=[
        "max-in-flight",
        "budget",
        "env-in-flight",
        "env-price",
        "env-posts",
        "unknown-creator",
        "unknown-query",
    ],
)
def test_a_bad_setting_exits_2_naming_it_before_any_request(
    untouched_simulator, tmp_path, args, env, named
):
    result = run_cli(untouched_simulator, tmp_path, "--date", "2026-11-01", *args, **env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("configuration error: ")
    assert named in result.stderr
    assert untouched_simulator.stats()["requests"] == 0
    assert not list(tmp_path.rglob("*"))
