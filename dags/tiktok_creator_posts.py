"""
### TikTok creator posts, daily

For each creator on the roster (`include/creators.csv`, or `TIKTOK_CREATORS_FILE`): resolve the
handle to a `sec_uid` once, refresh the profile (followers) every `TIKTOK_PROFILE_REFRESH_DAYS`,
and fetch the recent posts, all through the Scavio API (connection `scavio_default`).

- **roster**: validate the roster (a bad row fails the run naming the file and line), plan the
  day's requests and credits, split the roster into batches (param `batch_size`).
- **extract_batch** (mapped, one per batch, pool `scavio_api`): land `profiles` and `creator_posts`
  Parquet for the snapshot date as `part-<batch>`; the client's in-flight limit is the task's
  pool slots, so the pool's size is the in-flight cap of the whole deployment.
- **finalize**: prune parts of the date left by an earlier batching, then emit the asset
  `tiktok://landing/creator_posts` (extra: `snapshot_date`), which schedules `tiktok_warehouse`.

The snapshot date is the run's logical date (or the `snapshot_date` param; see
`tiktok_airflow.runtime`). Re-running a date replaces its files. A 401 or 402 fails the task at
once without retries; other errors retry with exponential backoff. Param `creators` runs a subset.
"""

from __future__ import annotations

from airflow.sdk import dag, task
from tiktok_airflow import tasks
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
def tiktok_creator_posts():
    @task
    def roster(**context) -> list[dict]:
        return tasks.creator_batches(context)

    @task(pool=SCAVIO_POOL, pool_slots=EXTRACT_POOL_SLOTS, map_index_template="{{ batch.part }}")
    def extract_batch(batch: dict, **context) -> dict:
        return tasks.extract_creator_batch(batch, context)

    @task(outlets=[CREATOR_POSTS])
    def finalize(batches: list[dict], reports: list[dict], **context) -> dict:
        return tasks.finalize_creators(batches, reports, context, CREATOR_POSTS)

    batches = roster()
    finalize(batches, extract_batch.expand(batch=batches))


tiktok_creator_posts()
