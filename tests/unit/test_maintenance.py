"""Landing maintenance on tmp_path Parquet: compaction keeps every distinct row, and only removes
what it merged; clean-temporaries removes only old temporaries."""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tiktok_engagement import maintenance
from tiktok_engagement.landing import Landing, Load, video_columns
from tiktok_engagement.maintenance import compact, compact_partition, main
from tiktok_engagement.scavio.records import Video
from tiktok_engagement.warehouse.paths import WarehousePaths

D = date(2026, 11, 1)
T0 = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def post_row(video_id: str, plays: int, seq: int, captured: datetime) -> dict:
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
        }
    )
    return {
        "snapshot_date": D,
        "creator_username": "maya.lifts",
        "niche": "fitness",
        "sec_uid": "S1",
        "feed_position": int(video_id),
        **video_columns(video),
        "hashtags": ["gym", "legday"],
        "captured_at": captured,
        "request_seq": seq,
    }


def ledger_row(load: Load, seq: int, started: datetime) -> dict:
    return {
        "snapshot_date": D,
        "run_id": load.run_id,
        "request_seq": seq,
        "endpoint": "user/posts",
        "params_json": '{"sec_uid":"S1"}',
        "item_key": "creator:maya.lifts",
        "attempt": 1,
        "status": 200,
        "error_class": None,
        "error_message": None,
        "credits_used": 1,
        "credits_remaining": 1000 - seq,
        "latency_ms": 12.5,
        "started_at": started,
        "suspect_empty": False,
        "load_id": load.load_id,
        "run_attempt": load.run_attempt,
        "captured_at": started,
    }


def land_runs(landing: Landing, runs: int = 3) -> list[Load]:
    """``runs`` loads of the same day, each capturing the same videos later, with higher counts."""
    loads = []
    for n in range(runs):
        load = Load.new(run_id=f"scheduled__2026-11-01T00:00:00+00:00__{n}", run_attempt=1 + n % 2)
        captured = T0 + timedelta(hours=n)
        posts = [post_row(str(v), 100 * n + v, v, captured) for v in range(1, 6)]
        landing.write("creator_posts", D, load.file_name("posts"), posts, load=load)
        ledger = [ledger_row(load, seq, captured) for seq in range(1, 4)]
        landing.write("request_ledger", D, load.file_name("ledger"), ledger, load=load)
        loads.append(load)
    return loads


def rows(table: pa.Table) -> list[dict]:
    return sorted(table.to_pylist(), key=repr)


def compact_all(landing: Landing, tmp_path: Path, **kwargs) -> maintenance.CompactionSummary:
    return compact(
        landing, [D], ("creator_posts", "request_ledger"), warehouse_dir=tmp_path / "wh", **kwargs
    )


def test_compaction_keeps_every_row_and_its_lineage_in_one_file(tmp_path):
    landing = Landing(str(tmp_path / "landing"))
    land_runs(landing)
    before = {ds: rows(landing.read(ds, D)) for ds in ("creator_posts", "request_ledger")}

    summary = compact_all(landing, tmp_path)

    for dataset, expected in before.items():
        files = landing.files(dataset, D)
        assert len(files) == 1
        name = Path(files[0]).name
        assert name.startswith("compacted__") and not name.startswith(".")
        assert rows(landing.read(dataset, D)) == expected
    assert {len(r) for r in before.values()} == {15, 9}
    parts = {p.dataset: p for p in summary.partitions}
    assert parts["creator_posts"].outcome == "compacted"
    assert (parts["creator_posts"].files_before, parts["creator_posts"].files_after) == (3, 1)
    assert parts["creator_posts"].rows_read == parts["creator_posts"].rows_kept == 15
    assert len(parts["creator_posts"].removed) == 3
    assert "creator_posts" in summary.render()


