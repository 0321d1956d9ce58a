"""
### TikTok creator posts, daily

For each creator on the roster (`include/creators.csv`, or `TIKTOK_CREATORS_FILE`), and each
brand account of the brands file (`TIKTOK_BRANDS_FILE`, niche `brand:<name>`): resolve the
handle to a `sec_uid` once, refresh the profile (followers) every `TIKTOK_PROFILE_REFRESH_DAYS`,
and fetch the recent posts, all through the Scavio API (connection `scavio_default`).

- **roster**: validate the roster (a bad row fails the run naming the file and line), plan the
  day's requests and credits, split the roster into batches (param `batch_size`).
- **extract_batch** (mapped, one per batch, pool `scavio_api`): land `profiles` and `creator_posts`
  Parquet for the snapshot date in files of this run and try (`creators-part-<batch>__...`); the
  client's in-flight limit is the task's pool slots, so the pool's size is the in-flight cap of
  the whole deployment.
- **finalize**: sum up the run, then emit the asset `tiktok://landing/creator_posts` (extra:
  `snapshot_date`), which schedules `tiktok_warehouse`.

The snapshot date is the run's logical date (or the `snapshot_date` param; see
`tiktok_airflow.runtime`). The landing zone is append-only: a retry or a re-run of a date adds
files and fetches only the creators no earlier run of the date landed (param `fresh_capture`: all
of them again). A past date is refused unless the API confirms it answers as of it (the
simulator). A 401, a 402 or a credit cap fails the task at once without retries; other errors
retry with exponential backoff. Param `creators` runs a subset (handles match case-insensitively;
one not on the roster fails the run, see `tiktok_engagement.selection`).
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import dag, task
from tiktok_airflow import creator_posts
from tiktok_airflow.wiring import (
    CREATOR_POSTS,
    DEFAULT_ARGS,
    EXTRACT_POOL_SLOTS,
    SCAVIO_POOL,
    START_DATE,
    TAGS,
    creator_params,
)


@dag(
    dag_id="tiktok_creator_posts",
    schedule="@daily",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params=creator_params(),
    tags=[*TAGS, "extract"],
    doc_md=__doc__,
)
def tiktok_creator_posts() -> None:
    # A past date is probed here with one request at a time: one slot of the API's pool.
    @task(pool=SCAVIO_POOL, pool_slots=1)
    def roster(**context: Any) -> list[dict]:
        return creator_posts.roster(context)

    @task(pool=SCAVIO_POOL, pool_slots=EXTRACT_POOL_SLOTS, map_index_template="{{ batch.part }}")
    def extract_batch(batch: dict, **context: Any) -> dict:
        return creator_posts.extract_batch(batch, context)

    @task(outlets=[CREATOR_POSTS])
    def finalize(batches: list[dict], reports: list[dict], **context: Any) -> dict:
        return creator_posts.finalize(batches, reports, context, CREATOR_POSTS)

    batches = roster()
    finalize(batches, extract_batch.expand(batch=batches))


tiktok_creator_posts()
