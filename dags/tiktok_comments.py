"""
### TikTok comments, daily: sample the due videos' comments, score them

Runs when both extract DAGs have landed a day (assets `tiktok://landing/creator_posts` and
`tiktok://landing/search_results`), or by hand for a date (param `snapshot_date`). The sampling
policy (`tiktok_engagement.comments.sampling`, settings `TIKTOK_COMMENTS_*`,
`TIKTOK_COMMENT_PAGES`): each video of a tracked creator's recent posts once, 48 hours to 14 days
old, one page of 50 comments; optionally each query's most-shared videos.

- **plan**: decide from the landed posts and earlier samples which videos are due, split them
  into batches (param `batch_size`); a past date is probed with one video first.
- **extract_batch** (mapped, pool `scavio_api`): land `comments` Parquet (raw JSON, lineage) in
  files of this run and try (`comments-part-<batch>__...`).
- **score**: score the date's comments not scored yet into `comment_scores`, a step of its own.
- **finalize**: emit the asset `tiktok://landing/comments` (extra: `snapshot_date`), which has
  `tiktok_warehouse` build the date again with its comments.

A retry or re-run fetches only the videos no earlier run of the date sampled (param
`fresh_capture`: the date's selection again); a video sampled on an earlier date is never due.
A 401, a 402 or a credit cap fails the task at once without retries.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import dag, task
from tiktok_airflow import comments
from tiktok_airflow import wiring as w


@dag(
    dag_id="tiktok_comments",
    schedule=w.COMMENTS_SCHEDULE,
    start_date=w.START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=w.DEFAULT_ARGS,
    params=w.comment_params(),
    tags=[*w.TAGS, "extract", "comments"],
    doc_md=__doc__,
)
def tiktok_comments() -> None:
    @task(pool=w.SCAVIO_POOL, pool_slots=1)
    def plan(**context: Any) -> list[dict]:
        return comments.plan(context)

    @task(
        pool=w.SCAVIO_POOL, pool_slots=w.EXTRACT_POOL_SLOTS, map_index_template="{{ batch.part }}"
    )
    def extract_batch(batch: dict, **context: Any) -> dict:
        return comments.extract_batch(batch, context)

    # none_failed: a day with no video due maps over nothing; the scores and the asset still run.
    @task(trigger_rule="none_failed")
    def score(reports: list[dict], **context: Any) -> dict:
        return comments.score(context)

    @task(outlets=[w.COMMENTS], trigger_rule="none_failed")
    def finalize(batches: list[dict], reports: Any, scored: dict, **context: Any) -> dict:
        return comments.finalize(batches, reports, scored, context, w.COMMENTS)

    batches: Any = plan()
    reports: Any = extract_batch.expand(batch=batches)
    finalize(batches, reports, score(reports))


tiktok_comments()
