"""The Airflow adapters: connection -> settings, the snapshot date, the failure policy, selections,
part names and the lineage every extract task hands to the library."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from airflow.sdk.exceptions import AirflowFailException
from tiktok_airflow.callbacks import on_task_failure
from tiktok_airflow.extract_common import load_options
from tiktok_airflow.hooks import ScavioHook, base_url_of
from tiktok_airflow.runtime import failure_policy, snapshot_date, task_settings
from tiktok_engagement.config import ConfigError, Creator, Query, Settings
from tiktok_engagement.extract import ExtractionRefused, ExtractionReport, ExtractionStopped
from tiktok_engagement.landing import LandedFileExistsError, Landing, Load
from tiktok_engagement.plan import (
    creator_batches,
    needs_probe,
    plan_creator_day,
    plan_search_day,
    probe_creator,
    probe_query,
    search_part,
)
from tiktok_engagement.scavio.errors import AuthenticationError
from tiktok_engagement.selection import select_creators, select_queries


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
    # A cap: the message names the setting, and the report's summary follows it.
    capped = ExtractionReport(
        "creators", date(2026, 11, 1), "run", credits_used=7, outcome="stopped"
    )
    with pytest.raises(AirflowFailException) as excinfo, failure_policy():
        raise ExtractionStopped("SCAVIO_DAILY_CREDIT_BUDGET=7 reached", capped)
    assert "SCAVIO_DAILY_CREDIT_BUDGET=7 reached" in str(excinfo.value)
    assert "credits 7" in str(excinfo.value)
    # A past date the API cannot answer as of: no retry would change that.
    refused = ExtractionReport("searches", date(2026, 11, 1), "run", outcome="refused")
    with pytest.raises(AirflowFailException, match="serves only current counts"), failure_policy():
        raise ExtractionRefused("refused: the live API serves only current counts", refused)
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
    with pytest.raises(ConfigError, match="param creators: 'nobody' not on the roster"):
        select_creators(ROSTER, ["nobody"], what="param creators")
    assert select_queries(QUERIES, []) == QUERIES
    assert select_queries(QUERIES, ["#gym"]) == [QUERIES[1]]
    assert select_queries(QUERIES, ["keyword:gym"]) == [QUERIES[2]]
    assert select_queries(QUERIES, ["gym"]) == [QUERIES[1], QUERIES[2]]
    with pytest.raises(ConfigError, match="param queries: 'cats' is not in the query file"):
        select_queries(QUERIES, ["cats"], what="param queries")


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


def test_every_extract_task_passes_its_run_and_try_as_lineage():
    ti = SimpleNamespace(try_number=3)
    context = {"run_id": "scheduled__2026-11-01", "ti": ti, "params": {"fresh_capture": False}}
    # fresh=None: the library then falls back to TIKTOK_FRESH_CAPTURE.
    assert load_options(context) == {
        "run_id": "scheduled__2026-11-01",
        "run_attempt": 3,
        "fresh": None,
    }
    context["params"] = {"fresh_capture": True}
    assert load_options(context)["fresh"] is True


def test_creator_batches_cover_the_selection_under_stable_part_names():
    roster = [Creator(f"c{n}", "fitness") for n in range(5)]
    batches = creator_batches(roster, subset=False, size=2)
    assert [b.part for b in batches] == [
        "creators-part-0000",
        "creators-part-0001",
        "creators-part-0002",
    ]
    assert [c for b in batches for c in b.creators] == roster
    # A subset's parts never share a name with the roster's; the digest ignores order and case.
    subset = creator_batches(roster[:2], subset=True, size=25)
    again = creator_batches([Creator("C1", "fitness"), Creator("c0", "x")], subset=True)
    assert len(subset) == 1 and subset[0].part.startswith("creators-subset-")
    assert subset[0].part == again[0].part
    with pytest.raises(ValueError, match="batch size 0"):
        creator_batches(roster, subset=False, size=0)


def test_a_past_date_probes_the_first_item_still_to_fetch(tmp_path):
    settings = Settings(data_dir=tmp_path)
    today, past = date(2026, 11, 2), date(2026, 11, 1)
    assert needs_probe(past, today) and not needs_probe(today, today)
    day = plan_creator_day(settings, past, ROSTER)
    # Nothing landed: everyone is to fetch, each with a profile and a posts request.
    assert day.todo == ROSTER and day.skipped == 0 and day.credits == 2 * len(ROSTER)
    assert "3 creators from" in day.summary(settings) and "at most 6 credits" in day.summary(
        settings
    )
    assert probe_creator(day, today) == ROSTER[0]
    assert probe_creator(plan_creator_day(settings, today, ROSTER), today) is None
    assert probe_creator(plan_creator_day(settings, past, []), today) is None
    searches = plan_search_day(settings, past, QUERIES)
    assert probe_query(searches, today) == QUERIES[0]
    # keywords: 2 pages each; the hashtag: lookup + 2 pages.
    assert searches.credits == 2 + 3 + 2


def _write_lists(tmp_path, monkeypatch):
    creators, queries = tmp_path / "creators.csv", tmp_path / "queries.csv"
    creators.write_text("username,niche\n" + "".join(f"{c.username},{c.niche}\n" for c in ROSTER))
    queries.write_text("query,type\n" + "".join(f"{q.query},{q.query_type}\n" for q in QUERIES))
    monkeypatch.setenv("TIKTOK_CREATORS_FILE", str(creators))
    monkeypatch.setenv("TIKTOK_QUERIES_FILE", str(queries))


def test_the_cli_and_the_dag_params_select_the_same_way(tmp_path, monkeypatch, tiktok_env, capsys):
    """Case-insensitive names, an optional ``@``/``#``; an unknown name is an error naming it."""
    from tiktok_airflow import creator_posts, search_trends
    from tiktok_engagement import cli
    from tiktok_engagement.extract import today_utc

    _write_lists(tmp_path, monkeypatch)
    today = today_utc()  # no past-date probe: nothing is requested
    args = ["--date", today.isoformat(), "--dry-run", "--creator", "@CHEF_ANA", "--query", "#GYM"]
    assert cli.main(args) == 0
    assert (
        "1 creators (1 profile requests), 1 queries; nothing was spent" in capsys.readouterr().out
    )

    def context(**params):
        moment = datetime(today.year, today.month, today.day, tzinfo=UTC)
        return {"params": params, "logical_date": moment, "run_id": "manual__t"}

    batches = creator_posts.roster(context(creators=["@CHEF_ANA"]))
    assert [b["creators"] for b in batches] == [[{"username": "chef_ana", "niche": "food"}]]
    items = search_trends.queries(context(queries=["#GYM"]))
    assert [(i["query"], i["query_type"]) for i in items] == [("gym", "hashtag")]
    assert items[0]["part"] == search_part(Query("gym", "hashtag"))

    assert cli.main(["--date", today.isoformat(), "--dry-run", "--creator", "Nobody"]) == 2
    assert "--creator: 'Nobody' not on the roster" in capsys.readouterr().err
    with pytest.raises(AirflowFailException, match="param creators: 'Nobody' not on the roster"):
        creator_posts.roster(context(creators=["Nobody"]))
    assert cli.main(["--date", today.isoformat(), "--dry-run", "--query", "cats"]) == 2
    assert "--query: 'cats' is not in the query file" in capsys.readouterr().err
    with pytest.raises(AirflowFailException, match="param queries: 'cats' is not in the query"):
        search_trends.queries(context(queries=["cats"]))


