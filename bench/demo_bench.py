"""Wall time of the README's demo (issue 4): the 7-day backfill through Airflow, end to end.

Each run is ``python -m tiktok_engagement.demo`` in a fresh temporary data directory (a fresh
Airflow home, landing and warehouse), as ``make demo`` runs it after the install. The machine's
load average is recorded before each run: on a shared two-core machine it moves the figure a lot.

    .venv/bin/python bench/demo_bench.py [--runs 2] [--days 7]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, git_revision, machine, median, write_section  # noqa: E402


def one_run(days: int) -> tuple[float, float, int]:
    """(seconds, 1-minute load average before the run, exit code) of one demo run."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tiktok-demo-bench-") as data:
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "tiktok_engagement.demo", "--days", str(days)],
            cwd=ROOT,
            env={**os.environ, "TIKTOK_DATA_DIR": data},
            stdout=subprocess.DEVNULL,
            check=False,
        )
        return time.perf_counter() - start, load, result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    runs = []
    for n in range(1, args.runs + 1):
        seconds, load, code = one_run(args.days)
        print(f"run {n}: {seconds:.0f} s (load average before: {load:.2f}, exit {code})")
        if code != 0:
            return code
        runs.append((seconds, load))
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
        ]
    )
    write_section("demo", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
