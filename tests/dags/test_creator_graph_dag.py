"""``tiktok_creator_graph``: its wiring, and whole runs (``dag.test``) against the simulator.

Weekly: the roster's following lists are backfilled once in mapped batches (pool ``scavio_api``),
then page 1 is refreshed; the run emits ``tiktok://landing/followings``. A re-run fetches nothing
and emits nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest

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


def use_simulator(monkeypatch, simulator, tmp_path: Path, creators: int) -> list[str]:
    monkeypatch.setenv(
        "AIRFLOW_CONN_SCAVIO_DEFAULT",
        json.dumps(
            {"conn_type": "scavio", "host": simulator.base_url, "password": simulator.api_key}
        ),
    )
    rows = httpx.get(f"{simulator.base_url}/_sim/roster", params={"count": creators}).json()
    roster = tmp_path / "creators.csv"
    roster.write_text(
        "username,niche\n" + "".join(f"{r['username']},{r['niche']}\n" for r in rows["creators"])
    )
    monkeypatch.setenv("TIKTOK_CREATORS_FILE", str(roster))
    return [r["username"] for r in rows["creators"]]


def run(dagbag, dag_id: str, conf: dict | None = None, day: date = D):
    """Run the DAG for ``day``; returns (run state, {task_id[map_index]: state})."""
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session
    from tiktok_airflow import wiring

    factory = {
        "tiktok_creator_posts": wiring.creator_params,
        "tiktok_creator_graph": wiring.graph_params,
    }[dag_id]
    conf = {**{name: param.value for name, param in factory().items()}, **(conf or {})}
    dag_run = dagbag.dags[dag_id].test(
        logical_date=datetime(day.year, day.month, day.day, tzinfo=UTC), run_conf=conf
    )
    with create_session() as session:
        tis = session.query(TaskInstance).filter_by(dag_id=dag_id, run_id=dag_run.run_id).all()
        states = {
            ti.task_id + (f"[{ti.map_index}]" if ti.map_index >= 0 else ""): ti.state for ti in tis
        }
    return dag_run.state, states


def rows(data: Path, day: date = D) -> list[dict]:
    folder = data / "landing" / "followings" / f"snapshot_date={day.isoformat()}"
    return [r for p in sorted(folder.glob("*.parquet")) for r in pq.read_table(p).to_pylist()]


def files(data: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in (data / "landing").rglob("*.parquet")}


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
    before = files(tiktok_env)
    requests = simulator.stats()["requests"]
    state, tis = run(dagbag, "tiktok_creator_graph", {"batch_size": 2})
    assert state == "success" and tis["finalize"] == "skipped", tis
    assert files(tiktok_env) == before and simulator.stats()["requests"] == requests

    # The next week: page 1 of each creator, one request each.
    week = D + timedelta(days=7)
    state, tis = run(dagbag, "tiktok_creator_graph", day=week)
    assert state == "success" and tis["finalize"] == "success", tis
    assert simulator.stats()["requests"] == requests + 5
    refreshed = rows(tiktok_env, week)
    assert {r["page"] for r in refreshed} == {1} and len(refreshed) == 5 * 20
    assert files(tiktok_env).items() >= before.items()  # the earlier files are all still there
