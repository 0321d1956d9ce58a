"""Landing: explicit schemas, atomic append-only writes named by load, lineage on every row."""

import os
import time
from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tiktok_engagement.landing import (
    LINEAGE_COLUMNS,
    SCHEMAS,
    LandedFileExistsError,
    Landing,
    Load,
    video_columns,
)
from tiktok_engagement.scavio.records import Video

D = date(2026, 11, 1)
CAPTURED = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def post_row(video_id: str, plays: int = 10) -> dict:
    video = Video.from_payload(
        {
            "aweme_id": video_id,
            "create_time": 1_700_000_000,
            "statistics": {
                "play_count": plays,
                "digg_count": 1,
                "comment_count": 0,
                "share_count": 0,
            },
            "future_field": {"nested": True},
        }
    )
    return {
        "snapshot_date": D,
        "creator_username": "maya.lifts",
        "niche": "fitness",
        "sec_uid": "S1",
        "feed_position": 1,
        **video_columns(video),
    }


def landed_names(tmp_path) -> list[str]:
    """Every file under the root, temporaries included."""
    return sorted(p.name for p in tmp_path.rglob("*") if p.is_file())


def test_written_file_has_the_explicit_schema_and_raw_json(tmp_path):
    landing = Landing(str(tmp_path))
    load = Load.new("scheduled__2026-11-01T00:00:00+00:00", run_attempt=2)
    name = load.file_name("creators-003")
    path = landing.write("creator_posts", D, name, [post_row("1")], load=load)
    assert path == f"{tmp_path}/creator_posts/snapshot_date=2026-11-01/{name}.parquet"
    # The name says which part, run, attempt and load wrote it; the run id is made path-safe.
    assert name == (f"creators-003__scheduled__2026-11-01T00-00-00-00-00__try2__{load.load_id}")
    table = pq.read_table(path)
    assert table.schema.equals(SCHEMAS["creator_posts"], check_metadata=False)
    assert table.schema.field("video_id").type == pa.string()
    assert '"future_field":{"nested":true}' in table.column("raw_json")[0].as_py()


def test_empty_rows_still_land_a_typed_file(tmp_path):
    landing = Landing(str(tmp_path))
    path = landing.write("profiles", D, "part-0000", [])
    assert pq.read_table(path).schema.equals(SCHEMAS["profiles"], check_metadata=False)


def test_a_load_id_is_unique_and_time_ordered_and_a_cli_run_names_itself():
    first = Load.new()
    second = Load.new()
    assert first.load_id != second.load_id
    # The id starts with its UTC second, so ids sort by start time at one-second resolution.
    assert first.load_id[:16] <= second.load_id[:16]
    assert first.load_id.startswith(f"{first.started_at:%Y%m%dT%H%M%S}Z-")
    assert first.run_id == f"cli__{first.load_id}" and first.run_attempt == 1
    assert first.started_at.tzinfo is not None
    with pytest.raises(ValueError, match="run_attempt must be >= 1"):
        Load.new("r", run_attempt=0)


def test_a_second_write_of_a_name_is_refused_and_the_first_file_kept(tmp_path):
    landing = Landing(str(tmp_path))
    load = Load.new("run-1")
    name = load.file_name("creators")
    path = landing.write("creator_posts", D, name, [post_row("1"), post_row("2")], load=load)
    landed = pq.read_table(path)
    with pytest.raises(LandedFileExistsError, match="never replaced"):
        landing.write("creator_posts", D, name, [post_row("1", plays=99)], load=load)
    assert pq.read_table(path).equals(landed)
    assert landed_names(tmp_path) == [f"{name}.parquet"]  # no temporary left behind


def test_a_rerun_of_the_same_part_adds_a_file_beside_the_earlier_one(tmp_path):
    landing = Landing(str(tmp_path))
    first, rerun = Load.new("run-1"), Load.new("run-1", run_attempt=2)
    landing.write(
        "creator_posts", D, first.file_name("creators"), [post_row("1"), post_row("2")], load=first
    )
    landing.write("creator_posts", D, rerun.file_name("creators"), [post_row("1", 99)], load=rerun)
    assert len(landing.files("creator_posts", D)) == 2
    table = landing.read("creator_posts", D)
    by_load = sorted(
        zip(
            table["load_id"].to_pylist(),
            table["video_id"].to_pylist(),
            table["play_count"].to_pylist(),
            strict=True,
        )
    )
    assert by_load == sorted(
        [(first.load_id, "1", 10), (first.load_id, "2", 10), (rerun.load_id, "1", 99)]
    )
    assert set(table["run_attempt"].to_pylist()) == {1, 2}
    assert not hasattr(landing, "prune")  # nothing in the landing zone deletes a landed file