def test_only_rows_equal_in_every_column_are_dropped(tmp_path):
    landing = Landing(str(tmp_path / "landing"))
    load = Load.new(run_id="manual__x")
    first = [post_row("1", 10, 1, T0), post_row("2", 20, 2, T0)]
    path = landing.write("creator_posts", D, load.file_name("posts"), first, load=load)
    # The leftover of a compaction interrupted before its removals: the same rows again.
    shutil.copy(path, Path(path).with_name("compacted__leftover.parquet"))
    # Differs from a row above in one column each: distinct observations, both kept.
    later = post_row("1", 10, 1, T0 + timedelta(microseconds=1))
    other_tags = {**post_row("2", 20, 2, T0), "hashtags": ["gym"]}
    landing.write("creator_posts", D, "posts__near-duplicates", [later, other_tags], load=load)

    result = compact_partition(landing, "creator_posts", D)

    assert (result.rows_read, result.rows_kept, result.duplicates_dropped) == (6, 4, 2)
    kept = rows(landing.read("creator_posts", D))
    assert len(kept) == 4
    assert sorted((r["video_id"], r["captured_at"], tuple(r["hashtags"])) for r in kept) == [
        ("1", T0, ("gym", "legday")),
        ("1", T0 + timedelta(microseconds=1), ("gym", "legday")),
        ("2", T0, ("gym",)),
        ("2", T0, ("gym", "legday")),
    ]


def test_a_second_compaction_is_a_no_op(tmp_path):
    landing = Landing(str(tmp_path / "landing"))
    land_runs(landing)
    compact_all(landing, tmp_path)
    files = {ds: landing.files(ds, D) for ds in ("creator_posts", "request_ledger")}
    stats = {p: os.stat(p) for paths in files.values() for p in paths}

    again = compact_all(landing, tmp_path)

    assert {p.outcome for p in again.partitions} == {"nothing to do"}
    assert {ds: landing.files(ds, D) for ds in files} == files
    assert {p: os.stat(p) for p in stats} == stats


def test_a_file_landed_mid_way_is_left_alone(tmp_path):
    landing = Landing(str(tmp_path / "landing"))
    land_runs(landing, runs=2)
    before = rows(landing.read("creator_posts", D))
    late = Load.new(run_id="manual__late")
    late_rows = [post_row("9", 999, 1, T0 + timedelta(hours=9))]
    landed_meanwhile: list[str] = []

    def land_meanwhile(compacted: str) -> None:
        assert Path(compacted).exists()
        landed_meanwhile.append(
            landing.write("creator_posts", D, late.file_name("posts"), late_rows, load=late)
        )

    result = compact_partition(landing, "creator_posts", D, on_written=land_meanwhile)

    assert landed_meanwhile[0] not in result.removed
    assert landing.files("creator_posts", D) == sorted([result.compacted_file, landed_meanwhile[0]])
    assert len(rows(landing.read("creator_posts", D))) == len(before) + 1
    # The next compaction merges it.
    assert compact_partition(landing, "creator_posts", D).outcome == "compacted"
    assert len(landing.files("creator_posts", D)) == 1


class Interrupted(Exception):
    pass


@pytest.mark.parametrize("removed_before_crash", [0, 1, 2])
def test_a_crash_between_write_and_removal_then_a_rerun_gives_the_same_rows(
    tmp_path, removed_before_crash
):
    landing = Landing(str(tmp_path / "landing"))
    land_runs(landing)
    before = rows(landing.read("creator_posts", D))
    deleted: list[str] = []

    def crash_after_some(path: str) -> None:
        if len(deleted) == removed_before_crash:
            raise Interrupted(path)
        landing.fs.delete_file(path)
        deleted.append(path)

    with pytest.raises(Interrupted):
        compact_partition(landing, "creator_posts", D, delete_file=crash_after_some)
    leftover = landing.files("creator_posts", D)
    assert len(leftover) == 1 + 3 - removed_before_crash
    # Nothing lost: every row is readable, some twice, until the re-run.
    assert {repr(r) for r in rows(landing.read("creator_posts", D))} == {repr(r) for r in before}
    compacted = next(p for p in leftover if Path(p).name.startswith("compacted__"))

    rerun = compact_partition(landing, "creator_posts", D)

    assert rerun.outcome == "compacted"
    assert landing.files("creator_posts", D) == [compacted]  # the file already written is reused
    assert rows(landing.read("creator_posts", D)) == before
    assert compact_partition(landing, "creator_posts", D).outcome == "nothing to do"


def test_compaction_holds_the_warehouse_build_lock(tmp_path, monkeypatch):
    landing = Landing(str(tmp_path / "landing"))
    land_runs(landing, runs=2)
    lock_file = WarehousePaths(tmp_path / "wh").lock_file
    seen: list[bool] = []
    original = maintenance.compact_partition

    def checking(*args, **kwargs):
        with open(lock_file, "a+") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                seen.append(True)
            else:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
                seen.append(False)
        return original(*args, **kwargs)

    monkeypatch.setattr(maintenance, "compact_partition", checking)
    compact_all(landing, tmp_path)
    assert seen == [True, True]


