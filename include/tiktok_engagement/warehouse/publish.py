"""Publishing the marts for readers: a read-only serving file and Parquet exports.

DuckDB lets one process write a database file, or many processes read it, never both at once.
So readers (BI tools, notebooks) never open the files the build writes. dbt builds the marts into
a working file (``work/marts_build.duckdb``, attached to the dbt profile as ``marts_db``; nothing
else lives in it), and publishing

1. records the build in ``marts.build_info`` (build id, snapshot date, row count of every mart)
   and closes the working file (DuckDB checkpoints on close: no WAL is left beside it);
2. copies it byte for byte to a temporary file beside the serving file, fsyncs it, and
   ``os.replace``s it onto ``<warehouse>/tiktok.duckdb``;
3. meanwhile (the copy waits on the disk, the export on the CPU) writes each mart to
   ``<exports>/marts/<table>.parquet`` (temporary file, then ``os.replace``; snappy, DuckDB's
   default, about a third faster to write than zstd for 40 % more bytes).

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
``work.duckdb``, which is never copied) and runs at disk speed; on file systems with copy-on-write
clones (btrfs, XFS with reflink) it is a constant-time clone. Measured here (2 cores, ext4) with
1M video snapshots (bench generator, 140 creators x 365 days): the marts file is 82 MB and its
copy + fsync takes 0.13 s, while the required Parquet export of fct_video_snapshots alone takes
0.44 s (snappy; 0.65 s with zstd) -- the exports, not the copy, are the history-proportional part
of publishing, and both run at once. One incremental day then takes ~12 s with 365 days of
history against ~10 s with 30 (dbt's fixed cost dominates; data tests only read the replaced
dates, see include/dbt/macros/tests/test_scope.sql).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

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
    "source_freshness",
)
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


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
            shutil.copyfileobj(src, dst, length=16 * 1024 * 1024)
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
    _fsync_dir(final.parent)


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


def _export_all(marts_db: Path, exports_dir: Path, tables: list[str]) -> dict[str, Path]:
    """Every table of the (closed, complete) working marts file as Parquet, read-only."""
    exports = {}
    con = duckdb.connect(str(marts_db), read_only=True)
    try:
        for table in tables:
            final = exports_marts_dir(exports_dir) / f"{table}.parquet"
            export_parquet(con, table, final)
            exports[table] = final
    finally:
        con.close()
    return exports


def publish(
    warehouse_dir: Path,
    exports_dir: Path,
    *,
    snapshot_date: date | None = None,
    build_id: str | None = None,
) -> PublishResult:
    """Publish the working marts of ``warehouse_dir``: build_info, Parquet exports, serving file.

    Usable alone (e.g. an Airflow task after Cosmos ran the dbt models), but only after a build
    whose tests passed: it publishes whatever the working marts file holds.
    """
    paths = WarehousePaths(Path(warehouse_dir))
    marts_db = paths.marts_db
    if not marts_db.exists():
        raise PublishError(f"no working marts database at {marts_db}: run a build first")
    build_id = build_id or new_build_id()
    published_at = datetime.now(UTC)
    con = duckdb.connect(str(marts_db))
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
    # The copy is disk-bound and the Parquet exports CPU-bound: do both at once.
    with ThreadPoolExecutor(max_workers=1) as pool:
        serving = pool.submit(replace_atomically, marts_db, paths.serving_db)
        exports = _export_all(marts_db, Path(exports_dir), [*tables, BUILD_INFO_TABLE])
        serving.result()
    return PublishResult(
        build_id=build_id,
        snapshot_date=snapshot_date,
        serving_db=paths.serving_db,
        exports=exports,
        row_counts=row_counts,
        published_at=published_at,
    )
