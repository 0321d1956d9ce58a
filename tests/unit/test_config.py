"""Settings from the environment and validation of the roster and query files."""

import re
from pathlib import Path

import pytest
from tiktok_engagement.config import (
    SIMULATOR_DEMO_KEY,
    ConfigError,
    Settings,
    load_queries,
    load_roster,
    validate_setting,
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


# ---- roster and query files: encoding, quoting, field limits, invisible characters -------------


def write_bytes(tmp_path: Path, data: bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_utf8_bom_is_accepted(tmp_path):
    roster = load_roster(write_bytes(tmp_path, b"\xef\xbb\xbfusername,niche\nmaya.lifts,fitness\n"))
    assert [c.username for c in roster] == ["maya.lifts"]
    queries = load_queries(write_bytes(tmp_path, b"\xef\xbb\xbfquery,type\ngym,hashtag\n", "q.csv"))
    assert [(q.query, q.query_type) for q in queries] == [("gym", "hashtag")]


def test_crlf_and_a_missing_final_newline_still_read(tmp_path):
    path = write_bytes(tmp_path, b"username,niche\r\nmaya.lifts,fitness\r\nchef_tomas,food")
    assert [c.username for c in load_roster(path)] == ["maya.lifts", "chef_tomas"]


def test_a_latin1_file_names_the_line_and_column_of_the_first_bad_byte(tmp_path):
    text = "query,type\n# comment\nyoga,keyword\n\nhome workout,keyword\ncrème brûlée,keyword\n"
    path = write_bytes(tmp_path, text.encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        load_queries(path)
    assert str(info.value) == (
        f"{path} line 6: not valid UTF-8 (byte 0xe8 at column 3); save the file as UTF-8"
    )


def test_the_column_of_a_bad_byte_counts_characters_before_it(tmp_path):
    path = write_bytes(tmp_path, "username,niche\nmaya,fitné".encode() + b"\xe9\n")
    with pytest.raises(ConfigError, match=r"line 2: not valid UTF-8 \(byte 0xe9 at column 11\)"):
        load_roster(path)


def test_a_utf16_file_says_so(tmp_path):
    path = write_bytes(tmp_path, "username,niche\nmaya,fitness\n".encode("utf-16"))
    with pytest.raises(ConfigError, match="line 1: the file is UTF-16, not UTF-8"):
        load_roster(path)


@pytest.mark.parametrize(
    "text",
    [
        'username,niche\nmaya.lifts,fitness\n"chef\ntomas",food\nbob_1,food\n',
        'username,niche\nmaya.lifts,fitness\nchef_tomas,"food\r\nand drink"\n',
        'username,niche\nmaya.lifts,fitness\nchef_tomas,"food',  # quote open at end of file
    ],
)
def test_a_multi_line_quoted_field_names_the_line_where_it_starts(tmp_path, text):
    path = write_bytes(tmp_path, text.encode())
    with pytest.raises(ConfigError, match=r"line 3: multi-line quoted field") as info:
        load_roster(path)
    assert str(path) in str(info.value)


def test_quoted_commas_on_one_line_are_still_fine(tmp_path):
    path = write(tmp_path, 'query,type\n"squats, lunges",keyword\n')
    assert [q.query for q in load_queries(path)] == ["squats, lunges"]


@pytest.mark.parametrize("length", [1001, 200_000])
def test_an_overlong_field_names_the_line_and_column(tmp_path, length):
    path = write(tmp_path, f"query,type\nyoga,keyword\n{'x' * length},keyword\n")
    with pytest.raises(
        ConfigError, match=r"line 3.*longer than the limit of 1000|line 3, column 1"
    ):
        load_queries(path)
    if length == 1001:
        with pytest.raises(ConfigError, match=r"line 3, column 1 \(query\): the field is 1001"):
            load_queries(path)


def test_a_field_at_the_limit_reaches_the_field_rules(tmp_path):
    # 1000 characters pass the file check; the keyword rule (at most 500) then speaks.
    path = write(tmp_path, f"query,type\n{'x' * 1000},keyword\n")
    with pytest.raises(ConfigError, match="line 2: keyword must be 1-500 printable characters"):
        load_queries(path)


BIDI_CONTROLS = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
]


@pytest.mark.parametrize("char", BIDI_CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_bidirectional_controls_are_rejected_with_their_code_point(tmp_path, char):
    path = write(tmp_path, f"query,type\nyoga,keyword\nhome{char}workout,keyword\n")
    code = f"U+{ord(char):04X}"
    with pytest.raises(
        ConfigError,
        match=rf"line 3, column 1 \(query\): bidirectional-control character {re.escape(code)}",
    ):
        load_queries(path)


@pytest.mark.parametrize(
    "char",
    ["\x00", "\x1b", "\t", "\x7f", "\x85", "\u200b", "\u2028", "\ufeff", "\u00ad"],
    ids=lambda c: f"U+{ord(c):04X}",
)
def test_control_and_format_characters_are_rejected_with_their_code_point(tmp_path, char):
    path = write(tmp_path, f"username,niche\nmaya{char}lifts,fitness\n")
    with pytest.raises(
        ConfigError, match=rf"line 2, column 1 \(username\): control character U\+{ord(char):04X}"
    ):
        load_roster(path)


def test_a_bidi_character_in_the_header_or_a_trailing_field_is_caught_too(tmp_path):
    with pytest.raises(ConfigError, match=r"line 1, column 2: .*U\+202E"):
        load_roster(write(tmp_path, "username,niche\u202e\nmaya,fitness\n"))
    with pytest.raises(ConfigError, match=r"line 2, column 2 \(niche\): .*U\+202E"):
        load_roster(write(tmp_path, "username,niche\nmaya,fitness \u202e\n"))


@pytest.mark.parametrize(
    ("handle", "reason"),
    [
        ("..", "needs at least one letter or digit"),
        ("...", "needs at least one letter or digit"),
        ("._.", "needs at least one letter or digit"),
        ("__", "needs at least one letter or digit"),
        ("maya.", "may not end with '.'"),
        ("@maya.lifts.", "may not end with '.'"),
    ],
)
def test_handles_need_a_letter_or_digit_and_no_final_dot(tmp_path, handle, reason):
    path = write(tmp_path, f"username,niche\nmaya,fitness\n{handle},fitness\n")
    with pytest.raises(
        ConfigError, match=rf"line 3: username .* is not a TikTok handle .*{reason}"
    ):
        load_roster(path)


def test_handles_with_dots_inside_stay_valid(tmp_path):
    path = write(tmp_path, "username,niche\n.maya_1,fitness\na.b,food\n_9,food\n")
    assert [c.username for c in load_roster(path)] == [".maya_1", "a.b", "_9"]


def test_a_repeated_header_column_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="line 1: header repeats column"):
        load_roster(write(tmp_path, "username,niche,username\nmaya,fitness,other\n"))


# ---- numeric and boolean settings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"SCAVIO_PRICE_PER_CREDIT": "0"},
            "SCAVIO_PRICE_PER_CREDIT='0' must be greater than 0 "
            r"\(USD per credit\)",
        ),
        ({"SCAVIO_PRICE_PER_CREDIT": "-0.01"}, "SCAVIO_PRICE_PER_CREDIT='-0.01' must be greater"),
        ({"SCAVIO_PRICE_PER_CREDIT": "inf"}, "SCAVIO_PRICE_PER_CREDIT='inf' must be a finite"),
        ({"SCAVIO_PRICE_PER_CREDIT": "nan"}, "SCAVIO_PRICE_PER_CREDIT='nan' must be a finite"),
        ({"SCAVIO_PRICE_PER_CREDIT": "cheap"}, "SCAVIO_PRICE_PER_CREDIT='cheap' is not a number"),
        ({"SCAVIO_MAX_IN_FLIGHT": "0"}, "SCAVIO_MAX_IN_FLIGHT='0' must be at least 1"),
        ({"SCAVIO_MAX_IN_FLIGHT": "2.5"}, "SCAVIO_MAX_IN_FLIGHT='2.5' is not a whole number"),
        ({"SCAVIO_TIMEOUT": "0"}, "SCAVIO_TIMEOUT='0' must be greater than 0"),
        ({"SCAVIO_TIMEOUT": "-inf"}, "SCAVIO_TIMEOUT='-inf' must be a finite number"),
        ({"SCAVIO_MAX_ATTEMPTS": "0"}, "SCAVIO_MAX_ATTEMPTS='0' must be at least 1"),
        ({"SCAVIO_MAX_ATTEMPTS": "11"}, "SCAVIO_MAX_ATTEMPTS='11' must be at most 10"),
        ({"SCAVIO_CREDIT_BUDGET": "-1"}, "SCAVIO_CREDIT_BUDGET='-1' must be at least 0"),
        ({"SCAVIO_CREDIT_BUDGET": "1e3"}, "SCAVIO_CREDIT_BUDGET='1e3' is not a whole number"),
        (
            {"SCAVIO_DAILY_CREDIT_BUDGET": "-5"},
            "SCAVIO_DAILY_CREDIT_BUDGET='-5' must be at least 0",
        ),
        ({"SCAVIO_CREDIT_RESERVE": "-1"}, "SCAVIO_CREDIT_RESERVE='-1' must be at least 0"),
        ({"TIKTOK_POSTS_PER_CREATOR": "0"}, "TIKTOK_POSTS_PER_CREATOR='0' must be at least 1"),
        (
            {"TIKTOK_POSTS_PER_CREATOR": "31"},
            "TIKTOK_POSTS_PER_CREATOR='31' must be at most 30 "
            r"\(the API's maximum for user/posts count\)",
        ),
        ({"TIKTOK_POSTS_PER_CREATOR": "50"}, "TIKTOK_POSTS_PER_CREATOR='50' must be at most 30"),
        ({"TIKTOK_SEARCH_PAGES": "0"}, "TIKTOK_SEARCH_PAGES='0' must be at least 1"),
        ({"TIKTOK_SEARCH_PAGES": "11"}, "TIKTOK_SEARCH_PAGES='11' must be at most 10"),
        (
            {"TIKTOK_PROFILE_REFRESH_DAYS": "0"},
            "TIKTOK_PROFILE_REFRESH_DAYS='0' must be at least 1",
        ),
        ({"SCAVIO_REQUESTS_PER_SECOND": "0"}, "SCAVIO_REQUESTS_PER_SECOND='0' must be greater"),
        (
            {"SCAVIO_REQUESTS_PER_SECOND": "NaN"},
            "SCAVIO_REQUESTS_PER_SECOND='NaN' must be a finite",
        ),
        ({"SCAVIO_REQUESTS_PER_MINUTE": "-1"}, "SCAVIO_REQUESTS_PER_MINUTE='-1' must be greater"),
        ({"SCAVIO_REQUESTS_PER_MINUTE": "Infinity"}, "SCAVIO_REQUESTS_PER_MINUTE='Infinity' must"),
        ({"TIKTOK_FRESH_CAPTURE": "maybe"}, "TIKTOK_FRESH_CAPTURE='maybe' must be one of"),
        ({"SCAVIO_SIM_CLOCK_HEADER": "sometimes"}, "SCAVIO_SIM_CLOCK_HEADER='sometimes' must be"),
    ],
)
def test_a_bad_setting_fails_naming_the_variable_and_value(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("env", "field", "value"),
    [
        ({"SCAVIO_PRICE_PER_CREDIT": "0.0001"}, "price_per_credit", 0.0001),
        ({"SCAVIO_TIMEOUT": "0.05"}, "timeout_s", 0.05),
        ({"SCAVIO_MAX_ATTEMPTS": "1"}, "max_attempts", 1),
        ({"SCAVIO_MAX_ATTEMPTS": "10"}, "max_attempts", 10),
        ({"TIKTOK_POSTS_PER_CREATOR": "1"}, "posts_per_creator", 1),
        ({"TIKTOK_POSTS_PER_CREATOR": "30"}, "posts_per_creator", 30),
        ({"TIKTOK_SEARCH_PAGES": "10"}, "search_pages", 10),
        ({"TIKTOK_PROFILE_REFRESH_DAYS": "1"}, "profile_refresh_days", 1),
        ({"SCAVIO_CREDIT_BUDGET": "0"}, "credit_budget", 0),
        ({"SCAVIO_REQUESTS_PER_SECOND": " 2.5 "}, "requests_per_second", 2.5),
    ],
)
def test_values_at_the_bounds_are_kept_exactly(env, field, value):
    assert getattr(Settings.from_env(env), field) == value


