"""Airflow on loopback, without Docker, for one executor: the LocalExecutor or the Celery topology.

``Cluster(executor="CeleryExecutor")`` is what docker-compose.yaml runs, as processes: API server,
scheduler, DAG processor and two Celery workers (``default`` queue; the ``warehouse`` queue,
concurrency 1), the FAB auth manager, the broker on a Redis database of its own (flushed before and
after), and ``scripts/airflow-init.sh`` for the pools, the connection and the first admin, as the
compose service ``airflow-init`` runs it. ``Cluster(executor="LocalExecutor")`` is the API server,
scheduler and DAG processor alone, with the simple auth manager's generated admin password. Both
keep the metastore on a throwaway PostgreSQL database and an AIRFLOW_HOME of their own
(``throwaway_cluster``).

Every process runs in a process group of its own, so a test can SIGKILL one component with
everything it forked (as when a container or a host dies) and start it again; ``stop()`` ends
every group, even after a failure.
"""

from __future__ import annotations

import contextlib
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
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.conftest import require_service

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_URL = "redis://127.0.0.1:6379/5"  # a database of its own: flushed before and after

# The auth manager of docker-compose.yaml: users and roles in the metastore, the first admin created
# by scripts/airflow-init.sh from the environment.
FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
ADMIN = "admin"
EXECUTORS = ("LocalExecutor", "CeleryExecutor")

# The components, as the compose services run them.
COMMANDS = {
    "api-server": ["api-server"],
    "scheduler": ["scheduler"],
    "dag-processor": ["dag-processor"],
    "worker": ["celery", "worker", "--queues", "default", "--concurrency", "4",
               "--celery-hostname", "general@%h"],
    "warehouse-worker": ["celery", "worker", "--queues", "warehouse", "--concurrency", "1",
                         "--celery-hostname", "warehouse@%h", "--skip-serve-logs"],
}  # fmt: skip


def pg(dbname: str = "test"):
    import psycopg2

    con = psycopg2.connect(dbname=dbname, connect_timeout=3, **PG)
    con.autocommit = True
    return con


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_ping() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()


def require_services(executor: str = "CeleryExecutor") -> None:
    """PostgreSQL, and Redis for Celery: skipped without them on a laptop, failed under CI."""
    require_service("PostgreSQL on 127.0.0.1:5432", lambda: pg().close())
    if executor == "CeleryExecutor":
        require_service("Redis on 127.0.0.1:6379", _redis_ping)


def flush_broker() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


