"""Dated Parquet exports: a build rewrites the files of the dates it rebuilt, and no others."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb
import pytest
from tiktok_engagement.warehouse import publish
from tiktok_engagement.warehouse.publish import DATED_TABLES, exports_match_working_marts

from .conftest import Warehouse, generated_dates, new_warehouse

pytestmark = pytest.mark.slow  # real dbt builds


def file_identities(warehouse: Warehouse, table: str) -> dict[date, int]:
    """Each dated export file's inode: a rewritten file is a new inode (written, then renamed)."""
    directory = warehouse.exports_dir / "marts" / table
    return {date.fromisoformat(p.stem): p.stat().st_ino for p in directory.glob("*.parquet")}


@pytest.fixture(scope="module")
def history(
    tmp_path_factory: pytest.TempPathFactory, generated_landing: Path
) -> tuple[Warehouse, list[dict[str, dict[date, int]]]]:
    """Days 1-2 in one build, then day 4, then day 3 (a backfill); export inodes after each."""
    warehouse = new_warehouse(tmp_path_factory, "exports", generated_landing)
    d1, d2, d3, d4 = generated_dates()
    # A whole-table file from the earlier layout must not shadow the dated directory.
    legacy = warehouse.exports_dir / "marts" / "fct_video_snapshots.parquet"
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(b"stale")
    snapshots = []
    for first, through in ((d1, d2), (d4, None), (d3, None)):
        warehouse.build(first, through=through)
        snapshots.append({table: file_identities(warehouse, table) for table in DATED_TABLES})
    return warehouse, snapshots


def test_a_file_per_date_with_the_marts_rows(history) -> None:
    warehouse, _ = history
    assert not (warehouse.exports_dir / "marts" / "fct_video_snapshots.parquet").exists()
    leftovers = [p for p in warehouse.exports_dir.rglob("*") if ".tmp" in p.name]
    assert leftovers == []
    con = duckdb.connect()
    for table in DATED_TABLES:
        expected = warehouse.query(
            f"select snapshot_date, count(*) from marts.{table} group by 1 order by 1"
        )
        pattern = warehouse.exports_dir / "marts" / table / "*.parquet"
        exported = con.execute(
            f"select snapshot_date, count(*) from read_parquet('{pattern}') group by 1 order by 1"
        ).fetchall()
        assert exported == expected, table
        for path in pattern.parent.glob("*.parquet"):
            days = con.execute(f"select distinct snapshot_date from '{path}'").fetchall()
            assert days == [(date.fromisoformat(path.stem),)], path


def test_a_new_day_rewrites_only_its_files(history) -> None:
    _, (after_range, after_new_day, _) = history
    d1, d2, _, d4 = generated_dates()
    for table in ("fct_video_snapshots", "creator_scorecard", "trending_videos"):
        assert set(after_new_day[table]) == {d1, d2, d4}
        for day in (d1, d2):
            assert after_new_day[table][day] == after_range[table][day], (table, day)


def test_a_backfill_rewrites_the_later_dates_it_rebuilt(history) -> None:
    _, (_, after_new_day, after_backfill) = history
    d1, d2, d3, d4 = generated_dates()
    fct = after_backfill["fct_video_snapshots"]
    assert set(fct) == {d1, d2, d3, d4}
    assert fct[d4] != after_new_day["fct_video_snapshots"][d4]  # previous snapshots moved to d3
    assert fct[d1] == after_new_day["fct_video_snapshots"][d1]


def test_working_marts_changed_outside_a_publish_means_a_full_export(history) -> None:
    warehouse, _ = history
    assert exports_match_working_marts(warehouse.warehouse_dir, warehouse.exports_dir)
    assert not exports_match_working_marts(warehouse.warehouse_dir, warehouse.root / "elsewhere")
    marts_db = warehouse.warehouse_dir / "work" / "marts_build.duckdb"
    os.utime(marts_db, ns=(marts_db.stat().st_atime_ns, marts_db.stat().st_mtime_ns + 1))
    assert not exports_match_working_marts(warehouse.warehouse_dir, warehouse.exports_dir)
    result = publish(warehouse.warehouse_dir, warehouse.exports_dir)
    assert result.exported_dates["fct_video_snapshots"] == tuple(generated_dates())
    assert exports_match_working_marts(warehouse.warehouse_dir, warehouse.exports_dir)
