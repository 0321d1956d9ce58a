"""The creator graph's marts (creator_follows, creator_discovery, creator_similarity,
creator_communities), pinned with values computed by hand from a hand-written landing with the
real landing schemas and real dbt builds.

Two followings dates a week apart. Roster: ``alice``, ``bob``, ``carol`` (fitness) and ``dan``,
``erin``, ``fay`` (beauty), backfilled on W1; ``greg`` (fitness) joins the roster and is
backfilled on W2. On W2 alice and bob are refreshed (page 1): both now follow ``newacct``, and
alice no longer lists ``a_only`` (that edge must be kept, last seen on W1). Every creator follows
the global hub ``g``; each niche has two hubs of its own. Fitness and beauty are two obvious
communities, although ``g`` links every pair across them above the edge threshold.

Comments: alice's video has commenters u1, u2, u3 (and alice herself), bob's u2, u3, u4; nobody
comments on dan's.

Plus the same landing without any followings partition, which must build with empty graph marts
(but for the commenter similarity).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from tiktok_engagement.landing import Landing

from .conftest import Warehouse, new_warehouse
from .landing_rows import comment, comment_score, following, load, post, profile

pytestmark = pytest.mark.slow  # real dbt builds

W1, W2 = date(2024, 4, 1), date(2024, 4, 8)
approx = pytest.approx
GRAPH_TABLES = ("creator_follows", "creator_discovery", "creator_similarity", "creator_communities")


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


NICHES = {
    "alice": "fitness",
    "bob": "fitness",
    "carol": "fitness",
    "greg": "fitness",
    "dan": "beauty",
    "erin": "beauty",
    "fay": "beauty",
}
# Followers of the accounts off the roster (g grows between the two dates).
FOLLOWERS = {
    "g": 5_000_000,
    "fithub": 50_000,
    "gymtips": 20_000,
    "glowhub": 800_000,
    "skincare": 150_000,
    "newacct": 30_000,
}
# What each capture listed, most recent follow first.
LISTS = {
    W1: {
        "alice": ["bob", "fithub", "gymtips", "g", "a_only"],
        "bob": ["alice", "fithub", "gymtips", "g", "b_only"],
        "carol": ["fithub", "gymtips", "g", "c_only", "c_only2"],
        "dan": ["glowhub", "skincare", "g", "d_only"],
        "erin": ["glowhub", "skincare", "g", "e_only", "dan"],
        "fay": ["glowhub", "skincare", "g", "f_only"],
    },
    W2: {
        # refreshes: page 1 only; a_only is gone from alice's list
        "alice": ["newacct", "bob", "fithub", "gymtips", "g"],
        "bob": ["newacct", "alice", "fithub", "gymtips", "g", "b_only"],
        # greg's backfill
        "greg": ["fithub", "gymtips", "alice", "greg_only"],
    },
}
FOLLOWING_LOADS = {day: load(f"followings-{day}", at(day, 9)) for day in (W1, W2)}
# A re-run of bob's W2 refresh later that day, cut short: it lists only two accounts (newacct with
# a newer count). What the first capture listed was followed that day all the same.
BOB_RERUN = load(f"followings-rerun-{W2}", at(W2, 14))
BOB_RERUN_LIST = ["newacct", "alice"]
FEED_LOAD = load(f"feeds-{W1}", at(W1, 6))
COMMENTS_LOAD, SCORES_LOAD = load(f"comments-{W1}", at(W1, 10)), load(f"scores-{W1}", at(W1, 11))
COMMENTERS = {"alice": ["u1", "u2", "u3", "alice"], "bob": ["u2", "u3", "u4"]}


def followers_of(account: str, day: date) -> int:
    if account == "g" and day == W2:
        return 5_100_000
    return FOLLOWERS.get(account, 1000)


def write_graph_landing(root: str, *, with_followings: bool = True) -> None:
    landing = Landing(root)
    feed = [
        post(
            W1,
            creator,
            niche,
            1,
            f"v-{creator}",
            10_000,
            500,
            20,
            30,
            created="2024-03-25T10:00:00",
        )
        for creator, niche in NICHES.items()
    ]
    landing.write("creator_posts", W1, FEED_LOAD.file_name("part-0000"), feed, load=FEED_LOAD)
    profiles = [profile(W1, creator, niche, 50_000) for creator, niche in NICHES.items()]
    landing.write("profiles", W1, FEED_LOAD.file_name("part-0000"), profiles, load=FEED_LOAD)
    comments, scores = [], []
    for creator, commenters in COMMENTERS.items():
        for rank, commenter in enumerate(commenters, start=1):
            cid = f"v-{creator}-c{rank}"
            comments.append(
                comment(W1, f"v-{creator}", cid, f"hi from {commenter}", commenter, creator=creator)
            )
            scores.append(comment_score(W1, f"v-{creator}", cid, COMMENTS_LOAD, "neutral"))
    landing.write(
        "comments", W1, COMMENTS_LOAD.file_name("part-0000"), comments, load=COMMENTS_LOAD
    )
    landing.write(
        "comment_scores", W1, SCORES_LOAD.file_name("part-0000"), scores, load=SCORES_LOAD
    )
    if not with_followings:
        return
    for day, lists in LISTS.items():
        rows = [
            following(day, creator, account, position, followers=followers_of(account, day))
            for creator, accounts in lists.items()
            for position, account in enumerate(accounts, start=1)
        ]
        of = FOLLOWING_LOADS[day]
        landing.write("followings", day, of.file_name("followings-part-0000"), rows, load=of)
    rerun = [
        following(W2, "bob", account, position, followers=31_000 if account == "newacct" else 1000)
        for position, account in enumerate(BOB_RERUN_LIST, start=1)
    ]
    landing.write(
        "followings", W2, BOB_RERUN.file_name("followings-part-0000"), rerun, load=BOB_RERUN
    )


@pytest.fixture(scope="module")
def graph_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    warehouse = new_warehouse(tmp_path_factory, "graph", tmp_path_factory.mktemp("graph-landing"))
    write_graph_landing(str(warehouse.landing))
    warehouse.build(W1)
    warehouse.build(W2)
    return warehouse


def by_key(warehouse: Warehouse, sql: str, params: list | None = None) -> dict:
    """{first column: the rest (one value, or a tuple)} of a query's rows."""
    rows = warehouse.query(sql, params)
    return {row[0]: row[1] if len(row) == 2 else row[1:] for row in rows}


