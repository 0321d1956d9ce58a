"""End to end under a real scheduler: the deployment-wide in-flight cap, and Airflow's backfill.

Starts a real Airflow (API server, scheduler with the LocalExecutor, DAG processor: the cluster
harness of tests/deploy/harness.py with ``executor="LocalExecutor"``) on a throwaway PostgreSQL
database and AIRFLOW_HOME, with the ``scavio_api`` pool sized to the plan's cap. A backfill of
``tiktok_creator_posts`` (mapped batches, two pool slots each) and a run of
``tiktok_search_trends`` (one slot per query) go at the same time against a simulator that counts
the requests it has in flight and refuses (429) any beyond the cap. The cap must never be
exceeded, while more than one task's share was in flight at once (so the tasks did overlap).

Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres); skipped without it, failed without
it under CI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from tests.deploy.harness import Cluster, throwaway_cluster

pytestmark = pytest.mark.slow

CAP = 4


@pytest.fixture
def cluster(tmp_path) -> Iterator[Cluster]:
    """API server, scheduler and DAG processor with the LocalExecutor; no broker, no workers."""
    with throwaway_cluster(tmp_path / "data", executor="LocalExecutor") as cluster:
        yield cluster


def test_in_flight_cap_holds_across_concurrent_mapped_tasks_and_backfill_lands_each_date(
    cluster, simulator_factory, tmp_path
):
    simulator = simulator_factory(latency_ms=700, in_flight_cap=CAP)
    rows = httpx.get(f"{simulator.base_url}/_sim/roster", params={"count": 16}).json()["creators"]
    (tmp_path / "creators.csv").write_text(
        "username,niche\n" + "".join(f"{r['username']},{r['niche']}\n" for r in rows)
    )
    (tmp_path / "queries.csv").write_text(
        "query,type\nhome workout,keyword\ngym,hashtag\nskincare routine,keyword\nrecipe,hashtag\n"
    )
    cluster.env.update(
        {
            "TIKTOK_CREATORS_FILE": str(tmp_path / "creators.csv"),
            "TIKTOK_QUERIES_FILE": str(tmp_path / "queries.csv"),
            "AIRFLOW_CONN_SCAVIO_DEFAULT": json.dumps(
                {
                    "conn_type": "scavio",
                    "host": simulator.base_url,
                    "password": simulator.api_key,
                    "extra": {"max_in_flight": CAP},
                }
            ),
        }
    )
    cluster.cli("db", "migrate", timeout=300)
    # The pools as every deployment gets them (tiktok_airflow.pools, as the init script runs it).
    subprocess.run(
        [sys.executable, "-m", "tiktok_airflow.pools"],
        env={**cluster.env, "SCAVIO_POOL_SLOTS": str(CAP)},
        check=True,
        timeout=180,
    )
    for component in ("api-server", "dag-processor", "scheduler"):
        cluster.start(component)
    cluster.wait_until_serving()

    # The UI plugin, as the API server mounts it: behind Airflow's authentication.
    base = cluster.base_url
    assert httpx.get(f"{base}/tiktok-report/").status_code == 401
    headers = cluster.auth_headers()
    missing = httpx.get(f"{base}/tiktok-report/", headers=headers)
    assert missing.status_code == 404 and "tiktok_warehouse" in missing.text  # no report yet
    plugins = httpx.get(f"{base}/api/v2/plugins", headers=headers).json()["plugins"]
    view = next(p for p in plugins if p["name"] == "tiktok_engagement_report")["external_views"][0]
    assert (view["href"], view["url_route"]) == ("tiktok-report/", "tiktok-report")

    # Unpause the extract DAGs (the scheduler adds today's scheduled run to the backfill and the
    # manual run below); the warehouse stays paused: its dbt build is tested with dag.test().
    cluster.cli("dags", "unpause", "tiktok_search_trends")
    cluster.cli("dags", "unpause", "tiktok_creator_posts")
    cluster.cli(
        "backfill",
        "create",
        "--dag-id",
        "tiktok_creator_posts",
        "--from-date",
        "2026-11-01",
        "--to-date",
        "2026-11-02",
        "--dag-run-conf",
        json.dumps({"batch_size": 4}),
    )
    cluster.cli(
        "dags",
        "trigger",
        "tiktok_search_trends",
        "--logical-date",
        "2026-11-01T00:00:00+00:00",
    )

    def finished():
        runs = cluster.query(
            "select dag_id, run_type, logical_date::date::text, state from dag_run "
            "where dag_id in ('tiktok_creator_posts', 'tiktok_search_trends')"
        )
        wanted_runs = [r for r in runs if r[1] in ("backfill", "manual")]
        if len(wanted_runs) < 3:
            return None
        pending = [r for r in runs if r[3] not in ("success", "failed")]
        return None if pending else runs

    runs = cluster.wait("the runs to finish", finished, 420)
    assert all(state == "success" for *_, state in runs), f"{runs}\n{cluster.logs()}"
    backfilled = sorted(
        d for dag, kind, d, _ in runs if dag == "tiktok_creator_posts" and kind == "backfill"
    )
    assert backfilled == ["2026-11-01", "2026-11-02"]

    stats = simulator.stats()
    assert stats["rate_limited_in_flight"] == 0, stats
    assert stats["max_in_flight"] <= CAP, stats
    # More than one task's share at once: the cap held while tasks really ran concurrently.
    assert stats["max_in_flight"] > 2, stats
    overlapping = cluster.query(
        "select count(*) from task_instance a join task_instance b on a.id < b.id "
        "where a.pool = 'scavio_api' and b.pool = 'scavio_api' "
        "and a.start_date < b.end_date and b.start_date < a.end_date"
    )[0][0]
    assert overlapping > 0

    data = Path(cluster.env["TIKTOK_DATA_DIR"]) / "landing"
    con = duckdb.connect()
    handles = {r["username"] for r in rows}
    for day in ("2026-11-01", "2026-11-02"):
        posts = data / "creator_posts" / f"snapshot_date={day}"
        # The planning task's probe of the past date, then the four batches (16 creators, 4 per
        # batch), each in files named by part, run and try, beside one another.
        parts = {p.name.split("__", 1)[0] for p in posts.glob("*.parquet")}
        assert parts == {"creators-probe", *(f"creators-part-{i:04d}" for i in range(4))}, parts
        landed = {
            u
            for (u,) in con.execute(
                f"select distinct creator_username from '{posts}/*.parquet'"
            ).fetchall()
        }
        assert landed == handles, (day, handles - landed)
    results = data / "search_results" / "snapshot_date=2026-11-01"
    queries = {
        q for (q,) in con.execute(f"select distinct query from '{results}/*.parquet'").fetchall()
    }
    assert queries == {"home workout", "gym", "skincare routine", "recipe"}
    con.close()