@pytest.mark.parametrize("odd_file", ["newer columns", "no lineage"])
def test_a_file_that_does_not_fit_the_schema_is_refused_untouched(tmp_path, capsys, odd_file):
    landing = Landing(str(tmp_path / "landing"))
    land_runs(landing, runs=2)
    files = landing.files("creator_posts", D)
    table = pq.read_table(files[0])
    if odd_file == "newer columns":
        table = table.append_column("mystery", pa.array(["x"] * 5))
    else:  # landed before lineage columns existed
        table = table.drop_columns(["load_id", "run_id", "run_attempt", "captured_at"])
    pq.write_table(table, Path(files[0]).with_name("posts__odd.parquet"))
    files = landing.files("creator_posts", D)

    code = main(
        [
            "compact",
            "--date",
            D.isoformat(),
            "--dataset",
            "creator_posts",
            "--landing",
            landing.root,
            "--warehouse-dir",
            str(tmp_path / "wh"),
        ]
    )

    assert code == 1
    assert landing.files("creator_posts", D) == files
    out = capsys.readouterr().out
    assert "REFUSED creator_posts 2026-11-01" in out
    assert ("mystery" if odd_file == "newer columns" else "lacks required column(s) load_id") in out


def test_cli_dry_run_changes_nothing_then_compacts(tmp_path, capsys):
    data = tmp_path / "data"
    landing = Landing(str(data / "landing"))
    land_runs(landing)
    before = sorted(str(p) for p in (data / "landing").rglob("*") if p.is_file())
    argv = ["compact", "--date", "2026-10-31", "--through", D.isoformat(), "--data-dir", str(data)]

    assert main([*argv, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would compact" in out and "creator_posts" in out
    assert sorted(str(p) for p in (data / "landing").rglob("*") if p.is_file()) == before
    assert not (data / "warehouse").exists()

    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "request_ledger" in out and "total" in out
    assert len(landing.files("creator_posts", D)) == len(landing.files("request_ledger", D)) == 1
    assert WarehousePaths(data / "warehouse").lock_file.exists()


def test_clean_temporaries_removes_only_old_temporaries(tmp_path, capsys):
    landing = Landing(str(tmp_path / "landing"))
    land_runs(landing, runs=1)
    directory = Path(landing.partition_dir("creator_posts", D))
    final = landing.files("creator_posts", D)[0]
    old_temporary = directory / ".posts__killed.parquet.tmp-0123abcd"
    young_temporary = directory / ".posts__writing.parquet.tmp-4567ef01"
    old_other_dot_file = directory / ".keep"
    for path in (old_temporary, young_temporary, old_other_dot_file):
        path.write_bytes(b"PAR1 half a file")
    two_hours_ago = time.time() - 7200
    for path in (old_temporary, old_other_dot_file, Path(final)):
        os.utime(path, (two_hours_ago, two_hours_ago))

    code = main(["clean-temporaries", "--landing", landing.root, "--older-than-hours", "1"])

    assert code == 0
    assert capsys.readouterr().out.splitlines()[0] == f"removed {old_temporary}"
    assert not old_temporary.exists()
    assert young_temporary.exists() and old_other_dot_file.exists()
    assert pq.read_table(final).num_rows == 5


class RowDroppingLanding(Landing):
    """A landing zone whose writes lose a row: what verification before removal is for."""

    def write(self, dataset, snapshot_date, name, rows, *, load=None):
        return super().write(dataset, snapshot_date, name, rows.slice(1), load=load)


def test_a_compacted_file_that_does_not_read_back_whole_removes_nothing(tmp_path):
    root = str(tmp_path / "landing")
    land_runs(Landing(root), runs=2)
    files = Landing(root).files("creator_posts", D)
    before = rows(Landing(root).read("creator_posts", D))

    with pytest.raises(maintenance.CompactionError, match="read back 9 rows, expected 10"):
        compact_partition(RowDroppingLanding(root), "creator_posts", D)

    assert Landing(root).files("creator_posts", D) == files
    assert rows(Landing(root).read("creator_posts", D)) == before
