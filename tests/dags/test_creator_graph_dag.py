"""``tiktok_creator_graph``: its wiring, and whole runs (``dag.test``) against the simulator.

Weekly: the roster's following lists are backfilled once in mapped batches (pool ``scavio_api``),
then page 1 is refreshed; the run emits ``tiktok://landing/followings``. A re-run fetches nothing
and emits nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.dags.simulated_runs import landed_files, landed_rows, run_for_day, use_simulator

D = date(2026, 11, 8)


def test_schedule_pools_params_and_asset(dagbag):
    dag = dagbag.dags["tiktok_creator_graph"]
    assert dag.timetable.expression in ("@weekly", "0 0 * * 0")
    assert {t.task_id for t in dag.tasks} == {"plan", "extract_batch", "finalize"}
    assert dag.get_task("plan").pool == "scavio_api" and dag.get_task("plan").pool_slots == 1
    extract = dag.get_task("extract_batch")
    assert extract.pool == "scavio_api" and extract.pool_slots >= 1
    (outlet,) = dag.get_task("finalize").outlets
    assert (outlet.uri, outlet.name) == ("tiktok://landing/followings", "tiktok_landing_followings")
    assert dag.get_task("finalize").upstream_task_ids == {"plan", "extract_batch"}
    assert set(dag.params) >= {"snapshot_date", "fresh_capture", "creators", "batch_size"}


def run(dagbag, dag_id: str, conf: dict | None = None, day: date = D):
    return run_for_day(dagbag, dag_id, conf, day=day)


def rows(data: Path, day: date = D) -> list[dict]:
    return landed_rows(data, "followings", day)


@pytest.mark.slow
def test_a_week_backfills_in_batches_and_the_next_refreshes_page_1(
    dagbag, airflow_db, simulator, tiktok_env, tmp_path, monkeypatch
):
    roster = use_simulator(monkeypatch, simulator, tmp_path, creators=5)
    assert run(dagbag, "tiktok_creator_posts")[0] == "success"  # the profiles: sec_uids

    state, tis = run(dagbag, "tiktok_creator_graph", {"batch_size": 2})
    assert state == "success", tis
    batches = sorted(k for k in tis if k.startswith("extract_batch["))
    assert len(batches) == 3 and all(tis[k] == "success" for k in batches), tis
    assert tis["finalize"] == "success"
    landed = rows(tiktok_env)
    assert {r["creator_username"] for r in landed} == set(roster)
    assert max(r["page"] for r in landed) > 1  # backfills go past page 1
    parts = {
        Path(p).name.split("__", 1)[0]
        for p in (tiktok_env / "landing" / "followings").rglob("*.parquet")
    }
    # The probe (a past date) fetched the first creator alone; the batches skipped it.
    assert "followings-probe" in parts
    assert parts - {"followings-probe"} <= {f"followings-part-{n:04d}" for n in range(3)}

    # A re-run of the date: nothing fetched or landed, and no asset event (finalize skips).
    before = landed_files(tiktok_env)
    requests = simulator.stats()["requests"]
    state, tis = run(dagbag, "tiktok_creator_graph", {"batch_size": 2})
    assert state == "success" and tis["finalize"] == "skipped", tis
    assert landed_files(tiktok_env) == before and simulator.stats()["requests"] == requests

    # The next week: page 1 of each creator, one request each.
    week = D + timedelta(days=7)
    state, tis = run(dagbag, "tiktok_creator_graph", day=week)
    assert state == "success" and tis["finalize"] == "success", tis
    assert simulator.stats()["requests"] == requests + 5
    refreshed = rows(tiktok_env, week)
    assert {r["page"] for r in refreshed} == {1} and len(refreshed) == 5 * 20
    assert (
        landed_files(tiktok_env).items() >= before.items()
    )  # the earlier files are all still there