class Cluster:
    """Airflow's processes on loopback for one executor, each in its own process group."""

    def __init__(self, home: Path, env: dict[str, str], dbname: str) -> None:
        self.home, self.env, self.dbname = home, env, dbname
        self.executor = env["AIRFLOW__CORE__EXECUTOR"]
        self.processes: dict[str, subprocess.Popen] = {}
        self.base_url = env["AIRFLOW__API__BASE_URL"]
        # Only airflow-init gets it, as in compose: the components never see the password.
        self.admin_password = uuid.uuid4().hex
        self._token: str | None = None

    @classmethod
    def environment(
        cls,
        home: Path,
        dbname: str,
        data_dir: Path,
        executor: str = "CeleryExecutor",
    ) -> dict[str, str]:
        """The components' environment: nothing Airflow, TikTok or Scavio inherited from outside."""
        assert executor in EXECUTORS, executor
        port = free_port()
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AIRFLOW", "TIKTOK_", "SCAVIO_", "PYTHONPATH"))
        }
        database = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{dbname}"
        env = {
            **inherited,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": executor,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database,
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__SECRET_KEY": uuid.uuid4().hex,
            "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex,
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "DO_NOT_TRACK": "1",
            "TIKTOK_DATA_DIR": str(data_dir),
        }
        if executor == "LocalExecutor":
            # The scheduler's own task processes share the two cores with the API server.
            env["AIRFLOW__CORE__PARALLELISM"] = "6"
            env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] = f"{ADMIN}:admin"
            return env
        return {
            **env,
            "AIRFLOW__CORE__PARALLELISM": "8",
            "AIRFLOW__CORE__AUTH_MANAGER": FAB_AUTH_MANAGER,
            "AIRFLOW__CELERY__BROKER_URL": REDIS_URL,
            "AIRFLOW__CELERY__RESULT_BACKEND": database.replace(
                "postgresql+psycopg2", "db+postgresql"
            ),
            "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
            "TIKTOK_WAREHOUSE_QUEUE": "warehouse",
        }

    # -- processes ----------------------------------------------------------------------------

    def cli(self, *args: str, timeout: float = 180, env: dict | None = None) -> str:
        result = subprocess.run(
            [str(BIN / "airflow"), *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, (
            f"airflow {' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
        return result.stdout

    def init(self, scavio_base_url: str, scavio_api_key: str, pool_slots: int) -> str:
        """scripts/airflow-init.sh, as the compose service airflow-init runs it."""
        env = {
            **self.env,
            "PATH": f"{BIN}:{self.env.get('PATH', '')}",
            "SCAVIO_BASE_URL": scavio_base_url,
            "SCAVIO_API_KEY": scavio_api_key,
            "SCAVIO_POOL_SLOTS": str(pool_slots),
            "_AIRFLOW_ADMIN_USERNAME": ADMIN,
            "_AIRFLOW_ADMIN_PASSWORD": self.admin_password,
        }
        result = subprocess.run(
            ["bash", str(REPO / "scripts" / "airflow-init.sh")],
            env=env,
            capture_output=True,
            text=True,
            timeout=400,
            check=False,
        )
        assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        return result.stdout

    def start(self, name: str) -> None:
        log = open(self.home / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        args = COMMANDS[name]
        if name == "api-server":
            args = [*args, "--port", self.env["AIRFLOW__API__PORT"]]
        self.processes[name] = subprocess.Popen(
            [str(BIN / "airflow"), *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def kill(self, name: str) -> None:
        """SIGKILL the component and everything it forked (its process group)."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
            # Celery pool children and task processes may outlive their parent: end the group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

    # -- observing ----------------------------------------------------------------------------

    def query(self, sql: str, *params) -> list[tuple]:
        con = pg(self.dbname)
        try:
            with con.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            con.close()

    def logs(self, tail: int = 4000) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-tail:]}"
            for p in sorted(self.home.glob("*.log"))
        )

    def wait(self, what: str, check, timeout: float, interval: float = 2):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(interval)
        pytest.fail(f"timed out after {timeout}s waiting for {what}\n{self.logs()}")

    def wait_until_serving(self) -> None:
        """DAGs parsed without import errors, and the API server answering."""
        wanted = {"tiktok_creator_posts", "tiktok_search_trends", "tiktok_warehouse"}
        self.wait(
            "the DAGs to be parsed",
            lambda: wanted <= {r[0] for r in self.query("select dag_id from dag")},
            240,
        )
        errors = self.query("select filename, stacktrace from import_error")
        assert not errors, errors

        def up():
            try:
                return httpx.get(f"{self.base_url}/api/v2/monitor/health", timeout=5).is_success
            except httpx.TransportError:
                return False

        self.wait("the API server", up, 120)

    # -- REST API (what an operator or CI would use) --------------------------------------------

    def token(self, username: str, password: str) -> str:
        """A bearer token from the auth manager's login endpoint (``POST /auth/token``)."""
        login = {"username": username, "password": password}
        response = httpx.post(f"{self.base_url}/auth/token", json=login, timeout=30)
        assert response.is_success, f"login of {username}: {response.status_code} {response.text}"
        return response.json()["access_token"]

    def auth_headers(self) -> dict[str, str]:
        """A bearer token of the admin, fetched once: the user airflow-init created (FAB), or the
        one the simple auth manager generated a password for (LocalExecutor)."""
        if self._token is None:
            password = self.admin_password
            if self.executor == "LocalExecutor":
                generated = self.home / "simple_auth_manager_passwords.json.generated"
                password = json.loads(generated.read_text())[ADMIN]
            self._token = self.token(ADMIN, password)
        return {"Authorization": f"Bearer {self._token}"}

    def add_user(self, username: str, role: str) -> str:
        """A user with one FAB role, added through the REST API as an admin would; its password."""
        password = uuid.uuid4().hex
        body = {
            "username": username,
            "email": f"{username}@example.com",
            "first_name": username,
            "last_name": role,
            "roles": [{"name": role}],
            "password": password,
        }
        response = httpx.post(
            f"{self.base_url}/auth/fab/v1/users", json=body, headers=self.auth_headers(), timeout=60
        )
        assert response.is_success, f"add user {username}: {response.status_code} {response.text}"
        return password

    def api(self, method: str, path: str, **kwargs) -> httpx.Response:
        response = httpx.request(
            method,
            f"{self.base_url}/api/v2{path}",
            headers=self.auth_headers(),
            timeout=60,
            **kwargs,
        )
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response

    def unpause(self, dag_id: str) -> None:
        self.api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, dag_id: str, logical_date: datetime, conf: dict | None = None) -> str:
        body = {"logical_date": logical_date.isoformat(), "conf": conf or {}}
        return self.api("POST", f"/dags/{dag_id}/dagRuns", json=body).json()["dag_run_id"]

    def run_state(self, dag_id: str, run_id: str) -> str:
        return self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}").json()["state"]

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float) -> str:
        state = self.wait(
            f"{dag_id} {run_id} to finish",
            lambda: (s := self.run_state(dag_id, run_id)) in ("success", "failed") and s,
            timeout,
        )
        assert state == "success", (
            f"{dag_id} {run_id}: {state}\n{self.task_states(dag_id)}\n{self.logs()}"
        )
        return state

    def task_states(self, dag_id: str) -> list[tuple]:
        return self.query(
            "select run_id, task_id, map_index, state, try_number, queue from task_instance "
            "where dag_id = %s order by run_id, task_id, map_index",
            dag_id,
        )


@contextlib.contextmanager
def throwaway_cluster(data_dir: Path, executor: str = "CeleryExecutor") -> Iterator[Cluster]:
    """A ``Cluster`` on a metastore database and AIRFLOW_HOME of its own (and, for Celery, a
    flushed broker database); every process stopped and everything dropped at the end."""
    require_services(executor)
    dbname = f"tiktok_{executor.removesuffix('Executor').lower()}_{uuid.uuid4().hex[:8]}"
    admin = pg()
    with admin.cursor() as cursor:
        cursor.execute(f'create database "{dbname}"')
    celery = executor == "CeleryExecutor"
    if celery:
        flush_broker()
    home = Path(tempfile.mkdtemp(prefix=f"tiktok-{executor.lower()}-home-"))
    cluster = Cluster(home, Cluster.environment(home, dbname, data_dir, executor), dbname)
    try:
        yield cluster
    finally:
        cluster.stop()
        if celery:
            flush_broker()
        shutil.rmtree(home, ignore_errors=True)
        with admin.cursor() as cursor:
            cursor.execute(f'drop database if exists "{dbname}" with (force)')
        admin.close()
