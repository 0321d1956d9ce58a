"""The layers point one way: the library never imports Airflow or its adapter, the simulator
imports nothing of the library, and the production library reaches the simulator only from the
demo (which the production image does not run)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "include" / "tiktok_engagement"
SIMULATOR = REPO / "include" / "simulator" / "scavio_simulator"
DAGS = REPO / "dags"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (top level or inside functions)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def roots(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def python_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", python_files(LIBRARY), ids=lambda p: str(p.relative_to(REPO)))
def test_the_library_never_imports_airflow_or_its_adapter(path):
    found = roots(imported_modules(path)) & {"airflow", "tiktok_airflow"}
    assert not found, f"{path.relative_to(REPO)} imports {sorted(found)}"


@pytest.mark.parametrize("path", python_files(LIBRARY), ids=lambda p: str(p.relative_to(REPO)))
def test_only_the_demo_uses_the_simulator(path):
    if path.name == "demo.py":
        return
    assert "scavio_simulator" not in roots(imported_modules(path)), path


@pytest.mark.parametrize("path", python_files(SIMULATOR), ids=lambda p: str(p.relative_to(REPO)))
def test_the_simulator_imports_nothing_of_the_project(path):
    found = roots(imported_modules(path)) & {"tiktok_engagement", "tiktok_airflow", "airflow"}
    assert not found, f"{path.relative_to(REPO)} imports {sorted(found)}"


@pytest.mark.parametrize("path", python_files(DAGS), ids=lambda p: p.name)
def test_dag_files_import_only_airflow_and_the_adapter(path):
    allowed = {"__future__", "airflow", "tiktok_airflow", "datetime", "pendulum", "typing"}
    found = roots(imported_modules(path)) - allowed
    assert not found, f"{path.name} imports {sorted(found)}: DAG files are wiring only"
