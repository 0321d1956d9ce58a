"""
### TikTok search trends, daily

The tracked keyword searches and hashtags (`include/queries.csv`, or `TIKTOK_QUERIES_FILE`, plus
the keywords and hashtags of the brands in `TIKTOK_BRANDS_FILE`, see docs/brands.md):
each keyword's search results and each hashtag's lookup and video listing, paged
(`TIKTOK_SEARCH_PAGES`, or the row's `pages`), through the Scavio API (connection `scavio_default`).

- **queries**: validate the query file (a bad row fails the run naming the file and line).
- **extract_query** (mapped, one per query, pool `scavio_api`, one slot: pages are fetched one
  after the other): land `search_results` and `hashtags` Parquet in files of this run and try
  (`searches-<type>-<slug>__...`).
- **finalize**: sum up the run, then emit the asset `tiktok://landing/search_results` (extra:
  `snapshot_date`), which schedules `tiktok_warehouse`.

The snapshot date is the run's logical date (or the `snapshot_date` param). The landing zone is
append-only: a retry or re-run adds files and fetches only the queries no earlier run of the date
landed (param `fresh_capture`: all again). A past date is refused unless the API confirms it
answers as of it. A 401, a 402 or a credit cap fails the task at once without retries; other
errors retry with exponential backoff. Param `queries` runs a subset (one query, from the UI;
matched case-insensitively, a query not in the file fails the run).
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import dag, task
from tiktok_airflow import search_trends
from tiktok_airflow.wiring import (
    DEFAULT_ARGS,
    SCAVIO_POOL,
    SEARCH_RESULTS,
    START_DATE,
    TAGS,
    search_params,
)


@dag(
    dag_id="tiktok_search_trends",
    schedule="@daily",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params=search_params(),
    tags=[*TAGS, "extract"],
    doc_md=__doc__,
)
def tiktok_search_trends() -> None:
    # A past date is probed here with one request at a time: one slot of the API's pool.
    @task(pool=SCAVIO_POOL, pool_slots=1)
    def queries(**context: Any) -> list[dict]:
        return search_trends.queries(context)

    # One query pages sequentially: it never has more than one request in flight, so one slot.
    @task(pool=SCAVIO_POOL, pool_slots=1, map_index_template="{{ item.part }}")
    def extract_query(item: dict, **context: Any) -> dict:
        return search_trends.extract_query(item, context)

    @task(outlets=[SEARCH_RESULTS])
    def finalize(items: list[dict], reports: list[dict], **context: Any) -> dict:
        return search_trends.finalize(items, reports, context, SEARCH_RESULTS)

    items = queries()
    finalize(items, extract_query.expand(item=items))


tiktok_search_trends()
