"""An append-only landing zone and the models that pick: re-runs, subset runs and later captures.

The same two generated days are landed four ways and built for real:

- ``clean``: one load per day (the daily run);
- ``rerun``: each day landed twice (a re-run with identical answers, an hour later), and on day 2
  a subset run of two creators on top: a third capture of their feeds, later again;
- ``fresh``: ``rerun`` plus, on day 2, a fresh capture later that day that answered different
  counts for one creator's feed and fewer, different results for one query;
- ``expected``: the clean landing with the fresh capture's answers in place of the first ones, as
  files landed before lineage existed (no lineage columns), which also shows that an existing
  user's history still builds.

The marts of ``rerun`` equal the clean ones, those of ``fresh`` the expected ones, except the spend
(``api_usage``, ``api_runs``) and the landed-row counts (``source_freshness``), which count every
load; ``api_usage`` counts every credit of every load.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tiktok_engagement.landing import LINEAGE_COLUMNS, OBSERVATION_DATASETS, Landing, Load
from tiktok_engagement.warehouse import CONTRACT_TABLES

from .conftest import new_warehouse
from .landing_rows import ledger, load, loads_row
from .test_backfill import normalised

pytestmark = pytest.mark.slow

DAY1, DAY2 = date(2024, 5, 1), date(2024, 5, 2)
SUBSET = ("creator_00001", "creator_00002")
FRESH_CREATOR = "creator_00003"
# Tables that count every load, not one capture per grain: compared on their own below.
PER_LOAD_TABLES = {"api_usage", "api_runs", "source_freshness", "rejected_items"}
# The generator lands no comments, so these are empty here; re-runs of comment sampling (the
# latest capture of a video's comments wins, whole) are pinned in test_comment_marts.py.
COMMENT_TABLES = {"fct_comments", "video_comment_summary", "creator_audience"}
# Nor followings: the graph marts are empty here too; a re-run's capture of a following list
# beside an earlier one is pinned in test_graph_marts.py.
GRAPH_TABLES = {"creator_follows", "creator_discovery", "creator_similarity", "creator_communities"}
COMPARED = [t for t in CONTRACT_TABLES if t not in PER_LOAD_TABLES | COMMENT_TABLES | GRAPH_TABLES]


def at(hour: int) -> datetime:
    return datetime(DAY2.year, DAY2.month, DAY2.day, hour, tzinfo=UTC)


def without_lineage(table: pa.Table, dataset: str = "") -> pa.Table:
    """The table as landed before lineage existed (the ledger already had run_id, request_seq)."""
    kept = ("run_id", "request_seq") if dataset == "request_ledger" else ()
    return table.drop_columns([c for c in LINEAGE_COLUMNS if c not in kept])


def fresh_answers(landing: Landing) -> dict[str, tuple[str, str, pa.Table]]:
    """Per dataset, (key column, key, the fresh capture's rows): different counts for one feed,
    and for one query five results fewer with more shares."""
    con = duckdb.connect()
    con.register("posts", without_lineage(landing.read("creator_posts", DAY2)))
    con.register("results", without_lineage(landing.read("search_results", DAY2)))
    feed = con.sql(
        "select * replace (play_count + 1000 as play_count, digg_count + 10 as digg_count) "
        "from posts where creator_username = ?",
        params=[FRESH_CREATOR],
    ).to_arrow_table()
    (query,) = con.sql("select min(query) from results").fetchall()[0]
    answered = con.sql(
        "select * replace (share_count + 7 as share_count) from results "
        "where query = ? and result_rank <= 10 order by result_rank",
        params=[query],
    ).to_arrow_table()
    return {
        "creator_posts": ("creator_username", FRESH_CREATOR, feed),
        "search_results": ("query", query, answered),
    }


def land_load(
    landing: Landing, loaded: Load, tables: dict[str, pa.Table], items: list[str]
) -> None:
    """Land ``tables`` as one load of day 2, with one ledger row (one credit) per item and the
    load's summary last, as the extractor does."""
    rows = 0
    for dataset, table in tables.items():
        landing.write(dataset, DAY2, loaded.file_name("part-0000"), table, load=loaded)
        rows += table.num_rows
    requests = [
        ledger(DAY2, seq, "user/posts", run_id=loaded.run_id) for seq in range(1, len(items) + 1)
    ]
    landing.write("request_ledger", DAY2, loaded.file_name("part-0000"), requests, load=loaded)
    summary = loads_row(
        DAY2,
        loaded,
        finished=loaded.started_at,
        requests=len(requests),
        credits=len(requests),
        rows_landed=rows,
        fresh=True,
        items_done=items,
    )
    landing.write("loads", DAY2, loaded.file_name("part-0000"), [summary], load=loaded)


@pytest.fixture(scope="module")
def landings(tmp_path_factory: pytest.TempPathFactory, generator: ModuleType) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("reruns")
    config = generator.GeneratorConfig(
        creators=8, days=2, start=DAY1, queries=4, results_per_query=15
    )
    roots = {name: base / name for name in ("clean", "rerun", "fresh", "expected")}
    generator.generate(roots["clean"], config)
    generator.generate(roots["rerun"], replace(config, reruns=1))

    rerun = Landing(str(roots["rerun"]))
    con = duckdb.connect()
    con.register("posts", without_lineage(rerun.read("creator_posts", DAY2)))
    subset = con.sql(
        "select * from posts where list_contains(?, creator_username)", params=[list(SUBSET)]
    ).to_arrow_table()
    land_load(rerun, load("subset-run", at(14)), {"creator_posts": subset}, list(SUBSET))

    shutil.copytree(roots["rerun"], roots["fresh"])
    fresh = fresh_answers(Landing(str(roots["clean"])))
    land_load(
        Landing(str(roots["fresh"])),
        load("fresh-run", at(15)),
        {dataset: rows for dataset, (_, _, rows) in fresh.items()},
        [FRESH_CREATOR, fresh["search_results"][1]],
    )

    clean = Landing(str(roots["clean"]))
    for dataset in (*OBSERVATION_DATASETS, "request_ledger"):
        for day in (DAY1, DAY2):
            table = without_lineage(clean.read(dataset, day), dataset)
            if day == DAY2 and dataset in fresh:
                column, key, rows = fresh[dataset]
                con.register("landed", table)
                kept = con.sql(f"select * from landed where {column} <> ?", params=[key])
                table = pa.concat_tables([kept.to_arrow_table(), rows])
            if table.num_rows:
                directory = Path(clean.partition_dir(dataset, day).replace(
                    str(roots["clean"]), str(roots["expected"])
                ))  # fmt: skip
                directory.mkdir(parents=True)
                pq.write_table(table, directory / "part-0000.parquet")
    return roots


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, landings: dict[str, Path]) -> dict:
    warehouses = {}
    for name, root in landings.items():
        warehouse = new_warehouse(tmp_path_factory, f"built-{name}", root)
        warehouse.build(DAY1, through=DAY2)
        warehouses[name] = warehouse
    return warehouses


