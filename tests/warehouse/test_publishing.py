"""Publishing for BI: readers in other processes never see a lock error or a half-built state.

Readers (DuckDB read-only connections, SQLAlchemy + duckdb-engine as Superset uses it, and the
Parquet exports) query in a loop in their own processes while several builds run and publish
(through ``build()`` and through the ``python -m tiktok_engagement.warehouse`` CLI).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from tiktok_engagement.warehouse import CONTRACT_TABLES, freshness
from tiktok_engagement.warehouse.publish import DATED_TABLES

from .conftest import Warehouse, generated_dates, new_warehouse

pytestmark = pytest.mark.slow  # real dbt builds

READER = Path(__file__).with_name("reader_process.py")
MODES = ("duckdb", "sqlalchemy", "exports")


@pytest.fixture(scope="module")
def concurrent_run(
    tmp_path_factory: pytest.TempPathFactory, generated_landing: Path
) -> tuple[Warehouse, dict, list]:
    warehouse = new_warehouse(tmp_path_factory, "concurrent", generated_landing, copy_landing=True)
    dates = generated_dates()
    first = warehouse.build(dates[0])
    control = tmp_path_factory.mktemp("readers")
    stop = control / "stop"
    readers = {
        mode: subprocess.Popen(
            [
                sys.executable,
                str(READER),
                mode,
                str(warehouse.serving_db),
                str(warehouse.exports_dir),
                str(stop),
                str(control / f"{mode}.json"),
            ]
        )
        for mode in MODES
    }
    build_ids = [first.build_id]
    try:
        build_ids.append(warehouse.build(dates[1]).build_id)
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "tiktok_engagement.warehouse",
                "build",
                "--date",
                dates[2].isoformat(),
                "--data-dir",
                str(warehouse.root),
            ],
            capture_output=True,
            text=True,
        )
        assert cli.returncode == 0, cli.stderr[-3000:]
        build_ids.append(cli.stdout.strip().rsplit(" ", 1)[-1])
        build_ids.append(warehouse.build(dates[3]).build_id)
    finally:
        stop.touch()
        for process in readers.values():
            process.wait(timeout=120)
    results = {mode: json.loads((control / f"{mode}.json").read_text()) for mode in MODES}
    return warehouse, results, build_ids


@pytest.mark.parametrize("mode", MODES)
def test_readers_never_fail_during_builds(concurrent_run, mode: str) -> None:
    _, results, build_ids = concurrent_run
    outcome = results[mode]
    assert outcome["error_count"] == 0, outcome["errors"]
    assert outcome["reads"] >= 10
    # every answer came from one complete, published build, and readers saw builds change
    assert set(outcome["builds"]) <= set(build_ids)
    assert len(outcome["builds"]) >= 2


def test_serving_file_and_exports_hold_the_last_build(concurrent_run) -> None:
    warehouse, _, build_ids = concurrent_run
    assert warehouse.query("select distinct build_id from marts.build_info") == [(build_ids[-1],)]
    tables = {
        name
        for (name,) in warehouse.query(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        )
    }
    assert set(CONTRACT_TABLES) | {"build_info"} <= tables
    for table in (*CONTRACT_TABLES, "build_info"):
        if table in DATED_TABLES:
            export = warehouse.exports_dir / "marts" / table / "*.parquet"
            assert not (warehouse.exports_dir / "marts" / f"{table}.parquet").exists()
        else:
            export = warehouse.exports_dir / "marts" / f"{table}.parquet"
        exported = (
            duckdb.connect()
            .execute(f"select count(*) from read_parquet('{export}')")
            .fetchall()[0][0]
        )
        assert exported == warehouse.query(f"select count(*) from marts.{table}")[0][0]
    leftovers = [p.name for p in warehouse.warehouse_dir.iterdir() if ".tmp-" in p.name]
    leftovers += [p.name for p in (warehouse.exports_dir / "marts").iterdir() if ".tmp-" in p.name]
    assert leftovers == []


def test_freshness_against_a_day(concurrent_run) -> None:
    warehouse, _, _ = concurrent_run
    last = generated_dates()[-1]
    report = {item.dataset: item for item in freshness(warehouse.serving_db, today=last)}
    assert set(report) == {
        "profiles",
        "creator_posts",
        "search_results",
        "hashtags",
        "request_ledger",
        "loads",
    }
    assert report["creator_posts"].latest_snapshot_date == last
    assert report["creator_posts"].days_behind_today == 0 and not report["creator_posts"].is_stale
    later = {
        item.dataset: item
        for item in freshness(warehouse.serving_db, today=last.replace(day=last.day + 3))
    }
    assert later["creator_posts"].days_behind_today == 3 and later["creator_posts"].is_stale
