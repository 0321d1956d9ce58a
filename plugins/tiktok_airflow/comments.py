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

from tiktok_airflow.extract_common import load_options, report_summary
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
        probe_part,
    )

    params = context.get("params") or {}
    options = load_options(context)
    with failure_policy():
        settings = task_settings(context)
        day = snapshot_date(context)
        roster = load_roster(settings.creators_file)
        planned = plan_comment_day(
            settings, day, roster, fresh=options["fresh"], run_id=options["run_id"]
        )
        probe = probe_comment_video(planned)
        if probe is not None:
            log.info("%s is not today: checking the API answers as of it", day)
            # The planning task holds one slot of the scavio_api pool: one request in flight.
            report = extract_comments(
                settings.with_overrides(max_in_flight=1),
                day,
                [probe],
                part=probe_part("comments"),
                **options,
            )
            log.info("%s", report.summary())
    log.info("%s", planned.summary(settings))
    size = int(params.get("batch_size") or DEFAULT_COMMENT_BATCH_SIZE)
    return [
        {"part": batch.part, "videos": [v.to_dict() for v in batch.videos]}
        for batch in comment_batches(planned.due, size)
    ]


def extract_batch(batch: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The comments of one batch's videos not yet sampled for the date."""
    from tiktok_engagement.comments.sampling import DueVideo
    from tiktok_engagement.extract import extract_comments

    with failure_policy():
        settings = task_settings(context, in_flight_from_pool=True)
        day = snapshot_date(context)
        videos = [DueVideo.from_dict(v) for v in batch["videos"]]
        log.info(
            "%s %s: %d videos, at most %d requests in flight",
            day,
            batch["part"],
            len(videos),
            settings.max_in_flight,
        )
        report = extract_comments(
            settings, day, videos, part=batch["part"], **load_options(context)
        )
    return report_summary(report, batch["part"])


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
    with failure_policy():
        settings = task_settings(context)
        day = snapshot_date(context)
    summary = {
        "snapshot_date": day.isoformat(),
        "parts": [b["part"] for b in batches],
        "videos": sum(len(b["videos"]) for b in batches),
        "comments_rows": sum(int(r.get("rows", {}).get("comments", 0)) for r in reports),
        "comment_scores_rows": int(scored.get("comment_scores_rows", 0)),
        "credits_used": sum(int(r.get("credits_used", 0)) for r in reports),
        "skipped": sum(int(r.get("skipped", 0)) for r in reports),
        "rejected": sum(int(r.get("rejected", 0)) for r in reports),
        "landing": f"{settings.landing_root}/comments/snapshot_date={day.isoformat()}",
    }
    if not summary["comments_rows"] and not summary["comment_scores_rows"]:
        from airflow.sdk.exceptions import AirflowSkipException

        # Nothing new for the warehouse: no asset event, so no rebuild of an unchanged date.
        log.info("nothing new landed %s", summary)
        raise AirflowSkipException(f"no comments or scores landed for {day} by this run")
    context["outlet_events"][asset].extra = {
        k: summary[k]
        for k in ("snapshot_date", "videos", "comments_rows", "comment_scores_rows", "landing")
    }
    log.info("landed %s", summary)
    return summary
