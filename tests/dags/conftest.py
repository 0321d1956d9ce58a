"""Airflow for the DAG tests: a throwaway AIRFLOW_HOME, the repo's dags/ and plugins/, a manifest.

Airflow reads its configuration when it is first imported, so the environment is set here, at
import time of this conftest (before any test module imports Airflow). Nothing touches a real
deployment: the home, the SQLite metadata database and the dbt manifest live in a temporary
directory removed at the end of the session.
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
MANIFEST = AIRFLOW_HOME / "dbt-target" / "manifest.json"

AIRFLOW_ENV = {
    "AIRFLOW_HOME": str(AIRFLOW_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{AIRFLOW_HOME}/airflow.db",
    "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(AIRFLOW_HOME / "logs"),
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    # dag.test() runs tasks in this process: a cached connection would outlive its test.
    "AIRFLOW__SECRETS__USE_CACHE": "False",
    "DO_NOT_TRACK": "1",
    "TIKTOK_DBT_MANIFEST": str(MANIFEST),
}
os.environ.update(AIRFLOW_ENV)
if str(REPO / "plugins") not in sys.path:
    sys.path.append(str(REPO / "plugins"))


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


def build_manifest(target: Path = MANIFEST.parent) -> Path:
    """``dbt parse`` of include/dbt into ``target`` (what a deployment does when the project changes)."""
    env = {**os.environ, "TIKTOK_DATA_DIR": str(AIRFLOW_HOME / "parse-data")}
    result = subprocess.run(
        [
            str(VENV_BIN / "dbt"),
            "parse",
            "--project-dir",
            str(REPO / "include" / "dbt"),
            "--profiles-dir",
            str(REPO / "include" / "dbt"),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
            "--no-use-colors",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
    return target / "manifest.json"


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    return MANIFEST if MANIFEST.is_file() else build_manifest()


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """The metadata database, migrated once per session."""
    result = subprocess.run(
        [str(VENV_BIN / "airflow"), "db", "migrate"],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return AIRFLOW_HOME / "airflow.db"


@pytest.fixture(scope="session")
def dagbag(dbt_manifest):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags"))


@pytest.fixture
def tiktok_env(tmp_path, monkeypatch) -> Iterator[Path]:
    """TIKTOK_DATA_DIR in tmp_path, and no Scavio setting inherited from the outer environment."""
    data = tmp_path / "data"
    monkeypatch.setenv("TIKTOK_DATA_DIR", str(data))
    for var in (
        "AIRFLOW_CONN_SCAVIO_DEFAULT",
        "SCAVIO_BASE_URL",
        "SCAVIO_API_KEY",
        "TIKTOK_CREATORS_FILE",
        "TIKTOK_QUERIES_FILE",
        "SCAVIO_MAX_IN_FLIGHT",
    ):
        monkeypatch.delenv(var, raising=False)
    from airflow.sdk.execution_time.cache import SecretCache

    SecretCache.reset()
    yield data
    SecretCache.reset()
