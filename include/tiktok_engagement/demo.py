"""The README's demo: a week of the whole pipeline through Airflow, against the bundled simulator.

1. Start the Scavio simulator on loopback (no key, no network).
2. Give Airflow a project-local home, ``<data>/airflow`` (SQLite metadata database), migrate it,
   and point the connection ``scavio_default`` at the simulator.
3. Backfill the 7 days ending yesterday (UTC), oldest first: for each date ``tiktok_creator_posts``,
   ``tiktok_search_trends``, ``tiktok_comments`` (comment sampling and scoring),
   ``tiktok_creator_graph`` and ``tiktok_warehouse`` run as DAG runs of that logical date, the way
   ``airflow dags test <dag> <date>`` runs them, all in one Airflow process
   (``python -m tiktok_airflow.backfill``) so that Airflow starts once, not 35 times. The graph
   DAG is weekly: on the first date it backfills the roster's following lists, on the next ones
   its policy finds nobody due until page 1 is a week old (see the backfill's docstring).
4. Print the top creators by vetting score with their bands, overall score and audience columns
   (net sentiment and comment authenticity of marts.creator_audience), the niche benchmarks, the
   last day's trending videos, each tracked brand's share of voice on the last day and the top
   five discovery candidates of the creator graph, read from the published serving DuckDB
   (read-only), and where the warehouse, the Parquet exports, the report and the Airflow UI are.

The default configuration tracks the bundled brands (``include/brands.csv``, three beauty brands
of the simulator's world in one competitive set: the bundled roster and queries bring them).

The library never imports Airflow: this module drives it through its command line and the runner
in ``plugins/``. Data goes to ``TIKTOK_DATA_DIR`` (default ``./data``) or ``--data-dir``; Airflow's
log of the backfill to ``<data>/airflow/backfill.log``.

    python -m tiktok_engagement.demo [--days 7] [--end-date YYYY-MM-DD] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from .config import INCLUDE_DIR, StorageSettings
from .warehouse import WarehousePaths
from .warehouse.paths import exports_marts_dir

if TYPE_CHECKING:
    from scavio_simulator import SimulatorProcess

REPO_DIR = INCLUDE_DIR.parent
DAGS_DIR = REPO_DIR / "dags"
PLUGINS_DIR = REPO_DIR / "plugins"
VENV_BIN = Path(sys.executable).parent


# The DAGs a backfill runs per date, in order. run_pipeline's default is the extract and build
# DAGs alone (what the fault backfill test compares with the library path); the demo adds the
# comment sampling and scoring and the creator graph between them.
EXTRACT_AND_BUILD = ("tiktok_creator_posts", "tiktok_search_trends", "tiktok_warehouse")
DEMO_DAGS = (
    "tiktok_creator_posts",
    "tiktok_search_trends",
    "tiktok_comments",
    "tiktok_creator_graph",
    "tiktok_warehouse",
)
DISCOVERY_CANDIDATES = 5


class DemoError(RuntimeError):
    """A step of the demo failed; the message says which and where its log is."""


def _step(message: str) -> None:
    print(f"==> {message}", flush=True)


def airflow_environment(data_dir: Path, simulator: SimulatorProcess) -> dict[str, str]:
    """The environment every Airflow process of the demo runs with (also what `make airflow-ui` sets)."""
    home = data_dir / "airflow"
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "DO_NOT_TRACK": "1",
        "AIRFLOW_CONN_SCAVIO_DEFAULT": json.dumps(
            {"conn_type": "scavio", "host": simulator.base_url, "password": simulator.api_key}
        ),
        "TIKTOK_DATA_DIR": str(data_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(PLUGINS_DIR), str(INCLUDE_DIR), os.environ.get("PYTHONPATH")) if p
        ),
    }


def _simulator() -> tuple[Any, Any]:
    """The simulator's config and process classes; it ships apart from the production library."""
    try:
        from scavio_simulator import SimulatorConfig, SimulatorProcess
    except ImportError as exc:
        raise DemoError(
            "the demo needs the simulator: uv sync (dev group) or the sim group"
        ) from exc
    return SimulatorConfig, SimulatorProcess


