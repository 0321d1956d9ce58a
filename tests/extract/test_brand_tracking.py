"""Brands tracked through the existing extraction: the CLI against the simulator over real HTTP,
and the DAG adapters' planning tasks."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tiktok_engagement.brands import load_brands, match_mentions
from tiktok_engagement.config import DEFAULT_BRANDS_FILE, Query
from tiktok_engagement.plan import search_part

DAY = "2026-11-01"
BRANDS = load_brands(DEFAULT_BRANDS_FILE)
BRAND_HANDLES = {"glowlab": "GlowLab", "lumeskin": "Lumé Skin", "velvetbeauty": "Velvet Beauty"}


def run_cli(simulator, data: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SCAVIO_", "TIKTOK_"))
    }
    environment.update(
        SCAVIO_BASE_URL=simulator.base_url,
        SCAVIO_API_KEY=simulator.api_key,
        TIKTOK_DATA_DIR=str(data),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "tiktok_engagement.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def own_lists(tmp_path: Path) -> dict[str, str]:
    """Two roster creators and two queries, one of them a brand's keyword already, with the
    bundled brands asked for by name (a roster of one's own does not get them otherwise)."""
    roster = tmp_path / "creators.csv"
    roster.write_text("username,niche\nmateonguyen,beauty\nethanmuller,fitness\n")
    queries = tmp_path / "queries.csv"
    queries.write_text("query,type\nskincare routine,keyword\nGlowLab,keyword\n")
    return {
        "TIKTOK_CREATORS_FILE": str(roster),
        "TIKTOK_QUERIES_FILE": str(queries),
        "TIKTOK_BRANDS_FILE": str(DEFAULT_BRANDS_FILE),
    }


def rows(data: Path, dataset: str) -> list[dict]:
    paths = sorted((data / "landing" / dataset / f"snapshot_date={DAY}").glob("*.parquet"))
    return [row for path in paths for row in pq.read_table(path).to_pylist()]


def test_the_dry_run_lists_what_each_default_brand_adds(simulator, tmp_path):
    result = run_cli(simulator, tmp_path / "data", "--date", DAY, "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # Each brand: its account (profile + posts), its keyword (2 pages), its hashtag (lookup + 2).
    assert (
        f"  brands from {DEFAULT_BRANDS_FILE} (3; competitive sets: beauty): at most 21 credits "
        "of this run ($0.105); a steady day about 18.4 credits more ($0.09); 30 days: about 553 "
        "credits ($2.76)"
    ) in lines
    assert (
        "    Lumé Skin (beauty): @lumeskin, keyword lumé skin, #lumeskin; at most 7 credits today "
        "($0.035), about 6.1 a steady day ($0.031)"
    ) in lines
    assert sum(line.startswith("    ") and "(beauty): @" in line for line in lines) == 3
    assert "3 brands (3 accounts, 3 profile requests; 6 queries)" in lines[0]
    # Brands off: the line and the brands' part of the bound are gone.
    off = run_cli(simulator, tmp_path / "data", "--date", DAY, "--dry-run", TIKTOK_BRANDS_FILE="")
    assert off.returncode == 0, off.stderr
    assert "at most 158 credits ($0.790)" in off.stdout and "brands" not in off.stdout


def test_a_bad_brands_file_exits_2_naming_the_line(simulator, tmp_path):
    bad = tmp_path / "brands.csv"
    bad.write_text("brand,handles,keywords,hashtags,competitive_set\nGlowLab,,,glow lab,beauty\n")
    result = run_cli(simulator, tmp_path / "data", "--dry-run", TIKTOK_BRANDS_FILE=str(bad))
    assert result.returncode == 2
    assert f"{bad} line 2: hashtag 'glow lab' has a space" in result.stderr


@pytest.mark.slow
def test_a_cli_run_lands_the_brand_accounts_feeds_and_the_brand_searches(simulator, tmp_path):
    data = tmp_path / "data"
    env = own_lists(tmp_path)
    dry = run_cli(simulator, data, "--date", DAY, "--dry-run", **env)
    assert dry.returncode == 0, dry.stderr
    # GlowLab's keyword is the query file's already: the brand adds its account and hashtag.
    assert "already tracked by the roster or query file: keyword:glowlab" in dry.stdout

    result = run_cli(simulator, data, "--date", DAY, **env)
    assert result.returncode == 0, result.stdout + result.stderr

    posts = rows(data, "creator_posts")
    by_creator = Counter((r["creator_username"], r["niche"]) for r in posts)
    assert set(by_creator) == {
        ("mateonguyen", "beauty"),
        ("ethanmuller", "fitness"),
        ("glowlab", "brand:glowlab"),
        ("lumeskin", "brand:lume skin"),
        ("velvetbeauty", "brand:velvet beauty"),
    }
    assert all(count == 20 for count in by_creator.values())
    profiles = {r["creator_username"]: r for r in rows(data, "profiles")}
    assert profiles["glowlab"]["niche"] == "brand:glowlab" and profiles["glowlab"]["sec_uid"]
    # Every post of a brand's own feed is one of its owned mentions.
    for row in posts:
        if row["creator_username"] in BRAND_HANDLES:
            assert row["author_unique_id"] == row["creator_username"]
            mentions = match_mentions(
                BRANDS, row["description"], row["hashtags"], row["author_unique_id"]
            )
            assert (BRAND_HANDLES[row["creator_username"]], "owned") in [
                (m.brand, m.mention_type) for m in mentions
            ]

    results = rows(data, "search_results")
    queries = Counter((r["query"], r["query_type"]) for r in results)
    # One search each: the query file's two, and the brands' five that it lacked.
    assert set(queries) == {
        ("skincare routine", "keyword"),
        ("GlowLab", "keyword"),
        ("glowlab", "hashtag"),
        ("lumé skin", "keyword"),
        ("lumeskin", "hashtag"),
        ("velvet beauty", "keyword"),
        ("velvetbeauty", "hashtag"),
    }
    assert all(count == 40 for count in queries.values())  # 2 pages of 20
    # A brand's search and its hashtag list the videos that mention it, its own among them.
    for query, brand in [
        ("GlowLab", "GlowLab"),
        ("glowlab", "GlowLab"),
        ("lumé skin", "Lumé Skin"),
        ("lumeskin", "Lumé Skin"),
        ("velvet beauty", "Velvet Beauty"),
        ("velvetbeauty", "Velvet Beauty"),
    ]:
        found = [r for r in results if r["query"] == query]
        kinds = Counter()
        for row in found:
            mentions = match_mentions(
                BRANDS, row["description"], row["hashtags"], row["author_unique_id"]
            )
            mine = [m for m in mentions if m.brand == brand]
            assert mine, (query, row["description"], row["hashtags"])
            kinds[mine[0].mention_type] += 1
        assert kinds["earned"] > 0, (query, kinds)

    # What the brands cost: the ledger's credits per brand item are the dry run's bound.
    credits = Counter()
    for row in rows(data, "request_ledger"):
        credits[(row["endpoint"], (row["item_key"] or "").lower())] += row["credits_used"] or 0
    for handle in BRAND_HANDLES:
        # The first day: the profile (resolving the handle) and the posts.
        assert credits[("profile", handle)] == credits[("user/posts", handle)] == 1, credits
        assert credits[("hashtag", handle)] == 1  # the lookup of the brand's hashtag
        assert credits[("hashtag/videos", f"hashtag:{handle}")] == 2  # and two pages of it
    for keyword in ("lumé skin", "velvet beauty"):
        assert credits[("search/videos", keyword)] == 2

    # Run again: everything is landed, nothing is spent.
    again = run_cli(simulator, data, "--date", DAY, **env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("requests 0 (retries 0), credits 0") == 2


def test_the_dag_tasks_plan_brand_accounts_in_batches_of_their_own(tmp_path, monkeypatch):
    from airflow.sdk.execution_time.cache import SecretCache
    from tiktok_airflow import creator_posts, search_trends
    from tiktok_engagement.extract import today_utc

    for name in list(os.environ):
        if name.startswith(("SCAVIO_", "TIKTOK_")):
            monkeypatch.delenv(name)
    monkeypatch.delenv("AIRFLOW_CONN_SCAVIO_DEFAULT", raising=False)
    monkeypatch.setenv("TIKTOK_DATA_DIR", str(tmp_path / "data"))
    for name, value in own_lists(tmp_path).items():
        monkeypatch.setenv(name, value)
    SecretCache.reset()
    today = today_utc()  # no past-date probe: nothing is requested

    def context(**params):
        moment = datetime(today.year, today.month, today.day, tzinfo=UTC)
        return {"params": params, "logical_date": moment, "run_id": "manual__t"}

    batches = creator_posts.roster(context())
    assert [b["part"] for b in batches] == ["creators-part-0000", "brands-part-0000"]
    assert batches[1]["creators"] == [
        {"username": "glowlab", "niche": "brand:glowlab"},
        {"username": "lumeskin", "niche": "brand:lume skin"},
        {"username": "velvetbeauty", "niche": "brand:velvet beauty"},
    ]
    only = creator_posts.roster(context(creators=["@LumeSkin"]))
    assert [b["creators"] for b in only] == [[{"username": "lumeskin", "niche": "brand:lume skin"}]]
    assert only[0]["part"].startswith("brands-subset-")

    items = search_trends.queries(context())
    assert [(i["query"], i["query_type"]) for i in items] == [
        ("skincare routine", "keyword"),
        ("GlowLab", "keyword"),
        ("glowlab", "hashtag"),
        ("lumé skin", "keyword"),
        ("lumeskin", "hashtag"),
        ("velvet beauty", "keyword"),
        ("velvetbeauty", "hashtag"),
    ]
    assert items[3]["part"] == search_part(Query("lumé skin", "keyword"))
    picked = search_trends.queries(context(queries=["#LUMESKIN"]))
    assert [(i["query"], i["query_type"]) for i in picked] == [("lumeskin", "hashtag")]
    SecretCache.reset()
