"""A day's extraction against the simulator over real HTTP, landing real Parquet.

These are the issue's must-hold cases: exact rows, idempotent re-runs, faults and 429s, 402 and
401 handling, malformed bodies, and the key never reaching disk or logs.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import httpx
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from tiktok_engagement.config import Creator, Query
from tiktok_engagement.extract import (
    ExtractionIncomplete,
    ExtractionStopped,
    extract_creators,
    extract_searches,
)
from tiktok_engagement.landing import LINEAGE_COLUMNS, OBSERVATION_DATASETS, Landing
from tiktok_engagement.scavio.errors import AuthenticationError

from tests.conftest import sim_settings

D = date(2026, 11, 1)


def roster_of(simulator, count: int) -> list[Creator]:
    rows = httpx.get(f"{simulator.base_url}/_sim/roster", params={"count": count}).json()
    return [Creator(r["username"], r["niche"]) for r in rows["creators"]]


def oracle_posts(simulator, username: str, day: date) -> list[str]:
    """The video ids the API serves for a creator on a day, fetched with raw HTTP."""
    headers = {"Authorization": f"Bearer {simulator.api_key}", "X-Sim-Date": day.isoformat()}
    url = f"{simulator.base_url}/api/v1/tiktok"
    profile = httpx.post(f"{url}/profile", json={"username": username}, headers=headers).json()
    sec_uid = profile["data"]["user"]["sec_uid"]
    posts = httpx.post(
        f"{url}/user/posts",
        json={"sec_user_id": sec_uid, "count": 20, "cursor": "0"},
        headers=headers,
    ).json()
    return [str(item["aweme_id"]) for item in posts["data"]["aweme_list"]]


QUERIES = [
    Query("home workout", "keyword"),
    Query("skincare routine", "keyword"),
    Query("budget travel", "keyword", pages=3),
    Query("gym", "hashtag"),
    Query("recipe", "hashtag"),
]


def snapshot(root: Path) -> dict[str, list[dict]]:
    """Every landed file with its data rows (ledger timings excluded: they are not data)."""
    out = {}
    for path in sorted(root.rglob("*.parquet")):
        rows = pq.read_table(path).to_pylist()
        if "request_ledger" in path.parts:
            # The ledger is a log in arrival order, which concurrency shuffles: compare it as a set.
            rows = sorted(
                (r["endpoint"], r["params_json"], r["status"], r["item_key"]) for r in rows
            )
        out[str(path.relative_to(root))] = rows
    return out


def test_fifty_creators_and_five_queries_land_exact_rows_and_rerun_is_identical(
    simulator, tmp_path
):
    roster = roster_of(simulator, 50)
    settings = sim_settings(simulator, tmp_path)
    creators = extract_creators(settings, D, roster)
    searches = extract_searches(settings, D, QUERIES)

    landing = Landing(settings.landing_root)
    posts = landing.read("creator_posts", D)
    expected = {c.username: oracle_posts(simulator, c.username, D) for c in roster}
    landed: dict[str, list[str]] = {}
    for row in posts.select(["creator_username", "video_id", "feed_position"]).to_pylist():
        landed.setdefault(row["creator_username"], []).append(row["video_id"])
    assert landed == expected
    assert landing.read("profiles", D).num_rows == 50
    assert creators.requests == creators.credits_used == 100  # first day: profile + posts each

    results = landing.read("search_results", D)
    by_query = {q.query: 0 for q in QUERIES}
    for q in results.column("query").to_pylist():
        by_query[q] += 1
    assert all(count > 0 for count in by_query.values()), by_query
    assert landing.read("hashtags", D).num_rows == 2
    ranks = (
        results.filter(pc.equal(results["query"], "budget travel"))
        .column("result_rank")
        .to_pylist()
    )
    assert ranks == list(range(1, len(ranks) + 1))
    assert searches.credits_used == 2 + 2 + 3 + 2 * (1 + 2)

    first = snapshot(tmp_path / "landing")
    extract_creators(settings, D, roster)
    extract_searches(settings, D, QUERIES)
    assert snapshot(tmp_path / "landing") == first


def data_rows(table) -> list[tuple]:
    """A dataset's rows without their lineage, in a stable order."""
    return sorted(tuple(r.values()) for r in table.drop_columns(list(LINEAGE_COLUMNS)).to_pylist())


