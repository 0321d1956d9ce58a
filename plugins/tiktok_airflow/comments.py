"""The task bodies of ``tiktok_comments``: one function per task, named as the task.

Each takes the task's Airflow context (and its inputs), resolves settings and the snapshot date
through :mod:`tiktok_airflow.runtime`, calls the library (the sampling plan and batches from
``tiktok_engagement.plan``, the load and the scoring step from ``tiktok_engagement.extract``), and
returns a small summary for XCom: the due videos' ids and what the rows need of them, never
comments.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tiktok_airflow.extract_common import (
    emit_asset,
    load_batch,
    load_options,
    plan_due_batches,
    run_summary,
    skip_unchanged,
    total_rows,
)
from tiktok_airflow.runtime import failure_policy, snapshot_date, task_settings

log = logging.getLogger(__name__)


def plan(context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Decide which videos the date samples (the library's policy over the landed posts), split
    them in batches (param ``batch_size``).

    For a past snapshot date, the first video still to sample is extracted alone first, so that an
    API that cannot answer as of the date fails this task (no retry) before any batch starts.
    """
    from tiktok_engagement.config import load_roster
    from tiktok_engagement.extract import extract_comments
    from tiktok_engagement.plan import (
        DEFAULT_COMMENT_BATCH_SIZE,
        comment_batches,
        plan_comment_day,
        probe_comment_video,
    )

    return plan_due_batches(
        context,
        kind="comments",
        items="videos",
        roster=lambda settings: load_roster(settings.creators_file),
        plan_day=plan_comment_day,
        probe=probe_comment_video,
        extract=extract_comments,
        batches=comment_batches,
        default_size=DEFAULT_COMMENT_BATCH_SIZE,
    )


def extract_batch(batch: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The comments of one batch's videos not yet sampled for the date."""
    from tiktok_engagement.comments.sampling import DueVideo
    from tiktok_engagement.extract import extract_comments

    return load_batch(
        batch, context, items="videos", decode=DueVideo.from_dict, extract=extract_comments
    )


def score(context: Mapping[str, Any]) -> dict[str, Any]:
    """The scoring step: score the date's landed comments that no earlier step scored."""
    from tiktok_engagement.extract import score_comments

    options = load_options(context)
    with failure_policy():
        settings = task_settings(context)
        day = snapshot_date(context)
    scored = score_comments(
        settings, day, run_id=options["run_id"], run_attempt=options["run_attempt"]
    )
    log.info("%s: scored %d comment(s) into comment_scores", day, scored)
    return {"snapshot_date": day.isoformat(), "comment_scores_rows": scored}


def finalize(
    batches: Sequence[Mapping[str, Any]],
    reports: Iterable[Mapping[str, Any]] | None,
    scored: Mapping[str, Any],
    context: Mapping[str, Any],
    asset: Any,
) -> dict[str, Any]:
    """After every batch landed and the scores: sum up the run, emit the asset (extra: the date),
    which has ``tiktok_warehouse`` build the date again with its comments. When the run landed
    neither comments nor scores, the task is skipped and emits nothing."""
    reports = list(reports or [])
    counts = {
        "videos": sum(len(b["videos"]) for b in batches),
        "comments_rows": total_rows(reports, "comments"),
        "comment_scores_rows": int(scored.get("comment_scores_rows", 0)),
    }
    summary = run_summary(context, [b["part"] for b in batches], reports, counts, main="comments")
    if not summary["comments_rows"] and not summary["comment_scores_rows"]:
        skip_unchanged(
            summary, f"no comments or scores landed for {summary['snapshot_date']} by this run"
        )
    keys = ("snapshot_date", "videos", "comments_rows", "comment_scores_rows", "landing")
    return emit_asset(context, asset, summary, keys)
