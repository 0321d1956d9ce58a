"""``tiktok-vet`` against the simulator over real HTTP: a roster creator and one off the roster,
the JSON shape, the dry run, lineage of what landed, an unknown handle; and (slow) the vetting
numbers against the marts of a real warehouse build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from tiktok_engagement.landing import Landing
from tiktok_engagement.vet import (
    EXIT_NOT_FOUND,
    comment_text_key,
    follower_tier,
    sponsored_signal,
    vetting_component,
)

DAY = date(2026, 11, 1)
ROSTER_HANDLE = "ethanmuller"  # on include/creators.csv (fitness)
OFF_ROSTER = "pilateswithjune"  # in the simulator's world, not on the roster


def run_vet(simulator, data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SCAVIO_", "TIKTOK_"))},
        "SCAVIO_BASE_URL": simulator.base_url,
        "SCAVIO_API_KEY": simulator.api_key,
        "TIKTOK_DATA_DIR": str(data_dir),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "tiktok_engagement.vet", *args, "--date", DAY.isoformat()],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_dry_run_prints_the_cost_and_spends_nothing(simulator, tmp_path):
    before = simulator.stats()
    result = run_vet(simulator, tmp_path, OFF_ROSTER, "--dry-run", "--comments")
    assert result.returncode == 0, result.stderr
    # profile + posts, and at most one comment page for each of the 20 recent posts
    assert "costs at most 22 credits ($0.110)" in result.stdout
    assert "nothing was spent" in result.stdout
    as_json = run_vet(simulator, tmp_path, OFF_ROSTER, "--dry-run", "--json")
    assert json.loads(as_json.stdout) == {
        "dry_run": True,
        "handle": OFF_ROSTER,
        "snapshot_date": DAY.isoformat(),
        "credits": 2,
        "cost_usd": 0.01,
        "by_endpoint": {"profile": 1, "user/posts": 1},
    }
    after = simulator.stats()
    assert (after["requests"], after["credits_used"]) == (
        before["requests"],
        before["credits_used"],
    )
    assert not list(tmp_path.rglob("*.parquet"))


def test_vetting_a_creator_off_the_roster_lands_it_with_lineage(simulator, tmp_path):
    result = run_vet(simulator, tmp_path, f"@{OFF_ROSTER}", "--niche", "Fitness", "--json")
    assert result.returncode == 0, result.stderr
    vetting = json.loads(result.stdout)
    assert vetting["handle"] == OFF_ROSTER and vetting["niche"] == "fitness"
    assert vetting["on_roster"] is False
    assert vetting["credits_used"] == 2 and vetting["requests"] == 2
    assert vetting["cost_usd"] == pytest.approx(0.01)
    assert set(vetting) >= {
        "scorecard", "content_signals", "audience", "benchmarks", "profile", "files", "load_ids",
        "outlier_videos", "run_id",
    }  # fmt: skip
    card = vetting["scorecard"]
    assert card["posts_analyzed"] == 20 and card["follower_tier"] == follower_tier(
        vetting["profile"]["follower_count"]
    )
    assert 0 < card["avg_like_view_ratio"] < 1 and card["like_view_band"] is not None
    assert card["vetting_score"] is None, "no warehouse published: no niche medians"
    assert vetting["benchmarks"]["unavailable"].startswith("no published warehouse")
    assert vetting["audience"] is None  # no --comments
    assert vetting["content_signals"]["posts_per_week_30d"] is not None

    # What landed: append-only files of one load, every row carrying that load's lineage.
    landing = Landing(str(tmp_path / "landing"))
    (load_id,) = vetting["load_ids"]
    posts = landing.read("creator_posts", DAY)
    assert posts.num_rows == 20
    assert set(posts.column("load_id").to_pylist()) == {load_id}
    assert set(posts.column("run_id").to_pylist()) == {vetting["run_id"]}
    assert set(posts.column("niche").to_pylist()) == {"fitness"}
    ledger = landing.read("request_ledger", DAY)
    assert sorted(ledger.column("endpoint").to_pylist()) == ["profile", "user/posts"]
    assert set(posts.column("request_seq").to_pylist()) <= set(
        ledger.column("request_seq").to_pylist()
    )
    (load,) = landing.read("loads", DAY).to_pylist()
    assert load["load_id"] == load_id and load["outcome"] == "complete"
    assert load["items_done"] == [f"creator:{OFF_ROSTER}"]
    for path in vetting["files"].values():
        assert Path(path).is_file() and pq.read_table(path).num_rows > 0

    # The text form says the same, and a second vetting adds files beside the first.
    again = run_vet(simulator, tmp_path, OFF_ROSTER, "--niche", "fitness")
    assert again.returncode == 0, again.stderr
    assert f"vetting @{OFF_ROSTER} (fitness, not on the roster) on {DAY}" in again.stdout
    # The profile too: like any run, a date's own profiles do not count as known (plan_creators).
    assert "2 requests, 2 credits ($0.010)" in again.stdout
    assert len(list((tmp_path / "landing" / "creator_posts").rglob("*.parquet"))) == 2


def test_vetting_a_roster_creator_with_comments(simulator, tmp_path):
    result = run_vet(simulator, tmp_path, ROSTER_HANDLE, "--comments", "--json")
    assert result.returncode == 0, result.stderr
    vetting = json.loads(result.stdout)
    assert vetting["on_roster"] is True and vetting["niche"] == "fitness"
    landing = Landing(str(tmp_path / "landing"))
    comments = landing.read("comments", DAY)
    sampled = set(comments.column("video_id").to_pylist())
    # profile + posts + one comment page per sampled video (those in the window with comments)
    assert vetting["credits_used"] == 2 + len(sampled) and sampled
    audience = vetting["audience"]
    assert audience["videos_with_comments"] == len(sampled)
    assert audience["comments_analyzed"] == comments.num_rows
    assert -1 <= audience["net_sentiment"] <= 1
    assert 0 <= audience["comment_authenticity"] <= 100
    scores = landing.read("comment_scores", DAY)
    assert set(scores.column("comment_id").to_pylist()) == set(
        comments.column("comment_id").to_pylist()
    ), "the comments it fetched are scored and landed"
    assert vetting["scorecard"]["overall_score"] is None  # no benchmarks published


def test_an_unknown_handle_exits_7_with_the_request_in_the_ledger(simulator, tmp_path):
    result = run_vet(simulator, tmp_path, "no.such.creator_42")
    assert result.returncode == EXIT_NOT_FOUND
    assert "no such creator" in result.stderr and "@no.such.creator_42" in result.stderr
    assert result.stdout == ""
    ledger = Landing(str(tmp_path / "landing")).read("request_ledger", DAY).to_pylist()
    assert [(r["endpoint"], r["status"]) for r in ledger] == [("profile", 404)]


def test_a_bad_handle_is_a_configuration_error(simulator, tmp_path):
    result = run_vet(simulator, tmp_path, "robert'); drop table creators;--")
    assert result.returncode == 2 and "is not a TikTok handle" in result.stderr
    assert not (tmp_path / "landing").exists()


def test_the_formulas_of_the_macros():
    assert vetting_component(0.05, 0.05) == 0.5 and vetting_component(0.0, 0.0) == 0.5
    assert vetting_component(None, 0.05) is None
    assert comment_text_key("NICE  🔥🔥🔥 ") == comment_text_key("niiice 🔥") == "nice 🔥"
    assert sponsored_signal("new drop", ["Anzeige"], False) == "disclosed"
    assert sponsored_signal("my #adventure", [], False) == "none"
    assert sponsored_signal("thanks to @glowco for this", [], None) == "likely"
    assert sponsored_signal("@glowco use code MAYA20", [], False) == "likely"
    assert sponsored_signal("plain", [], True) == "disclosed"


@pytest.mark.slow
def test_vetting_numbers_agree_with_the_marts(simulator, tmp_path):
    """Roster creators vetted on a date the warehouse built: every number equals its marts row."""
    from tiktok_engagement.config import Settings, load_roster
    from tiktok_engagement.extract import extract_comments, extract_creators, score_comments
    from tiktok_engagement.plan import plan_comment_day
    from tiktok_engagement.warehouse.build import build

    settings = Settings(base_url=simulator.base_url, api_key=simulator.api_key, data_dir=tmp_path)
    roster = [c for c in load_roster(settings.creators_file) if c.niche == "fitness"]
    extract_creators(settings, DAY, roster)
    extract_comments(settings, DAY, plan_comment_day(settings, DAY, roster).todo)
    score_comments(settings, DAY)
    built = build(str(tmp_path / "landing"), tmp_path / "warehouse", tmp_path / "exports", DAY)
    con = duckdb.connect(str(built.serving_db), read_only=True)
    try:
        for creator in roster:  # the niche's six, from nano to mega
            check_against_marts(simulator, tmp_path, con, creator.username)
    finally:
        con.close()


def check_against_marts(simulator, tmp_path, con, handle: str) -> None:
    result = run_vet(simulator, tmp_path, handle, "--comments", "--json")
    assert result.returncode == 0, result.stderr
    vetting = json.loads(result.stdout)
    # posts and profile (the date's own profiles do not count as known); the comments had landed
    assert vetting["credits_used"] == 2

    def row(mart: str) -> dict:
        cursor = con.execute(
            f"select * from marts.{mart} where creator_username = ? and snapshot_date = ?",
            [handle, DAY],
        )
        names = [d[0] for d in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))

    def same(ours: dict, theirs: dict, must: set[str]) -> None:
        assert must <= set(ours) & set(theirs), must - (set(ours) & set(theirs))
        for key, value in ours.items():
            if key not in theirs:
                continue
            expected = theirs[key]
            if isinstance(expected, float):
                assert value == pytest.approx(expected, rel=1e-9, abs=1e-9), key
            elif isinstance(expected, date):
                assert value == expected.isoformat(), key
            else:
                assert value == expected, key

    same(
        vetting["scorecard"],
        row("creator_scorecard"),
        {
            "avg_like_view_ratio", "median_like_view_ratio", "pooled_share_view_ratio",
            "avg_engagement_rate", "like_view_band", "comment_view_band", "has_viral_potential",
            "follower_tier", "vetting_score", "overall_score", "peer_engagement_part",
            "sentiment_part", "authenticity_part", "consistency_part", "growth_part",
        },
    )  # fmt: skip
    same(
        vetting["content_signals"],
        row("creator_content_signals"),
        {
            "posts_per_week_30d", "days_since_last_post", "max_gap_days_90d",
            "median_views_recent", "outlier_videos_30d", "sponsored_share_30d",
            "sponsored_engagement_lift", "follower_growth_7d", "follower_growth_30d",
            "has_follower_spike",
        },
    )  # fmt: skip
    same(
        vetting["audience"],
        row("creator_audience"),
        {
            "videos_with_comments", "comments_analyzed", "net_sentiment",
            "negative_alert_videos", "repeat_commenter_rate", "generic_comment_share",
            "duplicate_comment_share", "comment_authenticity", "top_terms",
        },
    )  # fmt: skip
    card = row("creator_scorecard")
    assert vetting["benchmarks"]["like_view_percentile_in_niche"] == pytest.approx(
        card["like_view_percentile_in_niche"]
    )
    outliers = {
        video_id
        for (video_id,) in con.execute(
            "select video_id from marts.fct_video_snapshots where creator_username = ? "
            "and snapshot_date = ? and is_outlier",
            [handle, DAY],
        ).fetchall()
    }
    assert {v["video_id"] for v in vetting["outlier_videos"]} == outliers


@pytest.mark.slow
def test_a_vetted_candidate_stays_out_of_the_niche_benchmarks_and_ranks(simulator, tmp_path):
    """A creator only tiktok-vet fetched has its scorecard row but is not part of the niche: the
    benchmarks count the tracked creators alone and their ranks do not move. A tracked creator
    vetted the same day stays tracked."""
    from tiktok_engagement.config import Settings, load_roster
    from tiktok_engagement.extract import extract_creators
    from tiktok_engagement.warehouse.build import build

    settings = Settings(base_url=simulator.base_url, api_key=simulator.api_key, data_dir=tmp_path)
    roster = [c for c in load_roster(settings.creators_file) if c.niche == "fitness"]
    extract_creators(settings, DAY, roster)
    for handle, niche in ((OFF_ROSTER, "fitness"), (roster[0].username, "fitness")):
        result = run_vet(simulator, tmp_path, handle, "--niche", niche, "--json")
        assert result.returncode == 0, result.stderr
    built = build(str(tmp_path / "landing"), tmp_path / "warehouse", tmp_path / "exports", DAY)
    con = duckdb.connect(str(built.serving_db), read_only=True)
    try:
        (creators,) = con.execute(
            "select creators from marts.niche_benchmarks "
            "where niche = 'fitness' and follower_tier = 'all' and snapshot_date = ?",
            [DAY],
        ).fetchone()
        cards = {
            row[0]: row[1:]
            for row in con.execute(
                "select creator_username, is_vetted_only, vetting_score, vetting_rank_in_niche, "
                "like_view_percentile_in_niche from marts.creator_scorecard "
                "where niche = 'fitness' and snapshot_date = ?",
                [DAY],
            ).fetchall()
        }
    finally:
        con.close()
    assert creators == len(roster) == 6
    vetted_only, score, rank, percentile = cards.pop(OFF_ROSTER)
    assert vetted_only is True and score is not None and rank is None and percentile is None
    assert sorted(cards) == sorted(c.username for c in roster)
    assert not any(card[0] for card in cards.values())
    assert sorted(card[2] for card in cards.values()) == [1, 2, 3, 4, 5, 6]
    assert sorted(card[3] for card in cards.values()) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1])
