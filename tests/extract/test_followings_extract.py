"""The creator graph's extraction against the simulator over real HTTP, landing real Parquet.

A backfill once, then page 1 on the refresh days; a re-run spends nothing; the landing only grows,
so an edge seen on an earlier date stays in that date's file after it is gone from the list; a
retry after a stop fetches only the creators still missing; the dry run says what a run spends.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from scavio_simulator import Population, as_of_timestamp
from tiktok_engagement.extract import ExtractionStopped, extract_creators, extract_followings
from tiktok_engagement.graph.sampling import BACKFILL, REFRESH
from tiktok_engagement.landing import LINEAGE_COLUMNS, Landing
from tiktok_engagement.plan import following_batches, plan_following_day

from tests.extract.cli_runs import roster_of, run_extract_cli, settings_for

D = date(2026, 11, 10)


def files_and_rows(landing: Landing, day: date) -> dict[str, int]:
    return {
        path: pq.ParquetFile(path, filesystem=landing.fs).metadata.num_rows
        for path in landing.files("followings", day)
    }


def test_backfill_then_refresh_and_the_landing_keeps_every_edge(simulator, tmp_path):
    roster = roster_of(simulator, 4)
    settings = settings_for(simulator, tmp_path)
    landing = Landing(settings.landing_root)
    assert plan_following_day(settings, D, roster).selection.unresolved == [
        c.username for c in roster
    ]  # no profile landed: nobody can be fetched yet

    extract_creators(settings, D, roster)
    planned = plan_following_day(settings, D, roster)
    assert [c.mode for c in planned.due] == [BACKFILL] * 4
    assert planned.credits == 4 * 25
    report = extract_followings(settings, D, planned.due)
    world = Population(seed=42, size=600)
    graph = world.follow_graph
    rows = landing.read("followings", D).to_pylist()
    sizes = {}
    for creator in roster:
        truth = graph.followings(world[creator.username], as_of_timestamp(D))
        mine = sorted(
            (r for r in rows if r["creator_username"] == creator.username),
            key=lambda r: r["position"],
        )
        assert [r["followed_unique_id"] for r in mine] == [f.account.unique_id for f in truth[:500]]
        assert [r["position"] for r in mine] == list(range(1, len(mine) + 1))
        sizes[creator.username] = len(truth)
    # A backfill costs its pages: the list's, the last partial (or empty), at most 25.
    assert report.credits_used == sum(min(25, n // 20 + 1) for n in sizes.values())
    ledger = {
        (r["load_id"], r["request_seq"]): r
        for r in landing.read("request_ledger", D).to_pylist()
        if r["endpoint"] == "user/followings"
    }
    for row in rows:
        assert all(row[c] is not None for c in LINEAGE_COLUMNS)
        assert json.loads(row["raw_json"])["unique_id"] == row["followed_unique_id"]
        answered = ledger[(row["load_id"], row["request_seq"])]
        assert json.loads(answered["params_json"])["sec_user_id"] == row["creator_sec_uid"]

    # The same date again: everything landed, nothing spent, no file.
    before = files_and_rows(landing, D)
    again = extract_followings(settings, D, plan_following_day(settings, D, roster).due)
    assert again.requests == 0 and files_and_rows(landing, D) == before

    # A week on: page 1 of each creator only.
    week = D + timedelta(days=7)
    refresh = plan_following_day(settings, week, roster)
    assert [c.mode for c in refresh.due] == [REFRESH] * 4 and refresh.credits == 4
    assert extract_followings(settings, week, refresh.due).credits_used == 4
    assert {r["page"] for r in landing.read("followings", week).to_pylist()} == {1}
    assert plan_following_day(settings, week + timedelta(days=3), roster).due == []

    # A month on: an account unfollowed since D is gone from the list, and still in D's file.
    month = D + timedelta(days=30)
    extract_followings(settings, month, plan_following_day(settings, month, roster).due)
    gone = []
    for creator in roster:
        then = {
            f.account.unique_id
            for f in graph.followings(world[creator.username], as_of_timestamp(D))
        }
        now = {
            f.account.unique_id
            for f in graph.followings(world[creator.username], as_of_timestamp(month))
        }
        gone += [(creator.username, name) for name in then - now]
    assert gone, "the world has unfollows within a month"
    landed_d = {(r["creator_username"], r["followed_unique_id"]) for r in rows}
    landed_month = {
        (r["creator_username"], r["followed_unique_id"])
        for r in landing.read("followings", month).to_pylist()
    }
    assert any(edge in landed_d for edge in gone)
    assert not any(edge in landed_month for edge in gone)
    assert files_and_rows(landing, D) == before  # the earlier files are untouched
    assert landing.read("followings").num_rows == len(rows) + 4 * 20 * 2


def test_a_retry_after_a_stop_fetches_only_the_creators_still_missing(simulator, tmp_path):
    roster = roster_of(simulator, 5)
    settings = settings_for(simulator, tmp_path)
    landing = Landing(settings.landing_root)
    extract_creators(settings, D, roster)
    planned = plan_following_day(settings, D, roster, run_id="r1")
    with pytest.raises(ExtractionStopped) as stopped:
        extract_followings(
            settings.with_overrides(credit_budget=30, max_in_flight=1), D, planned.due, run_id="r1"
        )
    done = stopped.value.report.done
    assert 0 < len(done) < 5
    loads = [r for r in landing.read("loads", D).to_pylist() if r["kind"] == "followings"]
    assert loads[0]["outcome"] == "stopped"
    retry = plan_following_day(settings, D, roster, run_id="r1")
    assert {c.item for c in retry.todo} == {c.item for c in planned.due} - set(done)
    report = extract_followings(settings, D, retry.due, run_id="r1")
    assert sorted(report.already_landed) == sorted(done)
    assert set(report.done) == {c.item for c in retry.todo}
    # The next date, the backfills that finished are not repeated.
    nxt = plan_following_day(settings, D + timedelta(days=1), roster)
    assert nxt.due == [] and len(nxt.selection.not_due) == 5
    assert [b.part for b in following_batches(planned.due, 2)] == [
        "followings-part-0000",
        "followings-part-0001",
        "followings-part-0002",
    ]


def run_cli(simulator, data: Path, day: date, *args: str) -> subprocess.CompletedProcess:
    return run_extract_cli(simulator, data, day, *args, creators=3)


def _planned(dry: subprocess.CompletedProcess) -> int:
    assert dry.returncode == 0, dry.stderr
    first = dry.stdout.splitlines()[0]
    assert "following lists of the due creators" in first
    return int(first.split("at most ")[1].split(" credits")[0])


def test_the_dry_run_says_what_a_followings_run_spends(simulator, tmp_path):
    data = tmp_path / "data"
    dry = run_cli(simulator, data, D, "--only", "followings", "--dry-run")
    assert "3 without a landed profile" in dry.stdout and _planned(dry) == 0
    assert run_cli(simulator, data, D, "--only", "creators").returncode == 0

    dry = run_cli(simulator, data, D, "--only", "followings", "--dry-run")
    bound = _planned(dry)
    assert bound == 3 * 25 and "3 backfills (up to 25 pages of 20 each)" in dry.stdout
    assert "followings on a steady day: about 0.4 credits" in dry.stdout  # 3 creators / 7 days
    before = simulator.stats()["credits_used"]
    real = run_cli(simulator, data, D, "--only", "followings")
    assert real.returncode == 0, real.stderr
    spent = simulator.stats()["credits_used"] - before
    assert 3 <= spent <= bound and f"credits {spent} (" in real.stdout
    # Once backfills have landed the first-week estimate is what they cost.
    dry = run_cli(simulator, data, D + timedelta(days=7), "--only", "followings", "--dry-run")
    assert f"about {spent} credits" in dry.stdout
    # A refresh day: the dry run's credits are what the run spends, request for request.
    planned = _planned(dry)
    assert planned == 3 and "0 backfills" in dry.stdout
    before = simulator.stats()["credits_used"]
    assert run_cli(simulator, data, D + timedelta(days=7), "--only", "followings").returncode == 0
    assert simulator.stats()["credits_used"] - before == planned
    # A default run's dry run shows the followings beside it, outside its total.
    default = run_cli(simulator, data, D, "--dry-run")
    assert "followings (not in this run: --only followings, or the tiktok_creator_graph DAG)" in (
        default.stdout
    )
