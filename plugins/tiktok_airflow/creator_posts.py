"""The task bodies of ``tiktok_creator_posts``: one function per task, named as the task.

Each takes the task's Airflow context (and its inputs), resolves settings and the snapshot date
through :mod:`tiktok_airflow.runtime`, calls the library (selection, planning and part names from
``tiktok_engagement.selection`` and ``tiktok_engagement.plan``, the load from
``tiktok_engagement.extract``), and returns a small summary for XCom.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tiktok_airflow.extract_common import finalize as finalize_extract
from tiktok_airflow.extract_common import load_batch, load_options, probe_past_date
from tiktok_airflow.runtime import failure_policy, snapshot_date, task_settings

log = logging.getLogger(__name__)

DATASETS = ("profiles", "creator_posts")


def roster(context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Read and validate the roster and the brands file, select the ``creators`` param, plan the
    day, split in batches (the brands' accounts in batches of their own).

    For a past snapshot date, the first creator still to fetch is extracted alone first, so that
    an API that cannot answer as of the date fails this task (no retry) before any batch starts.
    """
    from tiktok_engagement.brands import is_brand_niche, tracked_creators
    from tiktok_engagement.plan import (
        DEFAULT_BATCH_SIZE,
        creator_batches,
        plan_creator_day,
        probe_creator,
    )
    from tiktok_engagement.selection import select_creators

    params = context.get("params") or {}
    fresh = load_options(context)["fresh"]
    with failure_policy():
        settings = task_settings(context)
        day = snapshot_date(context)
        wanted = list(params.get("creators") or [])
        selected = select_creators(tracked_creators(settings), wanted, what="param creators")
        plan = plan_creator_day(settings, day, selected, fresh=fresh)
        if probe_past_date("creators", settings, day, probe_creator(plan), context):
            plan = plan_creator_day(settings, day, selected, fresh=fresh)
    brand_accounts = [c for c in selected if is_brand_niche(c.niche)]
    log.info("%s", plan.summary(settings))
    if brand_accounts:
        log.info(
            "of which %d brand accounts from %s: %s",
            len(brand_accounts),
            settings.brands_file,
            ", ".join(c.username for c in brand_accounts),
        )
    size = int(params.get("batch_size") or DEFAULT_BATCH_SIZE)
    roster_part = [c for c in selected if not is_brand_niche(c.niche)]
    batches = creator_batches(roster_part, subset=bool(wanted), size=size)
    batches += creator_batches(brand_accounts, subset=bool(wanted), size=size, brands=True)
    return [
        {
            "part": batch.part,
            "creators": [{"username": c.username, "niche": c.niche} for c in batch.creators],
        }
        for batch in batches
    ]


def extract_batch(batch: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """Profiles (when due) and recent posts of one batch's creators not yet landed for the date."""
    from tiktok_engagement.config import Creator
    from tiktok_engagement.extract import extract_creators

    return load_batch(
        batch,
        context,
        items="creators",
        decode=lambda c: Creator(c["username"], c["niche"]),
        extract=extract_creators,
    )


def finalize(
    batches: Sequence[Mapping[str, Any]],
    reports: Iterable[Mapping[str, Any]],
    context: Mapping[str, Any],
    asset: Any,
) -> dict[str, Any]:
    """After every batch landed: sum up the run, emit the asset."""
    return finalize_extract(
        [b["part"] for b in batches],
        reports,
        context,
        asset,
        subset_param="creators",
        datasets=DATASETS,
        main="creator_posts",
    )
