"""End to end under a real scheduler: the deployment-wide in-flight cap, and Airflow's backfill.

Starts a real Airflow (API server, scheduler with the LocalExecutor, DAG processor) on a throwaway
PostgreSQL database and AIRFLOW_HOME, with the ``scavio_api`` pool sized to the plan's cap. A
backfill of ``tiktok_creator_posts`` (mapped batches, two pool slots each) and a run of
``tiktok_search_trends`` (one slot per query) go at the same time against a simulator that counts
the requests it has in flight and refuses (429) any beyond the cap. The cap must never be
exceeded, while more than one task's share was in flight at once (so the tasks did overlap).

Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres); skipped without it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CAP = 4
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def _pg(dbname: str = "test"):
    import psycopg2

    con = psycopg2.connect(dbname=dbname, connect_timeout=3, **PG)
    con.autocommit = True
    return con


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """Airflow's processes on loopback, stopped (by their own process group) at the end."""

    def __init__(self, home: Path, env: dict[str, str], dbname: str) -> None:
        self.home, self.env, self.dbname = home, env, dbname
        self.processes: list[subprocess.Popen] = []

    def cli(self, *args: str, timeout: float = 180) -> str:
        result = subprocess.run(
            [str(BIN / "airflow"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, (
            f"airflow {' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
        return result.stdout

    def start(self, name: str, *args: str) -> None:
        log = open(self.home / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes.append(
            subprocess.Popen(
                [str(BIN / "airflow"), *args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def query(self, sql: str, *params) -> list[tuple]:
        con = _pg(self.dbname)
        try:
            with con.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            con.close()

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.home.glob("*.log"))
        )


@pytest.fixture
def cluster(tmp_path) -> Iterator[Cluster]:
    try:
        _pg().close()
    except Exception as exc:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is not available: {exc}")
    dbname = f"tiktok_e2e_{uuid.uuid4().hex[:8]}"
    admin = _pg()
    with admin.cursor() as cursor:
        cursor.execute(f'create database "{dbname}"')
    home = Path(tempfile.mkdtemp(prefix="tiktok-e2e-home-"))
    port = _free_port()
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AIRFLOW", "TIKTOK_", "SCAVIO_"))
        },
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "6",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@127.0.0.1:5432/{dbname}",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "DO_NOT_TRACK": "1",
        "TIKTOK_DATA_DIR": str(tmp_path / "data"),
        "TIKTOK_DBT_MANIFEST": os.environ["TIKTOK_DBT_MANIFEST"],
    }
    cluster = Cluster(home, env, dbname)
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(home, ignore_errors=True)
        with admin.cursor() as cursor:
            cursor.execute(f'drop database if exists "{dbname}" with (force)')
        admin.close()


def _wait(what: str, check, timeout: float, cluster: Cluster):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(2)
    pytest.fail(f"timed out waiting for {what}\n{cluster.logs()}")


def test_in_flight_cap_holds_across_concurrent_mapped_tasks_and_backfill_lands_each_date(
    cluster, simulator_factory, dbt_manifest, tmp_path
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
    cluster.cli("pools", "set", "scavio_api", str(CAP), "Scavio plan in-flight cap")
    cluster.cli("pools", "set", "tiktok_warehouse", "1", "DuckDB: one writer")
    cluster.start("api-server", "api-server", "--port", cluster.env["AIRFLOW__API__PORT"])
    cluster.start("dag-processor", "dag-processor")
    cluster.start("scheduler", "scheduler")
    wanted = {"tiktok_creator_posts", "tiktok_search_trends", "tiktok_warehouse"}
    _wait(
        "the DAGs to be parsed",
        lambda: wanted <= {r[0] for r in cluster.query("select dag_id from dag")},
        240,
        cluster,
    )
    assert cluster.query("select count(*) from import_error")[0][0] == 0, cluster.query(
        "select * from import_error"
    )

    # The UI plugin, as the API server mounts it: behind Airflow's authentication.
    base = f"http://127.0.0.1:{cluster.env['AIRFLOW__API__PORT']}"

    def api_up():
        try:
            return httpx.get(f"{base}/api/v2/monitor/health", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    _wait("the API server", api_up, 120, cluster)
    assert httpx.get(f"{base}/tiktok-report/").status_code == 401
    passwords = cluster.home / "simple_auth_manager_passwords.json.generated"
    login = {"username": "admin", "password": json.loads(passwords.read_text())["admin"]}
    token = httpx.post(f"{base}/auth/token", json=login).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
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

    runs = _wait("the runs to finish", finished, 420, cluster)
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
    for day in ("2026-11-01", "2026-11-02"):
        parts = sorted(
            p.name for p in (data / "creator_posts" / f"snapshot_date={day}").glob("*.parquet")
        )
        assert parts == [f"part-{i:04d}.parquet" for i in range(4)], (day, parts)
    assert len(list((data / "search_results" / "snapshot_date=2026-11-01").glob("*.parquet"))) == 4
