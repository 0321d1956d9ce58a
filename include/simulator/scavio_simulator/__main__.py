"""``python -m scavio_simulator`` (also installed as ``scavio-sim``).

Commands::

    scavio-sim [serve] [--host 127.0.0.1] [--port 8765] [--seed 42] [--creators 600] [--latency-ms 0]
               [--in-flight-cap N] [--per-minute N] [--error-rate R] [--timeout-rate R]
               [--malformed-rate R] [--empty-rate R] [--credit-balance N] [--api-key KEY ...]
               [--echo-date true|false] [--bad-item KIND:USERNAME ...] [--bad-profile USERNAME ...]
    scavio-sim roster --count 60 [--seed 42] [--creators 600]     CSV username,niche
    scavio-sim queries                                            CSV query,type

Every serve option also reads ``SCAVIO_SIM_<OPTION>`` (``SCAVIO_SIM_HOST``, ``SCAVIO_SIM_PORT``,
``SCAVIO_SIM_API_KEYS``, ``SCAVIO_SIM_BAD_ITEMS`` and ``SCAVIO_SIM_BAD_PROFILE`` comma-separated,
...); a flag beats the variable, and a repeatable flag's values replace the variable's list.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Sequence

from .config import FIELDS, SimulatorConfig, env_name, env_settings

COMMANDS = ("serve", "roster", "queries")
REPEATABLE_FLAGS: dict[str, tuple[str, str]] = {
    "api_keys": ("--api-key", "KEY"),
    "bad_items": ("--bad-item", "KIND:USERNAME"),
    "bad_profile": ("--bad-profile", "USERNAME"),
}
"""List settings: one flag per value (the variable takes the list comma-separated)."""


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scavio-sim",
        description="Run the Scavio TikTok API simulator on loopback.",
    )
    parser.add_argument("--host", default=os.environ.get("SCAVIO_SIM_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SCAVIO_SIM_PORT", "8765")))
    parser.add_argument("--log-level", default=os.environ.get("SCAVIO_SIM_LOG_LEVEL", "warning"))
    parser.add_argument(
        "--ready-file", help="write the bound port here once serving (used by SimulatorProcess)"
    )
    parser.add_argument(
        "--config-json", help="all settings as one JSON object (overrides flags and env)"
    )
    for name, field in FIELDS.items():
        if name in REPEATABLE_FLAGS:
            flag, metavar = REPEATABLE_FLAGS[name]
            parser.add_argument(
                flag,
                dest=name,
                action="append",
                metavar=metavar,
                help=f"{field.metadata['help']} (repeatable; env {env_name(name)}, comma-separated)",
            )
        else:
            flag = "--" + name.replace("_", "-")
            parser.add_argument(
                flag, dest=name, help=f"{field.metadata['help']} (env {env_name(name)})"
            )
    return parser


def serve_main(argv: Sequence[str]) -> int:
    """Parse serve options (flags over ``SCAVIO_SIM_*`` over defaults) and run the server."""
    parser = _serve_parser()
    args = parser.parse_args(list(argv))
    try:
        if args.config_json:
            config = SimulatorConfig.from_dict(json.loads(args.config_json))
        else:
            settings = env_settings()
            for name in FIELDS:
                value = getattr(args, name)
                if value is not None:
                    settings[name] = value
            config = SimulatorConfig.from_dict(settings)
    except ValueError as exc:
        parser.error(str(exc))  # exit 2 with the setting named, not a traceback
    from .server import SimulatorServer, serve

    try:
        app = SimulatorServer(config)
    except ValueError as exc:  # settings that name creators are checked against the world
        parser.error(str(exc))
    try:
        serve(app, args.host, args.port, ready_file=args.ready_file, log_level=args.log_level)
    except KeyboardInterrupt:
        return 130  # Ctrl-C after a graceful shutdown: no traceback for the normal way to stop
    except OSError as exc:
        print(
            f"scavio-sim: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr
        )
        return 2
    return 0


def _world_args(parser: argparse.ArgumentParser) -> None:
    defaults = SimulatorConfig.from_env()
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--creators", type=int, default=defaults.creators)


def roster_main(argv: Sequence[str]) -> int:
    """Print a balanced roster sample as CSV ``username,niche``."""
    parser = argparse.ArgumentParser(
        prog="scavio-sim roster", description="Print a balanced roster as CSV."
    )
    parser.add_argument("--count", type=int, default=60)
    _world_args(parser)
    args = parser.parse_args(list(argv))
    if args.count < 1:
        parser.error("--count must be at least 1")
    from .population import Population

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["username", "niche"])
    for creator in Population(args.seed, args.creators).roster(args.count):
        writer.writerow([creator.username, creator.niche])
    return 0


def queries_main(argv: Sequence[str]) -> int:
    """Print suggested keyword and hashtag queries as CSV ``query,type``."""
    parser = argparse.ArgumentParser(
        prog="scavio-sim queries", description="Print suggested queries as CSV."
    )
    parser.parse_args(list(argv))
    from .population import suggested_queries

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["query", "type"])
    writer.writerows(suggested_queries())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``scavio-sim``: ``serve`` (the default), ``roster`` or ``queries``."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = "serve"
    if args and args[0] in COMMANDS:
        command = args.pop(0)
    if command == "roster":
        return roster_main(args)
    if command == "queries":
        return queries_main(args)
    return serve_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
