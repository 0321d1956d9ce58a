"""The task bodies of ``tiktok_creator_graph``: one function per task, named as the task.

Each takes the task's Airflow context (and its inputs), resolves settings and the snapshot date
through :mod:`tiktok_airflow.runtime`, calls the library (the graph policy and batches from
``tiktok_engagement.plan``, the load from ``tiktok_engagement.extract``), and returns a small
summary for XCom: the due creators and what their fetch needs, never followed accounts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tiktok_airflow.extract_common import (
    emit_asset,
    load_batch,
    plan_due_batches,
    run_summary,
    skip_unchanged,
    total_rows,
)


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
    )
    from tiktok_engagement.selection import select_creators

    wanted = (context.get("params") or {}).get("creators") or []
    return plan_due_batches(
        context,
        kind="followings",
        items="creators",
        roster=lambda settings: select_creators(
            load_roster(settings.creators_file), wanted, what="creators"
        ),
        plan_day=plan_following_day,
        probe=probe_following_creator,
        extract=extract_followings,
        batches=following_batches,
        default_size=DEFAULT_FOLLOWING_BATCH_SIZE,
    )


def extract_batch(batch: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The following lists of one batch's creators not yet fetched for the date."""
    from tiktok_engagement.extract import extract_followings
    from tiktok_engagement.graph.sampling import DueCreator

    return load_batch(
        batch,
        context,
        items="creators",
        decode=DueCreator.from_dict,
        extract=extract_followings,
        pages=lambda creator: creator.pages,
    )


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
    counts = {
        "creators": sum(len(b["creators"]) for b in batches),
        "backfills": sum(c["mode"] == "backfill" for b in batches for c in b["creators"]),
        "followings_rows": total_rows(reports, "followings"),
    }
    parts = [b["part"] for b in batches]
    summary = run_summary(context, parts, reports, counts, main="followings")
    if not summary["followings_rows"]:
        skip_unchanged(summary, f"no followings landed for {summary['snapshot_date']} by this run")
    keys = ("snapshot_date", "creators", "followings_rows", "landing")
    return emit_asset(context, asset, summary, keys)
