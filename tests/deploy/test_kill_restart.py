"""Must hold: killing the worker or the scheduler mid-run, then starting it again, loses nothing.

On the native Celery topology (tests/deploy/harness.py), ``tiktok_creator_posts`` runs its mapped
extract batches against a slow simulator. Phase 1 SIGKILLs the general Celery worker (its whole
process group: pool children, task supervisors, task processes, as when a host dies) while batches
are fetching and starts a new one; phase 2, for another date, SIGKILLs the scheduler and starts a
new one. Both runs must succeed; the landing must hold every creator's profile and posts for each
date, no file an attempt landed may be lost, every credit the simulator billed must be in the
landed ledger (but for requests in flight at the kill), and a warehouse built from it must be
consistent (fct_video_snapshots unique on its key, its rows for a date exactly the landed videos).

The kill is timed by an event, not a clock: a batch of the run has a request journal in
``<TIKTOK_DATA_DIR>/state/journal/`` with at least one answered request in it, i.e. a load is
mid-way through its requests (the journal goes when the load has landed its ledger).

How Airflow recovers, and the settings that make it quick enough for a test (production keeps
Airflow's defaults, see docs/deployment.md):

- a killed worker's running tasks stop heartbeating: after
  ``[scheduler] task_instance_heartbeat_timeout`` (here 20 s, default 300 s) the scheduler fails
  them into a retry (``TIKTOK_RETRY_DELAY_SECONDS``, here 3 s; default 2 min), which the restarted
  worker runs. Messages the dead worker had reserved but not started stay queued in Airflow and are
  sent again after ``[scheduler] task_queued_timeout`` (here 30 s, default 600 s).
- a killed scheduler's running tasks go on (they heartbeat to the API server); the new scheduler
  adopts the dead one's tasks once its heartbeat is older than
  ``[scheduler] scheduler_health_check_threshold`` (here 10 s), checked every
  ``orphaned_tasks_check_interval`` (here 10 s).
- the landing is append-only: the retry of a killed batch lands files of its own (try 2) and
  fetches only the creators no earlier load of the date finished; the killed attempt's journal is
  landed as its ledger by the next load on the host (``credits.recover_journals``). A batch killed
  after its data files but before its ``loads`` row is fetched again, so the raw layer may hold a
  creator twice; the warehouse keeps one capture per grain.

Needs PostgreSQL and Redis on loopback (skipped without them).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from tiktok_engagement.landing import Landing
from tiktok_engagement.warehouse import build

from .conftest import write_roster

pytestmark = pytest.mark.slow
POOL_SLOTS = 4
DAYS = (date(2026, 11, 5), date(2026, 11, 6))
FAST_RECOVERY = {
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "3",
    "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "30",
    "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL": "5",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_THRESHOLD": "10",
    "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": "10",
    "TIKTOK_RETRY_DELAY_SECONDS": "3",
}


def _batch_mid_fetch(journal_dir: Path, run_id: str) -> list[str]:
    """Load ids of the run's extract batches that have answered requests and not yet landed."""
    busy = []
    for meta_path in journal_dir.glob("*.json"):
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            continue  # being written, or removed as its load finished
        lines = meta_path.with_suffix(".jsonl")
        if (
            meta.get("run_id") == run_id
            and meta.get("part", "").startswith("creators-part-")
            and lines.exists()
            and lines.stat().st_size > 0
        ):
            busy.append(meta["load_id"])
    return busy


def _kill_mid_run_and_restart(cluster, component: str, day: date, journal_dir: Path) -> str:
    logical = datetime(day.year, day.month, day.day, tzinfo=UTC)
    run_id = cluster.trigger("tiktok_creator_posts", logical, {"batch_size": 2})
    # With 1.2 s per answer, a batch with an answered request has seconds of requests ahead.
    cluster.wait(
        f"an extract batch of {day} mid-way through its requests",
        lambda: _batch_mid_fetch(journal_dir, run_id),
        180,
        0.05,
    )
    cluster.kill(component)
    # The new component must not start before the old one's processes are gone.
    time.sleep(3)
    cluster.start(component)
    cluster.wait_for_run("tiktok_creator_posts", run_id, timeout=240)
    return run_id


