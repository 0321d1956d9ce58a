"""The Airflow adapters: connection -> settings, the snapshot date, the failure policy, selections."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from airflow.sdk.exceptions import AirflowFailException
from tiktok_airflow.callbacks import on_task_failure
from tiktok_airflow.hooks import ScavioHook, base_url_of
from tiktok_airflow.runtime import failure_policy, snapshot_date, task_settings
from tiktok_airflow.tasks import prune_date, search_part, select_creators, select_queries
from tiktok_engagement.config import ConfigError, Creator, Query, Settings
from tiktok_engagement.extract import ExtractionReport, ExtractionStopped
from tiktok_engagement.landing import Landing
from tiktok_engagement.scavio.errors import AuthenticationError


def set_conn(monkeypatch, **fields):
    monkeypatch.setenv("AIRFLOW_CONN_SCAVIO_DEFAULT", json.dumps(fields))


# ---- connection -> settings ---------------------------------------------------------------------


def test_the_connection_gives_base_url_key_and_extras(monkeypatch, tiktok_env):
    set_conn(
        monkeypatch,
        conn_type="scavio",
        host="https://api.scavio.dev",
        password="sk_live_abc",
        extra={"max_in_flight": 7, "requests_per_second": 3.5},
    )
    settings = ScavioHook().get_settings()
    assert settings.base_url == "https://api.scavio.dev"
    assert settings.api_key == "sk_live_abc"
    assert settings.max_in_flight == 7 and settings.requests_per_second == 3.5
    assert settings.sim_clock_header is False
    assert settings.data_dir == tiktok_env
    assert "sk_live_abc" not in repr(settings)


def test_a_uri_connection_works_too(monkeypatch, tiktok_env):
    monkeypatch.setenv("AIRFLOW_CONN_SCAVIO_DEFAULT", "https://:sk_uri_key@api.scavio.dev")
    settings = ScavioHook().get_settings()
    assert (settings.base_url, settings.api_key) == ("https://api.scavio.dev", "sk_uri_key")


def test_without_a_connection_settings_come_from_the_environment(monkeypatch, tiktok_env):
    monkeypatch.delenv("AIRFLOW_CONN_SCAVIO_DEFAULT", raising=False)
    monkeypatch.setenv("SCAVIO_MAX_IN_FLIGHT", "3")
    assert ScavioHook().get_settings() == Settings.from_env()
    assert ScavioHook().get_settings().max_in_flight == 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"conn_type": "scavio", "host": "", "password": "k"}, "host (the base URL"),
        (
            {"conn_type": "scavio", "host": "https://api.scavio.dev"},
            "password (the API key) is empty",
        ),
        (
            {
                "conn_type": "scavio",
                "host": "https://x.dev",
                "password": "k",
                "extra": {"max_inflight": 2},
            },
            "unknown extra key(s) max_inflight",
        ),
        (
            {
                "conn_type": "scavio",
                "host": "https://x.dev",
                "password": "k",
                "extra": {"max_in_flight": 0},
            },
            "SCAVIO_MAX_IN_FLIGHT='0' must be at least 1",
        ),
    ],
)
def test_a_bad_connection_is_a_clear_configuration_error(monkeypatch, tiktok_env, fields, message):
    set_conn(monkeypatch, **fields)
    with pytest.raises(ConfigError) as excinfo:
        ScavioHook().get_settings()
    assert message in str(excinfo.value)


@pytest.mark.parametrize(
    ("conn_type", "host", "port", "schema", "expected"),
    [
        ("scavio", "api.scavio.dev", None, None, "https://api.scavio.dev"),
        ("scavio", "127.0.0.1", 8765, None, "http://127.0.0.1:8765"),
        ("http", "sim.local", 80, "", "http://sim.local:80"),
        ("scavio", "https://api.scavio.dev/", None, "v2", "https://api.scavio.dev/v2"),
        ("scavio", "http://127.0.0.1:8765", 8765, None, "http://127.0.0.1:8765"),
    ],
)
def test_base_url_of(conn_type, host, port, schema, expected):
    assert base_url_of(conn_type, host, port, schema) == expected


def test_the_client_in_flight_limit_is_the_tasks_pool_slots(monkeypatch, tiktok_env):
    set_conn(monkeypatch, conn_type="scavio", host="http://127.0.0.1:1", extra={"max_in_flight": 4})
    task = SimpleNamespace(task_id="extract_batch", pool="scavio_api", pool_slots=2)
    assert task_settings({"task": task}, in_flight_from_pool=True).max_in_flight == 2
    task.pool_slots = 5
    with pytest.raises(ConfigError, match="takes 5 slots of pool 'scavio_api'"):
        task_settings({"task": task}, in_flight_from_pool=True)


# ---- snapshot date ------------------------------------------------------------------------------


def event(extra=None, logical=None):
    return SimpleNamespace(extra=extra or {}, source_dag_run=SimpleNamespace(logical_date=logical))


def test_snapshot_date_precedence():
    run = SimpleNamespace(run_after=datetime(2026, 11, 9, 23, 30, tzinfo=UTC))
    logical = datetime(2026, 11, 3, tzinfo=UTC)
    assert snapshot_date({"dag_run": run, "logical_date": None}) == date(2026, 11, 9)
    assert snapshot_date({"dag_run": run, "logical_date": logical}) == date(2026, 11, 3)
    events = {
        "a": [event({"snapshot_date": "2026-11-01"})],
        "b": [event(logical=datetime(2026, 11, 2, tzinfo=UTC))],
    }
    assert snapshot_date(
        {"dag_run": run, "logical_date": None, "triggering_asset_events": events}
    ) == date(2026, 11, 2)
    assert snapshot_date(
        {"dag_run": run, "params": {"snapshot_date": "2026-10-05"}, "logical_date": logical}
    ) == date(2026, 10, 5)
    with pytest.raises(AirflowFailException, match="not a date"):
        snapshot_date({"dag_run": run, "params": {"snapshot_date": "yesterday"}})


# ---- failure policy -----------------------------------------------------------------------------


def test_permanent_errors_fail_at_once_and_the_rest_propagate():
    with (
        pytest.raises(AirflowFailException, match="bad configuration: roster.csv line 3"),
        failure_policy(),
    ):
        raise ConfigError("roster.csv line 3: username is empty")
    with pytest.raises(AirflowFailException, match="Scavio rejected the API key"), failure_policy():
        raise AuthenticationError("invalid key", status=401)
    report = ExtractionReport("creators", date(2026, 11, 1), "run", stopped_reason="out of credits")
    with pytest.raises(AirflowFailException, match="out of credits"), failure_policy():
        raise ExtractionStopped("out of credits (HTTP 402)", report)
    # transient: Airflow retries it with backoff
    with pytest.raises(TimeoutError), failure_policy():
        raise TimeoutError("slow")


def test_the_failure_callback_logs_an_alert(caplog):
    ti = SimpleNamespace(dag_id="d", run_id="r", task_id="t", map_index=2, try_number=1)
    with caplog.at_level("ERROR", logger="tiktok_airflow.alerts"):
        on_task_failure({"ti": ti, "exception": ValueError("boom")})
    assert "d.t[2] failed (run r, try 1): ValueError: boom" in caplog.text


# ---- selections and part names ------------------------------------------------------------------

ROSTER = [Creator("maya.lifts", "fitness"), Creator("chef_ana", "food"), Creator("bo.b", "pets")]
QUERIES = [Query("home workout", "keyword"), Query("gym", "hashtag"), Query("gym", "keyword")]


def test_select_creators_and_queries():
    assert select_creators(ROSTER, []) == ROSTER
    assert select_creators(ROSTER, ["@Chef_Ana", "chef_ana"]) == [ROSTER[1]]
    with pytest.raises(ConfigError, match="'nobody' not on the roster"):
        select_creators(ROSTER, ["nobody"])
    assert select_queries(QUERIES, []) == QUERIES
    assert select_queries(QUERIES, ["#gym"]) == [QUERIES[1]]
    assert select_queries(QUERIES, ["keyword:gym"]) == [QUERIES[2]]
    assert select_queries(QUERIES, ["gym"]) == [QUERIES[1], QUERIES[2]]
    with pytest.raises(ConfigError, match="'cats' is not in the query file"):
        select_queries(QUERIES, ["cats"])


def test_search_parts_are_deterministic_distinct_and_plain_file_names():
    queries = [
        *QUERIES,
        Query("C++ tips", "keyword"),
        Query("c tips", "keyword"),
        Query("../../x'; drop", "keyword"),
    ]
    parts = [search_part(q) for q in queries]
    assert len(set(parts)) == len(parts)
    assert parts == [search_part(q) for q in queries]
    assert all("/" not in p and not p.startswith(".") and p.isascii() for p in parts)


def test_prune_keeps_the_other_dags_ledger_files(tmp_path):
    landing = Landing(str(tmp_path))
    day = date(2026, 11, 1)
    ledger = [
        {
            "snapshot_date": day,
            "run_id": "r",
            "request_seq": 1,
            "endpoint": "/x",
            "params_json": "{}",
            "attempt": 1,
            "latency_ms": 1.0,
            "started_at": datetime(2026, 11, 1, tzinfo=UTC),
            "suspect_empty": False,
        }
    ]
    for part in ("part-0000", "part-0001", "part-0002"):
        landing.write("creator_posts", day, part, [])
        landing.write("request_ledger", day, f"creators-{part}", ledger)
    landing.write("request_ledger", day, "searches-search-hashtag-gym-1", ledger)
    removed = prune_date(landing, day, ["creator_posts"], ["part-0000", "part-0001"], "creators")
    assert sorted(p.rsplit("/", 1)[-1] for p in removed) == [
        "creators-part-0002.parquet",
        "part-0002.parquet",
    ]
    assert [p.rsplit("/", 1)[-1] for p in landing.files("request_ledger", day)] == [
        "creators-part-0000.parquet",
        "creators-part-0001.parquet",
        "searches-search-hashtag-gym-1.parquet",
    ]


def test_an_asset_triggered_warehouse_run_builds_the_latest_date_and_queues_the_others(tiktok_env):
    from tiktok_airflow.tasks import warehouse_plan

    events = {
        "creators": [
            event({"snapshot_date": "2026-11-01"}),
            event({"snapshot_date": "2026-11-03"}),
        ],
        "searches": [
            event({"snapshot_date": "2026-11-02"}),
            event({"snapshot_date": "2026-11-03"}),
        ],
    }
    run = SimpleNamespace(run_after=datetime(2026, 11, 24, tzinfo=UTC))
    context = {
        "dag_run": run,
        "logical_date": None,
        "triggering_asset_events": events,
        "run_id": "asset_1",
    }
    plan = warehouse_plan(context)
    assert plan["snapshot_date"] == "2026-11-03"
    assert [o["conf"] for o in plan["other_dates"]] == [
        {"snapshot_date": "2026-11-01"},
        {"snapshot_date": "2026-11-02"},
    ]
    assert plan["other_dates"][0]["trigger_run_id"] == "snapshot_2026-11-01__from__asset_1"
    assert plan["dbt_env"]["TIKTOK_MARTS_DB"] == str(
        tiktok_env.resolve() / "warehouse" / "work" / "marts_build.duckdb"
    )
    # By hand for a date: that date only, nothing queued.
    manual = warehouse_plan({**context, "params": {"snapshot_date": "2026-10-30"}})
    assert (manual["snapshot_date"], manual["other_dates"]) == ("2026-10-30", [])