# ---------------------------------------------------------------------------------------------
# creator_follows


def test_an_edge_that_disappears_keeps_its_last_seen_date(graph_warehouse: Warehouse) -> None:
    alice = by_key(
        graph_warehouse,
        "select followed_username, first_seen_date, last_seen_date, snapshots_seen "
        "from marts.creator_follows where follower_username = 'alice'",
    )
    assert alice == {
        "a_only": (W1, W1, 1),  # not listed on W2: kept, last seen on W1
        "bob": (W1, W2, 2),
        "fithub": (W1, W2, 2),
        "gymtips": (W1, W2, 2),
        "g": (W1, W2, 2),
        "newacct": (W2, W2, 1),
    }
    # bob's re-run on W2 listed two accounts: the first capture's edges are seen on W2 too
    bob = by_key(
        graph_warehouse,
        "select followed_username, last_seen_date from marts.creator_follows "
        "where follower_username = 'bob'",
    )
    assert bob == {a: W2 for a in ("alice", "fithub", "gymtips", "g", "b_only", "newacct")}
    # carol was not refreshed on W2: her edges are last seen at her backfill
    assert graph_warehouse.query(
        "select distinct last_seen_date from marts.creator_follows where follower_username = 'carol'"
    ) == [(W1,)]
    # 5 + 5 + 5 + 4 + 5 + 4 edges on W1, newacct twice and greg's 4 on W2
    assert graph_warehouse.query("select count(*) from marts.creator_follows") == [(34,)]


def test_is_mutual_needs_both_directions_on_the_roster(graph_warehouse: Warehouse) -> None:
    edges = by_key(
        graph_warehouse,
        "select follower_username || '>' || followed_username, followed_is_roster, is_mutual, "
        "followed_roster_username from marts.creator_follows "
        "where followed_is_roster or followed_username = 'g'",
    )
    assert edges == {
        "alice>bob": (True, True, "bob"),
        "bob>alice": (True, True, "alice"),
        "erin>dan": (True, False, "dan"),  # dan does not follow erin
        "greg>alice": (True, False, "alice"),
        **{f"{creator}>g": (False, False, None) for creator in NICHES if creator != "greg"},
    }