def test_killing_worker_or_scheduler_mid_run_loses_nothing(cluster, simulator_factory, tmp_path):
    simulator = simulator_factory(latency_ms=1200)
    roster = write_roster(simulator, tmp_path / "creators.csv", 8)
    cluster.env.update(TIKTOK_CREATORS_FILE=str(roster), **FAST_RECOVERY)
    cluster.init(simulator.base_url, simulator.api_key, POOL_SLOTS)
    for name in ("api-server", "dag-processor", "scheduler", "worker"):
        cluster.start(name)
    cluster.wait_until_serving()
    cluster.unpause("tiktok_creator_posts")

    data = tmp_path / "data"
    journal_dir = data / "state" / "journal"
    landing_root = data / "landing"
    worker_run = _kill_mid_run_and_restart(cluster, "worker", DAYS[0], journal_dir)
    # Every file landed by then, including the killed attempt's, must survive what follows.
    landed_before = {p: p.stat().st_size for p in landing_root.rglob("*.parquet")}
    scheduler_run = _kill_mid_run_and_restart(cluster, "scheduler", DAYS[1], journal_dir)
    assert {p: p.stat().st_size for p in landed_before if p.exists()} == landed_before

    # The worker kill really cost the running batches an attempt; every batch finally succeeded.
    batches = cluster.query(
        "select run_id, map_index, state, try_number from task_instance "
        "where dag_id = 'tiktok_creator_posts' and task_id = 'extract_batch' "
        "and run_id in (%s, %s)",
        worker_run,
        scheduler_run,
    )
    assert len(batches) == 8 and all(state == "success" for _, _, state, _ in batches), batches
    assert any(r == worker_run and tries > 1 for r, _, _, tries in batches), batches
    # No journal is left behind: the killed loads' journals were landed as ledger rows.
    assert not list(journal_dir.glob("*.jsonl")), list(journal_dir.iterdir())

    landing = Landing(str(landing_root))
    billed = simulator.stats()["credits_by_date"]
    con = duckdb.connect()
    for day in DAYS:
        posts = f"{landing_root}/creator_posts/snapshot_date={day}/*.parquet"
        rows, creators = con.execute(
            "select count(*), count(distinct creator_username) from read_parquet(?)", [posts]
        ).fetchone()
        assert rows > 0 and creators == 8, (day, rows, creators)
        # Within one load a (creator, video) is landed once; across loads the models pick.
        duplicates = con.execute(
            "select count(*) from (select load_id, creator_username, video_id from "
            "read_parquet(?) group by all having count(*) > 1)",
            [posts],
        ).fetchone()[0]
        assert duplicates == 0, day
        if day == DAYS[0]:
            # The profiles are fetched on the first date only: the next reuses them (refreshed
            # every TIKTOK_PROFILE_REFRESH_DAYS).
            profiles = f"{landing_root}/profiles/snapshot_date={day}/*.parquet"
            (profile_creators,) = con.execute(
                "select count(distinct creator_username) from read_parquet(?)", [profiles]
            ).fetchone()
            assert profile_creators == 8, (day, profile_creators)
        # Every billed credit is on record, but for requests in flight at the kill: the pool's
        # slots bound those.
        ledger = sum(
            c or 0 for c in landing.read("request_ledger", day)["credits_used"].to_pylist()
        )
        assert billed[day.isoformat()] - POOL_SLOTS <= ledger <= billed[day.isoformat()], (
            day,
            ledger,
            billed,
        )

    # The warehouse built from that landing (the library's build: dbt build with every data test).
    warehouse, exports = tmp_path / "data" / "warehouse", tmp_path / "data" / "exports"
    build(str(landing_root), warehouse, exports, DAYS[0], through=DAYS[1], quiet=True)
    serving = duckdb.connect(str(warehouse / "tiktok.duckdb"), read_only=True)
    try:
        total, keys = serving.execute(
            "select count(*), count(distinct (video_id, snapshot_date)) from marts.fct_video_snapshots"
        ).fetchone()
        assert total == keys > 0
        for day in DAYS:
            posts = f"{landing_root}/creator_posts/snapshot_date={day}/*.parquet"
            landed = con.execute(
                "select count(distinct video_id) from read_parquet(?)", [posts]
            ).fetchone()[0]
            built = serving.execute(
                "select count(*) from marts.fct_video_snapshots where snapshot_date = ?", [day]
            ).fetchone()[0]
            assert built == landed, (day, built, landed)
    finally:
        serving.close()
        con.close()
