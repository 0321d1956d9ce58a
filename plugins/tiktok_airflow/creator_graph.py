"""The task bodies of ``tiktok_creator_graph``: one function per task, named as the task.

Each takes the task's Airflow context (and its inputs), resolves settings and the snapshot date
through :mod:`tiktok_airflow.runtime`, calls the library (the graph policy and batches from
``tiktok_engagement.plan``, the load from ``tiktok_engagement.extract``), and returns a small
summary for XCom: the due creators and what their fetch needs, never followed accounts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tiktok_airflow.extract_common import load_options, report_summary
from tiktok_airflow.runtime import failure_policy, snapshot_date, task_settings

log = logging.getLogger(__name__)


def plan(context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Decide which roster creators are due (backfill once, then page 1 every
    ``TIKTOK_FOLLOWINGS_REFRESH_DAYS``), select the ``creators`` param, split in batches (param
    ``batch_size``).

    For a past snapshot date, the first creator still to fetch is fetched alone first, so that an
    API that cannot answer as of the date fails this task (no retry) before any batch starts.
    """
    from tiktok_engagement.config import load_roster
    from tiktok_engagement.extract import extract_followings
    from tiktok_engagement.plan import (
        DEFAULT_FOLLOWING_BATCH_SIZE,
        following_batches,
        plan_following_day,
        probe_following_creator,
        probe_part,
    )
    from tiktok_engagement.selection import select_creators

    params = context.get("params") or {}
    options = load_options(context)
    with failure_policy():
        settings = task_settings(context)
        day = snapshot_date(context)
        roster = select_creators(
            load_roster(settings.creators_file), params.get("creators") or [], what="creators"
        )
        planned = plan_following_day(
            settings, day, roster, fresh=options["fresh"], run_id=options["run_id"]
        )
        probe = probe_following_creator(planned)
        if probe is not None:
            log.info("%s is not today: checking the API answers as of it", day)
            # The planning task holds one slot of the scavio_api pool: one request in flight.
            report = extract_followings(
                settings.with_overrides(max_in_flight=1),
                day,
                [probe],
                part=probe_part("followings"),
                **options,
            )
            log.info("%s", report.summary())
    log.info("%s", planned.summary(settings))
    size = int(params.get("batch_size") or DEFAULT_FOLLOWING_BATCH_SIZE)
    return [
        {"part": batch.part, "creators": [c.to_dict() for c in batch.creators]}
        for batch in following_batches(planned.due, size)
    ]


def extract_batch(batch: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The following lists of one batch's creators not yet fetched for the date."""
    from tiktok_engagement.extract import extract_followings
    from tiktok_engagement.graph.sampling import DueCreator

    with failure_policy():
        settings = task_settings(context, in_flight_from_pool=True)
        day = snapshot_date(context)
        creators = [DueCreator.from_dict(c) for c in batch["creators"]]
        log.info(
            "%s %s: %d creators, at most %d pages, %d requests in flight",
            day,
            batch["part"],
            len(creators),
            sum(c.pages for c in creators),
            settings.max_in_flight,
        )
        report = extract_followings(
            settings, day, creators, part=batch["part"], **load_options(context)
        )
    return report_summary(report, batch["part"])


def finalize(
    batches: Sequence[Mapping[str, Any]],
    reports: Iterable[Mapping[str, Any]] | None,
    context: Mapping[str, Any],
    asset: Any,
) -> dict[str, Any]:
    """After every batch landed: sum up the run and emit the asset (extra: the date). When the
    run landed no followings (nobody due, or all landed before), the task is skipped and emits
    nothing."""
    reports = list(reports or [])
    with failure_policy():
        settings = task_settings(context)
        day = snapshot_date(context)
    summary = {
        "snapshot_date": day.isoformat(),
        "parts": [b["part"] for b in batches],
        "creators": sum(len(b["creators"]) for b in batches),
        "backfills": sum(c["mode"] == "backfill" for b in batches for c in b["creators"]),
        "followings_rows": sum(int(r.get("rows", {}).get("followings", 0)) for r in reports),
        "credits_used": sum(int(r.get("credits_used", 0)) for r in reports),
        "skipped": sum(int(r.get("skipped", 0)) for r in reports),
        "rejected": sum(int(r.get("rejected", 0)) for r in reports),
        "landing": f"{settings.landing_root}/followings/snapshot_date={day.isoformat()}",
    }
    if not summary["followings_rows"]:
        from airflow.sdk.exceptions import AirflowSkipException

        log.info("nothing new landed %s", summary)
        raise AirflowSkipException(f"no followings landed for {day} by this run")
    context["outlet_events"][asset].extra = {
        k: summary[k] for k in ("snapshot_date", "creators", "followings_rows", "landing")
    }
    log.info("landed %s", summary)
    return summary