def test_ensure_pools_creates_both_pools_and_can_run_again(airflow_db, monkeypatch):
    from airflow.models.pool import Pool
    from tiktok_airflow.pools import ensure_pools

    monkeypatch.setenv("SCAVIO_POOL_SLOTS", "3")
    ensure_pools()
    ensure_pools()
    assert (Pool.get_pool("scavio_api").slots, Pool.get_pool("tiktok_warehouse").slots) == (3, 1)
    monkeypatch.delenv("SCAVIO_POOL_SLOTS")
    ensure_pools()
    assert Pool.get_pool("scavio_api").slots == 5
    monkeypatch.setenv("SCAVIO_POOL_SLOTS", "0")
    with pytest.raises(ValueError, match="SCAVIO_POOL_SLOTS='0' must be at least 1"):
        ensure_pools()
    assert Pool.get_pool("scavio_api").slots == 5


def test_each_try_of_a_part_lands_a_file_of_its_own_and_none_is_replaced(tmp_path):
    landing = Landing(str(tmp_path))
    day = date(2026, 11, 1)
    first, retry = Load.new("manual__2026-11-01T00:00:00+00:00", 1), Load.new("manual__x", 2)
    names = {load.file_name("creators-part-0000") for load in (first, retry)}
    assert len(names) == 2
    assert all(n.startswith("creators-part-0000__") and "/" not in n for n in names)
    assert f"__try2__{retry.load_id}" in retry.file_name("creators-part-0000")
    path = landing.write("creator_posts", day, first.file_name("creators-part-0000"), [])
    with pytest.raises(LandedFileExistsError):
        landing.write("creator_posts", day, first.file_name("creators-part-0000"), [])
    assert landing.files("creator_posts", day) == [path]


def test_an_asset_triggered_warehouse_run_builds_the_latest_date_and_queues_the_others(tiktok_env):
    from tiktok_airflow.warehouse import plan as warehouse_plan

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
    # By hand for a date: that date only, nothing queued.
    manual = warehouse_plan({**context, "params": {"snapshot_date": "2026-10-30"}})
    assert (manual["snapshot_date"], manual["other_dates"]) == ("2026-10-30", [])