def test_a_fresh_rerun_adds_its_own_files_and_replaces_nothing(simulator, tmp_path):
    roster = roster_of(simulator, 10)
    settings = sim_settings(simulator, tmp_path)
    first = extract_creators(settings, D, roster)
    first_searches = extract_searches(settings, D, QUERIES[:2])
    root = tmp_path / "landing"
    landed = {p: p.read_bytes() for p in root.rglob("*.parquet")}
    landing = Landing(settings.landing_root)
    posts_before = data_rows(landing.read("creator_posts", D))

    again = extract_creators(settings, D, roster, fresh=True)
    extract_searches(settings, D, QUERIES[:2], fresh=True)

    assert again.load_id != first.load_id and not again.already_landed
    assert again.requests == first.requests == 20  # the profiles are captured again too
    # Every earlier file is still there, byte for byte; the fresh capture is files of its own.
    assert {p: p.read_bytes() for p in landed} == landed
    for dataset, loads_of_dataset in (
        ("creator_posts", 2),
        ("profiles", 2),
        ("search_results", 2),
        ("request_ledger", 4),
        ("loads", 4),
    ):
        files = landing.files(dataset, D)
        assert len(files) == loads_of_dataset, (dataset, files)
        earlier = [f for f in files if first.load_id in f or first_searches.load_id in f]
        assert len(earlier) == loads_of_dataset // 2, (dataset, files)
    # The simulator is deterministic: the second capture holds the same data as the first.
    posts = landing.read("creator_posts", D)
    assert data_rows(posts) == sorted(posts_before * 2)
    assert set(posts["load_id"].to_pylist()) == {first.load_id, again.load_id}
    loads = landing.read("loads", D).filter(pc.equal(landing.read("loads", D)["kind"], "creators"))
    assert sorted(loads["fresh_capture"].to_pylist()) == [False, True]


def test_second_day_reuses_sec_uid_and_costs_one_credit_per_creator(simulator, tmp_path):
    roster = roster_of(simulator, 20)
    settings = sim_settings(simulator, tmp_path)
    extract_creators(settings, D, roster)
    report = extract_creators(settings, date(2026, 11, 2), roster)
    assert report.credits_used == 20
    assert Landing(settings.landing_root).read("profiles", date(2026, 11, 2)).num_rows == 0
    eighth = extract_creators(settings, date(2026, 11, 8), roster)
    assert eighth.credits_used == 40  # weekly profile refresh


def test_faults_and_429s_still_fetch_every_creator_exactly_once(simulator_factory, tmp_path):
    # Holding each answer 10 ms makes six requests sent together overlap past the cap of 3 even
    # on a loaded machine; with no latency the server answers each before the next arrives and
    # 429s are left to chance.
    simulator = simulator_factory(error_rate=0.10, in_flight_cap=3, fault_seed=7, latency_ms=10)
    roster = roster_of(simulator, 60)
    # Sent at twice the plan's cap, the first burst meets 429s; the client then lowers its
    # in-flight cap to the plan's (the 429 body says it), and only the 5xx faults are retried.
    settings = sim_settings(simulator, tmp_path, max_in_flight=6, max_attempts=8)
    report = extract_creators(settings, D, roster)

    posts = Landing(settings.landing_root).read("creator_posts", D)
    pairs = list(
        zip(posts.column("creator_username").to_pylist(), posts.column("video_id").to_pylist())
    )
    assert len(pairs) == len(set(pairs))
    assert {u for u, _ in pairs} == {c.username for c in roster}
    ledger = Landing(settings.landing_root).read("request_ledger", D).to_pylist()
    statuses = {r["status"] for r in ledger}
    assert 429 in statuses and statuses & {500, 502, 503, 504}
    assert report.retries == sum(1 for r in ledger if r["attempt"] > 1) > 0
    assert simulator.stats()["credits_used"] == report.credits_used == 120


def test_out_of_credits_stops_spending_and_lands_what_was_fetched(simulator_factory, tmp_path):
    simulator = simulator_factory(credit_balance=50)
    roster = roster_of(simulator, 40)
    settings = sim_settings(simulator, tmp_path, max_in_flight=4)
    with pytest.raises(ExtractionStopped, match=r"out of credits \(HTTP 402\)") as info:
        extract_creators(settings, D, roster)
    report = info.value.report
    assert "rows fetched before it are landed" in str(info.value)
    landing = Landing(settings.landing_root)
    posts = landing.read("creator_posts", D)
    fetched = set(posts.column("creator_username").to_pylist())
    assert 0 < len(fetched) < 40
    assert len(report.not_fetched) == 40 - len(fetched)
    stats = simulator.stats()
    assert stats["credits_used"] == 50
    # After the first 402 nothing more is sent: at most the requests already in flight answer 402.
    assert stats["by_status"].get("402", 0) <= settings.max_in_flight
    ledger = landing.read("request_ledger", D)
    assert 402 in ledger.column("status").to_pylist()


