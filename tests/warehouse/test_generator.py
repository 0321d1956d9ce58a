"""The synthetic landing generator: landing layout and schemas, determinism, realistic quirks."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import ModuleType

import duckdb
import pyarrow.parquet as pq
import pytest
from tiktok_engagement.landing import SCHEMAS, Landing

from .conftest import GENERATED_DAYS, generated_dates


def test_every_dataset_lands_under_its_schema(generated_landing: Path) -> None:
    landing = Landing(str(generated_landing))
    for dataset, schema in SCHEMAS.items():
        files = landing.files(dataset)
        assert files, dataset
        for path in files:
            assert "snapshot_date=" in path and path.endswith(".parquet")
            assert pq.read_schema(path).equals(schema, check_metadata=False), path


def test_posts_per_creator_and_day(generated_landing: Path) -> None:
    landing = Landing(str(generated_landing))
    for day in generated_dates():
        posts = landing.read("creator_posts", day)
        per_creator = posts.group_by("creator_username").aggregate([("video_id", "count")])
        assert per_creator.num_rows == 12
        assert set(per_creator.column("video_id_count").to_pylist()) == {20}


def test_only_dates_writes_identical_files(tmp_path: Path, generator: ModuleType) -> None:
    config = generator.GeneratorConfig(
        creators=5, days=3, start=date(2024, 1, 1), queries=2, results_per_query=10
    )
    generator.generate(tmp_path / "all", config)
    generator.generate(tmp_path / "one", config, only_dates=[date(2024, 1, 3)])
    for dataset in SCHEMAS:
        full = Landing(str(tmp_path / "all")).read(dataset, date(2024, 1, 3))
        single = Landing(str(tmp_path / "one")).read(dataset, date(2024, 1, 3))
        assert full.equals(single), dataset
    with pytest.raises(ValueError, match="outside"):
        generator.generate(tmp_path / "bad", config, only_dates=[date(2025, 1, 1)])


def test_data_has_the_quirks_the_warehouse_must_handle(
    tmp_path: Path, generator: ModuleType
) -> None:
    config = generator.GeneratorConfig(creators=60, days=6, start=date(2024, 1, 1), queries=6)
    generator.generate(tmp_path, config)
    posts = f"{tmp_path}/creator_posts/*/*.parquet"
    con = duckdb.connect()
    zero_views, likes_above_views = con.execute(
        f"select count(*) filter (where play_count = 0), count(*) filter (where digg_count > play_count) from '{posts}'"
    ).fetchall()[0]
    assert zero_views > 0
    assert likes_above_views > 0
    grew, dropped = con.execute(
        f"""
        with v as (
            select video_id, snapshot_date, play_count,
                   lag(play_count) over (partition by video_id order by snapshot_date) as previous
            from '{posts}'
        )
        select count(*) filter (where play_count > previous), count(*) filter (where play_count < previous)
        from v
        """
    ).fetchall()[0]
    assert grew > 50 * dropped > 0  # counts grow day over day and occasionally drop
    tiers = con.execute(
        f"""
        select count(distinct case when follower_count < 10000 then 'nano' when follower_count < 100000 then 'micro'
            when follower_count < 500000 then 'mid' when follower_count < 1000000 then 'macro' else 'mega' end)
        from '{tmp_path}/profiles/*/*.parquet'
        """
    ).fetchall()[0][0]
    assert tiers == 5
    outsiders, retries = con.execute(
        f"""
        select (select count(*) from '{tmp_path}/search_results/*/*.parquet' where author_unique_id like 'outsider%'),
               (select count(*) from '{tmp_path}/request_ledger/*/*.parquet' where attempt > 1)
        """
    ).fetchall()[0]
    assert outsiders > 0 and retries > 0
    assert len(generated_dates()) == GENERATED_DAYS


def test_every_observation_names_its_ledger_row(generated_landing: Path) -> None:
    con = duckdb.connect()
    ledger = f"read_parquet('{generated_landing}/request_ledger/*/*.parquet')"
    for dataset in ("creator_posts", "search_results", "profiles", "hashtags", "rejected"):
        orphans = con.execute(
            f"""
            select count(*)
            from read_parquet('{generated_landing}/{dataset}/*/*.parquet') as landed
            anti join {ledger} as request
                on request.load_id = landed.load_id
                and request.request_seq = landed.request_seq
                and request.status = 200
                and request.captured_at = landed.captured_at
            """
        ).fetchall()[0][0]
        assert orphans == 0, dataset


def test_reruns_land_beside_the_first_load(tmp_path: Path, generator: ModuleType) -> None:
    day = date(2024, 1, 1)
    config = generator.GeneratorConfig(
        creators=5, days=1, start=day, queries=2, results_per_query=10, reruns=2
    )
    generator.generate(tmp_path, config)
    landing = Landing(str(tmp_path))
    loads = landing.read("loads", day).to_pylist()
    assert [row["fresh_capture"] for row in sorted(loads, key=lambda r: r["load_id"])] == [
        False,
        True,
        True,
    ]
    assert len({row["load_id"] for row in loads}) == 3
    for dataset in ("creator_posts", "search_results", "request_ledger", "loads"):
        assert len(landing.files(dataset, day)) == 3, dataset
    con = duckdb.connect()
    con.register("posts", landing.read("creator_posts", day))
    # the same answers, captured three times: identical counts, later captured_at
    per_load = con.sql(
        "select load_id, min(captured_at), sum(play_count), count(*) from posts group by 1 order by 1"
    ).fetchall()
    assert len({(total, rows) for _, _, total, rows in per_load}) == 1
    assert [captured for _, captured, _, _ in per_load] == sorted(c for _, c, _, _ in per_load)
