"""What the DAG files share: assets, pools, default arguments and params.

Nothing here does I/O: the values are constants, or read from environment variables (which is
not I/O and is how a deployment tunes them). Importing this module must stay cheap, because every
DAG file imports it at parse time.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Asset, Param

from tiktok_airflow.callbacks import on_task_failure

# ---- Assets -------------------------------------------------------------------------------------
# Logical URIs, not file paths: the landing root differs between deployments (local disk, s3://...)
# and an asset's identity must not change with it. The finalize task of each extract DAG emits its
# asset with extra {"snapshot_date": "YYYY-MM-DD"}, which is how the warehouse run learns the date.
CREATOR_POSTS = Asset(name="tiktok_landing_creator_posts", uri="tiktok://landing/creator_posts")
SEARCH_RESULTS = Asset(name="tiktok_landing_search_results", uri="tiktok://landing/search_results")
# Emitted by tiktok_comments once a date's sampled comments and their scores are landed.
COMMENTS = Asset(name="tiktok_landing_comments", uri="tiktok://landing/comments")
# Emitted by tiktok_creator_graph (weekly) once a date's following lists are landed. The warehouse
# does not build on it: the graph marts are rebuilt whole by any build, and a weekly run is not
# ordered after the date's extract DAGs, so "| FOLLOWINGS" in the warehouse's schedule
# could take the first half of a date's (creator posts & search results) pair with it and leave
# the date built without the other (docs/graph.md).
FOLLOWINGS = Asset(name="tiktok_landing_followings", uri="tiktok://landing/followings")
# tiktok_comments samples the date's creator posts and, with TIKTOK_COMMENTS_TOP_QUERY_VIDEOS, the
# date's search results, so it waits for both extract DAGs: then its asset always comes after
# theirs, which the warehouse's schedule below relies on.
COMMENTS_SCHEDULE = CREATOR_POSTS & SEARCH_RESULTS
# The warehouse builds a date when both extract DAGs landed it, and again when the comments of
# the date land. A paused (or failing) tiktok_comments never holds the build back; an active one
# gets the date rebuilt with its comments and scores. Since the comments asset always follows the
# other two, the two runs of a date never swallow each other's events.
WAREHOUSE_SCHEDULE = (CREATOR_POSTS & SEARCH_RESULTS) | COMMENTS
SERVING_MARTS = Asset(name="tiktok_serving_marts", uri="tiktok://warehouse/serving")
REPORT = Asset(name="tiktok_engagement_report", uri="tiktok://report/index.html")

# ---- Pools --------------------------------------------------------------------------------------
# The plan's in-flight cap holds across the deployment: every extract task runs in this pool and
# takes as many slots as requests it may have in flight (its client's max_in_flight is set to its
# slots), so size the pool to the cap: `airflow pools set scavio_api 5 "Scavio in-flight cap"`.
SCAVIO_POOL = "scavio_api"
EXTRACT_POOL_SLOTS = int(os.environ.get("TIKTOK_EXTRACT_POOL_SLOTS", "2"))
# DuckDB allows one writing process per database file: every warehouse task runs in this one-slot
# pool (and the DAG has max_active_runs=1), so no two builds or reports ever write at once.
WAREHOUSE_POOL = "tiktok_warehouse"
# The Celery queue of the warehouse DAG's tasks. DuckDB files live on one host's disk, so a multi-host
# deployment runs every warehouse task on one designated worker (`airflow celery worker --queues
# warehouse`) by setting TIKTOK_WAREHOUSE_QUEUE=warehouse everywhere; the default is Airflow's own
# default queue, so a single-host or LocalExecutor deployment is unaffected.
WAREHOUSE_QUEUE = os.environ.get("TIKTOK_WAREHOUSE_QUEUE") or "default"

# ---- DAG defaults -------------------------------------------------------------------------------
START_DATE = pendulum.datetime(2026, 1, 1, tz="UTC")
TAGS = ["tiktok", "scavio"]

DEFAULT_ARGS = {
    "owner": "tiktok-engagement",
    "retries": 3,
    # TIKTOK_RETRY_DELAY_SECONDS: only for tests that kill workers and wait for the retry.
    "retry_delay": timedelta(seconds=int(os.environ.get("TIKTOK_RETRY_DELAY_SECONDS") or 120)),
    # multiplier: 2 min, 4 min, 8 min... capped below. Permanent errors (401, 402, bad config) raise
    # AirflowFailException and are never retried (see runtime.failure_policy).
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
    "on_failure_callback": on_task_failure,
}

SNAPSHOT_DATE_PARAM = Param(
    None,
    type=["null", "string"],
    format="date",
    title="Snapshot date",
    description="YYYY-MM-DD. Empty: the run's logical date (or, for a manual run without one, "
    "the day the run was triggered, UTC).",
)


FRESH_CAPTURE_PARAM = Param(
    False,
    type="boolean",
    title="Fresh capture",
    description="Fetch again items an earlier run of the date already landed (a later capture, "
    "which the warehouse then prefers). Off: fetch only what is missing.",
)


def creator_params() -> dict[str, Param]:
    return {
        "snapshot_date": SNAPSHOT_DATE_PARAM,
        "fresh_capture": FRESH_CAPTURE_PARAM,
        "creators": Param(
            [],
            type="array",
            items={"type": "string"},
            title="Only these creators",
            description="Roster handles, or brand handles of the brands file, to run for (e.g. "
            "maya.lifts). Empty: the whole roster and every brand account.",
        ),
        "batch_size": Param(
            25, type="integer", minimum=1, maximum=1000, title="Creators per mapped task"
        ),
    }


def search_params() -> dict[str, Param]:
    return {
        "snapshot_date": SNAPSHOT_DATE_PARAM,
        "fresh_capture": FRESH_CAPTURE_PARAM,
        "queries": Param(
            [],
            type="array",
            items={"type": "string"},
            title="Only these queries",
            description="Query texts from the query file or the brands file's keywords and "
            "hashtags (a hashtag with or without '#', or 'keyword:home workout' / 'hashtag:gym' "
            "to name the type). Empty: every query.",
        ),
    }


def comment_params() -> dict[str, Param]:
    return {
        "snapshot_date": SNAPSHOT_DATE_PARAM,
        "fresh_capture": Param(
            False,
            type="boolean",
            title="Fresh capture",
            description="Sample again the date's due videos an earlier run of the date already "
            "sampled (videos sampled on earlier dates are never due again). Off: fetch only what "
            "is missing.",
        ),
        "batch_size": Param(
            50, type="integer", minimum=1, maximum=1000, title="Videos per mapped task"
        ),
    }


def graph_params() -> dict[str, Param]:
    return {
        "snapshot_date": SNAPSHOT_DATE_PARAM,
        "fresh_capture": Param(
            False,
            type="boolean",
            title="Fresh capture",
            description="Fetch again the date's due creators an earlier run of the date already "
            "fetched (who is due is decided from earlier dates only). Off: fetch only what is "
            "missing.",
        ),
        "creators": Param(
            [],
            type="array",
            items={"type": "string"},
            title="Only these creators",
            description="Roster handles to run for (e.g. maya.lifts). Empty: the whole roster.",
        ),
        "batch_size": Param(
            10, type="integer", minimum=1, maximum=1000, title="Creators per mapped task"
        ),
    }


def warehouse_params() -> dict[str, Param]:
    return {"snapshot_date": SNAPSHOT_DATE_PARAM}
