"""Publishing the marts for readers: a read-only serving file and Parquet exports.

DuckDB lets one process write a database file, or many processes read it, never both at once.
So readers (BI tools, notebooks) never open the files the build writes. dbt builds the marts into
a working file (``work/marts_build.duckdb``, attached to the dbt profile as ``marts_db``; nothing
else lives in it), and publishing

1. records the build in ``marts.build_info`` (build id, snapshot date, row count of every mart)
   and closes the working file (DuckDB checkpoints on close: no WAL is left beside it);
2. copies it byte for byte to a temporary file beside the serving file (a copy-on-write clone
   where the file system has them, else ``copy_file_range`` in the kernel), fsyncs it, and
   ``os.replace``s it onto ``<warehouse>/tiktok.duckdb``;
3. meanwhile (the copy waits on the disk, the export on the CPU) writes the Parquet exports:
   the marts keyed by snapshot date (``DATED_TABLES``) as one file per date,
   ``<exports>/marts/<table>/<YYYY-MM-DD>.parquet`` (zstd), rewriting only the dates the build
   rebuilt (``dates``; every date when publishing alone); the other marts as one file each,
   ``<exports>/marts/<table>.parquet`` (snappy). Every file is written under a temporary name
   and ``os.replace``d into place.

A reader that opens ``tiktok.duckdb`` gets either the previous complete file or the new complete
file (rename is atomic on POSIX), and a connection already open keeps reading the inode it opened
(the replaced file lives until its last reader closes it): no lock is shared with the build, so
the build never waits for readers, readers never see a lock error, and no reader ever sees half a
build. ``marts.build_info`` lets a reader check that every table it read comes from one build.

Why copy the file rather than the alternatives:
- *Rewrite the marts into a new file* (``ATTACH`` + ``CREATE TABLE AS`` / ``COPY FROM DATABASE``):
  decodes and recompresses every row, many times slower than copying the compressed bytes.
- *A serving file of views over the Parquet exports*: nearly free to publish, but the views must
  point at build-versioned files that are deleted some day; a reader holding an old connection
  past that day gets "file not found". A copied file has no such dangling reference.
- *Swap between two serving files*: writing into the inactive one needs its write lock, which a
  slow reader may still hold; the build would then wait or fail.
The copy is proportional to the marts' compressed size (the landed history and staging live in
``work.duckdb``, which is never copied); on file systems with copy-on-write clones (btrfs, XFS
with reflink) it is a constant-time clone, elsewhere ``copy_file_range`` keeps it in the kernel.
Exporting a whole fct_video_snapshots each day was the part of a day's build that grew with the
history (8 s of a 20 s day at 9M video snapshots on 2 cores, against 0.7 s at 0.8M); one file per
date makes it a day's rows. Figures: BENCHMARKS.md, section Warehouse.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

import duckdb

from ..landing import fsync_dir
from .paths import WarehousePaths, exports_marts_dir

MARTS_SCHEMA = "marts"
BUILD_INFO_TABLE = "build_info"
# The contract's tables; publishing refuses to publish a marts file that lacks one.
CONTRACT_TABLES = (
    "fct_video_snapshots",
    "dim_creators",
    "creator_scorecard",
    "niche_benchmarks",
    "trending_videos",
    "query_trends",
    "api_usage",
    "api_runs",
    "rejected_items",
    "source_freshness",
    "fct_comments",
    "video_comment_summary",
    "creator_audience",
    "creator_content_signals",
    "creator_follows",
    "creator_discovery",
    "creator_similarity",
    "creator_communities",
    "brand_mentions",
    "brand_share_of_voice",
    "brand_creators",
)
# The marts whose grain includes the snapshot date, exported as one Parquet file per date
# (``<exports>/marts/<table>/<YYYY-MM-DD>.parquet``) so that a build rewrites only the dates it
# rebuilt; the other tables are one file each (``<exports>/marts/<table>.parquet``).
DATED_TABLES = (
    "fct_video_snapshots",
    "creator_scorecard",
    "niche_benchmarks",
    "trending_videos",
    "query_trends",
    "api_usage",
    "api_runs",
    "rejected_items",
    "fct_comments",
    "video_comment_summary",
    "creator_audience",
    "creator_content_signals",
    "brand_mentions",
    "brand_share_of_voice",
)
# Not dated here though keyed by snapshot date: creator_discovery and creator_communities are
# rebuilt whole by every build (a followings date loaded late changes every later date), so a
# build's rebuilt dates do not name the dates whose rows changed; each is exported as one file.
_FICLONE = 0x40049409  # Linux ioctl: clone a file's extents (copy-on-write file systems only)


class PublishError(RuntimeError):
    """The working marts cannot be published (missing, incomplete, or a WAL left beside them)."""


@dataclass(frozen=True)
class PublishResult:
    build_id: str
    snapshot_date: date | None
    serving_db: Path
    exports: dict[str, Path]
    row_counts: dict[str, int]
    published_at: datetime
    # Per dated table, the dates whose files this publish (re)wrote.
    exported_dates: dict[str, tuple[date, ...]] = field(default_factory=dict)


def new_build_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def _mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        """
        select table_name
        from information_schema.tables
        where table_schema = ? and table_type = 'BASE TABLE' and table_name <> ?
        order by table_name
        """,
        [MARTS_SCHEMA, BUILD_INFO_TABLE],
    ).fetchall()
    return [name for (name,) in rows]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_bytes(src: BinaryIO, dst: BinaryIO) -> None:
    """Copy the rest of ``src`` into ``dst``: in the kernel where it can, else through a buffer.

    ``copy_file_range`` moves the bytes from page cache to page cache without a round trip through
    this process (measured here: 0.2 s for a 650 MB marts file against 1.7 s for a 16 MB-buffer
    copy, which also competes with the Parquet exports for the CPU).
    """
    remaining = os.fstat(src.fileno()).st_size - src.tell()
    try:
        while remaining > 0:
            copied = os.copy_file_range(src.fileno(), dst.fileno(), remaining)
            if copied == 0:
                break
            remaining -= copied
    except OSError as error:
        # Not supported for this pair of files (another file system, an old kernel): the offsets
        # still point after what was copied, so the buffered copy carries on from there.
        if error.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            raise
    shutil.copyfileobj(src, dst, length=16 * 1024 * 1024)


def _copy_file(source: Path, destination: Path) -> None:
    """Clone ``source`` when the file system can (constant time), else copy its bytes."""
    with open(source, "rb") as src, open(destination, "wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
        except OSError:
            # No copy-on-write clone on this file system (ext4, tmpfs, ...): copy the bytes.
            src.seek(0)
            dst.seek(0)
            dst.truncate()
            _copy_bytes(src, dst)
        dst.flush()
        os.fsync(dst.fileno())


@contextlib.contextmanager
def _temporary_beside(final: Path) -> Iterator[Path]:
    """A temporary path in the final file's directory, removed unless it was renamed into place."""
    temporary = final.with_name(f".{final.name}.tmp-{uuid.uuid4().hex}")
    try:
        yield temporary
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def replace_atomically(source: Path, final: Path) -> None:
    """Copy ``source`` to ``final`` so that readers see the old or the new file, never a mix."""
    final.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_beside(final) as temporary:
        _copy_file(source, temporary)
        os.replace(temporary, final)
    fsync_dir(str(final.parent))