def test_missing_or_empty_settings_take_their_defaults():
    names = [
        "SCAVIO_PRICE_PER_CREDIT",
        "SCAVIO_MAX_IN_FLIGHT",
        "SCAVIO_TIMEOUT",
        "SCAVIO_MAX_ATTEMPTS",
        "TIKTOK_POSTS_PER_CREATOR",
        "TIKTOK_SEARCH_PAGES",
        "TIKTOK_PROFILE_REFRESH_DAYS",
        "SCAVIO_CREDIT_BUDGET",
        "SCAVIO_DAILY_CREDIT_BUDGET",
        "SCAVIO_CREDIT_RESERVE",
        "TIKTOK_FRESH_CAPTURE",
    ]
    assert Settings.from_env(dict.fromkeys(names, "  ")) == Settings.from_env({}) == Settings()
    settings = Settings()
    assert (settings.price_per_credit, settings.posts_per_creator, settings.max_attempts) == (
        0.005,
        20,
        4,
    )
    assert settings.daily_credit_budget is None and settings.credit_reserve is None
    assert settings.fresh_capture is False


def test_the_new_credit_caps_and_fresh_capture_are_read():
    settings = Settings.from_env(
        {
            "SCAVIO_DAILY_CREDIT_BUDGET": "500",
            "SCAVIO_CREDIT_RESERVE": "1000",
            "TIKTOK_FRESH_CAPTURE": "yes",
        }
    )
    assert (settings.daily_credit_budget, settings.credit_reserve) == (500, 1000)
    assert settings.fresh_capture is True
    assert Settings.from_env({"SCAVIO_DAILY_CREDIT_BUDGET": "0"}).daily_credit_budget == 0


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
        ("On", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("OFF", False),
    ],
)
def test_boolean_settings_accept_the_usual_words(raw, value):
    assert Settings.from_env({"TIKTOK_FRESH_CAPTURE": raw}).fresh_capture is value
    assert Settings.from_env({"SCAVIO_SIM_CLOCK_HEADER": raw}).sim_clock_header is value


