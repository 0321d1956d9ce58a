"""The brand marts (brand_mentions, brand_share_of_voice, brand_creators) and brand accounts kept
out of the creator marts, pinned with values computed by hand from a hand-written landing.

Brands (a file of the test's own, through ``TIKTOK_BRANDS_FILE``)::

    GlowLab       @glowlab       keywords glowlab, glow lab   #glowlab   set beauty
    Lumé Skin     @lumeskin      keyword  lumé skin           #lumeskin  set beauty
    Velvet        @velvetbeauty  keyword  velvet beauty       #velvet    set beauty
    Solo          @solobrand     keyword  solo brand          -          set solo

Two days, and a third with the search ``edge`` alone. Feeds: the roster's ``maya`` and ``zoe`` (niche beauty) and the brand accounts
``glowlab`` and ``lumeskin`` (niches ``brand:glowlab``, ``brand:lume skin``); the search
``glowlab`` lists videos of outside authors. On D3 the search ``edge`` lists captions written to
trip the matching up; they and D1's videos are compared with ``brands.match_mentions``.

A second warehouse has the same landing without the brand accounts' feeds and profiles, and no
brands file: its brand marts are empty and its creator marts are the first one's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from tiktok_engagement.brands import Brand, load_brands, match_mentions
from tiktok_engagement.config import DEFAULT_BRANDS_FILE
from tiktok_engagement.landing import Landing
from tiktok_engagement.warehouse.dbt_runner import brands_file_setting

from .conftest import Warehouse, new_warehouse
from .landing_rows import comment, comment_score, load, post, profile, result

D1, D2, D3 = date(2024, 5, 1), date(2024, 5, 2), date(2024, 5, 3)
approx = pytest.approx

BRANDS_CSV = """brand,handles,keywords,hashtags,competitive_set
GlowLab,glowlab,glowlab|glow lab,glowlab,beauty
Lumé Skin,lumeskin,lumé skin,lumeskin,beauty
Velvet,velvetbeauty,velvet beauty,velvet,beauty
Solo,solobrand,solo brand,,solo
"""

# (video, caption, hashtags, views, likes, comments, shares) per feed and day.
Video = tuple[str, str, list[str], int, int, int, int]
FEEDS: dict[date, dict[tuple[str, str], list[Video]]] = {
    D1: {
        ("glowlab", "brand:glowlab"): [
            ("g1", "new serum drop", [], 1000, 100, 10, 10),  # owned, on the author alone
            ("g2", "our best seller", ["GlowLab"], 2000, 100, 10, 10),  # owned, #glowlab
        ],
        ("lumeskin", "brand:lume skin"): [
            # the tag folds to lumeskin; hashtags are tried before keywords
            ("l1", "Lumé Skin winter kit", ["LuméSkin"], 3000, 300, 30, 30),
        ],
        ("maya", "beauty"): [
            ("m1", "my routine with @GlowLab serum", [], 10000, 500, 50, 50),
            ("m2", "Paid partnership with @lumeskin ✨", [], 8000, 400, 40, 40),
            # tags that only contain a brand's name
            ("m3", "#glowlabfans forever #velvetfans", [], 4000, 200, 20, 20),
            # handles inside other words, longer handles
            (
                "m4",
                "write me@velvetbeauty, @velvetbeautyfans or @velvetbeauty.us",
                [],
                4000,
                1,
                1,
                1,
            ),
            # accents, case and spaces; one video, two brands
            ("m5", "LUMÉ   SKIN is the best! #Velvet", [], 6000, 300, 30, 30),
        ],
        ("zoe", "beauty"): [
            ("z1", "the glow labs are great", [], 2000, 100, 10, 10),  # not "glow lab"
            ("z2", "Glow Lab, honestly (@GlowLab).", [], 5000, 250, 25, 25),
            ("z3", "#gifted by the lovely @velvetbeauty", [], 3000, 150, 15, 15),  # likely
        ],
    },
    D2: {
        ("glowlab", "brand:glowlab"): [("g1", "new serum drop", [], 1100, 110, 11, 11)],
        ("maya", "beauty"): [("m1", "my routine with @GlowLab serum", [], 12000, 600, 60, 60)],
        ("zoe", "beauty"): [("z2", "Glow Lab, honestly (@GlowLab).", [], 5500, 275, 30, 25)],
    },
}
# (query, author, video, caption, hashtags, views, likes, comments, shares) per day.
SearchRow = tuple[str, str, str, str, list[str], int, int, int, int]
SEARCHES: dict[date, list[SearchRow]] = {
    D1: [
        ("glowlab", "fan1", "s1", "obsessed with glowlab", [], 5000, 200, 20, 20),
        # the brand's own video, also in its feed: counted once
        ("glowlab", "glowlab", "g2", "our best seller", ["GlowLab"], 2000, 100, 10, 10),
        ("glowlab", "fan2", "s3", "solo brand haul", [], 1000, 10, 1, 1),
    ],
    D2: [("glowlab", "fan3", "s4", "#GLOWLAB dupe??", [], 2000, 100, 10, 10)],
}
# Captions for the comparison with match_mentions (search "edge", on D3 alone, 100 views each).
EDGE_CAPTIONS: list[tuple[str, list[str]]] = [
    ("GLOWLAB!!!", []),
    ("glowlab_fan account", []),
    ("glowlab's new drop", []),
    ("(glow lab)", []),
    ("glow\u00a0lab and glow\tlab", []),
    ("glow\nlab", []),
    ("@glowlab.. and more", []),
    ("@@glowlab", []),
    (".@glowlab", []),
    ("x@glowlab", []),
    ("#glowlab#lumeskin", []),
    ("x#glowlab", []),
    ("##glowlab", []),
    ("#Glöwlab", []),
    ("@GlowLab\u2019s pick", []),
    ("lume skin", []),
    ("lumeskin", []),
    ("LUMÉSKIN", []),
    ("lumé-skin", []),
    ("velvet beauty.", []),
    ("velvetbeauty", []),
    ("velvet-beauty", []),
    ("Ｇｌｏｗｌａｂ", []),
    ("glowlab2", []),
    ("2glowlab", []),
    ("é glowlab", []),
    ("🔥glowlab🔥", []),
    ("solo  brand", []),
    ("#solobrand", []),
    ("@solobrand", []),
    ("@velvetbeauty_", []),
    ("@velvetbeauty.", []),
    ("@velvetbeauty.us", []),
    ("", ["#velvet"]),
    ("", ["VELVET", "glowlab"]),
    ("", ["velvet_"]),
    ("", ["lumé"]),
    ("#ad glowlab", []),
    ("thanks to @lumeskin", []),
    ("code GLOW20 at @glowlab", []),
    ("Straße glowlab", []),
    ("glow lab@glowlab", []),
    ("#glow lab", []),
    ("@glow lab", []),
]


def noon(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def video_kwargs(caption: str, hashtags: list[str]) -> dict[str, Any]:
    return {"description": caption, "hashtags": hashtags}


def write_brand_landing(root: str, *, with_brand_accounts: bool = True) -> None:
    landing = Landing(root)
    for day in (D1, D2):
        feeds = load(f"feeds-{day}", noon(day, 6))
        rows = []
        for (creator, niche), videos in FEEDS[day].items():
            if niche.startswith("brand:") and not with_brand_accounts:
                continue
            for position, (vid, caption, tags, *counts) in enumerate(videos, start=1):
                row = post(
                    day, creator, niche, position, vid, *counts, created="2024-04-20T10:00:00"
                )
                rows.append({**row, **video_kwargs(caption, tags)})
        landing.write("creator_posts", day, feeds.file_name("part-0000"), rows, load=feeds)
        searches = load(f"searches-{day}", noon(day, 7))
        rows = []
        for rank, (query, author, vid, caption, tags, *counts) in enumerate(SEARCHES[day], 1):
            row = result(
                day,
                query,
                "keyword",
                rank,
                vid,
                *counts,
                author=author,
                created="2024-04-25T10:00:00",
            )
            rows.append({**row, **video_kwargs(caption, tags)})
        landing.write("search_results", day, searches.file_name("part-0000"), rows, load=searches)
    edges = load(f"searches-{D3}", noon(D3, 7))
    rows = []
    for rank, (caption, tags) in enumerate(EDGE_CAPTIONS, start=1):
        row = result(
            D3,
            "edge",
            "keyword",
            rank,
            f"e{rank:02d}",
            100,
            5,
            1,
            1,
            author=f"edge{rank:02d}",
            created="2024-04-25T10:00:00",
        )
        rows.append({**row, **video_kwargs(caption, tags)})
    landing.write("search_results", D3, edges.file_name("part-0000"), rows, load=edges)
    profiles = load(f"profiles-{D1}", noon(D1, 5))
    people = [("maya", "beauty", 50_000), ("zoe", "beauty", 20_000)]
    if with_brand_accounts:
        people += [("glowlab", "brand:glowlab", 900_000), ("lumeskin", "brand:lume skin", 300_000)]
    landing.write(
        "profiles",
        D1,
        profiles.file_name("part-0000"),
        [profile(D1, who, niche, followers) for who, niche, followers in people],
        load=profiles,
    )
    # Comments sampled on D1: m1 (positive, positive, negative), g1 (neutral, neutral).
    comments_load, scores_load = (
        load(f"comments-{D1}", noon(D1, 10)),
        load(f"scores-{D1}", noon(D1, 11)),
    )
    comments, scores = [], []
    sampled = [
        ("m1", "maya", ["positive", "positive", "negative"]),
        ("g1", "glowlab", ["neutral"] * 2),
    ]
    for vid, creator, labels in sampled:
        if creator == "glowlab" and not with_brand_accounts:
            continue
        for rank, label in enumerate(labels, start=1):
            cid = f"{vid}-c{rank}"
            comments.append(
                comment(D1, vid, cid, f"{label} {cid}", f"fan-{cid}", creator=creator, rank=rank)
            )
            scores.append(comment_score(D1, vid, cid, comments_load, label))
    landing.write(
        "comments", D1, comments_load.file_name("part-0000"), comments, load=comments_load
    )
    landing.write(
        "comment_scores", D1, scores_load.file_name("part-0000"), scores, load=scores_load
    )


@pytest.fixture(scope="module")
def brands_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("brands") / "brands.csv"
    path.write_text(BRANDS_CSV, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def brands(brands_file: Path) -> list[Brand]:
    return load_brands(brands_file)


@pytest.fixture(scope="module")
def brand_warehouse(tmp_path_factory: pytest.TempPathFactory, brands_file: Path) -> Warehouse:
    warehouse = new_warehouse(tmp_path_factory, "brands", tmp_path_factory.mktemp("brands-landing"))
    write_brand_landing(str(warehouse.landing))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIKTOK_BRANDS_FILE", str(brands_file))
        warehouse.build(D1, through=D3)
    return warehouse


@pytest.fixture(scope="module")
def unbranded_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The same landing without the brand accounts, built with no brands file."""
    warehouse = new_warehouse(
        tmp_path_factory, "unbranded", tmp_path_factory.mktemp("unbranded-landing")
    )
    write_brand_landing(str(warehouse.landing), with_brand_accounts=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIKTOK_BRANDS_FILE", "")
        warehouse.build(D1, through=D3)
    return warehouse


def mentions(warehouse: Warehouse, day: date, videos: tuple[str, ...] | None = None) -> set[tuple]:
    rows = warehouse.query(
        "select brand, video_id, mention_type, matched_on from marts.brand_mentions "
        "where snapshot_date = ?",
        [day],
    )
    return {row for row in rows if videos is None or row[1] in videos}


def share(warehouse: Warehouse, brand: str, day: date) -> dict[str, Any]:
    columns = (
        "videos, views, engagements, creators, share_of_voice_views, share_of_voice_videos, "
        "share_of_voice_creators, earned_share, new_ugc_creators, net_sentiment"
    )
    rows = warehouse.query(
        f"select {columns} from marts.brand_share_of_voice where brand = ? and snapshot_date = ?",
        [brand, day],
    )
    assert len(rows) == 1, rows
    return dict(zip([c.strip() for c in columns.split(",")], rows[0], strict=True))


# ---------------------------------------------------------------------------------------------
# Which brands file the build reads


def test_the_build_reads_the_brands_file_the_extraction_tracks(tmp_path: Path) -> None:
    own = tmp_path / "mine.csv"
    own.write_text(BRANDS_CSV, encoding="utf-8")
    assert brands_file_setting({"TIKTOK_BRANDS_FILE": str(own)}) == str(own.resolve())
    assert brands_file_setting({"TIKTOK_BRANDS_FILE": ""}) == ""
    # unset: the bundled file with the bundled roster and queries, none with a roster of your own
    assert brands_file_setting({}) == str(DEFAULT_BRANDS_FILE.resolve())
    assert brands_file_setting({"TIKTOK_CREATORS_FILE": str(own)}) == ""


# ---------------------------------------------------------------------------------------------
# brand_mentions


@pytest.mark.slow
def test_mention_classification(brand_warehouse: Warehouse) -> None:
    hand_written = tuple(v for feed in FEEDS[D1].values() for v, *_ in feed) + ("s1", "s3")
    assert mentions(brand_warehouse, D1, hand_written) == {
        ("GlowLab", "g1", "owned", "author"),
        ("GlowLab", "g2", "owned", "#glowlab"),
        ("Lumé Skin", "l1", "owned", "#lumeskin"),
        ("GlowLab", "m1", "earned", "@glowlab"),
        ("Lumé Skin", "m2", "sponsored", "@lumeskin"),  # paid partnership: disclosed
        # m3 (#glowlabfans, #velvetfans) and m4 (me@velvetbeauty, longer handles): nothing
        ("Lumé Skin", "m5", "earned", "lume skin"),
        ("Velvet", "m5", "earned", "#velvet"),
        # z1 ("the glow labs"): nothing; z2 matches the handle before the keyword
        ("GlowLab", "z2", "earned", "@glowlab"),
        ("Velvet", "z3", "sponsored", "@velvetbeauty"),  # #gifted: likely
        ("GlowLab", "s1", "earned", "glowlab"),
        ("Solo", "s3", "earned", "solo brand"),
    }
    assert mentions(brand_warehouse, D2) == {
        ("GlowLab", "g1", "owned", "author"),
        ("GlowLab", "m1", "earned", "@glowlab"),
        ("GlowLab", "z2", "earned", "@glowlab"),
        ("GlowLab", "s4", "earned", "#glowlab"),
    }


@pytest.mark.slow
def test_mention_columns(brand_warehouse: Warehouse) -> None:
    rows = brand_warehouse.query(
        "select snapshot_date, creator_username, play_count, engagement_rate, first_seen_date, "
        "competitive_set from marts.brand_mentions where brand = 'GlowLab' and video_id = 'm1' "
        "order by snapshot_date"
    )
    assert rows == [
        (D1, "maya", 10000, approx(600 / 10000), D1, "beauty"),
        (D2, "maya", 12000, approx(720 / 12000), D1, "beauty"),
    ]
    # the brand's own video seen in its feed and in a search: one row, the feed's handle
    assert brand_warehouse.query(
        "select creator_username, seen_in_creator_posts, search_appearances "
        "from marts.brand_mentions where video_id = 'g2'"
    ) == [("glowlab", True, 1)]


@pytest.mark.slow
def test_sql_agrees_with_match_mentions(brand_warehouse: Warehouse, brands: list[Brand]) -> None:
    d1 = [
        (vid, caption, tags, creator)
        for (creator, _), feed in FEEDS[D1].items()
        for vid, caption, tags, *_ in feed
    ]
    d1 += [(vid, caption, tags, author) for _, author, vid, caption, tags, *_ in SEARCHES[D1]]
    d3 = [
        (f"e{rank:02d}", caption, tags, f"edge{rank:02d}")
        for rank, (caption, tags) in enumerate(EDGE_CAPTIONS, start=1)
    ]
    for day, observed in ((D1, d1), (D3, d3)):
        signals = dict(
            brand_warehouse.query(
                "select video_id, sponsored_signal from marts.fct_video_snapshots "
                "where snapshot_date = ?",
                [day],
            )
        )
        expected = {
            (found.brand, vid, found.mention_type, found.matched_on)
            for vid, caption, tags, author in observed
            for found in match_mentions(
                brands, caption, tags, author, sponsored_signal=signals[vid]
            )
        }
        assert mentions(brand_warehouse, day) == expected, day
    # the captions cover every kind of match and type, and captions that match nothing
    edges = mentions(brand_warehouse, D3)
    assert {matched[0] for _, _, _, matched in edges} >= {"@", "#", "g", "l", "v", "s"}
    assert {kind for _, _, kind, _ in edges} == {"sponsored", "earned"}
    assert len({vid for _, vid, _, _ in edges}) < len(EDGE_CAPTIONS)


# ---------------------------------------------------------------------------------------------
# brand_share_of_voice


@pytest.mark.slow
def test_share_of_voice_over_the_competitive_set(brand_warehouse: Warehouse) -> None:
    # D1, set beauty: GlowLab g1 g2 m1 z2 s1, Lumé Skin l1 m2 m5, Velvet m5 z3
    glowlab = share(brand_warehouse, "GlowLab", D1)
    assert glowlab == {
        "videos": 5,
        "views": 23000,  # 1000 + 2000 + 10000 + 5000 + 5000
        "engagements": 1380,  # 120 + 120 + 600 + 300 + 240
        "creators": 4,  # glowlab, maya, zoe, fan1
        "share_of_voice_views": approx(23000 / 49000),
        "share_of_voice_videos": approx(5 / 10),
        "share_of_voice_creators": approx(4 / 8),
        "earned_share": approx(20000 / 23000),  # m1, z2, s1
        "new_ugc_creators": 3,  # maya, zoe, fan1 (the brand's own account is owned)
        # m1: positive, positive, negative; g1: neutral, neutral -> (2 - 1) / 5
        "net_sentiment": approx(0.2),
    }
    lume = share(brand_warehouse, "Lumé Skin", D1)
    assert (lume["videos"], lume["views"], lume["creators"]) == (3, 17000, 2)
    assert lume["share_of_voice_views"] == approx(17000 / 49000)
    assert lume["earned_share"] == approx(6000 / 17000)  # m5; l1 owned, m2 sponsored
    assert lume["net_sentiment"] is None  # no comments sampled on its videos
    velvet = share(brand_warehouse, "Velvet", D1)
    assert (velvet["share_of_voice_views"], velvet["share_of_voice_creators"]) == (
        approx(9000 / 49000),
        approx(2 / 8),
    )
    assert velvet["earned_share"] == approx(6000 / 9000)
    # a set of its own: all of its voice
    solo = share(brand_warehouse, "Solo", D1)
    assert (solo["videos"], solo["share_of_voice_views"], solo["earned_share"]) == (1, 1.0, 1.0)


@pytest.mark.slow
def test_share_of_voice_on_a_later_date(brand_warehouse: Warehouse) -> None:
    glowlab = share(brand_warehouse, "GlowLab", D2)
    assert (glowlab["videos"], glowlab["views"], glowlab["creators"]) == (4, 20600, 4)
    assert glowlab["share_of_voice_views"] == approx(1.0)
    assert glowlab["earned_share"] == approx(19500 / 20600)  # all but g1
    assert glowlab["new_ugc_creators"] == 1  # fan3; maya and zoe spoke on D1
    # the comments of m1 and g1, both sampled on D1: (2 - 1) / 5
    assert glowlab["net_sentiment"] == approx(0.2)
    # not mentioned: zeros, and shares of a set with nothing are NULL
    lume = share(brand_warehouse, "Lumé Skin", D2)
    assert (lume["videos"], lume["share_of_voice_views"], lume["earned_share"]) == (0, 0.0, None)
    solo = share(brand_warehouse, "Solo", D2)
    assert (solo["videos"], solo["share_of_voice_views"]) == (0, None)


# ---------------------------------------------------------------------------------------------
# brand_creators


@pytest.mark.slow
def test_brand_creators(brand_warehouse: Warehouse) -> None:
    rows = {
        (brand, creator): rest
        for brand, creator, *rest in brand_warehouse.query(
            "select brand, creator_username, mentions, owned_mentions, sponsored_mentions, "
            "earned_mentions, views, engagement_rate, first_mention_date, last_mention_date, "
            "is_brand_account from marts.brand_creators"
        )
    }
    assert rows[("GlowLab", "maya")] == [1, 0, 0, 1, 12000, approx(720 / 12000), D1, D2, False]
    # g1's latest views (D2) and g2's (D1)
    assert rows[("GlowLab", "glowlab")] == [2, 2, 0, 0, 3100, approx(252 / 3100), D1, D2, True]
    assert rows[("Lumé Skin", "maya")] == [2, 0, 1, 1, 14000, approx(840 / 14000), D1, D1, False]
    assert rows[("Velvet", "zoe")] == [1, 0, 1, 0, 3000, approx(180 / 3000), D1, D1, False]
    assert rows[("GlowLab", "fan3")] == [1, 0, 0, 1, 2000, approx(0.06), D2, D2, False]


# ---------------------------------------------------------------------------------------------
# Brand accounts out of the creator marts; no brands, empty brand marts


@pytest.mark.slow
def test_brand_accounts_left_out_of_the_creator_marts(brand_warehouse: Warehouse) -> None:
    for table in ("creator_scorecard", "creator_content_signals"):
        creators = brand_warehouse.query(f"select distinct creator_username from marts.{table}")
        assert sorted(creators) == [("maya",), ("zoe",)], table
    assert brand_warehouse.query(
        "select distinct creator_username from marts.creator_audience"
    ) == [("maya",)]
    assert brand_warehouse.query("select distinct niche from marts.niche_benchmarks") == [
        ("beauty",)
    ]
    assert dict(
        brand_warehouse.query("select creator_username, is_brand from marts.dim_creators")
    ) == {"glowlab": True, "lumeskin": True, "maya": False, "zoe": False}
    # their videos are still captured videos
    assert brand_warehouse.query(
        "select count(*) from marts.fct_video_snapshots where niche like 'brand:%'"
    ) == [(4,)]


@pytest.mark.slow
def test_roster_numbers_do_not_depend_on_brand_accounts(
    brand_warehouse: Warehouse, unbranded_warehouse: Warehouse
) -> None:
    for table, order in (
        ("niche_benchmarks", "niche, follower_tier, snapshot_date"),
        ("creator_scorecard", "creator_username, snapshot_date"),
        ("creator_audience", "creator_username, snapshot_date"),
        ("creator_content_signals", "creator_username, snapshot_date"),
    ):
        assert brand_warehouse.table(table, order) == unbranded_warehouse.table(table, order), table


@pytest.mark.slow
def test_no_brands_build_empty_brand_marts(unbranded_warehouse: Warehouse) -> None:
    for table in ("brand_mentions", "brand_share_of_voice", "brand_creators"):
        assert unbranded_warehouse.query(f"select count(*) from marts.{table}") == [(0,)], table
    exported = unbranded_warehouse.exports_dir / "marts" / "brand_creators.parquet"
    assert exported.is_file()
