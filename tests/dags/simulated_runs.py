"""Whole DAG runs (``dag.test``) against the simulator, shared by the comments and creator-graph
DAG tests: the connection and the roster files, one run for a date, and what it landed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pyarrow.parquet as pq


def use_simulator(
    monkeypatch, simulator, tmp_path: Path, creators: int, *, queries: str | None = None
) -> list[str]:
    """Point the Scavio connection at ``simulator`` and the roster at its first ``creators``
    (and, given ``queries``, the query file at that CSV text); returns the roster's handles."""
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
    if queries is not None:
        query_file = tmp_path / "queries.csv"
        query_file.write_text(queries)
        monkeypatch.setenv("TIKTOK_QUERIES_FILE", str(query_file))
    return [r["username"] for r in rows["creators"]]


def run_for_day(dagbag, dag_id: str, conf: dict | None = None, *, day: date):
    """Run the DAG for ``day``; returns (run state, {task_id[map_index]: state})."""
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session
    from tiktok_airflow import wiring

    factory = {
        "tiktok_creator_posts": wiring.creator_params,
        "tiktok_search_trends": wiring.search_params,
        "tiktok_comments": wiring.comment_params,
        "tiktok_creator_graph": wiring.graph_params,
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


def landed_rows(data: Path, dataset: str, day: date) -> list[dict]:
    """Every row of the date's landed files of ``dataset``."""
    folder = data / "landing" / dataset / f"snapshot_date={day.isoformat()}"
    return [r for p in sorted(folder.glob("*.parquet")) for r in pq.read_table(p).to_pylist()]


def landed_files(data: Path) -> dict[str, bytes]:
    """Every landed Parquet file and its bytes, to tell that a run changed or removed none."""
    return {str(p): p.read_bytes() for p in (data / "landing").rglob("*.parquet")}
