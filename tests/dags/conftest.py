"""Airflow for the DAG tests: a throwaway AIRFLOW_HOME, the repo's dags/ and plugins/.

Airflow reads its configuration when it is first imported, so the environment is set here, at
import time of this conftest (before any test module imports Airflow). Nothing touches a real
deployment: the home and the SQLite metadata database live in a temporary directory removed at
the end of the session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="tiktok-airflow-home-"))

AIRFLOW_ENV = {
    "AIRFLOW_HOME": str(AIRFLOW_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{AIRFLOW_HOME}/airflow.db",
    "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(AIRFLOW_HOME / "logs"),
    # dag.test() runs tasks in this process: a cached connection would outlive its test.
    "AIRFLOW__SECRETS__USE_CACHE": "False",
    "DO_NOT_TRACK": "1",
}
os.environ.update(AIRFLOW_ENV)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """The metadata database, migrated once per session, with the DAGs' pools as a deployment has
    them (the one place that creates them, as the init script does)."""
    result = subprocess.run(
        [str(VENV_BIN / "airflow"), "db", "migrate"],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    from tiktok_airflow.pools import ensure_pools

    ensure_pools()
    return AIRFLOW_HOME / "airflow.db"


@pytest.fixture(scope="session")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags"))


@pytest.fixture
def tiktok_env(tmp_path, monkeypatch) -> Iterator[Path]:
    """TIKTOK_DATA_DIR in tmp_path, and no Scavio or extraction setting inherited from the outer
    environment (a cap, a fresh capture or another landing root there would change every run)."""
    data = tmp_path / "data"
    monkeypatch.setenv("TIKTOK_DATA_DIR", str(data))
    kept = {"TIKTOK_DATA_DIR"}
    for var in list(os.environ):
        if var.startswith(("SCAVIO_", "TIKTOK_")) and var not in kept:
            monkeypatch.delenv(var)
    monkeypatch.delenv("AIRFLOW_CONN_SCAVIO_DEFAULT", raising=False)
    from airflow.sdk.execution_time.cache import SecretCache

    SecretCache.reset()
    yield data
    SecretCache.reset()