def test_followed_follower_count_is_the_latest_seen(graph_warehouse: Warehouse) -> None:
    counts = by_key(
        graph_warehouse,
        "select follower_username, followed_follower_count, followed_follower_tier "
        "from marts.creator_follows where followed_username = 'g'",
    )
    # refreshed creators saw 5.1M on W2; the others last saw g on W1 at 5.0M
    assert counts["alice"] == (5_100_000, "mega")
    assert counts["carol"] == (5_000_000, "mega")


# ---------------------------------------------------------------------------------------------
# creator_discovery


def discovery(warehouse: Warehouse, day: date) -> dict:
    return by_key(
        warehouse,
        "select account_username, followed_by_roster, follower_count, follower_tier, "
        "follower_niches, new_follows_7d, discovery_rank, rank_in_tier "
        "from marts.creator_discovery where snapshot_date = ?",
        [day],
    )


def test_followed_by_roster_and_ranks_on_the_backfill_date(graph_warehouse: Warehouse) -> None:
    w1 = discovery(graph_warehouse, W1)
    # roster creators (bob, alice, dan) are not candidates; nothing is new at a first capture
    assert set(w1) == {
        "g", "fithub", "gymtips", "glowhub", "skincare",
        "a_only", "b_only", "c_only", "c_only2", "d_only", "e_only", "f_only",
    }  # fmt: skip
    assert w1["g"] == (6, 5_000_000, "mega", ["beauty", "fitness"], 0, 1, 1)
    # four accounts followed by 3: by follower_count, descending
    assert w1["glowhub"] == (3, 800_000, "macro", ["beauty"], 0, 2, 1)
    assert w1["skincare"] == (3, 150_000, "mid", ["beauty"], 0, 3, 1)
    assert w1["fithub"] == (3, 50_000, "micro", ["fitness"], 0, 4, 1)
    assert w1["gymtips"] == (3, 20_000, "micro", ["fitness"], 0, 5, 2)
    # the seven followed once, with 1000 followers each: by handle
    ones = sorted((v[5], k) for k, v in w1.items() if v[0] == 1)
    assert ones == list(
        enumerate(["a_only", "b_only", "c_only", "c_only2", "d_only", "e_only", "f_only"], 6)
    )


def test_new_follows_7d_leaves_out_a_first_capture(graph_warehouse: Warehouse) -> None:
    w2 = discovery(graph_warehouse, W2)
    # newacct: alice and bob, both already watched, follow it from W2 on; its count from the
    # day's latest capture (bob's re-run)
    assert w2["newacct"] == (2, 31_000, "micro", ["fitness"], 2, 6, 3)
    # fithub: greg's backfill adds a follower, not a new follow; g's latest count
    assert w2["fithub"][:2] == (4, 50_000)
    assert w2["fithub"][4] == 0
    assert w2["g"][:2] == (6, 5_100_000)
    # edges are never lost: a_only is still followed by alice as of W2
    assert w2["a_only"][0] == 1
    assert "greg_only" in w2 and "greg" not in w2


def test_lookalike_band_filters_on_follower_count(graph_warehouse: Warehouse) -> None:
    band = graph_warehouse.query(
        "select account_username from marts.creator_discovery where snapshot_date = ? "
        "and follower_count between 10000 and 2000000 order by discovery_rank",
        [W2],
    )
    assert band == [("fithub",), ("gymtips",), ("glowhub",), ("skincare",), ("newacct",)]


# ---------------------------------------------------------------------------------------------
# creator_similarity


def similarity(warehouse: Warehouse, a: str, b: str) -> tuple:
    rows = warehouse.query(
        "select following_jaccard, commenter_jaccard, is_mutual, shared_followings, followings_a, "
        "followings_b, shared_commenters, commenters_a, commenters_b "
        "from marts.creator_similarity where creator_a = ? and creator_b = ?",
        [a, b],
    )
    assert len(rows) == 1, rows
    return rows[0]


