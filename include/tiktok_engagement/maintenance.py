"""Landing maintenance: compact a date's small files, and clean up temporaries of killed writers.

    python -m tiktok_engagement.maintenance compact --date 2026-10-01 [--through 2026-10-31]
        [--dataset creator_posts ...] [--data-dir DIR | --landing ROOT] [--warehouse-dir DIR]
        [--dry-run]
    python -m tiktok_engagement.maintenance clean-temporaries [--older-than-hours 1]
        [--data-dir DIR | --landing ROOT]

The landing zone is the system of record and only ever grows; every run and attempt adds files of
its own, so a partition collects many small files. Compaction rewrites one dataset's partition for
one date as a single file holding every distinct row of the files it merged, lineage included;
only rows that are equal in every column are dropped, and those exist only where an earlier
compaction was interrupted between writing its file and removing the ones it merged.

This module is the only code in the project that removes landed files, and it removes a file only
after the file's rows are in the compacted file: the compacted file is written through
:meth:`Landing.write` (a temporary name, fsync, link, directory fsync), read back and compared with
the rows it should hold, and only then are exactly the files that were merged removed. A file that
lands meanwhile is left alone, and an interruption at any point leaves every row readable (at worst
twice, which the warehouse models and the next compaction absorb). The compacted file's name is
derived from its rows, so a re-run after an interruption finds the file it already wrote and
finishes the removal. While compacting, the warehouse build lock is held, so a build never lists a
file that compaction then removes.

Without ``--data-dir`` or ``--landing``, the landing root is ``$TIKTOK_LANDING_URI`` or
``<data>/landing`` and the warehouse ``<data>/warehouse``, with ``<data>`` from
``$TIKTOK_DATA_DIR`` (default ``./data``). An ``s3://`` root is compacted the same way (one PUT
for the new object, then DELETEs); stale temporaries exist only on local roots.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import cast

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from .landing import DATASETS, SCHEMAS, Landing, fsync_dir, to_table
from .warehouse.build import build_lock
from .warehouse.paths import WarehousePaths, data_dir_from_env

COMPACTED_PREFIX = "compacted"
_ORDINAL = "__compaction_ordinal"
# Rows are written in a canonical order, lineage first, so the same set of rows always makes the
# same file (and the same name), whatever files and order they were read from.
_LEADING_ORDER = ("load_id", "request_seq", "captured_at")


class CompactionError(RuntimeError):
    """A compacted file did not read back with the rows it should hold; nothing was removed."""


@dataclass(frozen=True)
class PartitionCompaction:
    """What compaction did (or, in a dry run, would do) to one dataset's partition for one date.

    ``outcome`` is ``compacted``, ``would compact`` (dry run), ``nothing to do`` (at most one
    file) or ``refused`` (``reason`` says why; no file was written or removed). ``rows_read`` counts
    the rows of the merged files (0 when nothing was merged), ``rows_kept`` the distinct ones.
    """

    dataset: str
    snapshot_date: date
    outcome: str
    files_before: int
    bytes_before: int
    files_after: int
    bytes_after: int
    rows_read: int = 0
    rows_kept: int = 0
    compacted_file: str | None = None
    removed: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def duplicates_dropped(self) -> int:
        return self.rows_read - self.rows_kept


@dataclass
class CompactionSummary:
    """Every partition a compaction looked at, in the order it looked at them."""

    partitions: list[PartitionCompaction] = field(default_factory=list)

    @property
    def refused(self) -> list[PartitionCompaction]:
        return [p for p in self.partitions if p.outcome == "refused"]

    def render(self) -> str:
        """Files and bytes before and after, per dataset, then the refused partitions."""
        header = (
            f"{'dataset':<16} {'dates':>5} {'merged':>6} {'files before':>12} {'files after':>11}"
            f" {'bytes before':>13} {'bytes after':>13} {'rows merged':>11} {'rows kept':>10}"
        )
        lines = [header, "-" * len(header)]
        totals = [0] * 8
        for dataset in dict.fromkeys(p.dataset for p in self.partitions):
            parts = [p for p in self.partitions if p.dataset == dataset]
            figures = [
                len(parts),
                sum(p.outcome in ("compacted", "would compact") for p in parts),
                sum(p.files_before for p in parts),
                sum(p.files_after for p in parts),
                sum(p.bytes_before for p in parts),
                sum(p.bytes_after for p in parts),
                sum(p.rows_read for p in parts),
                sum(p.rows_kept for p in parts),
            ]
            totals = [t + f for t, f in zip(totals, figures, strict=True)]
            lines.append(_summary_line(dataset, figures))
        lines += ["-" * len(header), _summary_line("total", totals)]
        lines += [f"REFUSED {p.dataset} {p.snapshot_date}: {p.reason}" for p in self.refused]
        return "\n".join(lines)


def _summary_line(label: str, f: Sequence[int]) -> str:
    return (
        f"{label:<16} {f[0]:>5} {f[1]:>6} {f[2]:>12} {f[3]:>11} {f[4]:>13,} {f[5]:>13,}"
        f" {f[6]:>11} {f[7]:>10}"
    )


class _Refused(Exception):
    """A partition that cannot be compacted without changing its rows."""


def _read_landed_file(landing: Landing, dataset: str, path: str) -> pa.Table:
    """One landed file under the dataset's schema; refuses a file whose rows would change."""
    schema = SCHEMAS[dataset]
    table = pq.read_table(path, filesystem=landing.fs)
    extra = [name for name in table.column_names if name not in schema.names]
    if extra:
        # The merged file is written under today's schema; these columns would be lost.
        raise _Refused(f"{path} has columns the schema lacks ({', '.join(extra)})")
    missing = [f.name for f in schema if not f.nullable and f.name not in table.column_names]
    if missing:
        # Typically a file landed before lineage existed: the warehouse identifies its rows by the
        # file's name, which a merge would change.
        raise _Refused(f"{path} lacks required column(s) {', '.join(missing)}")
    columns = [
        table.column(f.name).cast(f.type)
        if f.name in table.column_names
        else pa.nulls(table.num_rows, type=f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def distinct_rows(table: pa.Table) -> pa.Table:
    """The rows of ``table`` without exact duplicates (equal in every column), canonically ordered.

    The order (load id, request, capture time, then every column) depends only on the set of
    rows, so the same rows always serialise to the same file.
    """
    if table.num_rows == 0:
        return table
    names = table.column_names
    indexed = table.append_column(_ORDINAL, pa.array(range(table.num_rows), type=pa.int64()))
    columns = ", ".join(_quote(n) for n in names)
    order = ", ".join(_quote(n) for n in [*(c for c in _LEADING_ORDER if c in names), *names])
    con = duckdb.connect()
    try:
        con.register("landed_rows", indexed)
        # The identifiers are the dataset schema's column names, quoted; no value is interpolated.
        query = f"select min({_ORDINAL}) from landed_rows group by {columns}"  # noqa: S608
        query += f" order by {order}"
        keep = con.sql(query).to_arrow_table()
    finally:
        con.close()
    return table.take(keep.column(0)).combine_chunks()


def _content_digest(table: pa.Table) -> str:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()[:8]


def compacted_file_name(table: pa.Table) -> str:
    """``compacted__<first load id>__<last load id>__<8 hex of the rows' digest>``
    (``compacted__empty__<digest>`` for files that held no rows)."""
    # Every landed dataset declares load_id a non-nullable string.
    load_ids = sorted(set(cast("list[str]", table.column("load_id").to_pylist())))
    span = f"{load_ids[0]}__{load_ids[-1]}" if load_ids else "empty"
    return f"{COMPACTED_PREFIX}__{span}__{_content_digest(table)}"


def _sizes(landing: Landing, paths: Sequence[str]) -> int:
    return sum(info.size or 0 for info in landing.fs.get_file_info(list(paths)))


def _parquet_size(table: pa.Table) -> int:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.tell()


def compact_partition(
    landing: Landing,
    dataset: str,
    snapshot_date: date,
    *,
    dry_run: bool = False,
    on_written: Callable[[str], None] | None = None,
    delete_file: Callable[[str], None] | None = None,
) -> PartitionCompaction:
    """Merge the partition's files into one file of their distinct rows, then remove them.

    The caller holds the warehouse build lock (:func:`compact` does). ``on_written`` is called
    with the compacted file's path once it is in place and verified, before any file is removed;
    ``delete_file`` removes one landed file (default: the landing filesystem's). Both exist so
    that tests can land a file mid-way or interrupt the removal.

    Raises :class:`CompactionError` (after removing only its own new file) when the written file
    does not read back with exactly the distinct rows.
    """
    if dataset not in SCHEMAS:
        raise ValueError(f"unknown dataset '{dataset}'; expected one of {', '.join(DATASETS)}")
    listed = landing.files(dataset, snapshot_date)
    bytes_before = _sizes(landing, listed)
    if len(listed) <= 1:
        return PartitionCompaction(
            dataset,
            snapshot_date,
            "nothing to do",
            len(listed),
            bytes_before,
            len(listed),
            bytes_before,
        )

    def refused(reason: str) -> PartitionCompaction:
        return PartitionCompaction(
            dataset,
            snapshot_date,
            "refused",
            len(listed),
            bytes_before,
            len(listed),
            bytes_before,
            reason=reason,
        )

    try:
        merged = pa.concat_tables(_read_landed_file(landing, dataset, p) for p in listed)
        kept = to_table(dataset, distinct_rows(merged))
    except _Refused as refusal:
        return refused(str(refusal))
    except ValueError as error:
        # A value the schema cannot hold (a failed cast, NULL in a required column) would change.
        return refused(str(error))
    directory = landing.partition_dir(dataset, snapshot_date)
    name = compacted_file_name(kept)
    target = f"{directory}/{name}.parquet"
    if dry_run:
        return PartitionCompaction(
            dataset,
            snapshot_date,
            "would compact",
            len(listed),
            bytes_before,
            1,
            _parquet_size(kept),
            merged.num_rows,
            kept.num_rows,
            target,
        )

    if target not in listed:
        target = landing.write(dataset, snapshot_date, name, kept)
    # else: an interrupted earlier compaction already wrote exactly these rows; reuse its file.
    _verify(landing, dataset, target, kept, remove_on_failure=target not in listed)
    if on_written is not None:
        on_written(target)
    delete = delete_file or landing.fs.delete_file
    removed = []
    for path in listed:
        if path != target:
            delete(path)
            removed.append(path)
    if landing.fs.type_name == "local":
        fsync_dir(directory)
    return PartitionCompaction(
        dataset,
        snapshot_date,
        "compacted",
        len(listed),
        bytes_before,
        1,
        _sizes(landing, [target]),
        merged.num_rows,
        kept.num_rows,
        target,
        tuple(removed),
    )


def _verify(
    landing: Landing, dataset: str, path: str, expected: pa.Table, *, remove_on_failure: bool
) -> None:
    written = _read_landed_file(landing, dataset, path)
    if written.num_rows == expected.num_rows and written.equals(expected):
        return
    if remove_on_failure:
        # Our own file, just written: every row it should hold is still in the merged files.
        landing.fs.delete_file(path)
    raise CompactionError(
        f"{path} read back {written.num_rows} rows, expected {expected.num_rows} distinct rows "
        "equal to the merged files'; no landed file was removed"
    )


def dates_between(first: date, through: date | None = None) -> list[date]:
    """Every date from ``first`` to ``through`` (inclusive; just ``first`` without it)."""
    last = through or first
    if last < first:
        raise ValueError(f"--through {last} is before --date {first}")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def compact(
    landing: Landing,
    dates: Iterable[date],
    datasets: Sequence[str] = DATASETS,
    *,
    warehouse_dir: Path,
    dry_run: bool = False,
) -> CompactionSummary:
    """Compact every (dataset, date) partition, holding the warehouse build lock of
    ``warehouse_dir`` throughout (a dry run changes nothing and takes no lock)."""
    unknown = [d for d in datasets if d not in SCHEMAS]
    if unknown:
        raise ValueError(f"unknown dataset(s) {', '.join(unknown)}; expected {', '.join(DATASETS)}")
    summary = CompactionSummary()

    def run() -> None:
        for day in dates:
            for dataset in datasets:
                summary.partitions.append(compact_partition(landing, dataset, day, dry_run=dry_run))

    if dry_run:
        run()
    else:
        with build_lock(WarehousePaths(Path(warehouse_dir))):
            run()
    return summary


def clean_temporaries(landing: Landing, older_than_s: float = 3600.0) -> list[str]:
    """Remove temporary files of killed writers older than ``older_than_s``; returns them."""
    return landing.remove_stale_temporaries(older_than_s=older_than_s)


# -- command line ----------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tiktok_engagement.maintenance",
        description="Landing maintenance: compaction and stale temporaries.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def location(sub: argparse.ArgumentParser) -> None:
        where = sub.add_mutually_exclusive_group()
        where.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="data root holding landing/ and warehouse/ (default: $TIKTOK_DATA_DIR or ./data)",
        )
        where.add_argument(
            "--landing",
            default=None,
            help="landing root, a path or s3:// URI "
            "(default: $TIKTOK_LANDING_URI or <data>/landing)",
        )

    compact_cmd = commands.add_parser(
        "compact", help="merge each partition's files into one, keeping every distinct row"
    )
    compact_cmd.add_argument(
        "--date", type=date.fromisoformat, required=True, help="snapshot date YYYY-MM-DD"
    )
    compact_cmd.add_argument(
        "--through", type=date.fromisoformat, default=None, help="last date (inclusive)"
    )
    compact_cmd.add_argument(
        "--dataset",
        action="append",
        choices=DATASETS,
        default=None,
        help="a dataset to compact (repeatable; default: all)",
    )
    location(compact_cmd)
    compact_cmd.add_argument(
        "--warehouse-dir",
        type=Path,
        default=None,
        help="warehouse whose build lock to hold (default: <data>/warehouse)",
    )
    compact_cmd.add_argument(
        "--dry-run", action="store_true", help="report what would change; write nothing"
    )

    clean_cmd = commands.add_parser(
        "clean-temporaries", help="remove temporary files left by killed writers"
    )
    clean_cmd.add_argument(
        "--older-than-hours",
        type=float,
        default=1.0,
        help="only temporaries older than this (default 1; a live write takes seconds)",
    )
    location(clean_cmd)
    return parser


def _landing_root(args: argparse.Namespace) -> str:
    if args.landing:
        return args.landing if "://" in args.landing else str(Path(args.landing).resolve())
    if args.data_dir is not None:
        return str((args.data_dir / "landing").resolve())
    uri = os.environ.get("TIKTOK_LANDING_URI", "").strip()
    return uri or str((data_dir_from_env() / "landing").resolve())


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (1 when a partition was refused)."""
    parser = _parser()
    args = parser.parse_args(argv)
    landing = Landing(_landing_root(args))
    if args.command == "clean-temporaries":
        if args.older_than_hours < 0:
            parser.error("--older-than-hours must be at least 0")
        removed = clean_temporaries(landing, older_than_s=args.older_than_hours * 3600)
        for path in removed:
            print(f"removed {path}")
        print(
            f"removed {len(removed)} temporary file(s) older than {args.older_than_hours:g} h "
            f"under {landing.root}"
        )
        return 0
    try:
        dates = dates_between(args.date, args.through)
    except ValueError as error:
        parser.error(str(error))
    warehouse_dir = args.warehouse_dir or (args.data_dir or data_dir_from_env()) / "warehouse"
    summary = compact(
        landing,
        dates,
        tuple(dict.fromkeys(args.dataset)) if args.dataset else DATASETS,
        warehouse_dir=warehouse_dir.resolve(),
        dry_run=args.dry_run,
    )
    span = f"{dates[0]}" + (f" to {dates[-1]}" if len(dates) > 1 else "")
    verb = "dry run: would compact" if args.dry_run else "compacted"
    print(f"{verb} {landing.root}, {span}")
    print(summary.render())
    return 1 if summary.refused else 0


if __name__ == "__main__":
    sys.exit(main())
