"""The operations bench/warehouse_bench.py times, each run in a fresh process of its own.

    python bench/warehouse_ops.py RESULT_FILE '{"op": "build", ...}'

A fresh process per operation keeps one operation's memory (DuckDB's buffer pool, imported
modules) out of the next one's peak, and lets the parent measure the peak RSS of exactly this
operation's process tree (this process and, for dbt, its child). The result is JSON in RESULT_FILE.

Operations:
- ``build``: ``tiktok_engagement.warehouse.build`` for one day or a range, with a breakdown of
  dbt's nodes (from dbt's own node timings) and of publishing (the serving-file copy and each
  Parquet export, timed by wrapping publish's two helpers).
- ``load_step``: our load step alone, ``dbt run`` of the staging views and the history tables
  (models/staging, models/intermediate/history) into a fresh working database.
- ``floor``: bench/floor.sql in one DuckDB connection over a fresh database file.
- ``dlt``: bench/dlt_peer.py (the peer of the load step).
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "include"))
sys.path.insert(0, str(BENCH))

FLOOR_SQL = BENCH / "floor.sql"
# dbt node groups, by the model's folder (tests and unit tests by their resource type).
LOAD_FOLDERS = ("models/staging/", "models/intermediate/history/")
# The marts bench/floor.sql computes (and compare_marts checks). Left out: the comment- and
# followings-based marts, empty at the benchmark's landing (it has no comments and no followings;
# see floor.sql's header), and build_info (publish's, not a mart).
MART_TABLES = (
    "fct_video_snapshots",
    "dim_creators",
    "creator_scorecard",
    "niche_benchmarks",
    "creator_content_signals",
    "trending_videos",
    "query_trends",
    "api_usage",
    "api_runs",
    "rejected_items",
    "source_freshness",
    "brand_mentions",
    "brand_share_of_voice",
    "brand_creators",
)
BRAND_TERMS_TYPE = "struct(brand varchar, competitive_set varchar, term_type varchar, term varchar, position integer)[]"


def _children_maxrss_mib() -> float:
    """Largest peak RSS among this process's finished children (the dbt child), in MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def node_group(node: dict[str, Any], manifest_nodes: dict[str, Any]) -> str:
    kind = node["resource_type"]
    if kind == "unit_test":
        return "unit tests"
    if kind == "test":
        return "data tests"
    path = manifest_nodes.get(node["unique_id"], {}).get("original_file_path", "")
    if path.startswith(LOAD_FOLDERS):
        return "load (staging + history)"
    if path.startswith("models/marts/"):
        return "marts"
    return "derived (rebuild dates, engagement)"


def _dbt_breakdown(target_dir: Path, nodes: list[dict[str, Any]]) -> dict[str, Any]:
    manifest = json.loads((target_dir / "manifest.json").read_text())
    manifest_nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    run_results = json.loads((target_dir / "run_results.json").read_text())
    groups: dict[str, float] = {}
    per_node: dict[str, float] = {}
    for node in nodes:
        group = node_group(node, manifest_nodes)
        groups[group] = groups.get(group, 0.0) + node["execution_time"]
        per_node[node["unique_id"]] = node["execution_time"]
    return {
        "elapsed": run_results["elapsed_time"],  # dbt's execution phase, after parsing
        "groups": groups,
        "nodes": per_node,
        "node_count": len(nodes),
    }


