"""Fixtures of the deployment tests: a small roster and the native Celery cluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .harness import Cluster, throwaway_cluster


def write_roster(simulator, path: Path, count: int) -> Path:
    rows = httpx.get(f"{simulator.base_url}/_sim/roster", params={"count": count}).json()
    path.write_text(
        "username,niche\n" + "".join(f"{r['username']},{r['niche']}\n" for r in rows["creators"])
    )
    return path


@pytest.fixture
def cluster(tmp_path) -> Iterator[Cluster]:
    """A throwaway metastore, broker database and AIRFLOW_HOME; every process stopped at the end."""
    with throwaway_cluster(tmp_path / "data") as cluster:
        yield cluster


@pytest.fixture
def api_cluster(tmp_path) -> Iterator[Cluster]:
    """The same, for tests that start no DAG processor."""
    with throwaway_cluster(tmp_path / "data") as cluster:
        yield cluster