def export_parquet(con: duckdb.DuckDBPyConnection, table: str, final: Path) -> None:
    """Write ``marts.<table>`` to ``final`` as Parquet, atomically."""
    final.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_beside(final) as temporary:
        # Identifiers come from the catalog and are quoted; COPY cannot take them as parameters.
        query = (
            f"copy (select * from {MARTS_SCHEMA}.{_quote(table)}) to {_sql_string(str(temporary))}"  # noqa: S608
        )
        con.execute(query + " (format parquet, compression snappy)").fetchall()
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, final)


def _dated_file_date(path: Path) -> date | None:
    try:
        return date.fromisoformat(path.stem)
    except ValueError:
        return None


def _one_file(con: duckdb.DuckDBPyConnection, partition: Path) -> Path:
    """The partition's Parquet file; several (DuckDB may split a partition) are merged into one."""
    written = sorted(partition.iterdir())
    if len(written) == 1:
        return written[0]
    merged = partition / "merged.parquet.tmp"
    files = ", ".join(_sql_string(str(path)) for path in written)
    # Paths this module made, quoted; COPY cannot take its target as a parameter.
    con.execute(
        f"copy (select * from read_parquet([{files}])) to {_sql_string(str(merged))} "  # noqa: S608
        "(format parquet, compression zstd)"
    ).fetchall()
    return merged