@pytest.mark.parametrize("table", COMPARED)
def test_reruns_and_subset_runs_leave_the_marts_as_one_clean_run(built, table: str) -> None:
    expected = normalised(built["clean"], table)
    assert expected, table
    assert normalised(built["rerun"], table) == expected


@pytest.mark.parametrize("table", COMPARED)
def test_a_later_fresh_capture_wins(built, table: str) -> None:
    assert normalised(built["fresh"], table) == normalised(built["expected"], table)


def test_the_fresh_capture_changed_what_it_should(built) -> None:
    def feed_views(name: str) -> int:
        return built[name].query(
            "select sum(play_count) from marts.fct_video_snapshots "
            "where snapshot_date = ? and creator_username = ?",
            [DAY2, FRESH_CREATOR],
        )[0][0]

    assert feed_views("fresh") == feed_views("clean") + 20 * 1000
    found = "select query, videos_found from marts.query_trends where snapshot_date = ? order by 1"
    (first_clean, *other_clean) = built["clean"].query(found, [DAY2])
    (first_fresh, *other_fresh) = built["fresh"].query(found, [DAY2])
    # the fresh capture of the first query returned its top 10 only: those are the day's results
    assert first_clean[1] > 10 and first_fresh == (first_clean[0], 10)
    assert other_fresh == other_clean


def landed_credits(root: Path) -> list[tuple]:
    return duckdb.execute(
        "select snapshot_date, sum(credits_used) from read_parquet(?) group by 1 order by 1",
        [str(root / "request_ledger" / "*" / "*.parquet")],
    ).fetchall()


@pytest.mark.parametrize("name", ["clean", "rerun", "fresh"])
def test_every_credit_of_every_load_is_counted(built, landings, name: str) -> None:
    usage = built[name].query(
        "select snapshot_date, sum(credits_used) from marts.api_usage group by 1 order by 1"
    )
    assert usage == landed_credits(landings[name])
    per_run = built[name].query(
        "select snapshot_date, sum(credits_used) from marts.api_runs group by 1 order by 1"
    )
    assert per_run == usage


def test_one_api_runs_row_per_run(built, landings) -> None:
    runs = built["fresh"].query(
        "select snapshot_date, run_id, loads, outcome from marts.api_runs order by 1, 2"
    )
    landed = duckdb.execute(
        "select distinct snapshot_date, run_id from read_parquet(?) order by 1, 2",
        [str(landings["fresh"] / "request_ledger" / "*" / "*.parquet")],
    ).fetchall()
    assert [(day, run) for day, run, _, _ in runs] == landed
    assert (
        len(runs) == 2 * 2 + 2
    )  # the daily run and its re-run each day, the subset and fresh runs
    assert {outcome for *_, outcome in runs} == {"complete"}
    assert {run: loads for day, run, loads, _ in runs if day == DAY2} == {
        "fresh-run": 1,
        "subset-run": 1,
        "synthetic-2024-05-02": 1,
        "synthetic-2024-05-02-rerun1": 1,
    }


def test_legacy_files_build_as_loads_of_their_own(built) -> None:
    # no ledger file of the legacy landing has lineage, nor any load a summary row
    assert built["expected"].query("select distinct outcome from marts.api_runs") == [("legacy",)]
    # day 1 had no fresh capture: landed as legacy files it builds exactly as with lineage
    day1 = "select * from marts.fct_video_snapshots where snapshot_date = ? order by all"
    assert built["expected"].query(day1, [DAY1]) == built["clean"].query(day1, [DAY1])