def _run(command: Sequence[str], env: Mapping[str, str], log_path: Path, **kwargs: Any) -> None:
    with open(log_path, "ab") as log:
        result = subprocess.run(command, env=env, stdout=log, stderr=log, check=False, **kwargs)
    if result.returncode != 0:
        raise DemoError(
            f"{' '.join(command[:3])} failed (exit {result.returncode}); see {log_path}"
        )


def backfill(
    env: Mapping[str, str],
    dates: Sequence[date],
    log_path: Path,
    dags: Sequence[str] = EXTRACT_AND_BUILD,
) -> list[dict]:
    """Run ``dags`` for every date through Airflow, printing one line per DAG run."""
    read_fd, write_fd = os.pipe()
    command = [
        str(VENV_BIN / "python"),
        "-m",
        "tiktok_airflow.backfill",
        "--start",
        dates[0].isoformat(),
        "--end",
        dates[-1].isoformat(),
        "--progress-fd",
        str(write_fd),
        *(arg for dag_id in dags for arg in ("--dag", dag_id)),
    ]
    runs: list[dict] = []
    interactive = sys.stdout.isatty()
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=log, pass_fds=(write_fd,), cwd=REPO_DIR
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as progress:
            for line in progress:
                fields = line.rstrip("\n").split("\t")
                if fields[0] == "start":
                    day, dag_id = fields[1:3]
                    if interactive:  # replaced by the result line when the run ends
                        print(f"  {day}  {dag_id:<22} running...", end="\r", flush=True)
                elif fields[0] == "done":
                    day, dag_id, state, seconds, tasks = fields[1:6]
                    runs.append({"date": day, "dag_id": dag_id, "state": state, "tasks": tasks})
                    tally = tasks.replace("=", " ").replace(",", ", ")
                    print(f"  {day}  {dag_id:<22} {state:<8} {float(seconds):6.1f} s  ({tally})")
                elif fields[0] == "error":
                    print(f"  DAG import error in {fields[1]}: {' '.join(fields[2:])}")
        code = process.wait()
    if code != 0:
        raise DemoError(f"the backfill stopped (exit {code}); Airflow's log: {log_path}")
    return runs


def run_pipeline(
    data_dir: Path,
    simulator: SimulatorProcess,
    dates: Sequence[date],
    log_path: Path,
    connection_extra: Mapping[str, Any] | None = None,
    dags: Sequence[str] = EXTRACT_AND_BUILD,
) -> list[dict]:
    """Backfill ``dates`` through Airflow (home ``<data_dir>/airflow``) against ``simulator``,
    running ``dags`` per date in that order.

    ``connection_extra`` adds client settings to ``scavio_default`` (e.g. ``max_attempts``).
    """
    (data_dir / "airflow").mkdir(parents=True, exist_ok=True)
    env = airflow_environment(data_dir, simulator)
    if connection_extra:
        connection = json.loads(env["AIRFLOW_CONN_SCAVIO_DEFAULT"])
        env["AIRFLOW_CONN_SCAVIO_DEFAULT"] = json.dumps({**connection, "extra": connection_extra})
    _run([str(VENV_BIN / "airflow"), "db", "migrate"], env, log_path)
    _step(
        f"backfill {dates[0]} .. {dates[-1]} ({len(dates)} days) through Airflow: "
        f"{', '.join(dags)} per date"
    )
    return backfill(env, dates, log_path, dags)


# ---- the tables printed at the end -------------------------------------------------------------------