def export_dated_parquet(
    con: duckdb.DuckDBPyConnection,
    table: str,
    directory: Path,
    dates: Iterable[date] | None = None,
) -> tuple[date, ...]:
    """Write ``marts.<table>`` as one Parquet file per snapshot date, ``<directory>/<date>.parquet``.

    ``dates`` None writes every date; otherwise those dates and any date of the table that has no
    file yet. Files of dates the table no longer holds are removed. Each file is written under a
    temporary directory two levels up (beside ``<exports>/marts``, never inside it, where readers
    list and glob) and renamed into place, so readers see a date's old file or its new one, never
    a partial file. Returns the dates written.
    """
    relation = f"{MARTS_SCHEMA}.{_quote(table)}"
    dates_query = f"select distinct snapshot_date from {relation}"  # noqa: S608
    present = {day for (day,) in con.execute(dates_query).fetchall()}
    if None in present:
        raise PublishError(f"marts.{table} has rows without a snapshot_date: cannot export by date")
    directory.mkdir(parents=True, exist_ok=True)
    existing = {
        day: path for path in directory.glob("*.parquet") if (day := _dated_file_date(path))
    }
    missing = present - existing.keys()
    wanted = set(present) if dates is None else (set(dates) & present) | missing
    if wanted:
        staging = directory.parent.parent / f".{directory.name}.tmp-{uuid.uuid4().hex}"
        try:
            where = ""
            if wanted != present:
                days = ", ".join(f"date '{day.isoformat()}'" for day in sorted(wanted))
                where = f" where snapshot_date in ({days})"
            # One statement for all the dates (DuckDB writes the partitions in parallel); zstd:
            # a day's file is small, so its size matters more than the write speed, and zstd's
            # fastest level compresses these columns about as well as its default.
            con.execute(
                f"copy (select * from {relation}{where}) to {_sql_string(str(staging))} "  # noqa: S608
                "(format parquet, compression zstd, compression_level 1, partition_by (snapshot_date), "
                "write_partition_columns true)"
            ).fetchall()
            for day in sorted(wanted):
                written = _one_file(con, staging / f"snapshot_date={day.isoformat()}")
                with open(written, "rb") as handle:
                    os.fsync(handle.fileno())
                os.replace(written, directory / f"{day.isoformat()}.parquet")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    for day in existing.keys() - present:
        existing[day].unlink()
    fsync_dir(str(directory))
    return tuple(sorted(wanted))


def _write_build_info(
    con: duckdb.DuckDBPyConnection,
    build_id: str,
    snapshot_date: date | None,
    published_at: datetime,
    row_counts: dict[str, int],
) -> None:
    con.execute(
        f"""
        create or replace table {MARTS_SCHEMA}.{BUILD_INFO_TABLE} (
            build_id varchar not null,
            snapshot_date date,
            published_at timestamp with time zone not null,
            table_name varchar not null,
            row_count bigint not null
        )
        """
    ).fetchall()
    con.executemany(
        f"insert into {MARTS_SCHEMA}.{BUILD_INFO_TABLE} values (?, ?, ?, ?, ?)",  # noqa: S608
        [
            [build_id, snapshot_date, published_at, table, count]
            for table, count in row_counts.items()
        ],
    )


def _export_all(
    marts_db: Path,
    exports_dir: Path,
    tables: list[str],
    dates: Iterable[date] | None,
    duckdb_config: Mapping[str, str],
) -> tuple[dict[str, Path], dict[str, tuple[date, ...]]]:
    """Every table of the (closed, complete) working marts file as Parquet, read-only.

    Dated tables get the files of ``dates`` (None: every date) rewritten, the others a whole file.
    """
    exports: dict[str, Path] = {}
    exported_dates: dict[str, tuple[date, ...]] = {}
    wanted = None if dates is None else tuple(dates)
    con = duckdb.connect(str(marts_db), read_only=True, config=dict(duckdb_config))
    try:
        for table in tables:
            if table in DATED_TABLES:
                directory = exports_marts_dir(exports_dir) / table
                exported_dates[table] = export_dated_parquet(con, table, directory, wanted)
                exports[table] = directory
                # A whole-table file left by an earlier layout would shadow the directory.
                (exports_marts_dir(exports_dir) / f"{table}.parquet").unlink(missing_ok=True)
            else:
                final = exports_marts_dir(exports_dir) / f"{table}.parquet"
                export_parquet(con, table, final)
                exports[table] = final
    finally:
        con.close()
    return exports, exported_dates


