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
from tiktok_engagement.landing import Landing, Load
from tiktok_engagement.warehouse import WarehouseBuildError
from tiktok_engagement.warehouse.__main__ import main as warehouse_cli

from .conftest import Warehouse, new_warehouse
from .landing_rows import hashtag, ledger, post, profile, result

pytestmark = pytest.mark.slow  # real dbt builds

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


@pytest.mark.slow
def test_cli_build_reads_the_landing_named_by_tiktok_landing_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    # The landing lives outside the data dir, named only by the variable (relative, as a user
    # might write it); the data dir has no landing/ of its own.
    elsewhere = tmp_path / "elsewhere" / "landing-root"
    landing, load = Landing(str(elsewhere)), Load.new()
    created = {"created": "2024-01-20T10:00:00"}
    rows = {
        "creator_posts": [
            post(DAY1, "alice", "beauty", 1, "a1", 1000, 100, 2, 30, **created),
            post(DAY1, "alice", "beauty", 2, "a2", 2000, 120, 4, 10, **created),
            post(DAY1, "bob", "food", 1, "b1", 500, 50, 5, 10, **created),
        ],
        "search_results": [result(DAY1, "#glow", "hashtag", 1, "x1", 9000, 90, 9, 9, **created)],
        "profiles": [profile(DAY1, "alice", "beauty", 1000), profile(DAY1, "bob", "food", 2000)],
        "hashtags": [hashtag(DAY1, "#glow", 5000, 100)],
        "request_ledger": [ledger(DAY1, 1, "profile"), ledger(DAY1, 2, "posts")],
    }
    for dataset, dataset_rows in rows.items():
        landing.write(dataset, DAY1, load.file_name("part-0000"), dataset_rows, load=load)
    data = tmp_path / "data"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIKTOK_LANDING_URI", "elsewhere/landing-root")
    monkeypatch.delenv("TIKTOK_DATA_DIR", raising=False)

    assert warehouse_cli(["build", "--date", DAY1.isoformat(), "--data-dir", str(data)]) == 0
    assert f"built {DAY1}" in capsys.readouterr().out
    assert not (data / "landing").exists()
    built = Warehouse(data, elsewhere).query(
        "select video_id from marts.fct_video_snapshots where snapshot_date = ? order by 1", [DAY1]
    )
    assert [video for (video,) in built] == ["a1", "a2", "b1", "x1"]