def test_validate_setting_returns_the_typed_value_and_names_the_variable():
    assert validate_setting("max_in_flight", " 7 ") == 7
    assert validate_setting("timeout_s", 5) == 5.0
    assert validate_setting("fresh_capture", "on") is True
    with pytest.raises(ConfigError, match=r"^SCAVIO_MAX_IN_FLIGHT='0' must be at least 1"):
        validate_setting("max_in_flight", "0")
    with pytest.raises(ConfigError, match=r"^SCAVIO_MAX_IN_FLIGHT=True is not a whole number"):
        validate_setting("max_in_flight", True)
    with pytest.raises(KeyError):
        validate_setting("data_dir", "x")


# ---- with_overrides -----------------------------------------------------------------------------

CLI_LABELS = {"max_in_flight": "--max-in-flight", "credit_budget": "--budget"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_in_flight": 0}, r"^--max-in-flight 0 must be at least 1"),
        ({"credit_budget": -1}, r"^--budget -1 must be at least 0"),
        ({"max_in_flight": 2.5}, r"^--max-in-flight 2.5 is not a whole number"),
        ({"posts_per_creator": 31}, r"^TIKTOK_POSTS_PER_CREATOR=31 must be at most 30"),
        ({"price_per_credit": 0.0}, r"^SCAVIO_PRICE_PER_CREDIT=0.0 must be greater than 0"),
        ({"timeout_s": float("inf")}, r"^SCAVIO_TIMEOUT=inf must be a finite number"),
        ({"fresh_capture": "perhaps"}, r"^TIKTOK_FRESH_CAPTURE='perhaps' must be one of"),
    ],
)
def test_with_overrides_validates_and_names_the_setting_as_typed(changes, message):
    with pytest.raises(ConfigError, match=message):
        Settings().with_overrides(labels=CLI_LABELS, **changes)


def test_with_overrides_without_labels_names_the_variable():
    with pytest.raises(ConfigError, match=r"^SCAVIO_MAX_IN_FLIGHT=0 must be at least 1"):
        Settings().with_overrides(max_in_flight=0)


def test_with_overrides_keeps_none_as_unchanged_and_applies_the_rest(tmp_path):
    base = Settings.from_env({"SCAVIO_CREDIT_BUDGET": "40"})
    changed = base.with_overrides(
        labels=CLI_LABELS, max_in_flight=3, credit_budget=None, data_dir=tmp_path, timeout_s=2
    )
    assert (changed.max_in_flight, changed.credit_budget, changed.data_dir) == (3, 40, tmp_path)
    assert changed.timeout_s == 2.0
    assert base.with_overrides(max_in_flight=None, credit_budget=None) == base
    assert base.with_overrides(credit_budget=0).credit_budget == 0


def test_settings_built_directly_are_validated_too():
    with pytest.raises(ConfigError, match=r"^Settings.max_attempts=0 must be at least 1"):
        Settings(max_attempts=0)
    with pytest.raises(ConfigError, match=r"^Settings.posts_per_creator=31 must be at most 30"):
        Settings(posts_per_creator=31)
