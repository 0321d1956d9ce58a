"""Wall time of the README's demo: the backfill through Airflow, end to end, and its warehouse.

Each run is ``python -m tiktok_engagement.demo`` in a fresh temporary data directory (a fresh
Airflow home, landing and warehouse), as ``make demo`` runs it after the install. The machine's
load average is recorded before each run: on a shared two-core machine it moves the figure a lot.
After each demo, the library build (``tiktok_engagement.warehouse.build``) of the same dates runs
over the demo's landing into a fresh warehouse, date by date, so the warehouse DAG's time per date
is set beside the build it wraps.

    .venv/bin/python bench/demo_bench.py [--runs 2] [--days 7]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, git_revision, machine, median, write_section  # noqa: E402

DAG_RUN_LINE = re.compile(
    r"^  (?P<date>\S+)  (?P<dag_id>tiktok_\w+) +\w+ +(?P<seconds>[\d.]+) s ", re.M
)


def library_builds(data: Path, dates: list[str]) -> list[float]:
    """Seconds of the library build of each date, in order, over ``data``'s landing."""
    from datetime import date

    from tiktok_engagement.warehouse import build

    seconds = []
    for day in dates:
        started = time.perf_counter()
        build(
            str(data / "landing"),
            data / "library" / "warehouse",
            data / "library" / "exports",
            date.fromisoformat(day),
            quiet=True,
        )
        seconds.append(time.perf_counter() - started)
    return seconds


def one_run(days: int) -> tuple[float, float, int, dict[str, list[float]]]:
    """Seconds, 1-minute load average before, exit code and each DAG's run times of one demo;
    ``"library build"`` holds the library build's time of each date."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tiktok-demo-bench-") as data:
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "tiktok_engagement.demo", "--days", str(days)],
            cwd=ROOT,
            env={**os.environ, "TIKTOK_DATA_DIR": data},
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        # the demo's progress lines: "  <date>  <dag_id>  <state>  <seconds> s  (<task states>)"
        per_dag: dict[str, list[float]] = {}
        dates: list[str] = []
        for match in DAG_RUN_LINE.finditer(result.stdout):
            per_dag.setdefault(match["dag_id"], []).append(float(match["seconds"]))
            if match["dag_id"] == "tiktok_warehouse":
                dates.append(match["date"])
        if result.returncode == 0:
            per_dag["library build"] = library_builds(Path(data), dates)
    return seconds, load, result.returncode, per_dag


def _warehouse_ratio(per_dag: dict[str, list[float]]) -> list[str]:
    """The warehouse DAG's median time per date over the library build's (goal: at most 1.5)."""
    dag, library = per_dag.get("tiktok_warehouse"), per_dag.get("library build")
    if not dag or not library:
        return []
    ratio = median(dag) / median(library)
    return [
        f"Warehouse DAG over the library build of the same dates: {median(dag):.1f} s / "
        f"{median(library):.1f} s = **{ratio:.2f}x** (goal: at most 1.5x).",
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    runs = []
    per_dag: dict[str, list[float]] = {}
    for n in range(1, args.runs + 1):
        seconds, load, code, dag_runs = one_run(args.days)
        print(f"run {n}: {seconds:.0f} s (load average before: {load:.2f}, exit {code})")
        if code != 0:
            return code
        runs.append((seconds, load))
        for dag_id, times in dag_runs.items():
            per_dag.setdefault(dag_id, []).extend(times)
    body = "\n".join(
        [
            f"## Demo: {args.days}-day backfill through Airflow (`make demo`)",
            "",
            f"Machine: {machine()}. Revision {git_revision()}.",
            f"Command: `python -m tiktok_engagement.demo --days {args.days}` in a fresh data "
            "directory (what `make demo` runs after the install). Goal: under 10 minutes.",
            "",
            "| run | wall time | 1-min load average before |",
            "|---|---|---|",
            *(f"| {i} | {s:.0f} s | {load:.2f} |" for i, (s, load) in enumerate(runs, 1)),
            "",
            f"Median: **{median([s for s, _ in runs]):.0f} s** over {len(runs)} run(s).",
            "",
            "Each DAG run's time, as the demo prints it, over all dates of all runs:",
            "",
            "| DAG | runs | median per date | slowest |",
            "|---|---|---|---|",
            *(
                f"| `{dag_id}` | {len(t)} | {median(t):.1f} s | {max(t):.1f} s |"
                for dag_id, t in per_dag.items()
            ),
            "",
            *_warehouse_ratio(per_dag),
            "The rest is Airflow's start-up and metadata-database migration (paid once), the",
            "simulator's start and the summary queries. The warehouse DAG's build task calls the",
            "library build (one `dbt build` in a child process, then publish); what the DAG adds",
            "is its plan and report tasks and Airflow's per-task overhead.",
        ]
    )
    write_section("demo", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
