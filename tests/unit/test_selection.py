"""Choosing creators and queries by name, as the CLI and the DAG params do."""

import pytest
from tiktok_engagement.config import ConfigError, Creator, Query
from tiktok_engagement.selection import select_creators, select_queries

ROSTER = [
    Creator("maya.lifts", "fitness"),
    Creator("Chef_Rio", "food"),
    Creator("ethanmuller", "tech"),
]
QUERIES = [
    Query("home workout", "keyword"),
    Query("gym", "keyword"),
    Query("gym", "hashtag"),
    Query("Recipe", "hashtag", pages=3),
]


def names(creators: list[Creator]) -> list[str]:
    return [c.username for c in creators]


def test_no_names_means_the_whole_roster_in_roster_order():
    assert select_creators(ROSTER, []) == ROSTER
    assert select_creators(ROSTER, ["", "  "]) == ROSTER


def test_creators_match_case_insensitively_with_or_without_their_at():
    assert names(select_creators(ROSTER, ["chef_rio"])) == ["Chef_Rio"]
    assert names(select_creators(ROSTER, ["@MAYA.LIFTS", " @ethanmuller "])) == [
        "maya.lifts",
        "ethanmuller",
    ]


def test_creators_come_in_the_order_asked_each_once():
    chosen = select_creators(ROSTER, ["ethanmuller", "maya.lifts", "@Ethanmuller", "MAYA.lifts"])
    assert names(chosen) == ["ethanmuller", "maya.lifts"]
    # The roster's own rows are returned, niche included.
    assert chosen[1] is ROSTER[0]


def test_unknown_creators_are_an_error_naming_every_one():
    with pytest.raises(ConfigError) as error:
        select_creators(ROSTER, ["maya.lifts", "no.such", "@typo_handle"], what="--creator")
    message = str(error.value)
    assert message.startswith("--creator: ")
    assert "'no.such'" in message and "'typo_handle'" in message
    assert "maya.lifts" not in message
    with pytest.raises(ConfigError, match="^creators: 'x' not on the roster"):
        select_creators(ROSTER, ["x"])


def test_no_query_names_means_every_query():
    assert select_queries(QUERIES, []) == QUERIES
    assert select_queries(QUERIES, [" "]) == QUERIES


def test_a_query_text_matches_every_type_case_insensitively():
    assert select_queries(QUERIES, ["GYM"]) == [QUERIES[1], QUERIES[2]]
    assert select_queries(QUERIES, ["  home WORKOUT "]) == [QUERIES[0]]


def test_a_hash_or_a_type_prefix_picks_one_type():
    assert select_queries(QUERIES, ["#gym"]) == [QUERIES[2]]
    assert select_queries(QUERIES, ["#recipe"]) == [QUERIES[3]]
    assert select_queries(QUERIES, ["keyword:gym"]) == [QUERIES[1]]
    assert select_queries(QUERIES, ["Hashtag:Gym"]) == [QUERIES[2]]
    assert select_queries(QUERIES, ["keyword: home workout"]) == [QUERIES[0]]


def test_queries_come_in_the_order_asked_each_once():
    chosen = select_queries(QUERIES, ["#recipe", "gym", "hashtag:gym", "home workout", "#RECIPE"])
    assert chosen == [QUERIES[3], QUERIES[1], QUERIES[2], QUERIES[0]]


@pytest.mark.parametrize(
    "wanted",
    [
        "legday",
        "#home workout",  # a keyword, not a hashtag
        "hashtag:home workout",
        "keyword:recipe",
        "#",
    ],
)
def test_an_unknown_query_is_an_error_naming_it_as_typed(wanted):
    with pytest.raises(ConfigError) as error:
        select_queries(QUERIES, ["gym", wanted], what="--query")
    assert str(error.value) == f"--query: {wanted!r} is not in the query file"


def test_a_prefix_that_is_not_a_query_type_is_part_of_the_text():
    queries = [Query("diy: tips", "keyword"), Query("tips", "keyword")]
    assert select_queries(queries, ["diy: tips"]) == [queries[0]]
    assert select_queries(queries, ["keyword:tips"]) == [queries[1]]
