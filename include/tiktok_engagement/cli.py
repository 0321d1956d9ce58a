"""``tiktok-extract``: run a day's extraction without Airflow.

    tiktok-extract --date 2026-11-01                 # creators and searches for that date
    tiktok-extract --date 2026-11-01 --dry-run       # print what it would cost, spend nothing
    tiktok-extract --date 2026-11-01 --only creators --creator maya.lifts

Exit status: 0 done; 2 bad configuration; 3 the API rejected the key; 4 spending stopped (out of
credits or the run's cap) after landing what was fetched; 5 some items failed, the rest landed.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path

from .config import ConfigError, Settings, load_queries, load_roster
from .extract import (
    ExtractionIncomplete,
    ExtractionStopped,
    estimate_credits,
    extract_creators,
    extract_searches,
    plan_creators,
)
from .landing import Landing
from .scavio.errors import AuthenticationError


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tiktok-extract", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--date", type=_parse_date, default=date.today(), help="snapshot date (default: today)"
    )
    parser.add_argument("--only", choices=("creators", "searches"), help="run one half only")
    parser.add_argument("--creator", action="append", help="only this roster handle (repeatable)")
    parser.add_argument("--query", action="append", help="only this query text (repeatable)")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the credits the run would cost"
    )
    parser.add_argument("--data-dir", help="overrides TIKTOK_DATA_DIR")
    parser.add_argument("--max-in-flight", type=int, help="overrides SCAVIO_MAX_IN_FLIGHT")
    parser.add_argument(
        "--budget", type=int, help="per-run credit cap (overrides SCAVIO_CREDIT_BUDGET)"
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings.from_env()
        if args.data_dir:
            settings = settings.with_overrides(data_dir=Path(args.data_dir))
        settings = settings.with_overrides(
            max_in_flight=args.max_in_flight, credit_budget=args.budget
        )
        roster = load_roster(settings.creators_file)
        queries = load_queries(settings.queries_file)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.creator:
        wanted = {c.lower().removeprefix("@") for c in args.creator}
        roster = [c for c in roster if c.username.lower() in wanted]
        if not roster:
            print(f"configuration error: no roster creator matches {args.creator}", file=sys.stderr)
            return 2
    if args.query:
        queries = [q for q in queries if q.query in args.query]
        if not queries:
            print(f"configuration error: no tracked query matches {args.query}", file=sys.stderr)
            return 2
    do_creators = args.only in (None, "creators")
    do_searches = args.only in (None, "searches")

    if args.dry_run:
        plans = plan_creators(
            Landing(settings.landing_root), roster, args.date, settings.profile_refresh_days
        )
        credits = estimate_credits(
            plans if do_creators else (), queries if do_searches else (), settings.search_pages
        )
        profiles = sum(p.refresh_profile for p in plans) if do_creators else 0
        print(
            f"dry run for {args.date}: at most {credits} credits (${credits * settings.price_per_credit:.3f})"
            f" — {len(roster) if do_creators else 0} creators ({profiles} profile refreshes),"
            f" {len(queries) if do_searches else 0} queries; nothing was spent"
        )
        return 0

    status = 0
    steps = []
    if do_creators:
        steps.append(lambda: extract_creators(settings, args.date, roster))
    if do_searches:
        steps.append(lambda: extract_searches(settings, args.date, queries))
    for step in steps:
        try:
            print(step().summary())
        except AuthenticationError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 3
        except ExtractionStopped as exc:
            print(exc.report.summary(), file=sys.stderr)
            return 4
        except ExtractionIncomplete as exc:
            print(exc.report.summary(), file=sys.stderr)
            status = 5
    return status


if __name__ == "__main__":
    sys.exit(main())
