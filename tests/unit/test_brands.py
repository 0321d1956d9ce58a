"""The brands file, what it adds to the tracking, and mention matching (hand-computed cases)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiktok_engagement.brands import (
    BRAND_NICHE_PREFIX,
    Brand,
    brand_terms,
    brands_for,
    fold,
    is_brand_niche,
    load_brands,
    match_mentions,
    tracked_creators,
    tracked_queries,
    tracking,
)
from tiktok_engagement.config import (
    DEFAULT_BRANDS_FILE,
    DEFAULT_CREATORS_FILE,
    ConfigError,
    Creator,
    Query,
    Settings,
    load_roster,
)

HEADER = "brand,handles,keywords,hashtags,competitive_set\n"


def write(tmp_path: Path, text: str, name: str = "brands.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def brand(name: str, handles=(), keywords=(), hashtags=(), competitive_set="beauty") -> Brand:
    return Brand(name, tuple(handles), tuple(keywords), tuple(hashtags), competitive_set)


# ---- the file -----------------------------------------------------------------------------------


def test_a_valid_file_keeps_one_row_per_brand_with_lists_split_on_the_bar(tmp_path):
    path = write(
        tmp_path,
        "# comment lines and blank lines are skipped\n"
        + HEADER
        + "\n"
        + "GlowLab,@glowlab|glowlab.us,glowlab|glow lab,#glowlab|glowlabfans,Beauty\n"
        + 'Lumé Skin,lumeskin,"lumé  skin",,beauty\n'
        + "Velvet,,velvet beauty,,makeup\n",
    )
    glow, lume, velvet = load_brands(path)
    assert glow == Brand(
        "GlowLab",
        ("glowlab", "glowlab.us"),
        ("glowlab", "glow lab"),
        ("glowlab", "glowlabfans"),
        "beauty",
        line=4,
    )
    assert (glow.niche, lume.niche, velvet.niche) == (
        "brand:glowlab",
        "brand:lume skin",
        "brand:velvet",
    )
    # Whitespace runs inside a keyword are one space; folded forms strip accents and case.
    assert lume.keywords == ("lumé skin",) and lume.keyword_keys == ("lume skin",)
    assert lume.line == 5 and velvet.handles == () and velvet.competitive_set == "makeup"


def test_a_header_without_rows_is_no_brands(tmp_path):
    assert load_brands(write(tmp_path, HEADER)) == []


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",glowlab,,,beauty", "line 2: brand is empty"),
        ("GlowLab,glowlab,,,", "line 2: competitive_set is empty"),
        ("GlowLab,glowlab,,,Beauty!", "line 2: competitive_set 'Beauty!' must be"),
        ("GlowLab,,,,beauty", "line 2: brand 'GlowLab' has no handle, keyword or hashtag"),
        ("Glow/Lab,glowlab,,,beauty", "line 2: brand 'Glow/Lab' must be 1-40 characters"),
        ("GlowLab,glow lab,,,beauty", "line 2: handle 'glow lab' is not a TikTok handle"),
        ("GlowLab,glowlab.,,,beauty", "line 2: handle 'glowlab.' is not a TikTok handle"),
        ("GlowLab,g'lab,,,beauty", 'line 2: handle "g\'lab" is not a TikTok handle'),
        ("GlowLab,,,glow lab,beauty", "line 2: hashtag 'glow lab' has a space"),
        ("GlowLab,,,glow-lab,beauty", "line 2: hashtag 'glow-lab' must be letters, digits"),
        ("GlowLab,,!!!,,beauty", "line 2: keyword '!!!' must be 1-500 characters"),
        ("GlowLab,,@glowlab,,beauty", "line 2: keyword '@glowlab' holds '@' or '#'"),
        ("GlowLab,glowlab||x1,,,beauty", "line 2: handles has an empty item"),
        (
            "GlowLab,glowlab|GlowLab,,,beauty",
            "line 2: handle 'glowlab' already belongs to this brand",
        ),
    ],
)
def test_a_bad_row_is_an_error_naming_the_file_and_line(tmp_path, row, message):
    path = write(tmp_path, HEADER + row + "\n")
    with pytest.raises(ConfigError, match=rf"^{path} {message}"):
        load_brands(path)


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ("glowlab,other,,,beauty", "line 3: brand 'glowlab' already appears on line 2"),
        (
            "Other,GLOWLAB,,,beauty",
            "line 3: handle 'glowlab' already belongs to brand 'GlowLab' \\(line 2\\)",
        ),
        (
            "Other,,,#GlowLab,beauty",
            "line 3: hashtag 'glowlab' already belongs to brand 'GlowLab' \\(line 2\\)",
        ),
        (
            "Other,,Glów Lab,,beauty",
            "line 3: keyword 'glow lab' already belongs to brand 'GlowLab' \\(line 2\\)",
        ),
    ],
)
def test_a_term_or_name_of_another_brand_names_both_lines(tmp_path, second, message):
    path = write(tmp_path, HEADER + "GlowLab,glowlab,glow lab,glowlab,beauty\n" + second + "\n")
    with pytest.raises(ConfigError, match=rf"^{path} {message}"):
        load_brands(path)


def test_unknown_or_missing_columns_and_file_level_errors(tmp_path):
    extra = write(tmp_path, HEADER.strip() + ",budget\nGlowLab,glowlab,,,beauty,9\n")
    with pytest.raises(ConfigError, match=rf"^{extra} line 1: unknown column\(s\) 'budget'"):
        load_brands(extra)
    missing = write(tmp_path, "brand,handles,keywords\nGlowLab,glowlab,\n", "missing.csv")
    with pytest.raises(ConfigError, match=r"line 1: header lacks column\(s\) hashtags"):
        load_brands(missing)
    with pytest.raises(ConfigError, match="file not found"):
        load_brands(tmp_path / "nope.csv")
    bidi = write(tmp_path, HEADER + "Glow\u202eLab,glowlab,,,beauty\n", "bidi.csv")
    with pytest.raises(ConfigError, match="line 2, column 1 \\(brand\\): bidirectional-control"):
        load_brands(bidi)


# ---- which file applies -------------------------------------------------------------------------


def test_the_bundled_file_applies_only_beside_the_bundled_lists(tmp_path):
    assert Settings.from_env({}).brands_file == DEFAULT_BRANDS_FILE == Settings().brands_file
    same = {"TIKTOK_CREATORS_FILE": str(DEFAULT_CREATORS_FILE)}
    assert Settings.from_env(same).brands_file == DEFAULT_BRANDS_FILE
    # A roster or query file of one's own never gets the bundled world's brands mixed in...
    assert Settings.from_env({"TIKTOK_CREATORS_FILE": "mine.csv"}).brands_file is None
    assert Settings.from_env({"TIKTOK_QUERIES_FILE": "mine.csv"}).brands_file is None
    # ... unless asked for; an empty value turns brands off with the bundled lists too.
    own = {"TIKTOK_CREATORS_FILE": "mine.csv", "TIKTOK_BRANDS_FILE": str(DEFAULT_BRANDS_FILE)}
    assert Settings.from_env(own).brands_file == DEFAULT_BRANDS_FILE
    off = Settings.from_env({"TIKTOK_BRANDS_FILE": ""})
    assert off.brands_file is None and brands_for(off) == []
    assert brands_for(Settings.from_env({"TIKTOK_BRANDS_FILE": "  "})) == []
    # A missing file of one's own is an error; the bundled one missing is no brands.
    with pytest.raises(ConfigError, match="file not found"):
        brands_for(Settings(brands_file=tmp_path / "nope.csv"))


def test_the_bundled_brands_form_one_competitive_set_of_simulator_brands():
    brands = load_brands(DEFAULT_BRANDS_FILE)
    assert [b.name for b in brands] == ["GlowLab", "Lumé Skin", "Velvet Beauty"]
    assert {b.competitive_set for b in brands} == {"beauty"}
    assert [b.handles for b in brands] == [("glowlab",), ("lumeskin",), ("velvetbeauty",)]


# ---- what brands add to the tracking ------------------------------------------------------------


def test_brands_add_accounts_and_queries_without_duplicating_the_lists():
    roster = [Creator("ana.cooks", "food"), Creator("GlowLab.US", "beauty")]
    queries = [Query("glow lab", "keyword"), Query("gym", "hashtag")]
    glow = brand(
        "GlowLab",
        handles=["glowlab", "glowlab.us"],
        keywords=["Glow Lab", "glowlab"],
        hashtags=["glowlab"],
    )
    velvet = brand("Velvet", handles=["velvetbeauty"], hashtags=["GYM"], competitive_set="makeup")
    added = tracking([glow, velvet], roster, queries)
    assert added.accounts == {
        "GlowLab": [Creator("glowlab", "brand:glowlab")],
        "Velvet": [Creator("velvetbeauty", "brand:velvet")],
    }
    assert added.queries == {
        "GlowLab": [Query("glowlab", "keyword"), Query("glowlab", "hashtag")],
        "Velvet": [],
    }
    assert added.already_tracked == {
        "GlowLab": ["@glowlab.us", "keyword:Glow Lab"],
        "Velvet": ["hashtag:GYM"],
    }
    assert [c.username for c in added.all_accounts] == ["glowlab", "velvetbeauty"]
    only = added.restricted([Creator("velvetbeauty", "brand:velvet")], [])
    assert [b.name for b in only.brands] == ["Velvet"] and only.queries == {"Velvet": []}
    assert is_brand_niche("brand:velvet") and not is_brand_niche("beauty")
    assert not is_brand_niche(None)


def test_tracked_lists_of_the_default_settings_are_the_lists_then_the_brands():
    settings = Settings.from_env({})
    creators = tracked_creators(settings)
    roster = load_roster(DEFAULT_CREATORS_FILE)
    assert creators[: len(roster)] == roster
    assert [(c.username, c.niche) for c in creators[len(roster) :]] == [
        ("glowlab", "brand:glowlab"),
        ("lumeskin", "brand:lume skin"),
        ("velvetbeauty", "brand:velvet beauty"),
    ]
    # No roster niche can look like a brand's: the roster's niches never hold a ':'.
    assert not any(c.niche.startswith(BRAND_NICHE_PREFIX) for c in roster)
    queries = tracked_queries(settings)
    assert queries[-6:] == [
        Query("glowlab", "keyword"),
        Query("glowlab", "hashtag"),
        Query("lumé skin", "keyword"),
        Query("lumeskin", "hashtag"),
        Query("velvet beauty", "keyword"),
        Query("velvetbeauty", "hashtag"),
    ]
    assert len(queries) == 16 + 6


# ---- mention matching ---------------------------------------------------------------------------

GLOW = brand("GlowLab", handles=["glowlab"], keywords=["glow lab"], hashtags=["glowlab"])
LUME = brand("Lumé Skin", handles=["lumeskin"], keywords=["lumé skin"], hashtags=["lumé"])
GLOWY = brand("Glow", keywords=["glow"], hashtags=["glow"])
BRANDS = [GLOW, LUME]


@pytest.mark.parametrize(
    ("description", "hashtags", "author", "signal", "expected"),
    [
        # a handle, as @handle
        ("my @glowlab serum", [], "ana", None, [("GlowLab", "earned", "@glowlab")]),
        ("love it (@GlowLab).", [], "ana", None, [("GlowLab", "earned", "@glowlab")]),
        ("ends a sentence @glowlab.", [], "ana", None, [("GlowLab", "earned", "@glowlab")]),
        # a handle inside another word, a longer handle or an e-mail address is no match
        ("go follow @glowlabfans", [], "ana", None, []),
        ("my @glowlab.us order", [], "ana", None, []),
        ("write to me@glowlab today", [], "ana", None, []),
        ("#glowlabfans forever", ["glowlabfans"], "ana", None, []),
        # hashtags: exactly the brand's, from the list or the caption, accents and case aside
        ("new in", ["GlowLab"], "ana", None, [("GlowLab", "earned", "#glowlab")]),
        ("new in #GLOWLAB", [], "ana", None, [("GlowLab", "earned", "#glowlab")]),
        ("lumé day", ["LUME"], "ana", None, [("Lumé Skin", "earned", "#lume")]),
        # keywords on word boundaries, case and accents aside
        ("tried the Glow Lab serum", [], "ana", None, [("GlowLab", "earned", "glow lab")]),
        ("LUME SKIN!", [], "ana", None, [("Lumé Skin", "earned", "lume skin")]),
        ("Lumé   Skin haul", [], "ana", None, [("Lumé Skin", "earned", "lume skin")]),
        ("the glow labs", [], "ana", None, []),
        ("lumeskin", [], "ana", None, []),
        # sponsored: a disclosed or likely signal; owned beats it
        (
            "#ad my @glowlab serum",
            ["ad"],
            "ana",
            "disclosed",
            [("GlowLab", "sponsored", "@glowlab")],
        ),
        ("thanks to @lumeskin", [], "ana", "likely", [("Lumé Skin", "sponsored", "@lumeskin")]),
        ("my @glowlab serum", [], "ana", "none", [("GlowLab", "earned", "@glowlab")]),
        ("#ad new drop", ["ad"], "GlowLab", "disclosed", [("GlowLab", "owned", "author")]),
        ("new drop", [], "@glowlab", None, [("GlowLab", "owned", "author")]),
        ("new #glowlab drop", [], "glowlab", None, [("GlowLab", "owned", "#glowlab")]),
        # several brands, in the file's order; the handle first, then hashtag, then keyword
        (
            "Lumé Skin vs @glowlab #lume",
            ["glowlab"],
            "ana",
            None,
            [("GlowLab", "earned", "@glowlab"), ("Lumé Skin", "earned", "#lume")],
        ),
        ("", [], "ana", None, []),
        (None, None, None, None, []),
    ],
)
def test_match_mentions(description, hashtags, author, signal, expected):
    got = match_mentions(BRANDS, description, hashtags, author, sponsored_signal=signal)
    assert [tuple(m) for m in got] == expected


def test_a_short_brand_name_matches_whole_words_and_whole_tags_only():
    glow = [GLOWY]
    assert match_mentions(glow, "glowing skin #glowup #glowfitnessfans", ["glowup"], "a") == []
    assert match_mentions(glow, "that after-glow, wow", [], "a") == [("Glow", "earned", "glow")]
    # A keyword is not matched inside a handle or a hashtag: those are matched as such.
    assert match_mentions(glow, "@glow.studio did my nails", [], "a") == []
    assert match_mentions(glow, "#glow", [], "a") == [("Glow", "earned", "#glow")]


def test_fold_is_what_duckdb_lower_strip_accents_gives():
    assert fold("  Lumé\tSKIN  ") == "lume skin"
    # Lower case, not full case folding: the SQL's lower() keeps ß.
    assert fold("Straße") == "straße"


def test_brand_terms_are_the_folded_terms_in_the_files_order():
    assert brand_terms([LUME]) == [
        {
            "brand": "Lumé Skin",
            "competitive_set": "beauty",
            "term_type": "handle",
            "term": "lumeskin",
            "position": 1,
        },
        {
            "brand": "Lumé Skin",
            "competitive_set": "beauty",
            "term_type": "hashtag",
            "term": "lume",
            "position": 1,
        },
        {
            "brand": "Lumé Skin",
            "competitive_set": "beauty",
            "term_type": "keyword",
            "term": "lume skin",
            "position": 1,
        },
    ]