def _fmt(value: Any, kind: str = "") -> str:
    if value is None:
        return "-"
    if kind == "pct":
        return f"{value * 100:.2f}%"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "score":
        return f"{value:.1f}"
    if kind == "signed":
        return f"{value:+.2f}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table, left-aligned text, right-aligned numbers (anything starting with a digit)."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if c[:1].isdigit() or c[:1] in "-+" else c.ljust(w)
            for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def summary_tables(serving_db: Path, day: date, top: int = 10) -> dict[str, str]:
    """The tables the demo prints, from the serving database, for ``day``.

    ``brands`` is empty when no brand is tracked, ``discovery`` when no followings have landed;
    ``graph_date`` is the followings date the candidates are ranked on (the latest up to ``day``:
    the graph is observed weekly), or ``""``.
    """
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        creators = con.execute(
            """
            select scorecard.creator_username, scorecard.niche, follower_tier, follower_count,
                   vetting_score, like_view_band, comment_view_band, avg_like_view_ratio,
                   has_viral_potential, overall_score, audience.net_sentiment,
                   audience.comment_authenticity, audience.comments_analyzed
            from marts.creator_scorecard as scorecard
            left join marts.creator_audience as audience
                on audience.creator_username = scorecard.creator_username
                and audience.snapshot_date = scorecard.snapshot_date
            where scorecard.snapshot_date = ? and vetting_score is not null
            order by vetting_score desc, scorecard.creator_username
            limit ?
            """,
            [day, top],
        ).fetchall()
        benchmarks = con.execute(
            """
            select niche, creators, p25_avg_like_view_ratio, p50_avg_like_view_ratio,
                   p75_avg_like_view_ratio, p90_avg_like_view_ratio, p50_avg_comment_view_ratio,
                   p50_avg_share_view_ratio
            from marts.niche_benchmarks
            where snapshot_date = ? and follower_tier = 'all'
            order by niche
            """,
            [day],
        ).fetchall()
        trending = con.execute(
            """
            select query, query_type, video_id, creator_username, share_count, shares_gained,
                   play_count, is_new
            from marts.trending_videos
            where snapshot_date = ? and rank_by_shares = 1
            order by share_count desc, query
            limit ?
            """,
            [day, top],
        ).fetchall()
        brands = con.execute(
            """
            select brand, competitive_set, videos, views, share_of_voice_views,
                   share_of_voice_videos, share_of_voice_creators, earned_share,
                   new_ugc_creators, net_sentiment
            from marts.brand_share_of_voice
            where snapshot_date = ?
            order by competitive_set, share_of_voice_views desc nulls last, brand
            """,
            [day],
        ).fetchall()
        graph_day = con.execute(
            "select max(snapshot_date) from marts.creator_discovery where snapshot_date <= ?",
            [day],
        ).fetchone()
        candidates = con.execute(
            """
            select discovery_rank, account_username, follower_count, follower_tier,
                   followed_by_roster, new_follows_7d, array_to_string(follower_niches, ',')
            from marts.creator_discovery
            where snapshot_date = ? and discovery_rank <= ?
            order by discovery_rank
            """,
            [graph_day[0] if graph_day else None, DISCOVERY_CANDIDATES],
        ).fetchall()
    finally:
        con.close()
    return {
        "graph_date": str(graph_day[0]) if graph_day and graph_day[0] else "",
        "brands": table(
            ["brand", "set", "videos", "views", "share of views", "of videos", "of creators",
             "earned share", "new UGC creators", "net sentiment"],
            [
                [b[0], b[1], _fmt(b[2], "int"), _fmt(b[3], "int"), _fmt(b[4], "pct"),
                 _fmt(b[5], "pct"), _fmt(b[6], "pct"), _fmt(b[7], "pct"), _fmt(b[8], "int"),
                 _fmt(b[9], "signed")]
                for b in brands
            ],
        ) if brands else "",
        "discovery": table(
            ["#", "account", "followers", "tier", "followed by roster", "new follows 7d",
             "roster niches"],
            [
                [str(c[0]), c[1], _fmt(c[2], "int"), _fmt(c[3]), _fmt(c[4], "int"),
                 _fmt(c[5], "int"), c[6] or "-"]
                for c in candidates
            ],
        ) if candidates else "",
        "creators": table(
            ["#", "creator", "niche", "tier", "followers", "score", "like/view band",
             "comment/view band", "avg like/view", "viral", "overall", "net sentiment",
             "authenticity", "comments"],
            [
                [str(i), c[0], c[1], _fmt(c[2]), _fmt(c[3], "int"), _fmt(c[4], "score"),
                 _fmt(c[5]), _fmt(c[6]), _fmt(c[7], "pct"), "yes" if c[8] else "no",
                 _fmt(c[9], "score"), _fmt(c[10], "signed"), _fmt(c[11], "score"),
                 _fmt(c[12], "int")]
                for i, c in enumerate(creators, 1)
            ],
        ),
        "benchmarks": table(
            ["niche", "creators", "p25 like/view", "p50", "p75", "p90", "p50 comment/view",
             "p50 share/view"],
            [
                [b[0], _fmt(b[1], "int"), *(_fmt(v, "pct") for v in b[2:])]
                for b in benchmarks
            ],
        ),
        "trending": table(
            ["query", "type", "top video", "creator", "shares", "shares gained", "views", "new"],
            [
                [t[0], t[1], t[2], _fmt(t[3]), _fmt(t[4], "int"), _fmt(t[5], "int"),
                 _fmt(t[6], "int"), "new" if t[7] else ""]
                for t in trending
            ],
        ),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=7, help="days to backfill (default 7)")
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=None,
        help="last date of the backfill (default: yesterday, UTC)",
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="default: $TIKTOK_DATA_DIR")
    parser.add_argument("--top", type=int, default=10, help="rows per printed table")
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be at least 1")

    storage = StorageSettings.from_env()
    if args.data_dir:
        storage = replace(storage, data_dir=args.data_dir)
    settings = storage.resolved()
    data_dir = settings.data_dir
    end = args.end_date or datetime.now(UTC).date() - timedelta(days=1)
    dates = [end - timedelta(days=n) for n in reversed(range(args.days))]
    airflow_home = data_dir / "airflow"
    airflow_home.mkdir(parents=True, exist_ok=True)
    log_path = airflow_home / "backfill.log"
    log_path.write_bytes(b"")
    started = time.perf_counter()

    try:
        SimulatorConfig, SimulatorProcess = _simulator()
        _step("starting the Scavio simulator on loopback")
        with SimulatorProcess(SimulatorConfig()) as simulator:
            _step(f"simulator at {simulator.base_url}; Airflow home {airflow_home} (SQLite)")
            run_pipeline(data_dir, simulator, dates, log_path, dags=DEMO_DAGS)
    except DemoError as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1

    paths = WarehousePaths(settings.warehouse_dir.resolve())
    tables = summary_tables(paths.serving_db, dates[-1], args.top)
    print()
    _step(
        f"top creators by vetting score on {dates[-1]} (marts.creator_scorecard, audience "
        "columns from marts.creator_audience)"
    )
    print(tables["creators"])
    print()
    _step(f"niche benchmarks on {dates[-1]}, all follower tiers (marts.niche_benchmarks)")
    print(tables["benchmarks"])
    print()
    _step(f"trending on {dates[-1]}: each query's most-shared video (marts.trending_videos)")
    print(tables["trending"])
    print()
    _step(
        f"share of voice on {dates[-1]}: each brand's share of its competitive set's mentions "
        "(marts.brand_share_of_voice)"
    )
    print(tables["brands"] or "no brands tracked")
    print()
    _step(
        f"top {DISCOVERY_CANDIDATES} discovery candidates, followings of "
        f"{tables['graph_date'] or 'no date'}: accounts off the roster most roster creators "
        "follow (marts.creator_discovery)"
    )
    print(tables["discovery"] or "no followings landed")
    print()
    _step(f"done in {time.perf_counter() - started:.0f} s. Outputs:")
    outputs = {
        "warehouse (DuckDB, open read-only)": paths.serving_db,
        "Parquet exports": f"{exports_marts_dir(settings.exports_dir.resolve())}/",
        "report": settings.report_dir.resolve() / "index.html",
        "landing Parquet": settings.landing_root,
        "Airflow log of the backfill": log_path,
    }
    for name, where in outputs.items():
        print(f"  {name + ':':<37} {where}")
    query = "select * from marts.niche_benchmarks"
    print(f'  e.g. duckdb -readonly {paths.serving_db} "{query}"')
    print(
        "  Airflow UI: `make airflow-ui` (airflow standalone with this AIRFLOW_HOME), then "
        "http://localhost:8080 (the admin password is in "
        f"{airflow_home / 'simple_auth_manager_passwords.json.generated'}); the report is "
        "under Browse > TikTok engagement report"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
