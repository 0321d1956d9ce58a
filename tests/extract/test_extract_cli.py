"""The tiktok-extract command, run as an operator would: a subprocess against the simulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq


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
    # + 6 hashtags x (lookup + 2 pages) = 38.
    assert "at most 158 credits ($0.790)" in result.stdout
    assert "60 creators (60 profile refreshes), 16 queries; nothing was spent" in result.stdout
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
    assert not list(tmp_path.rglob("*.parquet"))
