"""Fixtures of the deployment tests: a dbt manifest, a small roster and the native cluster."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .harness import BIN, REPO, Cluster, flush_broker, pg, require_services


@pytest.fixture(scope="session")
def deploy_manifest(tmp_path_factory) -> Path:
    """``dbt parse`` into a temporary target, as the Dockerfile does into include/dbt/target."""
    target = tmp_path_factory.mktemp("dbt-target")
    result = subprocess.run(
        [
            str(BIN / "dbt"),
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
        env={**os.environ, "DO_NOT_TRACK": "1", "TIKTOK_DATA_DIR": str(target / "parse-data")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return target / "manifest.json"


def write_roster(simulator, path: Path, count: int) -> Path:
    rows = httpx.get(f"{simulator.base_url}/_sim/roster", params={"count": count}).json()
    path.write_text(
        "username,niche\n" + "".join(f"{r['username']},{r['niche']}\n" for r in rows["creators"])
    )
    return path


@contextlib.contextmanager
def _cluster(tmp_path: Path, manifest: Path) -> Iterator[Cluster]:
    require_services()
    dbname = f"tiktok_deploy_{uuid.uuid4().hex[:8]}"
    admin = pg()
    with admin.cursor() as cursor:
        cursor.execute(f'create database "{dbname}"')
    flush_broker()
    home = Path(tempfile.mkdtemp(prefix="tiktok-deploy-home-"))
    env = Cluster.environment(home, dbname, tmp_path / "data", manifest)
    cluster = Cluster(home, env, dbname)
    try:
        yield cluster
    finally:
        cluster.stop()
        flush_broker()
        shutil.rmtree(home, ignore_errors=True)
        with admin.cursor() as cursor:
            cursor.execute(f'drop database if exists "{dbname}" with (force)')
        admin.close()


@pytest.fixture
def cluster(tmp_path, deploy_manifest) -> Iterator[Cluster]:
    """A throwaway metastore, broker database and AIRFLOW_HOME; every process stopped at the end."""
    with _cluster(tmp_path, deploy_manifest) as cluster:
        yield cluster


@pytest.fixture
def api_cluster(tmp_path) -> Iterator[Cluster]:
    """The same, for tests that start no DAG processor: no DAG is parsed, so no dbt manifest."""
    with _cluster(tmp_path, tmp_path / "no-manifest" / "manifest.json") as cluster:
        yield cluster
