"""Comment sampling and extraction against the simulator over real HTTP, landing real Parquet.

The policy decides from what has landed: a day's creator posts make videos due, a video sampled
on an earlier date is never due again, and a re-run (or a retry after a stop) fetches only the due
videos no load of the date sampled yet.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from tiktok_engagement.comments.sampling import SOURCE_CREATOR_POSTS, SOURCE_SEARCH_RESULTS
from tiktok_engagement.config import Query
from tiktok_engagement.extract import (
    ExtractionStopped,
    extract_comments,
    extract_creators,
    extract_searches,
)
from tiktok_engagement.landing import LINEAGE_COLUMNS, Landing
from tiktok_engagement.plan import comment_batches, plan_comment_day

from tests.extract.cli_runs import roster_of, run_extract_cli, settings_for

D = date(2026, 11, 10)


def test_due_videos_land_with_lineage_and_a_rerun_lands_nothing(simulator, tmp_path):
    roster = roster_of(simulator, 6)
    settings = settings_for(simulator, tmp_path)
    landing = Landing(settings.landing_root)
    before = plan_comment_day(settings, D, roster)
    assert not before.posts_landed and before.due == []  # nothing is due before the posts land

    extract_creators(settings, D, roster)
    planned = plan_comment_day(settings, D, roster)
    assert planned.due and planned.todo == planned.due
    posts = {r["video_id"]: r for r in landing.read("creator_posts", D).to_pylist()}
    for video in planned.due:
        age = D - posts[video.video_id]["created_at"].date()
        assert timedelta(days=2) <= age <= timedelta(days=14), video
        assert posts[video.video_id]["comment_count"] > 0
        assert video.sample_source == SOURCE_CREATOR_POSTS
    assert planned.credits == len(planned.due)  # one page each by default

    report = extract_comments(settings, D, planned.due, part="comments-test")
    # With one page per video the plan's bound is the spend, request for request.
    assert report.credits_used == report.requests == planned.credits
    comments = landing.read("comments", D).to_pylist()
    assert {c["video_id"] for c in comments} == {v.video_id for v in planned.due}
    ledger = {
        (r["load_id"], r["request_seq"]): r
        for r in landing.read("request_ledger", D).to_pylist()
        if r["endpoint"] == "video/comments"
    }
    assert len(ledger) == planned.credits
    for row in comments:
        assert all(row[c] is not None for c in LINEAGE_COLUMNS)
        answered = ledger[(row["load_id"], row["request_seq"])]
        assert json.loads(answered["params_json"])["video_id"] == row["video_id"]
        raw = json.loads(row["raw_json"])
        assert (raw["cid"], raw["text"]) == (row["comment_id"], row["text"])
        assert row["creator_username"] == posts[row["video_id"]]["creator_username"]
        assert row["sample_source"] == SOURCE_CREATOR_POSTS and row["page"] == 1
    by_video: dict[str, list[int]] = {}
    for row in comments:
        by_video.setdefault(row["video_id"], []).append(row["comment_rank"])
    assert all(sorted(r) == list(range(1, len(r) + 1)) for r in by_video.values())
    (load,) = [r for r in landing.read("loads", D).to_pylist() if r["kind"] == "comments"]
    assert load["outcome"] == "complete" and sorted(load["items_done"]) == sorted(
        v.item for v in planned.due
    )

    # A re-run: the same selection, nothing left to fetch, nothing spent or landed.
    files = sorted(Path(settings.landing_root).rglob("*.parquet"))
    again = plan_comment_day(settings, D, roster)
    assert again.due == planned.due and again.todo == [] and again.credits == 0
    requests = simulator.stats()["requests"]
    report = extract_comments(settings, D, again.due)
    assert report.requests == 0 and len(report.already_landed) == len(planned.due)
    assert sorted(Path(settings.landing_root).rglob("*.parquet")) == files
    assert simulator.stats()["requests"] == requests

    # The next day: no video sampled on D is due again.
    extract_creators(settings, D + timedelta(days=1), roster)
    following = plan_comment_day(settings, D + timedelta(days=1), roster)
    assert not {v.video_id for v in following.due} & {v.video_id for v in planned.due}
    assert following.selection.sampled_before >= 1


def test_a_stopped_load_is_completed_by_a_retry_that_fetches_only_what_is_missing(
    simulator_factory, tmp_path
):
    sim = simulator_factory(credit_balance=10_000)
    roster = roster_of(sim, 8)
    settings = settings_for(sim, tmp_path)
    extract_creators(settings, D, roster)
    planned = plan_comment_day(settings, D, roster)
    assert len(planned.due) > 4
    # A run cap stops the first load part of the way.
    with pytest.raises(ExtractionStopped) as stopped:
        extract_comments(settings.with_overrides(credit_budget=3), D, planned.due, run_id="r1")
    assert stopped.value.report.credits_used == 3
    landing = Landing(settings.landing_root)
    first = {r["video_id"] for r in landing.read("comments", D).to_pylist()}
    assert len(first) == 3

    retry = plan_comment_day(settings, D, roster)
    assert retry.due == planned.due and len(retry.todo) == len(planned.due) - 3
    report = extract_comments(settings, D, retry.due, run_id="r2")
    assert report.credits_used == len(planned.due) - 3
    rows = landing.read("comments", D).to_pylist()
    assert {r["video_id"] for r in rows} == {v.video_id for v in planned.due}
    # No video was sampled by both loads.
    loads_of = {}
    for row in rows:
        loads_of.setdefault(row["video_id"], set()).add(row["load_id"])
    assert all(len(ids) == 1 for ids in loads_of.values())


def test_top_query_videos_and_a_daily_credit_cap(simulator, tmp_path):
    roster = roster_of(simulator, 4)
    settings = settings_for(simulator, tmp_path, comments_top_query_videos=2)
    extract_creators(settings, D, roster)
    extract_searches(settings, D, [Query("home workout", "keyword"), Query("gym", "hashtag")])
    planned = plan_comment_day(settings, D, roster)
    from_queries = [v for v in planned.due if v.sample_source == SOURCE_SEARCH_RESULTS]
    assert from_queries and all(v.query in ("home workout", "gym") for v in from_queries)
    assert len([v for v in from_queries if v.query == "gym"]) <= 2

    capped = settings.with_overrides(comments_daily_credits=3, comment_pages=1)
    planned_capped = plan_comment_day(capped, D, roster)
    assert len(planned_capped.due) == 3 and planned_capped.credits == 3
    assert len(planned_capped.selection.deferred) == len(planned.due) - 3
    # Each group's oldest video first: the three come from three different creators or queries.
    assert len({v.group for v in planned_capped.due}) == 3
    report = extract_comments(capped, D, planned_capped.due)
    assert report.credits_used == 3
    landed = Landing(settings.landing_root).read("comments", D).to_pylist()
    assert {r["sample_source"] for r in landed} <= {SOURCE_CREATOR_POSTS, SOURCE_SEARCH_RESULTS}
    for row in landed:
        assert (row["query"] is None) == (row["sample_source"] == SOURCE_CREATOR_POSTS)


def test_batches_cover_the_selection_with_stable_names(simulator, tmp_path):
    roster = roster_of(simulator, 6)
    settings = settings_for(simulator, tmp_path)
    extract_creators(settings, D, roster)
    due = plan_comment_day(settings, D, roster).due
    batches = comment_batches(due, 4)
    assert [b.part for b in batches] == [f"comments-part-{n:04d}" for n in range(len(batches))]
    assert [v for b in batches for v in b.videos] == due


# ---- the command line ----------------------------------------------------------------------------


def run_cli(simulator, data: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return run_extract_cli(simulator, data, D, *args, creators=5, **env)


@pytest.mark.slow  # a CLI run of a day through creators, searches and comments
def test_the_dry_run_credits_of_comments_are_what_the_run_spends(simulator, tmp_path):
    data = tmp_path / "data"
    dry = run_cli(simulator, data, "--only", "comments", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "no creator posts landed for 2026-11-10" in dry.stdout
    assert "comments on a steady day: unknown until a day of creator posts has landed" in dry.stdout

    assert run_cli(simulator, data, "--only", "creators").returncode == 0
    dry = run_cli(simulator, data, "--only", "comments", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    first = dry.stdout.splitlines()[0]
    assert first.startswith("dry run for 2026-11-10: at most ") and "comments of the due" in first
    planned = int(first.split("at most ")[1].split(" credits")[0])
    assert planned > 0
    assert f"videos due, at most {planned} credits" in dry.stdout
    assert "comments on a steady day: about " in dry.stdout

    before = simulator.stats()["credits_used"]
    real = run_cli(simulator, data, "--only", "comments")
    assert real.returncode == 0, real.stderr
    assert f"credits {planned} (" in real.stdout
    assert simulator.stats()["credits_used"] - before == planned
    assert "into comment_scores" in real.stdout
    landing = Landing(str(data / "landing"))
    assert landing.read("comments", D).num_rows > 0
    assert landing.read("comment_scores", D).num_rows == landing.read("comments", D).num_rows

    # A default run's dry run shows the comments beside it, outside its total.
    default = run_cli(simulator, data, "--dry-run")
    assert "comments (not in this run: --only comments, or the tiktok_comments DAG)" in (
        default.stdout
    )
    again = run_cli(simulator, data, "--only", "comments")
    assert "requests 0 (retries 0), credits 0" in again.stdout
