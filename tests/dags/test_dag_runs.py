"""Whole DAG runs (``dag.test``) against the Scavio simulator, landing real Parquet in tmp_path.

Settings reach the tasks the way an operator sets them: the ``scavio_default`` connection from
``AIRFLOW_CONN_SCAVIO_DEFAULT``, the roster and query files and the data directory from
``TIKTOK_*`` variables.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest

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


def run(dagbag, dag_id: str, day: date = D, conf: dict | None = None):
    """Run the DAG for ``day``; returns (run state, {task_id[map_index]: (state, try_number)})."""
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
    return dag_run.state, states


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


# ---- the extract DAGs ---------------------------------------------------------------------------


def test_creator_posts_lands_every_batch_and_a_rerun_replaces_it(
    dagbag, airflow_db, simulator, tiktok_env, tmp_path, monkeypatch
):
    handles = use_simulator(monkeypatch, simulator, tmp_path, creators=7)
    state, tis = run(dagbag, "tiktok_creator_posts", conf={"batch_size": 3})
    assert state == "success", tis
    assert {k for k in tis if k.startswith("extract_batch")} == {
        "extract_batch[0]",
        "extract_batch[1]",
        "extract_batch[2]",
    }
    first = landed(tiktok_env)
    posts = tiktok_env / "landing" / "creator_posts" / f"snapshot_date={D}"
    assert sorted(p.name for p in posts.glob("*.parquet")) == [
        "part-0000.parquet",
        "part-0001.parquet",
        "part-0002.parquet",
    ]
    assert {u for u, _ in rows_of(tiktok_env, "creator_posts")} == set(handles)

    state, _ = run(dagbag, "tiktok_creator_posts", conf={"batch_size": 3})
    assert state == "success"
    assert landed(tiktok_env) == first, "re-running a date must write the same files, no copies"

    # A different batching replaces the date's parts: the stale third part is pruned.
    state, _ = run(dagbag, "tiktok_creator_posts", conf={"batch_size": 4})
    assert state == "success"
    assert sorted(p.name for p in posts.glob("*.parquet")) == [
        "part-0000.parquet",
        "part-0001.parquet",
    ]
    assert rows_of(tiktok_env, "creator_posts") == sorted(
        {r for r in rows_of(tiktok_env, "creator_posts")}
    )
    assert {u for u, _ in rows_of(tiktok_env, "creator_posts")} == set(handles)


def test_a_subset_run_adds_its_own_part_and_prunes_nothing(
    dagbag, airflow_db, simulator, tiktok_env, tmp_path, monkeypatch
):
    handles = use_simulator(monkeypatch, simulator, tmp_path, creators=4)
    assert run(dagbag, "tiktok_creator_posts")[0] == "success"
    before = landed(tiktok_env)
    state, _ = run(dagbag, "tiktok_creator_posts", conf={"creators": [handles[1]]})
    assert state == "success"
    after = landed(tiktok_env)
    assert {k: v for k, v in after.items() if k in before} == before
    new = [k for k in after if k not in before]
    assert new and all("subset-" in k for k in new)


def test_search_trends_lands_one_part_per_query_idempotently(
    dagbag, airflow_db, simulator, tiktok_env, tmp_path, monkeypatch
):
    use_simulator(monkeypatch, simulator, tmp_path)
    state, tis = run(dagbag, "tiktok_search_trends")
    assert state == "success", tis
    first = landed(tiktok_env)
    results = [k for k in first if k.startswith("landing/search_results/")]
    assert len(results) == 2 and all(first[k] for k in results)
    assert {q for q, _ in rows_of(tiktok_env, "search_results")} == {"home workout", "gym"}
    assert run(dagbag, "tiktok_search_trends")[0] == "success"
    assert landed(tiktok_env) == first
    # one query from the UI: only its file is fetched again
    assert run(dagbag, "tiktok_search_trends", conf={"queries": ["#gym"]})[0] == "success"
    assert landed(tiktok_env) == first


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
    extract = {k: v for k, v in tis.items() if k.startswith("extract_query")}
    assert extract and all(s == "failed" and tries == 1 for s, tries in extract.values()), extract
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
        state, tis = run(dagbag, "tiktok_warehouse", day)
        assert state == "success", {k: v for k, v in tis.items() if v[0] != "success"}
    # the dbt tasks ran in this process: the per-run paths Cosmos puts in os.environ are gone
    assert environment() == before
    assert tis["dbt.creator_scorecard_model_build"][0] == "success"  # the model and its tests
    assert tis["queue_other_dates"][0] == "skipped"  # no other date announced

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
