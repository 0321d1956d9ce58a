"""Whole DAG runs (``dag.test``) against the Scavio simulator, landing real Parquet in tmp_path.

Settings reach the tasks the way an operator sets them: the ``scavio_default`` connection from
``AIRFLOW_CONN_SCAVIO_DEFAULT``, the roster and query files and the data directory from
``TIKTOK_*`` variables.

The landing zone is append-only: a re-run of a landed date adds nothing (everything is landed
already) or, with ``fresh_capture``, files of its own beside the earlier ones; no earlier file ever
changes or disappears. ``D`` is a past date, so the planning task first extracts the list's first
item alone (part ``creators-probe`` / ``searches-probe``), which the simulator confirms.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest
from tiktok_engagement.config import Query
from tiktok_engagement.plan import search_part

pytestmark = pytest.mark.slow

D = date(2026, 11, 1)


# ---- helpers ------------------------------------------------------------------------------------


def write_roster(path: Path, simulator, count: int) -> list[str]:
    rows = httpx.get(f"{simulator.base_url}/_sim/roster", params={"count": count}).json()[
        "creators"
    ]
    path.write_text("username,niche\n" + "".join(f"{r['username']},{r['niche']}\n" for r in rows))
    return [r["username"] for r in rows]


def use_simulator(monkeypatch, simulator, tmp_path, *, api_key=None, creators=6, queries=None):
    monkeypatch.setenv(
        "AIRFLOW_CONN_SCAVIO_DEFAULT",
        json.dumps(
            {
                "conn_type": "scavio",
                "host": simulator.base_url,
                "password": api_key or simulator.api_key,
            }
        ),
    )
    roster = tmp_path / "creators.csv"
    handles = write_roster(roster, simulator, creators)
    monkeypatch.setenv("TIKTOK_CREATORS_FILE", str(roster))
    query_file = tmp_path / "queries.csv"
    query_file.write_text(queries or "query,type\nhome workout,keyword\ngym,hashtag\n")
    monkeypatch.setenv("TIKTOK_QUERIES_FILE", str(query_file))
    return handles


def run_dag(dagbag, dag_id: str, day: date = D, conf: dict | None = None):
    """Run the DAG for ``day``; returns (run state, {task_id[map_index]: (state, try)}, run id)."""
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session
    from tiktok_airflow import wiring

    dag = dagbag.dags[dag_id]
    # dag.test() keeps a run's conf in the DAG's params: pass every param, defaults included.
    factory = {
        "tiktok_creator_posts": wiring.creator_params,
        "tiktok_search_trends": wiring.search_params,
        "tiktok_warehouse": wiring.warehouse_params,
    }[dag_id]
    conf = {**{name: param.value for name, param in factory().items()}, **(conf or {})}
    dag_run = dag.test(
        logical_date=datetime(day.year, day.month, day.day, tzinfo=UTC), run_conf=conf
    )
    with create_session() as session:
        tis = session.query(TaskInstance).filter_by(dag_id=dag_id, run_id=dag_run.run_id).all()
        states = {
            ti.task_id + (f"[{ti.map_index}]" if ti.map_index >= 0 else ""): (
                ti.state,
                ti.try_number,
            )
            for ti in tis
        }
    return dag_run.state, states, dag_run.run_id


def run(dagbag, dag_id: str, day: date = D, conf: dict | None = None):
    """Run the DAG for ``day``; returns (run state, {task_id[map_index]: (state, try_number)})."""
    state, states, _ = run_dag(dagbag, dag_id, day, conf)
    return state, states


def landed(data: Path, day: date = D) -> dict[str, list[dict]]:
    """Data rows of every landed file for the date (ledger reduced to what is not timing)."""
    out = {}
    for path in sorted((data / "landing").rglob(f"snapshot_date={day.isoformat()}/*.parquet")):
        rows = pq.read_table(path).to_pylist()
        if "request_ledger" in path.parts:
            rows = sorted(json.dumps([r["endpoint"], r["params_json"], r["status"]]) for r in rows)
        out[str(path.relative_to(data))] = rows
    return out


def rows_of(data: Path, dataset: str, day: date = D) -> list[tuple]:
    paths = sorted(
        (data / "landing" / dataset / f"snapshot_date={day.isoformat()}").glob("*.parquet")
    )
    key = ("creator_username", "video_id") if dataset == "creator_posts" else ("query", "video_id")
    return sorted(tuple(r[k] for k in key) for p in paths for r in pq.read_table(p).to_pylist())


def part_of(path: str) -> str:
    """The part a landed file belongs to (its name up to the run, try and load id)."""
    return Path(path).name.split("__", 1)[0]


def new_files(before: dict, after: dict) -> list[str]:
    """Files of ``after`` that ``before`` did not have, once every file of ``before`` is checked
    unchanged: the landing zone never replaces or drops a landed file."""
    assert {k: after.get(k) for k in before} == before, "an earlier landed file changed or vanished"
    return sorted(k for k in after if k not in before)


# ---- the extract DAGs ---------------------------------------------------------------------------


def test_creator_posts_lands_every_batch_and_a_rerun_only_ever_adds(
    dagbag, airflow_db, simulator, tiktok_env, tmp_path, monkeypatch
):
    handles = use_simulator(monkeypatch, simulator, tmp_path, creators=7)
    state, tis, run_id = run_dag(dagbag, "tiktok_creator_posts", conf={"batch_size": 3})
    assert state == "success", tis
    assert {k for k in tis if k.startswith("extract_batch")} == {
        "extract_batch[0]",
        "extract_batch[1]",
        "extract_batch[2]",
    }
    first = landed(tiktok_env)
    posts = [k for k in first if k.startswith("landing/creator_posts/")]
    # The probe's creator, then the batches (which skip it); each file named by run and try.
    assert sorted(part_of(k) for k in posts) == [
        "creators-part-0000",
        "creators-part-0001",
        "creators-part-0002",
        "creators-probe",
    ]
    assert all("__try1__" in k for k in posts)
    assert {u for u, _ in rows_of(tiktok_env, "creator_posts")} == set(handles)
    # Every row names the DAG run and the try that landed it.
    for row in first[posts[0]]:
        assert (row["run_id"], row["run_attempt"]) == (run_id, 1)

    # A re-run of a landed date fetches nothing and lands nothing: no copies, no replacement.
    requests = simulator.stats()["requests"]
    state, _ = run(dagbag, "tiktok_creator_posts", conf={"batch_size": 3})
    assert state == "success"
    assert landed(tiktok_env) == first, "re-running a landed date must land nothing"
    assert simulator.stats()["requests"] == requests

    # A fresh capture with another batching adds files of its own; every earlier one stays.
    state, _ = run(dagbag, "tiktok_creator_posts", conf={"batch_size": 4, "fresh_capture": True})
    assert state == "success"
    added = new_files(first, landed(tiktok_env))
    assert sorted(part_of(k) for k in added if k.startswith("landing/creator_posts/")) == [
        "creators-part-0000",
        "creators-part-0001",
        "creators-probe",
    ]
    after = landed(tiktok_env)

    def observations(keys) -> set[tuple[str, str]]:
        return {(r["creator_username"], r["video_id"]) for k in keys for r in after[k]}

    # The new capture alone observes every video the first one did (the simulator is
    # deterministic), and the first capture's rows are all still there.
    assert observations(k for k in added if "/creator_posts/" in k) == observations(posts)
    assert {u for u, _ in rows_of(tiktok_env, "creator_posts")} == set(handles)


def test_a_subset_run_adds_its_own_part_and_removes_nothing(
    dagbag, airflow_db, simulator, tiktok_env, tmp_path, monkeypatch, capfd
):
    handles = use_simulator(monkeypatch, simulator, tmp_path, creators=4)
    assert run(dagbag, "tiktok_creator_posts")[0] == "success"
    before = landed(tiktok_env)
    # The creator is landed for the date already: a subset run fetches nothing (the param matches
    # handles case-insensitively, with or without "@", as tiktok-extract --creator does)...
    requests = simulator.stats()["requests"]
    conf = {"creators": ["@" + handles[1].upper()]}
    state, _ = run(dagbag, "tiktok_creator_posts", conf=conf)
    assert state == "success"
    assert landed(tiktok_env) == before
    assert simulator.stats()["requests"] == requests
    # A handle not on the roster fails the planning task at once, naming it, spending nothing.
    capfd.readouterr()
    state, tis = run(dagbag, "tiktok_creator_posts", conf={"creators": ["nobody.here"]})
    assert state == "failed" and tis["roster"] == ("failed", 1), tis
    assert "param creators: 'nobody.here' not on the roster" in "".join(capfd.readouterr())
    assert simulator.stats()["requests"] == requests
    # ...unless asked for a fresh capture, which lands files of its own part.
    conf = {"creators": [handles[1]], "fresh_capture": True}
    assert run(dagbag, "tiktok_creator_posts", conf=conf)[0] == "success"
    new = new_files(before, landed(tiktok_env))
    assert new and all("creators-subset-" in k or "creators-probe" in k for k in new), new
    assert {u for u, _ in rows_of(tiktok_env, "creator_posts")} == set(handles)


def test_search_trends_lands_each_query_once_and_a_rerun_adds_nothing(
    dagbag, airflow_db, simulator, tiktok_env, tmp_path, monkeypatch
):
    use_simulator(monkeypatch, simulator, tmp_path)
    state, tis = run(dagbag, "tiktok_search_trends")
    assert state == "success", tis
    first = landed(tiktok_env)
    results = [k for k in first if k.startswith("landing/search_results/")]
    # The probe lands the first query, its mapped task then skips it; the other has its part.
    assert len(results) == 2 and all(first[k] for k in results)
    assert {part_of(k) for k in results} == {"searches-probe", search_part(Query("gym", "hashtag"))}
    assert {q for q, _ in rows_of(tiktok_env, "search_results")} == {"home workout", "gym"}
    assert run(dagbag, "tiktok_search_trends")[0] == "success"
    assert landed(tiktok_env) == first
    # one query from the UI (matched case-insensitively): landed already, nothing fetched...
    assert run(dagbag, "tiktok_search_trends", conf={"queries": ["#GYM"]})[0] == "success"
    assert landed(tiktok_env) == first
    # ...and with a fresh capture only that query is fetched again, into files of its own.
    conf = {"queries": ["#gym"], "fresh_capture": True}
    assert run(dagbag, "tiktok_search_trends", conf=conf)[0] == "success"
    added = new_files(first, landed(tiktok_env))
    after = landed(tiktok_env)
    fetched = [k for k in added if k.startswith("landing/search_results/")]
    assert fetched and {r["query"] for k in fetched for r in after[k]} == {"gym"}


# ---- failures -----------------------------------------------------------------------------------


def test_out_of_credits_fails_at_once_with_the_message_and_keeps_what_was_fetched(
    dagbag, airflow_db, simulator_factory, tiktok_env, tmp_path, monkeypatch, capfd
):
    simulator = simulator_factory(credit_balance=5)
    use_simulator(monkeypatch, simulator, tmp_path, creators=6)
    state, tis = run(dagbag, "tiktok_creator_posts", conf={"batch_size": 3})
    assert state == "failed", tis
    extract = {k: v for k, v in tis.items() if k.startswith("extract_batch")}
    assert extract and all(s == "failed" and tries == 1 for s, tries in extract.values()), extract
    assert tis["finalize"][0] == "upstream_failed"
    output = capfd.readouterr()
    text = output.out + output.err
    assert "AirflowFailException" in text and "out of credits (HTTP 402)" in text
    assert simulator.stats()["credits_used"] == 5
    assert rows_of(tiktok_env, "creator_posts"), "what was fetched before the 402 is landed"


def test_a_rejected_key_fails_at_once_and_says_which_connection(
    dagbag, airflow_db, simulator, tiktok_env, tmp_path, monkeypatch, capfd
):
    use_simulator(monkeypatch, simulator, tmp_path, api_key="sk_wrong_key_123", creators=3)
    state, tis = run(dagbag, "tiktok_search_trends")
    assert state == "failed"
    # The planning task's probe of the past date is the first request: it fails, once, and no
    # mapped task starts.
    assert tis["queries"] == ("failed", 1), tis
    assert tis["extract_query"][0] == "upstream_failed", tis
    text = "".join(capfd.readouterr())
    assert "Scavio rejected the API key" in text and "scavio_default" in text
    assert "sk_wrong_key_123" not in text


BAD_ROSTERS = {
    "empty roster": ("username,niche\n", "the roster has no creators"),
    "malformed row": ("username,niche\nmaya.lifts,fitness\nbob,food,extra,fields\n", "line 3"),
    "quote in handle": ('username,niche\nmaya.lifts,fitness\n"o\'brien",food\n', "line 3"),
    "slash in handle": ("username,niche\nmaya.lifts,fitness\n../etc/passwd,food\n", "line 3"),
    "SQL in handle": (
        'username,niche\nmaya.lifts,fitness\n"x; DROP TABLE posts;--",food\n',
        "line 3",
    ),
}


def test_bad_configuration_fails_naming_the_row_and_loses_nothing(
    dagbag, airflow_db, simulator, tiktok_env, tmp_path, monkeypatch, capfd
):
    use_simulator(monkeypatch, simulator, tmp_path, creators=3)
    assert run(dagbag, "tiktok_creator_posts")[0] == "success"
    assert run(dagbag, "tiktok_search_trends")[0] == "success"
    before = landed(tiktok_env)
    roster = tmp_path / "bad-creators.csv"
    monkeypatch.setenv("TIKTOK_CREATORS_FILE", str(roster))
    for case, (text, expected) in BAD_ROSTERS.items():
        roster.write_text(text)
        capfd.readouterr()
        state, tis = run(dagbag, "tiktok_creator_posts")
        assert state == "failed", case
        assert tis["roster"] == ("failed", 1), (case, tis)
        log = "".join(capfd.readouterr())
        assert "bad configuration" in log and str(roster) in log and expected in log, case
        assert landed(tiktok_env) == before, f"{case}: landed data changed"

    queries = tmp_path / "bad-queries.csv"
    queries.write_text("query,type\nhome workout,keyword\ncats,video\n")
    monkeypatch.setenv("TIKTOK_QUERIES_FILE", str(queries))
    state, tis = run(dagbag, "tiktok_search_trends")
    assert state == "failed" and tis["queries"] == ("failed", 1)
    log = "".join(capfd.readouterr())
    assert f"{queries} line 3: type 'video' is not one of keyword, hashtag" in log
    assert landed(tiktok_env) == before


# ---- the warehouse ------------------------------------------------------------------------------


def xcom(dagbag, dag_id: str, run_id: str, task_id: str):
    """The return value a task of the run pushed."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        (value,) = (
            session.query(XComModel.value)
            .filter_by(dag_id=dag_id, run_id=run_id, task_id=task_id, key="return_value")
            .one()
        )
    return XComModel.deserialize_value(type("Row", (), {"value": value})())


