"""Wall time of the README's demo (issue 4): the 7-day backfill through Airflow, end to end.

Each run is ``python -m tiktok_engagement.demo`` in a fresh temporary data directory (a fresh
Airflow home, landing and warehouse), as ``make demo`` runs it after the install. The machine's
load average is recorded before each run: on a shared two-core machine it moves the figure a lot.

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

DAG_RUN_LINE = re.compile(r"^  \S+  (?P<dag_id>tiktok_\w+) +\w+ +(?P<seconds>[\d.]+) s ", re.M)


def one_run(days: int) -> tuple[float, float, int, dict[str, list[float]]]:
    """Seconds, 1-minute load average before, exit code and each DAG's run times of one demo."""
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
    for match in DAG_RUN_LINE.finditer(result.stdout):
        per_dag.setdefault(match["dag_id"], []).append(float(match["seconds"]))
    return seconds, load, result.returncode, per_dag


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
            "## Demo: 7-day backfill through Airflow (`make demo`)",
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
            "The rest is Airflow's start-up and metadata-database migration (paid once), the",
            "simulator's start and the summary queries. The warehouse DAG builds each model with",
            "`dbt build --select <model>` (Cosmos `TestBehavior.BUILD`), one dbt invocation per model.",
        ]
    )
    write_section("demo", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
