"""Landing growth: the bytes landed per day after daily runs with one re-run a day, before and
after compaction.

Against the simulator, for each of ``--days`` consecutive dates: the daily extraction of a roster
(``--creators`` from the simulator's roster endpoint) and of the tracked queries
(``include/queries.csv``), then a re-run of the same date with ``fresh=True`` (a later capture of
everything, as an operator's re-run would land). Then the files and bytes of every dataset's
partitions are measured, every date is compacted (``python -m tiktok_engagement.maintenance
compact``), and they are measured again; the row counts must not change.

    .venv/bin/python bench/landing_growth.py [--days 30] [--creators 50] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, median, write_section  # noqa: E402
from scavio_simulator import SimulatorConfig, SimulatorProcess  # noqa: E402
from tiktok_engagement.config import (  # noqa: E402
    DEFAULT_QUERIES_FILE,
    Creator,
    Settings,
    load_queries,
)
from tiktok_engagement.extract import extract_creators, extract_searches  # noqa: E402
from tiktok_engagement.landing import DATASETS, Landing  # noqa: E402
from tiktok_engagement.maintenance import compact  # noqa: E402

DAY1 = date(2026, 9, 1)
MAX_IN_FLIGHT = 10


def partition_sizes(landing: Landing, days: list[date]) -> dict[str, dict[date, tuple[int, int]]]:
    """(files, bytes) of each dataset's partition for each date."""
    sizes: dict[str, dict[date, tuple[int, int]]] = {}
    for dataset in DATASETS:
        sizes[dataset] = {}
        for day in days:
            files = landing.files(dataset, day)
            sizes[dataset][day] = (len(files), sum(os.path.getsize(f) for f in files))
    return sizes


def row_counts(landing: Landing, days: list[date]) -> dict[str, int]:
    return {ds: sum(landing.read(ds, day).num_rows for day in days) for ds in DATASETS}


def land_days(settings: Settings, roster: list[Creator], days: list[date]) -> None:
    queries = load_queries(DEFAULT_QUERIES_FILE)
    for day in days:
        started = time.perf_counter()
        for run_id, fresh in ((f"bench__{day}", False), (f"bench-rerun__{day}", True)):
            for report in (
                extract_creators(settings, day, roster, run_id=run_id, fresh=fresh),
                extract_searches(settings, day, queries, run_id=run_id, fresh=fresh),
            ):
                # A refused or empty run would make the figures meaningless; say so instead.
                if not sum(report.rows.values()):
                    raise RuntimeError(f"{day}: a run landed nothing\n{report.summary()}")
        print(f"  {day}: run and re-run in {time.perf_counter() - started:.1f}s", flush=True)


def _fmt_bytes(value: float) -> str:
    return f"{value / 1024:,.1f} KiB"


def report(
    before: dict[str, dict[date, tuple[int, int]]],
    after: dict[str, dict[date, tuple[int, int]]],
    days: list[date],
) -> list[str]:
    lines = [
        "| dataset | files per day before (median) | bytes per day before (median) "
        "| bytes before (total) | files per day after (median) | bytes per day after (median) "
        "| bytes after (total) | after / before |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def row(label: str, b: list[tuple[int, int]], a: list[tuple[int, int]]) -> str:
        total_b, total_a = sum(x[1] for x in b), sum(x[1] for x in a)
        ratio = f"{total_a / total_b:.3f}" if total_b else "-"
        return (
            f"| {label} | {median([x[0] for x in b]):g} | {_fmt_bytes(median([x[1] for x in b]))} "
            f"| {_fmt_bytes(total_b)} | {median([x[0] for x in a]):g} "
            f"| {_fmt_bytes(median([x[1] for x in a]))} | {_fmt_bytes(total_a)} | {ratio} |"
        )

    for dataset in DATASETS:
        lines.append(
            row(dataset, [before[dataset][d] for d in days], [after[dataset][d] for d in days])
        )

    def per_day(sizes: dict[str, dict[date, tuple[int, int]]]) -> list[tuple[int, int]]:
        return [
            (sum(sizes[ds][d][0] for ds in DATASETS), sum(sizes[ds][d][1] for ds in DATASETS))
            for d in days
        ]

    lines.append(row("**all datasets**", per_day(before), per_day(after)))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--creators", type=int, default=50)
    parser.add_argument(
        "--no-write", action="store_true", help="print the figures; leave BENCHMARKS.md alone"
    )
    args = parser.parse_args()
    days = [DAY1 + timedelta(days=n) for n in range(args.days)]
    with SimulatorProcess(SimulatorConfig()) as sim, tempfile.TemporaryDirectory() as tmp:
        roster = [Creator(r["username"], r["niche"]) for r in sim.roster(args.creators)]
        settings = Settings(
            base_url=sim.base_url,
            api_key=sim.api_key,
            data_dir=Path(tmp),
            max_in_flight=MAX_IN_FLIGHT,
        )
        landing = Landing(settings.landing_root)
        print(f"landing {args.days} days, a run and a fresh re-run each ...", flush=True)
        started = time.perf_counter()
        land_days(settings, roster, days)
        landing_s = time.perf_counter() - started
        before, rows_before = partition_sizes(landing, days), row_counts(landing, days)

        started = time.perf_counter()
        summary = compact(landing, days, warehouse_dir=settings.warehouse_dir)
        compaction_s = time.perf_counter() - started
        after, rows_after = partition_sizes(landing, days), row_counts(landing, days)
        if rows_after != rows_before or summary.refused:
            raise RuntimeError(
                f"compaction changed the rows: {rows_before} -> {rows_after}\n{summary.render()}"
            )
        dropped = sum(p.duplicates_dropped for p in summary.partitions)

    query_count = len(load_queries(DEFAULT_QUERIES_FILE))
    command = (
        f".venv/bin/python bench/landing_growth.py --days {args.days} --creators {args.creators}"
    )
    body = "\n".join(
        [
            "## Landing growth",
            "",
            f"Machine: {machine()}. Command: `make bench-landing` (`{command}`).",
            "",
            f"{args.days} consecutive simulated dates from {days[0]}; each date a daily run "
            f"({args.creators} creators from the simulator's roster, {query_count} queries "
            "from include/queries.csv) and a re-run of the same date with a fresh capture "
            "(every creator and query fetched again, landed beside the first run's files). Then "
            f"every date compacted into one file per dataset (`python -m "
            f"tiktok_engagement.maintenance compact --date {days[0]} --through {days[-1]}`).",
            "Bytes are Parquet file sizes (zstd); a day's files are that date's partition.",
            "",
            *report(before, after, days),
            "",
            f"Rows before and after compaction are equal for every dataset "
            f"({sum(rows_before.values()):,} rows; {dropped} exact duplicates dropped). "
            f"Landing the {4 * args.days} loads (2 runs of 2 extractions a date) took "
            f"{landing_s:.0f} s; compacting {len(summary.partitions)} partitions took "
            f"{compaction_s:.1f} s.",
            "A re-run adds files and rows and never replaces them (the landing zone is "
            "append-only), so a day with a re-run holds two captures; compaction keeps both "
            "and every lineage column, and leaves one file per dataset and date. Its bytes "
            "fall because one file's dictionaries and zstd frames span both captures of a "
            "day, which repeat many values (raw JSON, descriptions), and because fewer files "
            "carry fewer footers; how much depends on the dataset (see the last column).",
        ]
    )
    print(body)
    if not args.no_write:
        write_section("landing-growth", body)


if __name__ == "__main__":
    main()
