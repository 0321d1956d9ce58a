"""The scoring step over real Parquet: what it writes, idempotence, versions, loads, bad text."""

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tiktok_engagement.comments import __main__ as comments_cli
from tiktok_engagement.comments import score_step
from tiktok_engagement.comments.scoring import SCORER_VERSION
from tiktok_engagement.landing import SCHEMAS, Landing, Load

D = date(2026, 11, 2)


def comment_row(comment_id: str, text: str, video_id: str = "v1") -> dict:
    return {
        "snapshot_date": D,
        "video_id": video_id,
        "creator_username": "maya.lifts",
        "video_author_unique_id": "maya.lifts",
        "sample_source": "creator_posts",
        "query": None,
        "page": 1,
        "comment_rank": 1,
        "comment_id": comment_id,
        "parent_comment_id": None,
        "text": text,
        "created_at": datetime(2026, 11, 1, 12, tzinfo=UTC),
        "like_count": 3,
        "reply_count": 0,
        "commenter_unique_id": "fan1",
        "commenter_nickname": "Fan",
        "raw_json": "{}",
    }


def land_comments(landing: Landing, rows: list[dict], load: Load | None = None) -> Load:
    load = load or Load.new("extract-run")
    landing.write("comments", D, load.file_name("comments"), rows, load=load)
    return load


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    return Landing(str(tmp_path / "landing"))


def test_scores_every_landed_comment_into_one_file(landing: Landing) -> None:
    extract = land_comments(
        landing,
        [comment_row("c1", "this ate 😭"), comment_row("c2", "mid"), comment_row("c3", "link?")],
    )
    scoring_load = Load.new("score-run")
    assert score_step.score_landed_comments(landing, D, scoring_load) == 3
    files = landing.files("comment_scores", D)
    assert len(files) == 1 and scoring_load.load_id in files[0]
    table = landing.read("comment_scores", D)
    assert pq.read_schema(files[0]).equals(SCHEMAS["comment_scores"], check_metadata=False)
    rows = {r["comment_id"]: r for r in table.to_pylist()}
    assert rows["c1"]["sentiment_label"] == "positive"
    assert rows["c2"]["sentiment_label"] == "negative"
    assert rows["c3"]["purchase_intent"] and rows["c3"]["is_question"]
    for row in rows.values():
        assert row["comments_load_id"] == extract.load_id
        assert row["load_id"] == scoring_load.load_id
        assert row["run_id"] == "score-run"
        assert row["request_seq"] is None
        assert row["captured_at"] >= scoring_load.started_at
        assert row["scorer_version"] == SCORER_VERSION
        assert row["video_id"] == "v1"


def test_rerun_writes_nothing_and_only_new_comments_later(landing: Landing) -> None:
    land_comments(landing, [comment_row("c1", "slay")])
    assert score_step.score_landed_comments(landing, D, Load.new()) == 1
    assert score_step.score_landed_comments(landing, D, Load.new()) == 0
    assert len(landing.files("comment_scores", D)) == 1
    land_comments(landing, [comment_row("c2", "ew")])
    assert score_step.score_landed_comments(landing, D, Load.new()) == 1
    assert sorted(landing.read("comment_scores", D).column("comment_id").to_pylist()) == [
        "c1",
        "c2",
    ]


def test_a_new_scorer_version_rescores_in_files_of_its_own(
    landing: Landing, monkeypatch: pytest.MonkeyPatch
) -> None:
    land_comments(landing, [comment_row("c1", "slay"), comment_row("c2", "mid")])
    assert score_step.score_landed_comments(landing, D, Load.new()) == 2
    # A lexicon or rule change gives a new version; the step scores everything again under it.
    monkeypatch.setattr(score_step, "SCORER_VERSION", "tiktok-sentiment-next")
    assert score_step.score_landed_comments(landing, D, Load.new()) == 2
    assert score_step.score_landed_comments(landing, D, Load.new()) == 0
    versions = landing.read("comment_scores", D).column("scorer_version").to_pylist()
    assert sorted(versions) == sorted([SCORER_VERSION] * 2 + ["tiktok-sentiment-next"] * 2)
    assert len(landing.files("comment_scores", D)) == 2


def test_a_comment_landed_by_two_loads_is_scored_once_per_load(landing: Landing) -> None:
    first = land_comments(landing, [comment_row("c1", "this ate")])
    second = land_comments(landing, [comment_row("c1", "this ate"), comment_row("c1", "this ate")])
    assert score_step.score_landed_comments(landing, D, Load.new()) == 2
    table = landing.read("comment_scores", D)
    assert sorted(table.column("comments_load_id").to_pylist()) == sorted(
        [first.load_id, second.load_id]
    )


def test_nothing_landed_writes_nothing(landing: Landing) -> None:
    assert score_step.score_landed_comments(landing, D, Load.new()) == 0
    assert landing.files("comment_scores", D) == []


def test_bad_text_is_scored_without_raising(landing: Landing) -> None:
    land_comments(
        landing,
        [
            comment_row("empty", ""),
            comment_row("huge", "so good " * 100_000),
            comment_row("control", "\x00\x07 nice\x1b[31m \ud800"[:-1] + "\u0000"),
            comment_row("spaces", " \t\n "),
        ],
    )
    assert score_step.score_landed_comments(landing, D, Load.new()) == 4
    rows = {r["comment_id"]: r for r in landing.read("comment_scores", D).to_pylist()}
    assert rows["empty"]["sentiment_label"] == "neutral"
    assert rows["huge"]["sentiment_label"] == "positive"
    assert "\x00" not in rows["control"]["normalized_text"]


def test_cli_scores_a_range_of_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    landing = Landing(str(tmp_path / "data" / "landing"))
    land_comments(landing, [comment_row("c1", "fire 🔥")])
    argv = ["score", "--date", "2026-11-01", "--through", "2026-11-03"]
    assert comments_cli.main([*argv, "--data-dir", str(tmp_path / "data")]) == 0
    out = capsys.readouterr().out
    assert "2026-11-02: scored 1 comment(s)" in out
    assert "2026-11-01: scored 0 comment(s)" in out
    assert comments_cli.main([*argv, "--landing", landing.root]) == 0
    assert "scored 0 comment(s)" in capsys.readouterr().out
    assert len(landing.files("comment_scores", D)) == 1
