"""``python -m tiktok_engagement.warehouse``: build, publish or check freshness from the shell.

    python -m tiktok_engagement.warehouse build --date 2024-05-01 [--through 2024-05-31] [--data-dir DIR]
    python -m tiktok_engagement.warehouse publish [--data-dir DIR]
    python -m tiktok_engagement.warehouse freshness [--data-dir DIR] [--today YYYY-MM-DD]

DIR holds ``landing/``, ``warehouse/`` and ``exports/``; default ``$TIKTOK_DATA_DIR`` or ``./data``.
``build`` reads the landing at ``$TIKTOK_LANDING_URI`` when it is set (a local path or an
``s3://bucket/prefix``, the root the extract side lands under), else ``DIR/landing``.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from .build import WarehouseBuildError, build
from .freshness import freshness
from .paths import WarehousePaths, data_dir_from_env
from .publish import PublishError, publish


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tiktok_engagement.warehouse", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def data_dir(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="data root with landing/, warehouse/, exports/ (default: $TIKTOK_DATA_DIR or ./data)",
        )

    build_cmd = commands.add_parser("build", help="load one snapshot date, run dbt build, publish")
    build_cmd.add_argument(
        "--date", type=date.fromisoformat, required=True, help="snapshot date YYYY-MM-DD"
    )
    build_cmd.add_argument(
        "--through",
        type=date.fromisoformat,
        default=None,
        help="also load every day up to this date (bulk backfill)",
    )
    build_cmd.add_argument("--price-per-credit", type=float, default=0.005)
    data_dir(build_cmd)
    publish_cmd = commands.add_parser("publish", help="republish the working marts")
    data_dir(publish_cmd)
    fresh_cmd = commands.add_parser("freshness", help="latest snapshot date per landing dataset")
    fresh_cmd.add_argument("--today", type=date.fromisoformat, default=None)
    data_dir(fresh_cmd)
    return parser


def _landing_root(data_dir: Path) -> str:
    """``$TIKTOK_LANDING_URI`` (as the extract side reads it), else ``<data_dir>/landing``."""
    uri = os.environ.get("TIKTOK_LANDING_URI", "").strip()
    if not uri:
        return str(data_dir / "landing")
    # Absolute, so that dbt and its landing plugin cannot read it against another directory.
    return uri if "://" in uri else str(Path(uri).resolve())


def main(argv: list[str] | None = None) -> int:
    """Run one command of the warehouse CLI; returns the process exit code."""
    args = _parser().parse_args(argv)
    root: Path = (args.data_dir or data_dir_from_env()).resolve()
    warehouse_dir, exports_dir = root / "warehouse", root / "exports"
    if args.command == "build":
        try:
            result = build(
                _landing_root(root),
                warehouse_dir,
                exports_dir,
                args.date,
                price_per_credit=args.price_per_credit,
                through=args.through,
            )
        except WarehouseBuildError as error:
            print(error, file=sys.stderr)
            return 1
        dates = ", ".join(d.isoformat() for d in result.rebuilt_dates)
        print(
            f"built {args.date} (dates recomputed: {dates}); published {result.serving_db} build {result.build_id}"
        )
        return 0
    if args.command == "publish":
        try:
            published = publish(warehouse_dir, exports_dir)
        except PublishError as error:
            print(error, file=sys.stderr)
            return 1
        print(f"published {published.serving_db} build {published.build_id}")
        return 0
    serving = WarehousePaths(warehouse_dir).serving_db
    if not serving.exists():
        print(f"no published warehouse at {serving}", file=sys.stderr)
        return 1
    for item in freshness(serving, args.today or date.today()):
        behind = (
            "never loaded"
            if item.latest_snapshot_date is None
            else f"{item.days_behind_today} day(s) behind"
        )
        flag = "STALE" if item.is_stale else "ok"
        print(f"{item.dataset:16} {item.latest_snapshot_date!s:12} {behind:22} {flag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