def op_build(args: dict[str, Any]) -> dict[str, Any]:
    from tiktok_engagement.warehouse import build
    from tiktok_engagement.warehouse.paths import WarehousePaths

    # The package re-exports the function `publish` under the submodule's name: take the module.
    publish_module = importlib.import_module("tiktok_engagement.warehouse.publish")

    # Publishing runs the serving-file copy and the exports at once; time each part by wrapping
    # the module's two helpers (publish() looks them up at call time).
    publish_parts: dict[str, float] = {}

    def timed_part(label: Any, fn: Any) -> Any:
        def wrapper(*a: Any, **kw: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                publish_parts[label(a)] = time.perf_counter() - started

        return wrapper

    publish_module.replace_atomically = timed_part(
        lambda a: "copy serving file", publish_module.replace_atomically
    )
    for helper in ("export_parquet", "export_dated_parquet"):
        if hasattr(publish_module, helper):
            original = getattr(publish_module, helper)
            setattr(publish_module, helper, timed_part(lambda a: f"export {a[1]}", original))

    data_dir = Path(args["data_dir"])
    first = date.fromisoformat(args["first"])
    last = date.fromisoformat(args["last"]) if args.get("last") else None
    started = time.perf_counter()
    result = build(
        args["landing"],
        data_dir / "warehouse",
        data_dir / "exports",
        first,
        through=last,
        quiet=True,
    )
    wall = time.perf_counter() - started
    paths = WarehousePaths(data_dir / "warehouse")
    nodes = [node.__dict__ for node in result.dbt.nodes]
    return {
        "wall": wall,
        "timings": result.timings,
        "publish_parts": publish_parts,
        "row_counts": result.row_counts,
        "rebuilt_dates": [d.isoformat() for d in result.rebuilt_dates],
        "dbt": _dbt_breakdown(paths.dbt_target_dir, nodes),
        "dbt_child_maxrss_mib": _children_maxrss_mib(),
        "marts_db_bytes": paths.marts_db.stat().st_size,
        "work_db_bytes": paths.work_db.stat().st_size,
    }


def op_load_step(args: dict[str, Any]) -> dict[str, Any]:
    from tiktok_engagement.config import StorageSettings
    from tiktok_engagement.warehouse.build import build_lock
    from tiktok_engagement.warehouse.dbt_runner import dbt_args, dbt_environment, run_dbt
    from tiktok_engagement.warehouse.paths import WarehousePaths

    storage = StorageSettings(data_dir=Path(args["data_dir"]), landing_uri=args["landing"])
    paths = WarehousePaths(storage.warehouse_dir)
    env = dbt_environment(
        storage,
        snapshot_date=date.fromisoformat(args["first"]),
        through=date.fromisoformat(args["last"]),
    )
    select = ["--select", *(f"path:{folder.rstrip('/')}" for folder in LOAD_FOLDERS)]
    with build_lock(paths):
        if args.get("warm_parse"):
            # dbt parses the project once per target directory; later runs reuse it (partial
            # parsing). Parse first, untimed, so the timed run is the load alone.
            parsed = run_dbt(dbt_args("parse", paths), env, quiet=True)
            if not parsed.success:
                raise RuntimeError(f"dbt parse failed: {parsed.describe_failures()}")
        started = time.perf_counter()
        invocation = run_dbt(dbt_args("run", paths, select), env, quiet=True)
        wall = time.perf_counter() - started
    if not invocation.success or invocation.failures:
        raise RuntimeError(f"load step failed: {invocation.describe_failures()}")
    nodes = [node.__dict__ for node in invocation.nodes]
    import duckdb

    con = duckdb.connect(str(paths.work_db), read_only=True)
    try:
        rows = {
            table: con.execute(f"select count(*) from intermediate.{table}").fetchall()[0][0]  # noqa: S608
            for table in ("int_creator_posts", "int_search_results", "int_profiles", "int_hashtags")
        }
    finally:
        con.close()
    return {
        "wall": wall,
        "dbt": _dbt_breakdown(paths.dbt_target_dir, nodes),
        "rows": rows,
        "dbt_child_maxrss_mib": _children_maxrss_mib(),
    }


def floor_brand_terms() -> list[dict[str, Any]]:
    """The tracked brands' terms, as the dbt model int_brand_terms.py builds them: the brands file
    the build's dbt process would get (``dbt_runner.brands_file_setting``, from ``TIKTOK_BRANDS_FILE``
    or the bundled default), read by ``tiktok_engagement.brands``."""
    import os

    from tiktok_engagement.brands import brand_terms, load_brands
    from tiktok_engagement.warehouse.dbt_runner import brands_file_setting

    path = brands_file_setting(os.environ)
    return brand_terms(load_brands(Path(path))) if path else []


def op_floor(args: dict[str, Any]) -> dict[str, Any]:
    import duckdb

    script = FLOOR_SQL.read_text()
    # Configuration, not a transformation: read before the clock starts (ours reads it in a dbt
    # Python model, a fraction of a second of its build).
    terms = floor_brand_terms()
    config: dict[str, Any] = {}
    if args.get("capped"):
        # The limits a warehouse build runs under (its settings' defaults), spilling beside the db.
        from dataclasses import replace

        from tiktok_engagement.config import StorageSettings

        temp_dir = Path(args["db"]).parent / "floor-tmp"
        config = replace(StorageSettings.from_env(), duckdb_temp_dir=temp_dir).duckdb_config
    started = time.perf_counter()
    con = duckdb.connect(args["db"], config=config)
    try:
        con.execute("set variable landing_root = ?", [args["landing"]])
        con.execute("set variable first_date = ?::date", [args["first"]])
        con.execute("set variable last_date = ?::date", [args["last"]])
        con.execute("set variable price_per_credit = ?::double", [args.get("price", 0.005)])
        con.execute(f"set variable brand_terms = ?::{BRAND_TERMS_TYPE}", [terms])
        con.execute(script)
        rows = {
            table: con.execute(f"select count(*) from marts.{table}").fetchall()[0][0]  # noqa: S608
            for table in MART_TABLES
        }
    finally:
        con.close()  # checkpoints: the tables are on disk, as our marts file is
    return {"wall": time.perf_counter() - started, "row_counts": rows}


def op_dlt(args: dict[str, Any]) -> dict[str, Any]:
    from dlt_peer import run_peer

    result = run_peer(
        args["landing"],
        Path(args["db"]),
        Path(args["pipelines_dir"]),
        date.fromisoformat(args["first"]),
        date.fromisoformat(args["last"]),
        mode=args["mode"],
    )
    result["wall"] = result["timings"]["total"]
    return result


OPERATIONS = {"build": op_build, "load_step": op_load_step, "floor": op_floor, "dlt": op_dlt}


def main(argv: list[str]) -> int:
    result_file, payload = argv
    args = json.loads(payload)
    result = OPERATIONS[args["op"]](args)
    result["self_maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(result_file).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
