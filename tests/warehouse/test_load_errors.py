"""Schema drift at load time: new columns load, missing or NULL required columns fail loudly.

A failing build names the column and the file, and publishes nothing: readers keep the last good
build.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import ModuleType

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tiktok_engagement.landing import Landing
from tiktok_engagement.warehouse import WarehouseBuildError

from .conftest import Warehouse, new_warehouse

DAY1, DAY2 = date(2024, 2, 1), date(2024, 2, 2)


@pytest.fixture(scope="module")
def drift(tmp_path_factory: pytest.TempPathFactory, generator: ModuleType) -> Warehouse:
    warehouse = new_warehouse(tmp_path_factory, "drift", tmp_path_factory.mktemp("drift-landing"))
    generator.generate(
        warehouse.landing,
        generator.GeneratorConfig(creators=6, days=2, start=DAY1, queries=2, results_per_query=10),
    )
    # Day 1 also gets a file with a column the schema does not know (a new API field).
    landing = Landing(str(warehouse.landing))
    posts = landing.read("creator_posts", DAY1).slice(0, 5)
    posts = posts.set_column(
        posts.schema.get_field_index("video_id"),
        "video_id",
        pa.array([f"new-{i}" for i in range(5)]),
    )
    posts = posts.append_column("brand_new_metric", pa.array(range(5), pa.int64()))
    pq.write_table(posts, Path(landing.partition_dir("creator_posts", DAY1)) / "part-extra.parquet")
    warehouse.build(DAY1)
    return warehouse


def published_build_id(warehouse: Warehouse) -> str:
    return warehouse.query("select distinct build_id from marts.build_info")[0][0]


def failing_build(warehouse: Warehouse, bad_file: Path, table: pa.Table) -> WarehouseBuildError:
    pq.write_table(table, bad_file)
    try:
        with pytest.raises(WarehouseBuildError) as raised:
            warehouse.build(DAY2)
    finally:
        bad_file.unlink()
    return raised.value


def test_new_column_does_not_break_the_load(drift: Warehouse) -> None:
    assert (
        drift.query("select count(*) from marts.fct_video_snapshots where video_id like 'new-%'")[
            0
        ][0]
        == 5
    )


def test_missing_required_column_names_field_and_file(drift: Warehouse) -> None:
    before = published_build_id(drift)
    landing = Landing(str(drift.landing))
    posts = landing.read("creator_posts", DAY2).slice(0, 3)
    lacking = posts.drop_columns(["play_count"])
    bad_file = Path(landing.partition_dir("creator_posts", DAY2)) / "part-lacking.parquet"
    error = failing_build(drift, bad_file, lacking)
    message = str(error)
    assert 'required column "play_count"' in message
    assert str(bad_file) in message
    assert not error.result.published
    assert published_build_id(drift) == before  # readers still see the last good build


def test_null_in_required_column_names_field_and_file(drift: Warehouse) -> None:
    before = published_build_id(drift)
    landing = Landing(str(drift.landing))
    results = landing.read("search_results", DAY2).slice(0, 2)
    index = results.schema.get_field_index("share_count")
    nullable = pa.field("share_count", pa.int64(), nullable=True)
    with_null = results.set_column(index, nullable, pa.array([7, None], pa.int64()))
    bad_file = Path(landing.partition_dir("search_results", DAY2)) / "search-broken.parquet"
    message = str(failing_build(drift, bad_file, with_null))
    assert 'required column "share_count"' in message
    assert str(bad_file) in message
    assert published_build_id(drift) == before


def test_repaired_day_builds_and_publishes(drift: Warehouse) -> None:
    # the failed attempts above leave nothing behind: with the bad files gone the day builds
    before = published_build_id(drift)
    result = drift.build(DAY2)
    assert result.published
    assert published_build_id(drift) != before
    dates = drift.query("select distinct snapshot_date from marts.fct_video_snapshots order by 1")
    assert [d for (d,) in dates] == [DAY1, DAY2]
