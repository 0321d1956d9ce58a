"""Shared fixtures: landing data (generator or hand-written) and warehouses built with real dbt runs.

dbt invocations cost seconds each, so built warehouses are session-scoped and shared; tests only
read them (each test that writes builds its own).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import duckdb
import pytest
from tiktok_engagement.warehouse import build

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("DO_NOT_TRACK", "1")

GENERATED_START = date(2024, 1, 1)
GENERATED_DAYS = 4


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_landing", ROOT / "bench" / "generate_landing.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_landing"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def generator() -> ModuleType:
    return load_generator()


@pytest.fixture(scope="session")
def generated_landing(tmp_path_factory: pytest.TempPathFactory, generator: ModuleType) -> Path:
    """12 roster creators x 4 days, 4 queries: a few thousand rows, every dataset present."""
    root = tmp_path_factory.mktemp("generated") / "landing"
    config = generator.GeneratorConfig(
        creators=12, days=GENERATED_DAYS, start=GENERATED_START, queries=4, results_per_query=15
    )
    generator.generate(root, config)
    return root


def generated_dates() -> list[date]:
    return [GENERATED_START + timedelta(days=i) for i in range(GENERATED_DAYS)]


class Warehouse:
    """A data directory with landing/, warehouse/ and exports/."""

    def __init__(self, root: Path, landing: Path) -> None:
        self.root = root
        self.landing = landing
        self.warehouse_dir = root / "warehouse"
        self.exports_dir = root / "exports"

    @property
    def serving_db(self) -> Path:
        return self.warehouse_dir / "tiktok.duckdb"

    def build(self, day: date, **kwargs):
        return build(
            str(self.landing), self.warehouse_dir, self.exports_dir, day, quiet=True, **kwargs
        )

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.serving_db), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def table(self, name: str, order_by: str) -> list[tuple]:
        return self.query(f"select * from marts.{name} order by {order_by}")


def new_warehouse(
    tmp_path_factory: pytest.TempPathFactory, name: str, landing: Path, copy_landing: bool = False
) -> Warehouse:
    root = tmp_path_factory.mktemp(name)
    if copy_landing:
        shutil.copytree(landing, root / "landing")
        landing = root / "landing"
    return Warehouse(root, landing)


@pytest.fixture(scope="session")
def inorder_warehouse(
    tmp_path_factory: pytest.TempPathFactory, generated_landing: Path
) -> Warehouse:
    """The generated days built one at a time, in order (the daily case)."""
    warehouse = new_warehouse(tmp_path_factory, "inorder", generated_landing)
    for day in generated_dates():
        warehouse.build(day)
    return warehouse
