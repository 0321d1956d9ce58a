"""
### TikTok creator graph, weekly: whom the roster follows

Each roster creator's following list (Scavio `user/followings`, 20 accounts a page, most recent
follow first) is backfilled once, up to `TIKTOK_FOLLOWINGS_MAX_PAGES` pages (25), then its page 1
is fetched again every `TIKTOK_FOLLOWINGS_REFRESH_DAYS` (7) days
(`tiktok_engagement.graph.sampling`). A creator's `sec_uid` comes from its landed profile, so a
creator new to the roster waits until `tiktok_creator_posts` has resolved it.

- **plan**: decide from earlier dates' loads who is backfilled and who refreshed, split them into
  batches (param `batch_size`); a past date is probed with one creator first.
- **extract_batch** (mapped, pool `scavio_api`): land `followings` Parquet (raw JSON, lineage) in
  files of this run and try (`followings-part-<batch>__...`).
- **finalize**: emit the asset `tiktok://landing/followings` (extra: `snapshot_date`); skipped
  when nothing landed.

A retry or re-run fetches only the creators no earlier run of the date fetched (param
`fresh_capture`: the date's selection again). A 401, a 402 or a credit cap fails the task at once
without retries. The warehouse does not build on this asset (see docs/graph.md).
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import dag, task
from tiktok_airflow import creator_graph
from tiktok_airflow import wiring as w


@dag(
    dag_id="tiktok_creator_graph",
    schedule="@weekly",
    start_date=w.START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=w.DEFAULT_ARGS,
    params=w.graph_params(),
    tags=[*w.TAGS, "extract", "graph"],
    doc_md=__doc__,
)
def tiktok_creator_graph() -> None:
    @task(pool=w.SCAVIO_POOL, pool_slots=1)
    def plan(**context: Any) -> list[dict]:
        return creator_graph.plan(context)

    @task(
        pool=w.SCAVIO_POOL, pool_slots=w.EXTRACT_POOL_SLOTS, map_index_template="{{ batch.part }}"
    )
    def extract_batch(batch: dict, **context: Any) -> dict:
        return creator_graph.extract_batch(batch, context)

    # none_failed: a week with nobody due maps over nothing; finalize then skips itself.
    @task(outlets=[w.FOLLOWINGS], trigger_rule="none_failed")
    def finalize(batches: list[dict], reports: Any, **context: Any) -> dict:
        return creator_graph.finalize(batches, reports, context, w.FOLLOWINGS)

    batches: Any = plan()
    finalize(batches, extract_batch.expand(batch=batches))


tiktok_creator_graph()
