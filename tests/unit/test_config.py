"""Settings from the environment and validation of the roster and query files."""

from pathlib import Path

import pytest
from tiktok_engagement.config import (
    SIMULATOR_DEMO_KEY,
    ConfigError,
    Settings,
    load_queries,
    load_roster,
)


def write(tmp_path: Path, text: str, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_point_at_the_simulator_with_its_demo_key():
    settings = Settings.from_env({})
    assert settings.base_url == "http://127.0.0.1:8765"
    assert settings.api_key == SIMULATOR_DEMO_KEY
    assert settings.sim_clock_header is True
    assert settings.landing_root == "data/landing"


def test_real_api_needs_a_key_and_does_not_send_the_simulator_clock():
    with pytest.raises(ConfigError, match="SCAVIO_API_KEY is not set"):
        Settings.from_env({"SCAVIO_BASE_URL": "https://api.scavio.dev"})
    settings = Settings.from_env(
        {"SCAVIO_BASE_URL": "https://api.scavio.dev/", "SCAVIO_API_KEY": "sk_live_secret"}
    )
    assert settings.base_url == "https://api.scavio.dev"
    assert settings.sim_clock_header is False
    assert "sk_live_secret" not in repr(settings)


def test_numeric_settings_are_validated_by_name():
    with pytest.raises(ConfigError, match="SCAVIO_MAX_IN_FLIGHT='ten'"):
        Settings.from_env({"SCAVIO_MAX_IN_FLIGHT": "ten"})
    with pytest.raises(ConfigError, match="SCAVIO_MAX_IN_FLIGHT='0' must be at least 1"):
        Settings.from_env({"SCAVIO_MAX_IN_FLIGHT": "0"})
    settings = Settings.from_env({"SCAVIO_MAX_IN_FLIGHT": "10", "SCAVIO_CREDIT_BUDGET": "0"})
    assert settings.max_in_flight == 10
    assert settings.credit_budget == 0


def test_roster_reads_handles_and_niches(tmp_path):
    path = write(
        tmp_path, "username,niche\n@Maya.Lifts,Fitness\n# a comment\n\nchef_tomas42,food\n"
    )
    roster = load_roster(path)
    assert [(c.username, c.niche) for c in roster] == [
        ("Maya.Lifts", "fitness"),
        ("chef_tomas42", "food"),
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("bad'handle,fitness", r"line 3: username \"bad'handle\" is not a TikTok handle"),
        ("a/b,fitness", r"line 3: username 'a/b' is not a TikTok handle"),
        ("x;DROP TABLE t,fitness", r"line 3: username 'x;DROP TABLE t' is not a TikTok handle"),
        ('"quo""te",fitness', r"line 3: username 'quo\"te' is not a TikTok handle"),
        (",fitness", r"line 3: username is empty"),
        ("good_one,", r"line 3: niche '' must be"),
        ("ok.handle,fitness,extra", r"line 3: 3 fields, header has 2"),
        ("maya.lifts,food", r"line 3: username 'maya.lifts' already appears on line 2"),
    ],
)
def test_roster_errors_name_the_file_and_line(tmp_path, row, message):
    path = write(tmp_path, f"username,niche\nmaya.lifts,fitness\n{row}\n")
    with pytest.raises(ConfigError, match=message) as info:
        load_roster(path)
    assert str(path) in str(info.value)


def test_empty_roster_and_missing_header_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="the roster has no creators"):
        load_roster(write(tmp_path, "username,niche\n"))
    with pytest.raises(ConfigError, match="the file is empty"):
        load_roster(write(tmp_path, "\n\n"))
    with pytest.raises(ConfigError, match=r"header lacks column\(s\) niche"):
        load_roster(write(tmp_path, "username\nmaya\n"))
    with pytest.raises(ConfigError, match="file not found"):
        load_roster(tmp_path / "nope.csv")


def test_queries_accept_keywords_and_hashtags_with_pages(tmp_path):
    path = write(tmp_path, "query,type,pages\nhome workout,keyword,3\n#gym,hashtag,\n")
    queries = load_queries(path)
    assert [(q.query, q.query_type, q.pages) for q in queries] == [
        ("home workout", "keyword", 3),
        ("gym", "hashtag", None),
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("fitness,video", r"line 2: type 'video' is not one of keyword, hashtag"),
        ("#gym day,hashtag", r"line 2: hashtag '#gym day' must be"),
        ("x,keyword,many", r"line 2: pages 'many' is not a whole number"),
        ("x,keyword,99", r"line 2: pages must be between 1 and 10"),
    ],
)
def test_query_errors_name_the_line(tmp_path, row, message):
    with pytest.raises(ConfigError, match=message):
        load_queries(write(tmp_path, f"query,type,pages\n{row}\n"))


def test_shipped_roster_and_queries_are_valid():
    settings = Settings.from_env({})
    assert len(load_roster(settings.creators_file)) >= 50
    assert {q.query_type for q in load_queries(settings.queries_file)} == {"keyword", "hashtag"}
