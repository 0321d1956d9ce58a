"""``python -m tiktok_engagement.comments``: score landed comments into ``comment_scores``.

    python -m tiktok_engagement.comments score --date 2026-10-01 [--through 2026-10-07]
        [--data-dir DIR | --landing ROOT]

The landing root is the one the warehouse reads: ``--landing``, else ``DIR/landing`` with
``--data-dir``, else ``$TIKTOK_LANDING_URI`` or ``$TIKTOK_DATA_DIR/landing`` (default
``./data/landing``). Each date is one load; a date whose comments are all scored by this scorer
version writes nothing.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from ..config import ConfigError, StorageSettings
from ..landing import Landing, Load
from .score_step import score_landed_comments
from .scoring import SCORER_VERSION


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tiktok_engagement.comments", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    score = commands.add_parser("score", help="score a date's landed comments not yet scored")
    score.add_argument(
        "--date", type=date.fromisoformat, required=True, help="snapshot date YYYY-MM-DD"
    )
    score.add_argument(
        "--through", type=date.fromisoformat, default=None, help="last date (inclusive)"
    )
    where = score.add_mutually_exclusive_group()
    where.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="data root holding landing/ (default: $TIKTOK_DATA_DIR or ./data)",
    )
    where.add_argument(
        "--landing",
        default=None,
        help="landing root, a path or s3:// URI (default: $TIKTOK_LANDING_URI or <data>/landing)",
    )
    return parser


def _landing_root(args: argparse.Namespace) -> str:
    if args.landing:
        return args.landing if "://" in args.landing else str(Path(args.landing).resolve())
    storage = StorageSettings.from_env()
    if args.data_dir is not None:
        storage = replace(storage, data_dir=args.data_dir, landing_uri=None)
    return storage.resolved().landing_root


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    last = args.through or args.date
    if last < args.date:
        parser.error(f"--through {last} is before --date {args.date}")
    try:
        landing = Landing(_landing_root(args))
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    total = 0
    for n in range((last - args.date).days + 1):
        day = args.date + timedelta(days=n)
        written = score_landed_comments(landing, day, Load.new())
        total += written
        print(f"{day}: scored {written} comment(s)")
    print(f"scored {total} comment(s) with {SCORER_VERSION} under {landing.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
