"""Must hold: killing the worker or the scheduler mid-run, then starting it again, loses nothing.

On the native Celery topology (tests/deploy/harness.py), ``tiktok_creator_posts`` runs its mapped
extract batches against a slow simulator. Phase 1 SIGKILLs the general Celery worker (its whole
process group: pool children, task supervisors, task processes, as when a host dies) while batches
are running and starts a new one; phase 2, for another date, SIGKILLs the scheduler and starts a
new one. Both runs must succeed, the landing must hold each (creator, video) of a date once, and a
warehouse built from it must be consistent (fct_video_snapshots unique on its key, its rows for a
date exactly the landed videos).

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
- no duplicates by construction: a batch writes deterministic part names atomically, so a retry
  replaces the killed attempt's file instead of adding one.

Needs PostgreSQL and Redis on loopback (skipped without them).
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import duckdb
import pytest
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


def _running_batches(cluster, run_id: str) -> int:
    return cluster.query(
        "select count(*) from task_instance where dag_id = 'tiktok_creator_posts' "
        "and run_id = %s and task_id = 'extract_batch' and state = 'running' "
        "and start_date < now() - interval '2 seconds'",
        run_id,
    )[0][0]


def _kill_mid_run_and_restart(cluster, component: str, day: date) -> str:
    logical = datetime(day.year, day.month, day.day, tzinfo=UTC)
    run_id = cluster.trigger("tiktok_creator_posts", logical, {"batch_size": 2})
    cluster.wait(
        f"a running extract batch of {day}", lambda: _running_batches(cluster, run_id), 120, 0.5
    )
    cluster.kill(component)
    time.sleep(3)
    cluster.start(component)
    cluster.wait_for_run("tiktok_creator_posts", run_id, timeout=240)
    return run_id


def test_killing_worker_or_scheduler_mid_run_loses_and_duplicates_nothing(
    cluster, simulator_factory, tmp_path
):
    simulator = simulator_factory(latency_ms=1200)
    roster = write_roster(simulator, tmp_path / "creators.csv", 8)
    cluster.env.update(TIKTOK_CREATORS_FILE=str(roster), **FAST_RECOVERY)
    cluster.init(simulator.base_url, simulator.api_key, POOL_SLOTS)
    for name in ("api-server", "dag-processor", "scheduler", "worker"):
        cluster.start(name)
    cluster.wait_until_serving()
    cluster.unpause("tiktok_creator_posts")

    worker_run = _kill_mid_run_and_restart(cluster, "worker", DAYS[0])
    scheduler_run = _kill_mid_run_and_restart(cluster, "scheduler", DAYS[1])

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

    landing = tmp_path / "data" / "landing"
    con = duckdb.connect()
    for day in DAYS:
        posts = f"{landing}/creator_posts/snapshot_date={day}/*.parquet"
        rows, distinct, creators = con.execute(
            "select count(*), count(distinct (creator_username, video_id)), "
            f"count(distinct creator_username) from read_parquet('{posts}')"
        ).fetchone()
        assert rows == distinct > 0, (day, rows, distinct)
        assert creators == 8, (day, creators)
        profiles = f"{landing}/profiles/snapshot_date={day}/*.parquet"
        profile_rows, profile_creators = con.execute(
            f"select count(*), count(distinct creator_username) from read_parquet('{profiles}')"
        ).fetchone()
        assert profile_rows == profile_creators, (day, profile_rows, profile_creators)

    # The warehouse built from that landing (the library's build: dbt build with every data test).
    warehouse, exports = tmp_path / "data" / "warehouse", tmp_path / "data" / "exports"
    build(str(landing), warehouse, exports, DAYS[0], through=DAYS[1], quiet=True)
    serving = duckdb.connect(str(warehouse / "tiktok.duckdb"), read_only=True)
    try:
        total, keys = serving.execute(
            "select count(*), count(distinct (video_id, snapshot_date)) from marts.fct_video_snapshots"
        ).fetchone()
        assert total == keys > 0
        for day in DAYS:
            posts = f"{landing}/creator_posts/snapshot_date={day}/*.parquet"
            landed = con.execute(
                f"select count(distinct video_id) from read_parquet('{posts}')"
            ).fetchone()[0]
            built = serving.execute(
                "select count(*) from marts.fct_video_snapshots where snapshot_date = ?", [day]
            ).fetchone()[0]
            assert built == landed, (day, built, landed)
    finally:
        serving.close()
        con.close()