def test_following_and_commenter_jaccard(graph_warehouse: Warehouse) -> None:
    # alice: bob fithub gymtips g a_only newacct (a_only kept); bob: alice fithub gymtips g
    # b_only newacct: 4 shared of 8; commenters {u1 u2 u3} (alice's own comment left out) and
    # {u2 u3 u4}: 2 of 4
    assert similarity(graph_warehouse, "alice", "bob") == (
        approx(4 / 8), approx(2 / 4), True, 4, 6, 6, 2, 3, 3
    )  # fmt: skip
    # dan has no sampled comments: commenter_jaccard NULL; g shared: 1 of 6 + 4 - 1
    assert similarity(graph_warehouse, "alice", "dan") == (
        approx(1 / 9), None, False, 1, 6, 4, 0, 3, 0
    )  # fmt: skip
    # erin follows dan, not back
    assert similarity(graph_warehouse, "dan", "erin")[2] is False
    # greg: fithub gymtips alice greg_only; with alice: fithub, gymtips of 6 + 4 - 2
    assert similarity(graph_warehouse, "alice", "greg")[0] == approx(2 / 8)
    # every pair shares g, but greg (no g) shares nothing with dan, erin or fay: 21 - 3 listed
    assert graph_warehouse.query("select count(*) from marts.creator_similarity") == [(18,)]


# ---------------------------------------------------------------------------------------------
# creator_communities


def communities(warehouse: Warehouse) -> list[tuple]:
    return warehouse.query(
        "select snapshot_date, creator_username, community_id, community_anchor, community_size, "
        "dominant_niche, dominant_niche_share, similar_creators "
        "from marts.creator_communities order by snapshot_date, creator_username"
    )


def test_two_obvious_clusters_are_two_communities(graph_warehouse: Warehouse) -> None:
    by_day: dict = {}
    for day, creator, number, anchor, size, niche, share, _ in communities(graph_warehouse):
        by_day.setdefault(day, {})[creator] = (number, anchor, size, niche, share)
    fitness_w1 = (1, "alice", 3, "fitness", approx(1.0))  # ties on size: the smaller anchor first
    beauty = (2, "dan", 3, "beauty", approx(1.0))
    assert by_day[W1] == {
        **{c: fitness_w1 for c in ("alice", "bob", "carol")},
        **{c: beauty for c in ("dan", "erin", "fay")},
    }
    fitness_w2 = (1, "alice", 4, "fitness", approx(1.0))
    assert by_day[W2] == {
        **{c: fitness_w2 for c in ("alice", "bob", "carol", "greg")},
        **{c: beauty for c in ("dan", "erin", "fay")},
    }
    # g alone gives every cross-niche pair a Jaccard above the threshold (1/9 to 1/8)
    degrees = dict(
        graph_warehouse.query(
            "select creator_username, similar_creators from marts.creator_communities "
            "where snapshot_date = ?",
            [W1],
        )
    )
    assert degrees == {c: 5 for c in ("alice", "bob", "carol", "dan", "erin", "fay")}


def test_communities_are_the_same_run_after_run(
    graph_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Another warehouse over the same landing, both dates in one range build, then W2 rebuilt.
    again = new_warehouse(tmp_path_factory, "graph-again", graph_warehouse.landing)
    again.build(W1, through=W2)
    assert communities(again) == communities(graph_warehouse)
    again.build(W2)
    assert communities(again) == communities(graph_warehouse)
    for table in GRAPH_TABLES:
        assert again.table(table, "all") == graph_warehouse.table(table, "all"), table


# ---------------------------------------------------------------------------------------------
# a landing zone without followings


def test_a_landing_without_followings_builds_empty_graph_marts(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    warehouse = new_warehouse(
        tmp_path_factory, "no-followings", tmp_path_factory.mktemp("no-followings-landing")
    )
    write_graph_landing(str(warehouse.landing), with_followings=False)
    warehouse.build(W1)
    for table in ("creator_follows", "creator_discovery", "creator_communities"):
        assert warehouse.query(f"select count(*) from marts.{table}") == [(0,)], table
    # the commenters alice and bob share still make a pair, with no following_jaccard
    assert similarity(warehouse, "alice", "bob") == (
        None, approx(2 / 4), False, 0, 0, 0, 2, 3, 3
    )  # fmt: skip
    assert warehouse.query("select count(*) from marts.creator_similarity") == [(1,)]
    # the rest is built as before
    assert warehouse.query("select count(*) from marts.dim_creators") == [(7,)]
    assert warehouse.query("select count(*) from marts.fct_comments") == [(7,)]
    types = dict(
        warehouse.query(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'creator_communities'"
        )
    )
    assert types["snapshot_date"] == "DATE" and types["community_id"] == "BIGINT"