def test_warehouse_builds_each_date_publishes_and_writes_the_report(
    dagbag, airflow_db, simulator, tiktok_env, tmp_path, monkeypatch
):
    use_simulator(monkeypatch, simulator, tmp_path, creators=8)
    days = [D, date(2026, 11, 2)]
    for day in days:
        assert run(dagbag, "tiktok_creator_posts", day)[0] == "success"
        assert run(dagbag, "tiktok_search_trends", day)[0] == "success"

    def environment() -> dict[str, str]:  # Airflow itself sets AIRFLOW_CTX_* for every task
        return {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CTX_")}

    before = environment()
    for day in days:
        state, tis, run_id = run_dag(dagbag, "tiktok_warehouse", day)
        assert state == "success", {k: v for k, v in tis.items() if v[0] != "success"}
    # dbt ran in a child process: nothing it set leaks into the worker's environment
    assert environment() == before
    assert set(tis) == {"plan", "other_dates", "queue_other_dates", "build", "report"}
    assert tis["queue_other_dates"][0] == "skipped"  # no other date announced
    summary = xcom(dagbag, "tiktok_warehouse", run_id, "build")
    assert summary["snapshot_date"] == days[-1].isoformat() and summary["published"]
    assert summary["models"] > 10 and summary["tests"] > 10 and summary["failures"] == 0
    assert summary["slowest"] and summary["row_counts"]["creator_scorecard"] > 0

    serving = tiktok_env / "warehouse" / "tiktok.duckdb"
    assert serving.is_file()
    report = tiktok_env / "report" / "index.html"
    page = report.read_text()
    assert f"Snapshot date <b>{days[-1]}</b>" in page
    assert page.count('class="pt"') == 2 * 2, "two queries, a point per date each"
    assert 'class="bar"' in page and 'class="median"' in page

    # By hand for a date (param), on another logical date: the same date is rebuilt, same report.
    state, _ = run(
        dagbag, "tiktok_warehouse", date(2026, 11, 20), conf={"snapshot_date": days[-1].isoformat()}
    )
    assert state == "success"
    assert report.read_text() == page