def test_a_failed_write_leaves_the_earlier_file_intact(tmp_path):
    landing = Landing(str(tmp_path))
    first, second = Load.new("run-1"), Load.new("run-2")
    landing.write("creator_posts", D, first.file_name("creators"), [post_row("1")], load=first)
    bad = post_row("2")
    bad["play_count"] = None
    with pytest.raises(ValueError, match="required column 'play_count'"):
        landing.write("creator_posts", D, second.file_name("creators"), [bad], load=second)
    assert landing.read("creator_posts", D).column("video_id").to_pylist() == ["1"]
    assert landed_names(tmp_path) == [f"{first.file_name('creators')}.parquet"]


def test_rows_without_lineage_need_a_load(tmp_path):
    landing = Landing(str(tmp_path))
    with pytest.raises(ValueError, match="no value for required column 'load_id'"):
        landing.write("creator_posts", D, "orphan", [post_row("1")])
    assert not landing.files("creator_posts")


def test_the_load_fills_lineage_a_row_lacks_and_keeps_what_it_has(tmp_path):
    landing = Landing(str(tmp_path))
    load = Load.new("run-1", run_attempt=3)
    answered = {**post_row("2"), "captured_at": CAPTURED, "request_seq": 7}
    landing.write("creator_posts", D, load.file_name("c"), [post_row("1"), answered], load=load)
    rows = {r["video_id"]: r for r in landing.read("creator_posts", D).to_pylist()}
    for row in rows.values():
        assert (row["load_id"], row["run_id"], row["run_attempt"]) == (load.load_id, "run-1", 3)
    assert rows["1"]["captured_at"] == load.started_at and rows["1"]["request_seq"] is None
    assert rows["2"]["captured_at"] == CAPTURED and rows["2"]["request_seq"] == 7


def test_a_table_without_lineage_columns_gets_them_from_the_load(tmp_path):
    landing = Landing(str(tmp_path))
    load = Load.new("run-t")
    bare = pa.Table.from_pylist(
        [post_row("1"), post_row("2")],
        schema=pa.schema([f for f in SCHEMAS["creator_posts"] if f.name not in LINEAGE_COLUMNS]),
    )
    path = landing.write("creator_posts", D, load.file_name("c"), bare, load=load)
    table = pq.read_table(path)
    assert table.schema.equals(SCHEMAS["creator_posts"], check_metadata=False)
    assert set(table["load_id"].to_pylist()) == {load.load_id}
    assert set(table["run_id"].to_pylist()) == {"run-t"}


def test_a_file_landed_before_the_lineage_columns_reads_with_nulls(tmp_path):
    landing = Landing(str(tmp_path))
    old_schema = pa.schema([f for f in SCHEMAS["creator_posts"] if f.name not in LINEAGE_COLUMNS])
    directory = tmp_path / "creator_posts" / "snapshot_date=2026-11-01"
    directory.mkdir(parents=True)
    pq.write_table(
        pa.Table.from_pylist([post_row("1")], schema=old_schema), directory / "part-0000.parquet"
    )
    load = Load.new("run-new")
    landing.write("creator_posts", D, load.file_name("c"), [post_row("2")], load=load)
    table = landing.read("creator_posts", D)
    assert table.schema.names == SCHEMAS["creator_posts"].names
    load_ids = dict(zip(table["video_id"].to_pylist(), table["load_id"].to_pylist(), strict=True))
    assert load_ids == {"1": None, "2": load.load_id}


def test_readers_never_see_temporary_files(tmp_path):
    landing = Landing(str(tmp_path))
    load = Load.new("run-1")
    landing.write("creator_posts", D, load.file_name("c"), [post_row("1")], load=load)
    directory = tmp_path / "creator_posts" / "snapshot_date=2026-11-01"
    (directory / ".c__killed.tmp-0123abcd").write_bytes(b"PAR1 half a file")
    assert [p.rsplit("/", 1)[1] for p in landing.files("creator_posts", D)] == [
        f"{load.file_name('c')}.parquet"
    ]
    assert landing.read("creator_posts", D).num_rows == 1


def test_stale_temporaries_are_looked_for_only_in_the_dates_asked(tmp_path):
    landing = Landing(str(tmp_path))
    other_day = date(2026, 11, 2)
    stale = []
    for day in (D, other_day):
        directory = tmp_path / "profiles" / f"snapshot_date={day.isoformat()}"
        directory.mkdir(parents=True)
        path = directory / ".p__killed.tmp-0123abcd"
        path.write_bytes(b"PAR1")
        os.utime(path, (time.time() - 7200,) * 2)
        stale.append(str(path))
    assert landing.stale_temporaries(snapshot_date=D) == [stale[0]]
    assert landing.remove_stale_temporaries(snapshot_date=D) == [stale[0]]
    assert landing.stale_temporaries() == [stale[1]]


def test_unknown_dataset_and_bad_part_names_are_rejected(tmp_path):
    landing = Landing(str(tmp_path))
    with pytest.raises(ValueError, match="unknown dataset 'videos'"):
        landing.write("videos", D, "p", [])
    for name in ("../escape", ".hidden", ""):
        with pytest.raises(ValueError, match="plain name"):
            landing.write("profiles", D, name, [])
    assert not list(tmp_path.rglob("*"))
