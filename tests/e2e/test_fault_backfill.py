"""Must hold: a 7-day backfill with 10% injected 5xx gives the same marts as one without faults.

Two simulators of the same world (seed 42): one answers 10% of requests with 500/502/503/504 and
caps requests in flight at 3 while the client runs 5, each answer taking 25 ms (so some requests
also get 429 and are retried after their Retry-After); the other has no faults and no cap. Each
backfills the same 7 days for the default roster and queries into its own data directory:

- with faults, through Airflow, as the demo does (``tiktok_engagement.demo.run_pipeline``: for
  each date the three DAGs as DAG runs of that date, the warehouse built date by date through
  Cosmos);
- without faults, through the library functions the DAG tasks call (``extract_creators``,
  ``extract_searches`` per date, then ``warehouse.build`` over the 7 days in one dbt run, its
  documented bulk backfill): a second Airflow backfill would double the test's 5 minutes.

So the comparison also holds the Airflow path (batched parts, per-date incremental builds) to the
plain one.

Every marts table is compared row for row, except ``api_usage`` (it counts the retries and
failures, so it must differ), ``api_runs`` (run ids, times, loads per run: an Airflow run is one
load per mapped task and try, a library run one per half) and ``build_info`` (ids and timestamps
of the build). Of ``api_runs`` each date's credits and landed rows must agree: every item was
fetched once either way. In ``source_freshness`` the ``rows_loaded`` of the ``request_ledger``
dataset is the number of attempts (one ledger row each) and that of ``loads`` the number of loads,
so those two differ too and are left out of their rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from tiktok_engagement.config import Settings, load_queries, load_roster
from tiktok_engagement.demo import run_pipeline
from tiktok_engagement.extract import extract_creators, extract_searches
from tiktok_engagement.warehouse import WarehousePaths, build

from tests.e2e.marts_snapshot import MAY_BE_EMPTY, marts_rows

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

LAST = date(2026, 11, 7)
DAYS = [LAST - timedelta(days=n) for n in reversed(range(7))]
NOT_COMPARED = {"api_usage", "api_runs", "build_info"}


def airflow_backfill(simulator, data_dir: Path, **connection_extra) -> Path:
    """Backfill the 7 days through Airflow into ``data_dir``; return the serving file."""
    runs = run_pipeline(data_dir, simulator, DAYS, data_dir / "backfill.log", connection_extra)
    assert len(runs) == 3 * len(DAYS)
    assert {r["state"] for r in runs} == {"success"}, runs
    return WarehousePaths(data_dir / "warehouse").serving_db


def backfill(simulator, data_dir: Path, **settings) -> Path:
    """Extract the 7 days from ``simulator`` into ``data_dir``, build, return the serving file."""
    config = Settings(
        base_url=simulator.base_url, api_key=simulator.api_key, data_dir=data_dir, **settings
    )
    roster = load_roster(config.creators_file)
    queries = load_queries(config.queries_file)
    for day in DAYS:
        creators = extract_creators(config, day, roster)
        searches = extract_searches(config, day, queries)
        assert not creators.not_found and not searches.not_found, (day, creators.summary())
    build(
        config.landing_root,
        config.warehouse_dir,
        config.exports_dir,
        DAYS[0],
        through=DAYS[-1],
        quiet=True,
    )
    return WarehousePaths(config.warehouse_dir).serving_db


def marts(serving_db: Path) -> dict[str, list[tuple]]:
    """Every marts table's rows, in a total order (ledger size aside, see the module docstring)."""
    return marts_rows(
        serving_db,
        {
            "api_runs_per_date": "select snapshot_date, sum(credits_used), sum(rows_landed), "
            "list_sort(list_distinct(list(outcome))) from marts.api_runs group by all order by all",
            # How many files a date's loads wrote depends on the batching (the Airflow path lands a
            # probe and a file per batch and try), not on the data.
            "source_freshness": "select * exclude (files_loaded) replace (case when dataset in "
            "('request_ledger', 'loads') then null else rows_loaded end as rows_loaded) "
            "from marts.source_freshness order by all",
        },
    )


def test_faults_change_the_api_usage_and_nothing_else(simulator_factory, tmp_path, monkeypatch):
    # The latency keeps each request in flight long enough that 5 sent at once do overlap beyond
    # the cap: without it, whether any 429 comes back depends on how fast the client sends.
    faulty_sim = simulator_factory(error_rate=0.10, in_flight_cap=3, fault_seed=11, latency_ms=25)
    clean_sim = simulator_factory()
    # Under Airflow a creator batch runs as many requests at once as its scavio_api pool slots:
    # 5 of them, over the simulator's cap of 3, so that 429s come back too.
    monkeypatch.setenv("TIKTOK_EXTRACT_POOL_SLOTS", "5")
    # No brands on either path: the DAGs would track the bundled brands' accounts and searches
    # beside the bundled roster, the library path below extracts the roster and queries alone.
    monkeypatch.setenv("TIKTOK_BRANDS_FILE", "")
    # Enough attempts that no request exhausts them at a 10% fault rate (4 would fail ~1 in 10^4).
    faulty = marts(
        airflow_backfill(faulty_sim, tmp_path / "faulty", max_in_flight=5, max_attempts=8)
    )
    clean = marts(backfill(clean_sim, tmp_path / "clean", max_in_flight=5))

    stats = faulty_sim.stats()
    assert stats["by_status"].get("429"), stats["by_status"]
    assert any(code.startswith("5") for code in stats["by_status"]), stats["by_status"]

    assert sorted(faulty) == sorted(clean)
    compared = sorted(set(clean) - NOT_COMPARED)
    assert {"creator_scorecard", "fct_video_snapshots", "trending_videos"} <= set(compared)
    empty = [table for table in compared if not clean[table] and table not in MAY_BE_EMPTY]
    assert not empty, f"a mart is empty, nothing was compared: {empty}"
    differing = [table for table in compared if faulty[table] != clean[table]]
    assert differing == [], f"marts differing between the two backfills: {differing}"

    retries = {}
    for name, root in (("faulty", tmp_path / "faulty"), ("clean", tmp_path / "clean")):
        con = duckdb.connect(str(WarehousePaths(root / "warehouse").serving_db), read_only=True)
        try:
            retries[name] = con.execute("select sum(retries) from marts.api_usage").fetchone()[0]
        finally:
            con.close()
    assert retries["faulty"] > 0, retries
    assert retries["clean"] == 0, retries
    assert faulty["api_usage"] != clean["api_usage"]
