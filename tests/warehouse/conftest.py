"""Shared fixtures: landing data (generator or hand-written) and warehouses built with real dbt runs.

dbt invocations cost seconds each, so built warehouses are session-scoped and shared; tests only
read them (each test that writes builds its own).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType

import duckdb
import pytest
from tiktok_engagement.landing import Landing
from tiktok_engagement.warehouse import build

from .landing_rows import comment, comment_score, following, load

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("DO_NOT_TRACK", "1")

GENERATED_START = date(2024, 1, 1)
GENERATED_DAYS = 4


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_landing", ROOT / "bench" / "generate_landing.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_landing"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def generator() -> ModuleType:
    return load_generator()


@pytest.fixture(scope="session")
def generated_landing(tmp_path_factory: pytest.TempPathFactory, generator: ModuleType) -> Path:
    """12 roster creators x 4 days, 4 queries: a few thousand rows, every dataset present."""
    root = tmp_path_factory.mktemp("generated") / "landing"
    config = generator.GeneratorConfig(
        creators=12, days=GENERATED_DAYS, start=GENERATED_START, queries=4, results_per_query=15
    )
    generator.generate(root, config)
    add_generated_comments(root, generated_dates())
    add_generated_followings(root, generated_dates())
    return root


# Comments of the generated landing: the generator writes none (the warehouse benchmark's landing
# has no comments), so the fixture samples some of each day's feed videos, each video once, with
# a small pool of commenters per creator and texts that repeat, so that every comment mart has
# rows and the backfill and re-run comparisons cover them.
COMMENT_TEXTS = (
    "nice 🔥",
    "this ate 😭",
    "where is this from??",
    "mid",
    "💀💀💀",
    "Nice  🔥🔥",
    "love this",
    "not me buying this again",
)
COMMENT_LABELS = ("positive", "positive", "neutral", "negative", "positive", "unscored")


def _digest(*parts: object) -> int:
    return int(hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def add_generated_comments(root: Path, dates: list[date], per_creator_and_day: int = 2) -> None:
    """Land comments and their scores for ``per_creator_and_day`` not yet sampled feed videos of
    each creator and date (chosen by a hash of the video id, so the same every time)."""
    landing = Landing(str(root))
    sampled: set[str] = set()
    for day in dates:
        posts = landing.read("creator_posts", day).select(["creator_username", "video_id"])
        feeds: dict[str, list[str]] = {}
        for creator, video in zip(*(posts.column(c).to_pylist() for c in posts.column_names)):
            feeds.setdefault(creator, []).append(video)
        started = datetime(day.year, day.month, day.day, 20, tzinfo=UTC)
        comments_load, scores_load = (
            load(f"comments-{day}", started),
            load(f"scores-{day}", started + timedelta(minutes=5)),
        )
        comments, scores = [], []
        for creator, videos in sorted(feeds.items()):
            due = sorted(set(videos) - sampled, key=lambda v: _digest(v))[:per_creator_and_day]
            for video in due:
                sampled.add(video)
                for rank in range(1, 7):
                    cid = f"{video}-c{rank}"
                    pick = _digest(cid)
                    commenter = f"{creator}-fan{pick % 5}"
                    text = COMMENT_TEXTS[pick % len(COMMENT_TEXTS)]
                    label = COMMENT_LABELS[(pick // 7) % len(COMMENT_LABELS)]
                    comments.append(
                        comment(day, video, cid, text, commenter, creator=creator, rank=rank)
                    )
                    scores.append(
                        comment_score(
                            day,
                            video,
                            cid,
                            comments_load,
                            label,
                            language=None if label == "unscored" else "en",
                            generic=text in COMMENT_TEXTS[:2] or text.startswith("💀"),
                            question=text.endswith("?"),
                            terms=[w for w in text.lower().split() if w.isalpha()],
                        )
                    )
        landing.write(
            "comments", day, comments_load.file_name("part-0000"), comments, load=comments_load
        )
        landing.write(
            "comment_scores", day, scores_load.file_name("part-0000"), scores, load=scores_load
        )


# Followings of the generated landing (the generator writes none): every creator backfilled on the
# first day (its niche's hubs, a global hub, a niche peer, accounts of its own), then a third of
# them refreshed on each later day with a new follow on page 1 and, now and then, one dropped, so
# that every graph mart has rows and the backfill and re-run comparisons cover them.
def add_generated_followings(root: Path, dates: list[date]) -> None:
    landing = Landing(str(root))
    posts = landing.read("creator_posts", dates[0])
    columns = (posts.column(c).to_pylist() for c in ("creator_username", "niche"))
    creators = sorted(set(zip(*columns, strict=True)))
    by_niche: dict[str, list[str]] = {}
    for creator, niche in creators:
        by_niche.setdefault(niche, []).append(creator)
    lists: dict[str, list[str]] = {}
    for creator, niche in creators:
        peers = [c for c in by_niche[niche] if c != creator]
        hubs = sorted(range(4), key=lambda k: _digest(creator, "hub", k))[:3]
        lists[creator] = [
            *(f"hub-{niche}-{k}" for k in hubs),
            "hub-global",
            *peers[:1],
            *(f"{creator}-follow{i}" for i in range(_digest(creator) % 4 + 3)),
        ]
    for index, day in enumerate(dates):
        started = datetime(day.year, day.month, day.day, 21, tzinfo=UTC)
        of = load(f"followings-{day}", started)
        rows = []
        for creator, _ in creators:
            if index > 0:
                if _digest(creator, "refresh", day) % 3:
                    continue
                lists[creator] = [f"{creator}-new-{day}", *lists[creator]]
                if _digest(creator, "drop", day) % 2:
                    lists[creator].pop(2)
            for position, account in enumerate(lists[creator], start=1):
                followers = 1000 + _digest(account, day) % 5_000_000
                rows.append(following(day, creator, account, position, followers=followers))
        if rows:
            landing.write("followings", day, of.file_name("followings-part-0000"), rows, load=of)


def generated_dates() -> list[date]:
    return [GENERATED_START + timedelta(days=i) for i in range(GENERATED_DAYS)]


class Warehouse:
    """A data directory with landing/, warehouse/ and exports/."""

    def __init__(self, root: Path, landing: Path) -> None:
        self.root = root
        self.landing = landing
        self.warehouse_dir = root / "warehouse"
        self.exports_dir = root / "exports"

    @property
    def serving_db(self) -> Path:
        return self.warehouse_dir / "tiktok.duckdb"

    def build(self, day: date, **kwargs):
        return build(
            str(self.landing), self.warehouse_dir, self.exports_dir, day, quiet=True, **kwargs
        )

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.serving_db), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def table(self, name: str, order_by: str) -> list[tuple]:
        return self.query(f"select * from marts.{name} order by {order_by}")


def new_warehouse(
    tmp_path_factory: pytest.TempPathFactory, name: str, landing: Path, copy_landing: bool = False
) -> Warehouse:
    root = tmp_path_factory.mktemp(name)
    if copy_landing:
        shutil.copytree(landing, root / "landing")
        landing = root / "landing"
    return Warehouse(root, landing)


@pytest.fixture(scope="session")
def inorder_warehouse(
    tmp_path_factory: pytest.TempPathFactory, generated_landing: Path
) -> Warehouse:
    """The generated days built one at a time, in order (the daily case)."""
    warehouse = new_warehouse(tmp_path_factory, "inorder", generated_landing)
    for day in generated_dates():
        warehouse.build(day)
    return warehouse


@pytest.fixture(scope="session", autouse=True)
def generated_brands() -> Iterator[None]:
    """Every warehouse built here tracks the brands of generated_brands.csv (the bundled brands
    match nothing the generator writes), so that the brand marts have rows in the generated
    landing's backfill, re-run and export comparisons; test_brand_marts.py sets brands files of
    its own. Set from the first warehouse test on (not at import, which would reach every other
    test directory's tests too) and removed at the end of the session."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIKTOK_BRANDS_FILE", str(Path(__file__).with_name("generated_brands.csv")))
        yield
