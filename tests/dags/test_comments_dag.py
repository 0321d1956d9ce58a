"""``tiktok_comments``: its wiring, and whole runs (``dag.test``) against the simulator.

The DAG runs after both extract DAGs landed a date; it samples the due videos' comments in mapped
batches, scores them as a step of its own and emits ``tiktok://landing/comments``, on which
``tiktok_warehouse`` builds the date again (a paused comments DAG holds the warehouse back in no
way: the warehouse still runs on the two extract assets alone).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest

D = date(2026, 11, 10)


def test_schedule_pools_params_and_asset(dagbag):
    dag = dagbag.dags["tiktok_comments"]
    condition = dag.timetable.asset_condition
    assert condition.agg_func is all  # after both extract DAGs, so its asset always comes last
    assert {a.uri for a in condition.objects} == {
        "tiktok://landing/creator_posts",
        "tiktok://landing/search_results",
    }
    assert {t.task_id for t in dag.tasks} == {"plan", "extract_batch", "score", "finalize"}
    assert dag.get_task("plan").pool == "scavio_api" and dag.get_task("plan").pool_slots == 1
    extract = dag.get_task("extract_batch")
    assert extract.pool == "scavio_api" and extract.pool_slots >= 1
    assert [a.uri for a in dag.get_task("finalize").outlets] == ["tiktok://landing/comments"]
    assert dag.get_task("finalize").outlets[0].name == "tiktok_landing_comments"
    assert set(dag.params) >= {"snapshot_date", "fresh_capture", "batch_size"}
    assert dag.get_task("score").upstream_task_ids == {"extract_batch"}
    assert dag.get_task("finalize").upstream_task_ids == {"plan", "extract_batch", "score"}


# ---- whole runs ---------------------------------------------------------------------------------


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
    queries = tmp_path / "queries.csv"
    queries.write_text("query,type\nhome workout,keyword\n")
    monkeypatch.setenv("TIKTOK_QUERIES_FILE", str(queries))
    return [r["username"] for r in rows["creators"]]


def run(dagbag, dag_id: str, conf: dict | None = None, day: date = D):
    """Run the DAG for ``day``; returns (run state, {task_id[map_index]: state})."""
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session
    from tiktok_airflow import wiring

    factory = {
        "tiktok_creator_posts": wiring.creator_params,
        "tiktok_search_trends": wiring.search_params,
        "tiktok_comments": wiring.comment_params,
        "tiktok_warehouse": wiring.warehouse_params,
    }[dag_id]
    # dag.test() keeps a run's conf in the DAG's params: pass every param, defaults included.
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


def rows(data: Path, dataset: str, day: date = D) -> list[dict]:
    folder = data / "landing" / dataset / f"snapshot_date={day.isoformat()}"
    return [r for p in sorted(folder.glob("*.parquet")) for r in pq.read_table(p).to_pylist()]


def files(data: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in (data / "landing").rglob("*.parquet")}


@pytest.mark.slow
def test_comments_land_in_batches_are_scored_and_the_warehouse_builds_them(
    dagbag, airflow_db, simulator, tiktok_env, tmp_path, monkeypatch
):
    use_simulator(monkeypatch, simulator, tmp_path, creators=5)
    assert run(dagbag, "tiktok_creator_posts")[0] == "success"
    assert run(dagbag, "tiktok_search_trends")[0] == "success"

    state, tis = run(dagbag, "tiktok_comments", {"batch_size": 4})
    assert state == "success", tis
    batches = sorted(k for k in tis if k.startswith("extract_batch["))
    assert len(batches) >= 2 and all(tis[k] == "success" for k in batches), tis
    assert tis["score"] == tis["finalize"] == "success"
    comments = rows(tiktok_env, "comments")
    scores = rows(tiktok_env, "comment_scores")
    assert comments and len(scores) == len(comments)
    assert {s["comment_id"] for s in scores} == {c["comment_id"] for c in comments}
    # The probe (a past date) sampled the first due video alone; the batches skipped it.
    parts = {
        Path(p).name.split("__", 1)[0]
        for p in (tiktok_env / "landing" / "comments").rglob("*.parquet")
    }
    assert "comments-probe" in parts and {p for p in parts if p != "comments-probe"} <= {
        f"comments-part-{n:04d}" for n in range(len(batches))
    }
    assert len({c["run_id"] for c in comments}) == 1
    landed_once = {c["video_id"]: c["load_id"] for c in comments}
    assert all(landed_once[c["video_id"]] == c["load_id"] for c in comments)

    # A re-run of the date: nothing is fetched or landed, and no asset event (finalize skips).
    before = files(tiktok_env)
    requests = simulator.stats()["requests"]
    state, tis = run(dagbag, "tiktok_comments", {"batch_size": 4})
    assert state == "success", tis
    assert tis["finalize"] == "skipped"
    assert files(tiktok_env) == before
    assert simulator.stats()["requests"] == requests

    # The warehouse builds the date with its comments.
    state, tis = run(dagbag, "tiktok_warehouse")
    assert state == "success", tis


@pytest.mark.slow
def test_a_date_without_due_videos_runs_through_and_emits_nothing(
    dagbag, airflow_db, simulator, tiktok_env, tmp_path, monkeypatch
):
    use_simulator(monkeypatch, simulator, tmp_path, creators=2)
    assert run(dagbag, "tiktok_creator_posts")[0] == "success"
    monkeypatch.setenv("TIKTOK_COMMENTS_DAILY_CREDITS", "0")  # a cap that samples nothing
    requests = simulator.stats()["requests"]
    state, tis = run(dagbag, "tiktok_comments")
    assert state == "success", tis
    assert tis["score"] == "success" and tis["finalize"] == "skipped", tis
    assert simulator.stats()["requests"] == requests
    assert rows(tiktok_env, "comments") == []
