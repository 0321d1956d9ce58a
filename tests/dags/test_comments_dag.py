"""``tiktok_comments``: its wiring, and whole runs (``dag.test``) against the simulator.

The DAG runs after both extract DAGs landed a date; it samples the due videos' comments in mapped
batches, scores them as a step of its own and emits ``tiktok://landing/comments``, on which
``tiktok_warehouse`` builds the date again (a paused comments DAG holds the warehouse back in no
way: the warehouse still runs on the two extract assets alone).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.dags.simulated_runs import landed_files, landed_rows, run_for_day, use_simulator

D = date(2026, 11, 10)
QUERIES = "query,type\nhome workout,keyword\n"


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


def run(dagbag, dag_id: str, conf: dict | None = None, day: date = D):
    return run_for_day(dagbag, dag_id, conf, day=day)


def rows(data: Path, dataset: str, day: date = D) -> list[dict]:
    return landed_rows(data, dataset, day)


@pytest.mark.slow
def test_comments_land_in_batches_are_scored_and_the_warehouse_builds_them(
    dagbag, airflow_db, simulator, tiktok_env, tmp_path, monkeypatch
):
    use_simulator(monkeypatch, simulator, tmp_path, creators=5, queries=QUERIES)
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
    before = landed_files(tiktok_env)
    requests = simulator.stats()["requests"]
    state, tis = run(dagbag, "tiktok_comments", {"batch_size": 4})
    assert state == "success", tis
    assert tis["finalize"] == "skipped"
    assert landed_files(tiktok_env) == before
    assert simulator.stats()["requests"] == requests

    # The warehouse builds the date with its comments.
    state, tis = run(dagbag, "tiktok_warehouse")
    assert state == "success", tis


@pytest.mark.slow
def test_a_date_without_due_videos_runs_through_and_emits_nothing(
    dagbag, airflow_db, simulator, tiktok_env, tmp_path, monkeypatch
):
    use_simulator(monkeypatch, simulator, tmp_path, creators=2, queries=QUERIES)
    assert run(dagbag, "tiktok_creator_posts")[0] == "success"
    monkeypatch.setenv("TIKTOK_COMMENTS_DAILY_CREDITS", "0")  # a cap that samples nothing
    requests = simulator.stats()["requests"]
    state, tis = run(dagbag, "tiktok_comments")
    assert state == "success", tis
    assert tis["score"] == "success" and tis["finalize"] == "skipped", tis
    assert simulator.stats()["requests"] == requests
    assert rows(tiktok_env, "comments") == []
