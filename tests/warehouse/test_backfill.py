"""Incremental loads: any load order, a bulk range, and re-runs all give the same marts.

The same generated landing (4 days) is built three ways: day by day in order (the daily case),
day by day in a shuffled order (a backfill), and as one range by the standalone dbt CLI followed by
``publish()`` alone (how the Airflow DAG runs it). Every contract table must be identical.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from tiktok_engagement.warehouse import CONTRACT_TABLES, WarehousePaths, publish

from .conftest import Warehouse, generated_dates, new_warehouse

pytestmark = pytest.mark.slow  # real dbt builds

SHUFFLED = [3, 1, 0, 2]  # day indexes: 4th, 2nd, 1st, 3rd


def normalised(warehouse: Warehouse, table: str) -> list[tuple]:
    rows = warehouse.query(f"select * from marts.{table} order by all")
    return [tuple(round(v, 12) if isinstance(v, float) else v for v in row) for row in rows]


@pytest.fixture(scope="module")
def shuffled_warehouse(
    tmp_path_factory: pytest.TempPathFactory, generated_landing: Path
) -> tuple[Warehouse, dict]:
    warehouse = new_warehouse(tmp_path_factory, "shuffled", generated_landing)
    dates = generated_dates()
    rebuilt = {}
    for index in SHUFFLED:
        result = warehouse.build(dates[index])
        rebuilt[dates[index]] = result.rebuilt_dates
    return warehouse, rebuilt


@pytest.fixture(scope="module")
def cli_range_warehouse(
    tmp_path_factory: pytest.TempPathFactory, generated_landing: Path
) -> Warehouse:
    """The dbt project run by hand over the whole range (``python -m tiktok_engagement.warehouse
    dbt``, the supported way to run dbt commands), then publish() alone."""
    warehouse = new_warehouse(tmp_path_factory, "cli-range", generated_landing)
    paths = WarehousePaths(warehouse.warehouse_dir)
    paths.work_dir.mkdir(parents=True)
    dates = generated_dates()
    env = {
        # Paths come from the command's arguments alone: a TIKTOK_* variable left in this process
        # by another test (or the caller's shell) must not redirect the dbt run.
        **{k: v for k, v in os.environ.items() if not k.startswith("TIKTOK_")},
        "DO_NOT_TRACK": "1",
        "TIKTOK_LANDING_URI": str(generated_landing),
        # the brands the other warehouses of the generated landing track (conftest.py)
        "TIKTOK_BRANDS_FILE": os.environ["TIKTOK_BRANDS_FILE"],
    }
    completed = subprocess.run(
        [
            os.sys.executable,
            "-m",
            "tiktok_engagement.warehouse",
            "dbt",
            "--data-dir",
            str(warehouse.root),
            "--date",
            dates[0].isoformat(),
            "--through",
            dates[-1].isoformat(),
            "--",
            "build",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-4000:]
    publish(warehouse.warehouse_dir, warehouse.exports_dir, snapshot_date=dates[-1])
    return warehouse


@pytest.mark.parametrize("table", CONTRACT_TABLES)
def test_shuffled_backfill_equals_in_order(
    inorder_warehouse: Warehouse, shuffled_warehouse, table: str
) -> None:
    shuffled, _ = shuffled_warehouse
    expected = normalised(inorder_warehouse, table)
    assert expected, f"{table} is empty"
    assert normalised(shuffled, table) == expected


@pytest.mark.parametrize("table", CONTRACT_TABLES)
def test_cli_range_load_equals_in_order(
    inorder_warehouse: Warehouse, cli_range_warehouse: Warehouse, table: str
) -> None:
    assert normalised(cli_range_warehouse, table) == normalised(inorder_warehouse, table)


def test_backfill_recomputes_later_loaded_dates(shuffled_warehouse) -> None:
    _, rebuilt = shuffled_warehouse
    dates = generated_dates()
    loaded: list = []
    for index in SHUFFLED:
        day = dates[index]
        assert day in rebuilt[day]
        # only the day itself and days already loaded after it are recomputed
        assert set(rebuilt[day]) <= {day} | {d for d in loaded if d > day}
        loaded.append(day)
    # building the first day last-but-one must revisit the later days its videos reappear on
    assert len(rebuilt[dates[0]]) > 1
    # the newest day in order only rebuilds itself (the daily case)
    assert rebuilt[dates[3]] == (dates[3],)


def test_gains_are_continuous_after_backfill(shuffled_warehouse) -> None:
    shuffled, _ = shuffled_warehouse
    # every snapshot but a video's first has a previous snapshot; gains add up to last - first
    broken = shuffled.query(
        """
        with per_video as (
            select video_id,
                   count(*) as snapshots,
                   count(previous_snapshot_date) as with_previous,
                   sum(views_gained) as gained,
                   arg_max(play_count, snapshot_date) - arg_min(play_count, snapshot_date) as span
            from marts.fct_video_snapshots
            group by video_id
        )
        select * from per_video
        where with_previous <> snapshots - 1 or coalesce(gained, 0) <> span
        """
    )
    assert broken == []


def test_rerunning_a_day_replaces_its_rows(
    inorder_warehouse: Warehouse, shuffled_warehouse
) -> None:
    shuffled, _ = shuffled_warehouse
    before = {table: normalised(shuffled, table) for table in CONTRACT_TABLES}
    shuffled.build(generated_dates()[1])
    for table in CONTRACT_TABLES:
        assert normalised(shuffled, table) == before[table], table
    assert normalised(shuffled, "fct_video_snapshots") == normalised(
        inorder_warehouse, "fct_video_snapshots"
    )
