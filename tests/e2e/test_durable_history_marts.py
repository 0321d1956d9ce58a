"""Must hold: any sequence of runs gives the marts of one clean run per date, and every credit.

A seeded random sequence of at least 30 extraction runs over five dates (re-runs stopped by a
credit cap, subset runs, runs that meet a 402, roster changes, runs with injected faults, plain
re-runs), each date finished by a plain run that fetches only what is still missing, is landed
into one data directory from one simulator. One clean run per date is landed into another from a
second simulator of the same world. Both are built into a warehouse, and:

- every marts table is equal row for row, except those that describe the runs themselves
  (``api_usage``, ``api_runs``, ``build_info``, and the landed row and file counts of
  ``source_freshness``);
- ``marts.api_usage`` equals, per date and to the credit, what the simulator itself billed.
"""

from __future__ import annotations

import contextlib
import random
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from tiktok_engagement.config import Creator, Query, Settings
from tiktok_engagement.extract import (
    ExtractionError,
    extract_creators,
    extract_searches,
)
from tiktok_engagement.warehouse import WarehousePaths, build

from tests.conftest import sim_settings
from tests.e2e.marts_snapshot import MAY_BE_EMPTY, marts_rows

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

DAYS = [date(2026, 11, 1) + timedelta(days=n) for n in range(5)]
QUERIES = [
    Query("home workout", "keyword"),
    Query("skincare routine", "keyword"),
    Query("gym", "hashtag"),
]
STEPS = ("capped", "subset", "out_of_credits", "roster_change", "faults", "plain")
NOT_COMPARED = {"api_usage", "api_runs", "build_info"}


def run_step(step: str, rng: random.Random, sim, settings: Settings, day, roster) -> None:
    """One run of the sequence; a run that stops or fails part-way is part of the point."""
    fresh = rng.random() < 0.5
    config, creators, queries = settings, roster, QUERIES
    if step == "capped":
        config = settings.with_overrides(credit_budget=rng.randint(1, 8))
    elif step == "subset":
        creators = rng.sample(roster, rng.randint(1, 3))
        queries = rng.sample(QUERIES, 1)
    elif step == "out_of_credits":
        sim.configure(credit_balance=rng.randint(1, 6))
    elif step == "roster_change":
        creators = [c for c in roster if c != rng.choice(roster)]
    elif step == "faults":
        sim.configure(error_rate=0.3)
        config = settings.with_overrides(max_attempts=2)
    run_id = f"step-{rng.getrandbits(32):08x}"
    try:
        for extract, items in ((extract_creators, creators), (extract_searches, queries)):
            # Stopped or incomplete: what it fetched is landed, the rest comes later.
            with contextlib.suppress(ExtractionError):
                extract(config, day, items, run_id=run_id, fresh=fresh)
    finally:
        sim.configure(credit_balance=None, error_rate=0.0)


def warehouse(settings: Settings) -> Path:
    build(
        settings.landing_root,
        settings.warehouse_dir,
        settings.exports_dir,
        DAYS[0],
        through=DAYS[-1],
        quiet=True,
    )
    return WarehousePaths(settings.warehouse_dir).serving_db


def marts(serving_db: Path) -> dict[str, list[tuple]]:
    # How many rows and files were landed is a fact about the runs, not about the data.
    return marts_rows(
        serving_db,
        {
            "source_freshness": "select * exclude (rows_loaded, files_loaded) "
            "from marts.source_freshness order by all"
        },
    )


def test_any_sequence_of_runs_gives_the_clean_marts_and_counts_every_credit(
    simulator_factory, tmp_path
):
    dirty_sim, clean_sim = simulator_factory(), simulator_factory()
    roster = [Creator(r["username"], r["niche"]) for r in clean_sim.roster(8)]
    dirty = sim_settings(dirty_sim, tmp_path / "dirty")
    clean = sim_settings(clean_sim, tmp_path / "clean")
    rng = random.Random(20261201)

    steps = 0
    for day in DAYS:
        for _ in range(rng.randint(6, 8)):
            run_step(rng.choice(STEPS), rng, dirty_sim, dirty, day, roster)
            steps += 1
        # Whatever the sequence left missing, a plain run of the date fetches it.
        extract_creators(dirty, day, roster, run_id=f"complete-{day}")
        extract_searches(dirty, day, QUERIES, run_id=f"complete-{day}")
        extract_creators(clean, day, roster)
        extract_searches(clean, day, QUERIES)
    assert steps >= 30

    dirty_marts, clean_marts = marts(warehouse(dirty)), marts(warehouse(clean))
    assert sorted(dirty_marts) == sorted(clean_marts)
    compared = sorted(set(clean_marts) - NOT_COMPARED)
    assert {"creator_scorecard", "fct_video_snapshots", "trending_videos"} <= set(compared)
    empty = [t for t in compared if not clean_marts[t] and t not in MAY_BE_EMPTY]
    assert not empty, f"a mart is empty, nothing was compared: {empty}"
    differing = [t for t in compared if dirty_marts[t] != clean_marts[t]]
    assert differing == [], f"marts differing from one clean run per date: {differing}"

    con = duckdb.connect(str(WarehousePaths(dirty.warehouse_dir).serving_db), read_only=True)
    try:
        usage = dict(
            con.execute(
                "select cast(snapshot_date as varchar), sum(credits_used) from marts.api_usage "
                "group by 1"
            ).fetchall()
        )
        runs = con.execute("select count(*), count(distinct run_id) from marts.api_runs").fetchone()
    finally:
        con.close()
    billed = dirty_sim.stats()["credits_by_date"]
    assert usage == {day: credits for day, credits in billed.items()}, (usage, billed)
    assert runs[0] == runs[1] and runs[0] > len(DAYS)