def _publish_stamp(marts_db: Path, exports_dir: Path) -> dict[str, object]:
    stat = marts_db.stat()
    return {
        "marts_db": str(marts_db.resolve()),
        "inode": stat.st_ino,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "exports_dir": str(Path(exports_dir).resolve()),
    }


def exports_match_working_marts(warehouse_dir: Path, exports_dir: Path) -> bool:
    """True when the last publish exported the working marts file exactly as it is now.

    Then only the dates a build rebuilds need new export files. Anything else (a build that did not
    publish, a dbt run outside ``build()``, another exports directory) calls for a full export.
    """
    paths = WarehousePaths(Path(warehouse_dir))
    if not paths.marts_db.exists() or not paths.publish_stamp.exists():
        return False
    try:
        recorded = json.loads(paths.publish_stamp.read_text())
    except ValueError:
        return False
    return recorded == _publish_stamp(paths.marts_db, exports_dir)


def publish(
    warehouse_dir: Path,
    exports_dir: Path,
    *,
    snapshot_date: date | None = None,
    build_id: str | None = None,
    dates: Iterable[date] | None = None,
    duckdb_config: Mapping[str, str] | None = None,
) -> PublishResult:
    """Publish the working marts of ``warehouse_dir``: build_info, Parquet exports, serving file.

    Usable alone (``python -m tiktok_engagement.warehouse publish``), but only after a build
    whose tests passed: it publishes whatever the working marts file holds.

    ``dates``: the snapshot dates whose rows changed since the last publish (``build()`` passes the
    dates it rebuilt when :func:`exports_match_working_marts` says nothing else changed); only
    their files of the dated tables are rewritten, plus any date without a file. None (the
    default) rewrites every date's file, which is always correct.

    ``duckdb_config``: DuckDB's limits for publishing's connections
    (:attr:`~tiktok_engagement.config.StorageSettings.duckdb_config`; None: DuckDB's defaults).
    The partitioned export of the dated tables holds every date's rows at once: without a memory
    limit it takes as much memory as the largest mart.
    """
    config = dict(duckdb_config or {})
    paths = WarehousePaths(Path(warehouse_dir))
    marts_db = paths.marts_db
    if not marts_db.exists():
        raise PublishError(f"no working marts database at {marts_db}: run a build first")
    build_id = build_id or new_build_id()
    published_at = datetime.now(UTC)
    con = duckdb.connect(str(marts_db), config=dict(config))
    try:
        tables = _mart_tables(con)
        missing = sorted(set(CONTRACT_TABLES) - set(tables))
        if missing:
            raise PublishError(
                f"working marts lack contract table(s) {', '.join(missing)}: run a full build first"
            )
        row_counts = {}
        for table in tables:
            count_query = f"select count(*) from {MARTS_SCHEMA}.{_quote(table)}"  # noqa: S608
            row_counts[table] = con.execute(count_query).fetchall()[0][0]
        _write_build_info(con, build_id, snapshot_date, published_at, row_counts)
    finally:
        con.close()  # checkpoints: the file is complete on its own
    wal = marts_db.with_name(marts_db.name + ".wal")
    if wal.exists():
        raise PublishError(
            f"{wal} remains after closing the working marts; refusing to copy a partial file"
        )
    stamp = _publish_stamp(marts_db, exports_dir)
    paths.publish_stamp.unlink(missing_ok=True)
    # The copy is disk-bound and the Parquet exports CPU-bound: do both at once.
    with ThreadPoolExecutor(max_workers=1) as pool:
        serving = pool.submit(replace_atomically, marts_db, paths.serving_db)
        exports, exported_dates = _export_all(
            marts_db, Path(exports_dir), [*tables, BUILD_INFO_TABLE], dates, config
        )
        serving.result()
    paths.publish_stamp.write_text(json.dumps(stamp))
    return PublishResult(
        build_id=build_id,
        snapshot_date=snapshot_date,
        serving_db=paths.serving_db,
        exports=exports,
        row_counts=row_counts,
        published_at=published_at,
        exported_dates=exported_dates,
    )
