"""The README's demo: start the simulator, extract a day for the default roster and queries, and
print what landed and what it cost.

Runs entirely offline against the bundled Scavio simulator (no key needed). Its data goes to
``TIKTOK_DATA_DIR`` (default ``./data``).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

from .config import Settings, load_queries, load_roster
from .extract import extract_creators, extract_searches
from .landing import DATASETS, Landing
from .simulator import SimulatorConfig, SimulatorProcess


def _step(message: str) -> None:
    print(f"==> {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--date", type=date.fromisoformat, default=date.today() - timedelta(days=1))
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)

    settings = Settings.from_env({"TIKTOK_DATA_DIR": str(args.data_dir)} if args.data_dir else None)
    roster = load_roster(settings.creators_file)
    queries = load_queries(settings.queries_file)

    _step("starting the Scavio simulator on loopback")
    with SimulatorProcess(SimulatorConfig()) as simulator:
        settings = settings.with_overrides(base_url=simulator.base_url, api_key=simulator.api_key)
        _step(
            f"simulator at {simulator.base_url}; extracting {args.date} for "
            f"{len(roster)} creators and {len(queries)} queries"
        )
        creators = extract_creators(settings, args.date, roster)
        print(creators.summary(), flush=True)
        searches = extract_searches(settings, args.date, queries)
        print(searches.summary(), flush=True)

    landing = Landing(settings.landing_root)
    _step(f"landing zone {settings.landing_root}")
    for dataset in DATASETS:
        rows = landing.read(dataset, args.date).num_rows
        print(f"  {dataset:<16} {rows:>6} rows on {args.date}")
    credits = creators.credits_used + searches.credits_used
    print(
        f"  total: {creators.requests + searches.requests} requests, {credits} credits, "
        f"${credits * settings.price_per_credit:.2f} at ${settings.price_per_credit}/credit"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
