"""The landing zone is the system of record: no run destroys or shrinks what an earlier one landed.

Each test runs real extractions against the simulator over real HTTP into real Parquet. What they
hold (the "tests that must hold" of the durable-history issue):

- a re-run stopped early by a credit cap, a subset run, a run that meets a 402, a roster change and
  a retry after injected faults each leave every video and profile the date had;
- a retry re-fetches only what no earlier load of the date landed; ``fresh`` captures again;
- every attempt's ledger is landed, whatever stopped the load, so the ledger adds up to what the
  simulator billed, to the credit;
- the run, daily and reserve caps hold across loads;
- a past date against an API that does not echo the date is refused after one request;
- an item that fails validation goes to ``rejected`` and the rest of its page lands.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pyarrow.compute as pc
import pytest
from tiktok_engagement.config import Creator, Query
from tiktok_engagement.extract import (
    ExtractionRefused,
    ExtractionStopped,
    extract_creators,
    extract_searches,
    today_utc,
)
from tiktok_engagement.landing import DATASETS, Landing

from tests.conftest import sim_settings

D = date(2026, 11, 1)
QUERIES = [Query("home workout", "keyword"), Query("gym", "hashtag")]


def roster_of(simulator, count: int) -> list[Creator]:
    return [Creator(r["username"], r["niche"]) for r in simulator.roster(count)]


def videos(landing: Landing, day: date) -> set[tuple[str, str]]:
    posts = landing.read("creator_posts", day)
    results = landing.read("search_results", day)
    return {("post", v) for v in posts["video_id"].to_pylist()} | {
        (q, v) for q, v in zip(results["query"].to_pylist(), results["video_id"].to_pylist())
    }


def profiles(landing: Landing, day: date) -> set[str]:
    return set(landing.read("profiles", day)["creator_username"].to_pylist())


def files(root: Path) -> dict[str, int]:
    """Every landed file (not temporaries) with its size."""
    return {
        str(p.relative_to(root)): p.stat().st_size
        for p in root.rglob("*.parquet")
        if not p.name.startswith(".")
    }


def ledger_credits(landing: Landing, day: date) -> int:
    return pc.sum(landing.read("request_ledger", day)["credits_used"]).as_py() or 0


@pytest.fixture
def sim(simulator_factory):
    return simulator_factory()


def test_no_later_run_shrinks_a_landed_date(sim, tmp_path):
    roster = roster_of(sim, 8)
    settings = sim_settings(sim, tmp_path)
    landing = Landing(settings.landing_root)
    extract_creators(settings, D, roster)
    extract_searches(settings, D, QUERIES)
    had_videos, had_profiles = videos(landing, D), profiles(landing, D)
    assert len(had_profiles) == 8 and len(had_videos) > 100
    before = files(tmp_path / "landing")

    def holds(step: str) -> None:
        assert videos(landing, D) >= had_videos, step
        assert profiles(landing, D) >= had_profiles, step
        now = files(tmp_path / "landing")
        # Every earlier file is still there, byte for byte the same size: nothing replaced.
        assert {k: now.get(k) for k in before} == before, step
        before.update(now)

    # A fresh re-run stopped early by a credit cap of 3.
    with pytest.raises(ExtractionStopped, match="SCAVIO_CREDIT_BUDGET"):
        extract_creators(settings.with_overrides(credit_budget=3), D, roster, fresh=True)
    holds("capped re-run")
    # A subset run for one creator, fresh.
    extract_creators(settings, D, roster[:1], fresh=True)
    holds("subset run")
    # A run that meets a 402 after 4 credits.
    sim.configure(credit_balance=4)
    with pytest.raises(ExtractionStopped, match="402"):
        extract_creators(settings, D, roster, fresh=True)
    sim.configure(credit_balance=None)
    holds("402")
    # A roster change that drops creators.
    extract_creators(settings, D, roster[3:], fresh=True)
    holds("roster change")
    # Retries after injected faults.
    sim.configure(error_rate=0.3)
    extract_creators(settings.with_overrides(max_attempts=10), D, roster, fresh=True)
    extract_searches(settings.with_overrides(max_attempts=10), D, QUERIES, fresh=True)
    sim.configure(error_rate=0.0)
    holds("faults")

    # Every billed credit is in the landed ledger, across all those runs.
    assert ledger_credits(landing, D) == sim.stats()["credits_by_date"][D.isoformat()]


def test_a_retry_fetches_only_what_is_missing_and_fresh_captures_again(sim, tmp_path):
    roster = roster_of(sim, 6)
    settings = sim_settings(sim, tmp_path)
    landing = Landing(settings.landing_root)
    sim.configure(credit_balance=5)  # the first load stops part-way
    with pytest.raises(ExtractionStopped) as stopped:
        extract_creators(settings, D, roster)
    first = stopped.value.report
    assert first.done and first.not_fetched
    sim.configure(credit_balance=None)

    second = extract_creators(settings, D, roster)
    assert set(second.already_landed) == set(first.done)
    asked = set(
        landing.read("request_ledger", D)
        .filter(pc.equal(landing.read("request_ledger", D)["load_id"], second.load_id))["item_key"]
        .to_pylist()
    )
    assert asked.isdisjoint({c.username for c in roster if f"creator:{c.username}" in first.done})
    assert profiles(landing, D) == {c.username for c in roster}

    third = extract_creators(settings, D, roster)
    assert third.requests == 0 and len(third.already_landed) == 6

    fresh = extract_creators(settings, D, roster, fresh=True, run_id="fresh-run")
    assert fresh.requests >= 6 and not fresh.already_landed
    # A fresh capture never fetches an item twice within its own run (a retried task, the probe).
    again = extract_creators(settings, D, roster, fresh=True, run_id="fresh-run", run_attempt=2)
    assert again.requests == 0 and len(again.already_landed) == 6


def test_the_run_cap_covers_every_load_of_the_run(sim, tmp_path):
    roster = roster_of(sim, 10)
    settings = sim_settings(sim, tmp_path, credit_budget=12)
    with pytest.raises(ExtractionStopped):
        extract_creators(settings, D, roster, run_id="run-a")
    with pytest.raises(ExtractionStopped, match="SCAVIO_CREDIT_BUDGET"):
        extract_searches(settings, D, QUERIES, run_id="run-a")
    assert sim.stats()["credits_used"] <= 12
    # Another run gets a budget of its own.
    extract_searches(settings, D, QUERIES, run_id="run-b")
    assert sim.stats()["credits_used"] > 12


def test_the_daily_cap_covers_every_run_of_the_date(sim, tmp_path):
    roster = roster_of(sim, 10)
    settings = sim_settings(sim, tmp_path, daily_credit_budget=15)
    with pytest.raises(ExtractionStopped):
        extract_creators(settings, D, roster, run_id="run-a")
    with pytest.raises(ExtractionStopped, match="SCAVIO_DAILY_CREDIT_BUDGET"):
        extract_searches(settings, D, QUERIES, run_id="run-b")
    landing = Landing(settings.landing_root)
    assert sim.stats()["credits_by_date"][D.isoformat()] <= 15
    assert ledger_credits(landing, D) == sim.stats()["credits_by_date"][D.isoformat()]
    # The next date has a cap of its own.
    extract_searches(settings, D + timedelta(days=1), QUERIES, run_id="run-c")


def test_the_reserve_stops_before_the_balance_falls_below_it(sim, tmp_path):
    sim.configure(credit_balance=20)
    settings = sim_settings(sim, tmp_path, credit_reserve=14)
    with pytest.raises(ExtractionStopped, match="SCAVIO_CREDIT_RESERVE"):
        extract_creators(settings, D, roster_of(sim, 10))
    assert sim.stats()["credits_used"] <= 6


def test_a_past_date_is_refused_by_an_api_that_does_not_echo_it(simulator_factory, tmp_path):
    live_like = simulator_factory(echo_date=False)
    settings = sim_settings(live_like, tmp_path)
    with pytest.raises(ExtractionRefused, match="only current counts") as refused:
        extract_creators(settings, D, roster_of(live_like, 5))
    assert live_like.stats()["credits_used"] <= 1
    landing = Landing(settings.landing_root)
    assert all(not landing.files(ds, D) for ds in DATASETS), "something landed for the date"
    # The one billed request is on record, under the day it was made.
    assert ledger_credits(landing, today_utc()) == live_like.stats()["credits_used"]
    assert refused.value.report.outcome == "refused"
    # Today's date needs no echo.
    extract_searches(settings, today_utc(), QUERIES[:1])


def test_a_past_date_is_refused_by_the_cli_too(simulator_factory, tmp_path):
    live_like = simulator_factory(echo_date=False)
    env = {
        **os.environ,
        "SCAVIO_BASE_URL": live_like.base_url,
        "SCAVIO_API_KEY": live_like.api_key,
        "TIKTOK_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tiktok_engagement.cli", "--date", D.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 6, done.stderr
    assert "serves only current counts" in done.stderr
    assert live_like.stats()["credits_used"] <= 1
    assert not list((tmp_path / "landing").glob(f"*/snapshot_date={D.isoformat()}/*.parquet"))


@pytest.mark.parametrize("kind", ["future_time", "huge_count", "negative_count", "wrong_type"])
def test_a_bad_item_is_rejected_and_the_rest_lands(simulator_factory, tmp_path, kind):
    clean = simulator_factory()
    roster = roster_of(clean, 4)
    bad = simulator_factory(bad_items=(f"{kind}:{roster[1].username}",))
    settings = sim_settings(bad, tmp_path)
    report = extract_creators(settings, D, roster)
    landing = Landing(settings.landing_root)
    rejected = landing.read("rejected", D).to_pylist()
    assert len(rejected) == 1, rejected
    (row,) = rejected
    assert row["dataset"] == "creator_posts" and row["endpoint"] == "user/posts"
    assert row["item_key"] == roster[1].username and row["raw_json"] and row["reason"]
    # The request that produced it is in the ledger.
    ledger = landing.read("request_ledger", D).to_pylist()
    assert any(
        r["load_id"] == row["load_id"] and r["request_seq"] == row["request_seq"] for r in ledger
    )
    posts = landing.read("creator_posts", D)
    per_creator = {
        c.username: pc.sum(pc.equal(posts["creator_username"], c.username)).as_py() for c in roster
    }
    assert per_creator[roster[1].username] == 19 and per_creator[roster[0].username] == 20
    assert sum(report.rejected.values()) == 1 and "REJECTED 1" in report.summary()


def test_every_landed_row_carries_its_lineage(sim, tmp_path):
    settings = sim_settings(sim, tmp_path)
    report = extract_creators(settings, D, roster_of(sim, 3), run_id="run-x", run_attempt=2)
    landing = Landing(settings.landing_root)
    ledger = {
        (r["load_id"], r["request_seq"]): r for r in landing.read("request_ledger", D).to_pylist()
    }
    for dataset in ("creator_posts", "profiles"):
        for row in landing.read(dataset, D).to_pylist():
            assert (row["run_id"], row["run_attempt"], row["load_id"]) == (
                "run-x",
                2,
                report.load_id,
            )
            request = ledger[(row["load_id"], row["request_seq"])]
            assert request["status"] == 200
            assert row["captured_at"] >= request["started_at"]
    (load,) = landing.read("loads", D).to_pylist()
    assert load["outcome"] == "complete" and load["credits_used"] == report.credits_used
    assert sorted(load["items_done"]) == sorted(report.done)


def test_a_killed_cli_run_loses_no_landed_file_and_its_ledger_is_recovered(
    simulator_factory, tmp_path
):
    sim = simulator_factory(latency_ms=150)
    roster_file = tmp_path / "creators.csv"
    roster_file.write_text(
        "username,niche\n" + "".join(f"{c.username},{c.niche}\n" for c in roster_of(sim, 40))
    )
    env = {
        **os.environ,
        "SCAVIO_BASE_URL": sim.base_url,
        "SCAVIO_API_KEY": sim.api_key,
        "TIKTOK_DATA_DIR": str(tmp_path),
        "TIKTOK_CREATORS_FILE": str(roster_file),
        "SCAVIO_MAX_IN_FLIGHT": "2",
    }
    command = [sys.executable, "-m", "tiktok_engagement.cli", "--only", "creators"]
    first = subprocess.run([*command, "--date", D.isoformat()], env=env, timeout=300)
    assert first.returncode == 0
    landing = Landing(str(tmp_path / "landing"))
    had = videos(landing, D)
    before = files(tmp_path / "landing")

    # A fresh re-run, killed once its journal shows requests answered (an event, not a timer).
    child = subprocess.Popen([*command, "--date", D.isoformat(), "--fresh"], env=env)
    journal_dir = tmp_path / "state" / "journal"
    try:
        deadline = time.monotonic() + 120
        while not any(p.suffix == ".jsonl" and p.stat().st_size > 0 for p in journal_dir.glob("*")):
            assert child.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no journaled request within 120 s"
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    now = files(tmp_path / "landing")
    assert {k: now.get(k) for k in before} == before
    assert videos(landing, D) >= had

    # The next run lands the killed load's journaled attempts as ledger rows.
    loads_before = len(landing.files("request_ledger", D))
    third = subprocess.run([*command, "--date", D.isoformat()], env=env, timeout=300)
    assert third.returncode == 0
    assert len(landing.files("request_ledger", D)) == loads_before + 1
    assert not list(journal_dir.glob("*.jsonl"))