def test_bad_key_fails_fast_with_one_message_and_lands_only_its_ledger(simulator, tmp_path):
    settings = sim_settings(simulator, tmp_path).with_overrides(api_key="sk_wrong_key_123")
    with pytest.raises(AuthenticationError, match="HTTP 401") as info:
        extract_creators(settings, D, roster_of(simulator, 30))
    assert "sk_wrong_key_123" not in str(info.value)
    landing = Landing(settings.landing_root)
    assert not [ds for ds in OBSERVATION_DATASETS if landing.files(ds)], "data landed"
    # What the refused key cost is on record: the 401s sent before the client stopped, and the
    # load's row saying it failed.
    ledger = landing.read("request_ledger", D).to_pylist()
    assert ledger and {r["status"] for r in ledger} == {401}
    assert len(ledger) <= settings.max_in_flight
    (load,) = landing.read("loads", D).to_pylist()
    assert load["outcome"] == "failed" and "AuthenticationError" in load["stop_reason"]
    assert load["items_done"] == [] and len(load["items_not_fetched"]) == 30
    assert "sk_wrong_key_123" not in str(ledger) + str(load)


def test_the_key_never_reaches_landed_files_or_logs(simulator_factory, tmp_path, caplog):
    simulator = simulator_factory(error_rate=0.2, malformed_rate=0.1, fault_seed=3)
    settings = sim_settings(simulator, tmp_path, max_attempts=8)
    caplog.set_level(logging.DEBUG)
    try:
        extract_creators(settings, D, roster_of(simulator, 15))
        extract_searches(settings, D, QUERIES[:3])
    except ExtractionIncomplete:
        pass  # a payload that stayed bad is fine here: what matters is what was written
    key = simulator.api_key.encode()
    files = list(tmp_path.rglob("*.parquet"))
    assert files
    for path in files:
        assert key not in path.read_bytes()
        assert simulator.api_key not in str(pq.read_table(path).to_pylist())
    assert simulator.api_key not in caplog.text
    assert "Bearer" not in caplog.text


def test_malformed_bodies_are_retried_or_fail_clearly_never_land_bad_rows(
    simulator_factory, tmp_path
):
    simulator = simulator_factory(malformed_rate=0.3, fault_seed=11)
    roster = roster_of(simulator, 30)
    settings = sim_settings(simulator, tmp_path, max_attempts=6)
    try:
        report = extract_creators(settings, D, roster)
    except ExtractionIncomplete as exc:
        report = exc.report
        for reason in report.failed.values():
            assert "field '" in reason or "Malformed" in reason
    posts = Landing(settings.landing_root).read("creator_posts", D)
    assert posts.num_rows > 0
    assert posts.filter(posts["play_count"].is_null()).num_rows == 0
    landed = set(posts.column("creator_username").to_pylist())
    assert landed | set(report.failed) == {c.username for c in roster}
    ledger = Landing(settings.landing_root).read("request_ledger", D).to_pylist()
    assert any(r["error_class"] == "MalformedResponseError" for r in ledger)


def test_unknown_creator_is_marked_and_the_run_goes_on(simulator, tmp_path):
    roster = [*roster_of(simulator, 5), Creator("no.such.creator.zz", "fitness")]
    settings = sim_settings(simulator, tmp_path)
    report = extract_creators(settings, D, roster)
    assert report.not_found == ["no.such.creator.zz"]
    posts = Landing(settings.landing_root).read("creator_posts", D)
    assert set(posts.column("creator_username").to_pylist()) == {c.username for c in roster[:5]}
    ledger = Landing(settings.landing_root).read("request_ledger", D).to_pylist()
    assert [r["item_key"] for r in ledger if r["status"] == 404] == ["no.such.creator.zz"]


def test_run_credit_cap_is_never_exceeded(simulator, tmp_path):
    roster = roster_of(simulator, 30)
    settings = sim_settings(simulator, tmp_path, credit_budget=25, max_in_flight=8)
    before = simulator.stats()["credits_used"]
    with pytest.raises(ExtractionStopped, match="credit cap"):
        extract_creators(settings, D, roster)
    assert simulator.stats()["credits_used"] - before <= 25
