"""The compose topology, run natively: CeleryExecutor, two workers, the warehouse queue, REST API.

``scripts/airflow-init.sh`` sets up a throwaway metastore (pools, connection, the FAB auth
manager's roles and first admin), then the API server, scheduler, DAG processor, a general Celery
worker and the warehouse worker (the only consumer of the ``warehouse`` queue) run the two extract
DAGs for a date triggered through the REST API; their assets schedule ``tiktok_warehouse``, whose
tasks all run on the warehouse queue, and the serving marts then hold the date. Needs PostgreSQL
and Redis on loopback (skipped without them).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import httpx
import pytest

from .conftest import write_roster

POOL_SLOTS = 4
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]


def test_the_first_admin_and_the_reports_permission_under_the_fab_auth_manager(
    api_cluster, tmp_path
):
    """airflow-init creates the admin from the environment; the report needs DAG read permission."""
    cluster = api_cluster
    report = tmp_path / "data" / "report" / "index.html"
    report.parent.mkdir(parents=True)
    report.write_text("<!DOCTYPE html><title>r</title><p>the engagement report</p>")
    output = cluster.init("http://127.0.0.1:9", "sk_live_not_used", POOL_SLOTS)
    assert "auth manager FabAuthManager" in output and "admin user admin created" in output
    assert cluster.admin_password not in output
    # Idempotent: a second run finds the admin and leaves it as it is.
    assert "user admin exists, left as it is" in cluster.init(
        "http://127.0.0.1:9", "sk_live_not_used", POOL_SLOTS
    )
    cluster.start("api-server")
    cluster.wait(
        "the API server",
        lambda: _answers(f"{cluster.base_url}/api/v2/monitor/health"),
        120,
    )
    with pytest.raises(AssertionError, match="login of admin: 401"):
        cluster.token("admin", "wrong-password")

    url = f"{cluster.base_url}/tiktok-report/"
    assert httpx.get(url, timeout=30).status_code in (401, 403)
    assert "the engagement report" in httpx.get(url, headers=cluster.auth_headers()).text
    for username, role, expected in (("vera", "Viewer", 200), ("paul", "Public", 403)):
        token = cluster.token(username, cluster.add_user(username, role))
        answer = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert answer.status_code == expected, (role, answer.status_code, answer.text[:300])
        assert ("the engagement report" in answer.text) == (expected == 200)
    for path in ("docs", "redoc", "openapi.json"):
        assert httpx.get(url + path, headers=cluster.auth_headers(), timeout=30).status_code == 404


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).is_success
    except httpx.TransportError:
        return False


def test_extracts_and_asset_triggered_warehouse_run_on_celery(cluster, simulator_factory, tmp_path):
    simulator = simulator_factory()
    roster = write_roster(simulator, tmp_path / "creators.csv", 8)
    (tmp_path / "queries.csv").write_text("query,type\ngym,hashtag\nhome workout,keyword\n")
    cluster.env.update(
        TIKTOK_CREATORS_FILE=str(roster),
        TIKTOK_QUERIES_FILE=str(tmp_path / "queries.csv"),
        TIKTOK_SEARCH_PAGES="1",
    )
    output = cluster.init(simulator.base_url, simulator.api_key, POOL_SLOTS)
    assert "pools scavio_api=4, tiktok_warehouse=1" in output
    assert "auth manager FabAuthManager" in output and "admin user admin created" in output
    assert cluster.admin_password not in output
    for name in ("api-server", "dag-processor", "scheduler", "worker", "warehouse-worker"):
        cluster.start(name)
    cluster.wait_until_serving()

    # The date of the run the scheduler would create on unpausing (the latest @daily fire time):
    # triggering exactly that date means it creates no second run of the extract DAGs.
    (next_run,) = {
        r[0]
        for r in cluster.query(
            "select next_dagrun from dag where dag_id in "
            "('tiktok_creator_posts', 'tiktok_search_trends')"
        )
    }
    day = next_run.date().isoformat()
    logical = datetime.fromisoformat(next_run.isoformat())
    runs = {
        dag_id: cluster.trigger(dag_id, logical, conf)
        for dag_id, conf in (
            ("tiktok_creator_posts", {"batch_size": 2}),
            ("tiktok_search_trends", {}),
        )
    }
    for dag_id in (*runs, "tiktok_warehouse"):
        cluster.unpause(dag_id)
    for dag_id, run_id in runs.items():
        cluster.wait_for_run(dag_id, run_id, timeout=300)

    warehouse_run = cluster.wait(
        "the asset-triggered warehouse run",
        lambda: cluster.query(
            "select run_id from dag_run where dag_id = 'tiktok_warehouse' "
            "and run_type = 'asset_triggered'"
        ),
        120,
    )[0][0]
    # The whole Cosmos build: a task per model, one at a time in the one-slot pool, each in a
    # process of its own on the warehouse worker (about 1.5 minutes on a 2-core machine).
    cluster.wait_for_run("tiktok_warehouse", warehouse_run, timeout=1200)

    # One run per DAG: no scheduled duplicate of the triggered date.
    counts = dict(cluster.query("select dag_id, count(*) from dag_run group by dag_id"))
    assert counts == {"tiktok_creator_posts": 1, "tiktok_search_trends": 1, "tiktok_warehouse": 1}
    # Every warehouse task ran on the warehouse queue, on one worker; the rest on default.
    queues = dict(
        cluster.query(
            "select dag_id, string_agg(distinct queue, ',') from task_instance group by dag_id"
        )
    )
    assert queues == {
        "tiktok_creator_posts": "default",
        "tiktok_search_trends": "default",
        "tiktok_warehouse": "warehouse",
    }, queues
    assert "dag_id=tiktok_warehouse" in (cluster.home / "warehouse-worker.log").read_text()
    assert "dag_id=tiktok_warehouse" not in (cluster.home / "worker.log").read_text()
    plan = cluster.query(
        "select value from xcom where dag_id = 'tiktok_warehouse' and task_id = 'plan' "
        "and key = 'return_value'"
    )
    assert plan and plan[0][0]["snapshot_date"] == day, plan
    landing = tmp_path / "data" / "landing"
    for dataset in ("creator_posts", "search_results"):
        assert list((landing / dataset / f"snapshot_date={day}").glob("*.parquet")), dataset

    serving = tmp_path / "data" / "warehouse" / "tiktok.duckdb"
    con = duckdb.connect(str(serving), read_only=True)
    try:
        videos = con.execute(
            "select count(*) from marts.fct_video_snapshots where snapshot_date = ?", [day]
        ).fetchone()[0]
        creators = con.execute(
            "select count(distinct creator_username) from marts.creator_scorecard "
            "where snapshot_date = ?",
            [day],
        ).fetchone()[0]
    finally:
        con.close()
    assert videos > 0
    assert creators == 8

    # The report the run wrote, served by the UI plugin's app inside the API server, to users the
    # FAB auth manager lets read the tiktok_warehouse DAG: the admin and a Viewer, not a user whose
    # role grants nothing (Public), nor anyone not logged in.
    url = f"{cluster.base_url}/tiktok-report/"
    page = httpx.get(url, headers=cluster.auth_headers(), timeout=30)
    assert page.status_code == 200, page.text[:500]
    assert f"Snapshot date <b>{day}</b>" in page.text
    assert httpx.get(url, timeout=30).status_code in (401, 403)
    for username, role, expected in (("vera", "Viewer", 200), ("paul", "Public", 403)):
        token = cluster.token(username, cluster.add_user(username, role))
        answer = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert answer.status_code == expected, (role, answer.status_code, answer.text[:300])
        assert ("Snapshot date" in answer.text) == (expected == 200)
    for path in ("docs", "redoc", "openapi.json"):
        assert httpx.get(url + path, headers=cluster.auth_headers(), timeout=30).status_code == 404
