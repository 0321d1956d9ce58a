"""``python -m tiktok_engagement.warehouse``: build, publish, check freshness or run dbt.

    python -m tiktok_engagement.warehouse build --date 2024-05-01 [--through 2024-05-31] [--data-dir DIR]
    python -m tiktok_engagement.warehouse publish [--data-dir DIR]
    python -m tiktok_engagement.warehouse freshness [--data-dir DIR] [--today YYYY-MM-DD]
    python -m tiktok_engagement.warehouse dbt [--date D [--through E]] [--data-dir DIR] -- ARGS

DIR holds ``landing/``, ``warehouse/`` and ``exports/``; default ``$TIKTOK_DATA_DIR`` or ``./data``.
``build`` reads the landing at ``$TIKTOK_LANDING_URI`` when it is set (a local path or an
``s3://bucket/prefix``, the root the extract side lands under), else ``DIR/landing``. ``dbt`` runs
``dbt ARGS`` against the project with this warehouse's target, log directory and environment, the
way ``build`` runs it (without the lock or the publish), e.g. ``-- parse`` or ``-- ls``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from ..config import ConfigError, StorageSettings
from .build import WarehouseBuildError, build_snapshot
from .dbt_runner import dbt_args, dbt_environment, run_dbt
from .freshness import freshness
from .paths import WarehousePaths
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
    build_cmd.add_argument(
        "--price-per-credit",
        type=float,
        default=None,
        help="USD per credit (default: $SCAVIO_PRICE_PER_CREDIT or 0.005)",
    )
    data_dir(build_cmd)
    publish_cmd = commands.add_parser("publish", help="republish the working marts")
    data_dir(publish_cmd)
    fresh_cmd = commands.add_parser("freshness", help="latest snapshot date per landing dataset")
    fresh_cmd.add_argument("--today", type=date.fromisoformat, default=None)
    data_dir(fresh_cmd)
    dbt_cmd = commands.add_parser("dbt", help="run a dbt command with this warehouse's environment")
    dbt_cmd.add_argument("--date", type=date.fromisoformat, default=None, help="snapshot date")
    dbt_cmd.add_argument("--through", type=date.fromisoformat, default=None)
    dbt_cmd.add_argument("dbt_args", nargs="*", help="dbt's command and options, after --")
    data_dir(dbt_cmd)
    return parser


def _storage(data_dir: Path | None) -> StorageSettings:
    """The storage settings, with ``--data-dir`` in place of ``$TIKTOK_DATA_DIR`` when given."""
    storage = StorageSettings.from_env()
    if data_dir is not None:
        storage = replace(storage, data_dir=data_dir)
    return storage.resolved()


def main(argv: list[str] | None = None) -> int:
    """Run one command of the warehouse CLI; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        storage = _storage(args.data_dir)
        if args.command == "build" and args.price_per_credit is not None:
            storage = replace(storage, price_per_credit=args.price_per_credit)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    warehouse_dir, exports_dir = storage.warehouse_dir, storage.exports_dir
    if args.command == "build":
        try:
            result = build_snapshot(storage, args.date, through=args.through)
        except WarehouseBuildError as error:
            print(error, file=sys.stderr)
            return 1
        dates = ", ".join(d.isoformat() for d in result.rebuilt_dates)
        print(
            f"built {args.date} (dates recomputed: {dates}); published {result.serving_db} build {result.build_id}"
        )
        return 0
    if args.command == "dbt":
        if not args.dbt_args:
            print("dbt: give dbt's arguments after --, e.g. -- parse", file=sys.stderr)
            return 2
        paths = WarehousePaths(warehouse_dir)
        storage.duckdb_temp_directory.mkdir(parents=True, exist_ok=True)
        env = dbt_environment(storage, snapshot_date=args.date, through=args.through)
        command, *extra = args.dbt_args
        invocation = run_dbt(dbt_args(command, paths, extra), env)
        if not invocation.success:
            print(invocation.describe_failures(), file=sys.stderr)
            return 1
        return 0
    if args.command == "publish":
        try:
            storage.duckdb_temp_directory.mkdir(parents=True, exist_ok=True)
            published = publish(warehouse_dir, exports_dir, duckdb_config=storage.duckdb_config)
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
