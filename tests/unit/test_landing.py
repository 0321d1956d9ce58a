"""Landing: explicit schemas, atomic replace-not-append writes, pruning."""

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tiktok_engagement.landing import SCHEMAS, Landing, video_columns
from tiktok_engagement.scavio.records import Video

D = date(2026, 11, 1)


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


def test_written_file_has_the_explicit_schema_and_raw_json(tmp_path):
    landing = Landing(str(tmp_path))
    path = landing.write("creator_posts", D, "part-0000", [post_row("1")])
    assert path == f"{tmp_path}/creator_posts/snapshot_date=2026-11-01/part-0000.parquet"
    table = pq.read_table(path)
    assert table.schema.equals(SCHEMAS["creator_posts"], check_metadata=False)
    assert table.schema.field("video_id").type == pa.string()
    assert '"future_field":{"nested":true}' in table.column("raw_json")[0].as_py()


def test_empty_rows_still_land_a_typed_file(tmp_path):
    landing = Landing(str(tmp_path))
    path = landing.write("profiles", D, "part-0000", [])
    assert pq.read_table(path).schema.equals(SCHEMAS["profiles"], check_metadata=False)


def test_same_part_replaces_instead_of_adding(tmp_path):
    landing = Landing(str(tmp_path))
    landing.write("creator_posts", D, "part-0000", [post_row("1"), post_row("2")])
    landing.write("creator_posts", D, "part-0000", [post_row("1", plays=99)])
    assert len(landing.files("creator_posts", D)) == 1
    table = landing.read("creator_posts", D)
    assert table.column("play_count").to_pylist() == [99]
    assert not [p for p in (tmp_path / "creator_posts").rglob("*") if ".tmp-" in p.name]


def test_a_failed_write_leaves_the_previous_file_intact(tmp_path):
    landing = Landing(str(tmp_path))
    landing.write("creator_posts", D, "part-0000", [post_row("1")])
    bad = post_row("2")
    bad["play_count"] = None
    with pytest.raises(ValueError, match="required column 'play_count'"):
        landing.write("creator_posts", D, "part-0000", [bad])
    assert landing.read("creator_posts", D).column("video_id").to_pylist() == ["1"]
    assert [p.name for p in (tmp_path / "creator_posts").rglob("*") if p.is_file()] == [
        "part-0000.parquet"
    ]


def test_prune_removes_parts_of_an_earlier_batching(tmp_path):
    landing = Landing(str(tmp_path))
    for part in ("part-0000", "part-0001", "part-0002"):
        landing.write("creator_posts", D, part, [post_row(part)])
    removed = landing.prune("creator_posts", D, keep=["part-0000", "part-0001"])
    assert [r.rsplit("/", 1)[1] for r in removed] == ["part-0002.parquet"]
    assert landing.read("creator_posts").num_rows == 2


def test_unknown_dataset_and_bad_part_names_are_rejected(tmp_path):
    landing = Landing(str(tmp_path))
    with pytest.raises(ValueError, match="unknown dataset 'videos'"):
        landing.write("videos", D, "p", [])
    with pytest.raises(ValueError, match="plain file name"):
        landing.write("profiles", D, "../escape", [])
