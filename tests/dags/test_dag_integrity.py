"""DAG integrity and policy: every DAG imports cleanly, cheaply, without I/O, and keeps the contract."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

DAG_IDS = {
    "tiktok_creator_posts",
    "tiktok_search_trends",
    "tiktok_warehouse",
    "tiktok_comments",
    "tiktok_creator_graph",
}


def test_every_dag_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) >= DAG_IDS


@pytest.mark.parametrize("dag_id", sorted(DAG_IDS))
def test_header_contract(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert dag.doc_md and dag.doc_md.strip().startswith("###"), "doc_md is the module docstring"
    with open(dag.fileloc, encoding="utf-8") as handle:
        assert "doc_md=__doc__" in handle.read()
    assert dag.timetable is not None  # an explicit schedule (daily, or the assets)
    assert dag.catchup is False
    assert dag.tags and "tiktok" in dag.tags
    assert dag.max_active_runs == 1
    for task in dag.tasks:
        assert task.owner not in ("", "airflow"), task.task_id
        assert task.retries >= 1, task.task_id
        assert task.retry_delay >= timedelta(seconds=30), task.task_id
        assert task.retry_exponential_backoff, task.task_id
        assert task.on_failure_callback, task.task_id


def test_dag_files_are_wiring_only():
    for path in sorted((REPO / "dags").glob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert 20 <= len(lines) <= 80, f"{path.name}: {len(lines)} lines"
        text = "\n".join(lines)
        assert "from airflow.sdk import" in text
        for forbidden in (
            "import httpx",
            "import duckdb",
            "select ",
            "Variable.get",
            "airflow.models",
        ):
            assert forbidden not in text, f"{path.name} contains {forbidden!r}"


def test_schedules_pools_and_assets(dagbag):
    creators = dagbag.dags["tiktok_creator_posts"]
    searches = dagbag.dags["tiktok_search_trends"]
    warehouse = dagbag.dags["tiktok_warehouse"]
    assert creators.timetable == searches.timetable
    assert creators.timetable.expression in ("@daily", "0 0 * * *")

    extract = creators.get_task("extract_batch")
    assert extract.pool == "scavio_api" and extract.pool_slots >= 1
    assert searches.get_task("extract_query").pool == "scavio_api"
    assert searches.get_task("extract_query").pool_slots == 1

    outlets = {a.uri for t in (creators, searches) for a in t.get_task("finalize").outlets}
    assert outlets == {"tiktok://landing/creator_posts", "tiktok://landing/search_results"}
    # Both extract assets (not either), or the comments asset of tiktok_comments on its own.
    from airflow.sdk import AssetAny

    condition = warehouse.timetable.asset_condition
    assert isinstance(condition, AssetAny)
    both, comments = condition.objects
    assert both.agg_func is all  # both assets, not either
    assert {a.uri for a in both.objects} == outlets
    assert comments.uri == "tiktok://landing/comments"

    writers = [t for t in warehouse.tasks if t.task_id != "queue_other_dates"]
    assert {t.pool for t in writers} == {"tiktok_warehouse"}
    # The library's build of the date is one task (the same entry point as the CLI's).
    assert {t.task_id for t in warehouse.tasks} >= {"plan", "build", "report"}


def test_creator_graph_is_weekly_in_the_api_pool_and_emits_its_asset(dagbag):
    graph = dagbag.dags["tiktok_creator_graph"]
    assert graph.timetable.expression in ("@weekly", "0 0 * * 0")
    assert graph.get_task("plan").pool == "scavio_api"
    assert graph.get_task("extract_batch").pool == "scavio_api"
    (outlet,) = graph.get_task("finalize").outlets
    assert (outlet.name, outlet.uri) == ("tiktok_landing_followings", "tiktok://landing/followings")
    assert set(graph.params) >= {"snapshot_date", "creators", "fresh_capture", "batch_size"}
    # The warehouse does not build on it (docs/graph.md): its schedule names no followings asset.
    warehouse = dagbag.dags["tiktok_warehouse"]
    assert "tiktok://landing/followings" not in repr(warehouse.timetable.asset_condition)


def test_params_let_an_operator_run_a_subset(dagbag):
    assert set(dagbag.dags["tiktok_creator_posts"].params) >= {"snapshot_date", "creators"}
    assert set(dagbag.dags["tiktok_search_trends"].params) >= {"snapshot_date", "queries"}
    assert "snapshot_date" in dagbag.dags["tiktok_warehouse"].params


# Parsing runs in a fresh interpreter with guards that record any network connection, database
# connection, subprocess, HTTP client or read of the data directory / roster files.
_GUARDED_PARSE = textwrap.dedent(
    """
    import builtins, json, socket, subprocess, sys, time
    import duckdb, httpx
    from airflow.dag_processing.dagbag import DagBag  # Airflow's own start-up is not under test

    events = []
    def guard(name, real):
        def wrapper(*args, **kwargs):
            events.append(name + ": " + repr(args[1:3])[:200])
            return real(*args, **kwargs)
        return wrapper
    socket.socket.connect = guard("socket.connect", socket.socket.connect)
    subprocess.Popen.__init__ = guard("subprocess", subprocess.Popen.__init__)
    duckdb.connect = guard("duckdb.connect", duckdb.connect)
    httpx.Client.send = guard("httpx.send", httpx.Client.send)
    httpx.AsyncClient.send = guard("httpx.send", httpx.AsyncClient.send)
    watched = sys.argv[1:]
    real_open = builtins.open
    def guarded_open(file, *args, **kwargs):
        if any(str(file).startswith(w) for w in watched):
            events.append("open: " + str(file))
        return real_open(file, *args, **kwargs)
    builtins.open = guarded_open
    start = time.perf_counter()
    bag = DagBag()
    seconds = time.perf_counter() - start
    during_parse = list(events)
    with open(sys.argv[2]) as canary:  # the guards themselves work: this read is recorded
        canary.read()
    print(json.dumps({"events": during_parse, "canary": events[len(during_parse):],
                      "errors": {k: str(v)[-500:] for k, v in bag.import_errors.items()},
                      "dags": sorted(bag.dag_ids), "seconds": seconds}))
    """
)


def test_parsing_does_no_io_and_is_fast(tmp_path):
    data = tmp_path / "data"
    creators, queries = tmp_path / "creators.csv", tmp_path / "queries.csv"
    for path in (creators, queries):
        path.write_text("x\n")
    env = {
        **os.environ,
        "TIKTOK_DATA_DIR": str(data),
        "TIKTOK_CREATORS_FILE": str(creators),
        "TIKTOK_QUERIES_FILE": str(queries),
        "AIRFLOW_CONN_SCAVIO_DEFAULT": json.dumps(
            {"conn_type": "scavio", "host": "http://127.0.0.1:9"}
        ),
    }
    result = subprocess.run(
        [sys.executable, "-c", _GUARDED_PARSE, str(data), str(creators), str(queries)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == {}
    assert set(report["dags"]) >= DAG_IDS
    assert report["canary"] == [f"open: {creators}"], "the I/O guards did not record a read"
    assert report["events"] == [], "I/O while parsing the DAG files"
    print(f"parsed {len(report['dags'])} DAGs in {report['seconds']:.1f}s")
    assert report["seconds"] < 60  # a generous sanity bound on a 2-core machine, not a benchmark


def test_ruff_airflow_rules_are_clean():
    result = subprocess.run(
        [str(VENV_BIN / "ruff"), "check", "--select", "AIR", "--no-cache", "dags", "plugins"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Airflow finds the DAGs the usual ways: the adapter package is installed with the project, so
# neither AIRFLOW__CORE__PLUGINS_FOLDER nor anything on PYTHONPATH is needed.
def _astro_project(root: Path) -> Path:
    """The Astro layout: AIRFLOW_HOME is the project root, with dags/ and plugins/ in it."""
    for folder in ("dags", "plugins"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.mark.slow  # two Airflow CLI processes per layout, ~25 s each
@pytest.mark.parametrize("layout", ["dags_folder_only", "airflow_home_at_project_root"])
def test_airflow_finds_the_dags_the_usual_ways(airflow_db, tmp_path, layout):
    home = tmp_path / "home"
    home.mkdir()
    # A copy of the session's migrated database, where a fresh home keeps it by default.
    shutil.copy(airflow_db, home / "airflow.db")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW", "TIKTOK_", "SCAVIO_", "PYTHONPATH"))
    }
    env.update(AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False")
    if layout == "dags_folder_only":
        env["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
    else:
        _astro_project(home)
    script = (
        "airflow dags list-import-errors --local -o json && "
        "airflow dags list --local -o json --columns dag_id"
    )
    result = subprocess.run(
        ["bash", "-c", script],
        env={**env, "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    errors, dags = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("[")]
    assert errors == [], errors
    assert {d["dag_id"] for d in dags} >= DAG_IDS
