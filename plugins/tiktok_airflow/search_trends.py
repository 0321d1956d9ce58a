"""The task bodies of ``tiktok_search_trends``: one function per task, named as the task.

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
from tiktok_airflow.extract_common import load_options, probe_past_date, report_summary
from tiktok_airflow.runtime import failure_policy, snapshot_date, task_settings

log = logging.getLogger(__name__)

DATASETS = ("hashtags", "search_results")


def queries(context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Read and validate the query file and the brands file (whose keywords and hashtags are
    tracked searches too), select the ``queries`` param, plan the day; one item per query to map
    over.

    For a past snapshot date, the first query still to fetch is extracted alone first, so that an
    API that cannot answer as of the date fails this task (no retry) before any query starts.
    """
    from tiktok_engagement.brands import tracked_queries
    from tiktok_engagement.plan import plan_search_day, probe_query, search_part
    from tiktok_engagement.selection import select_queries

    params = context.get("params") or {}
    fresh = load_options(context)["fresh"]
    with failure_policy():
        settings = task_settings(context)
        day = snapshot_date(context)
        selected = select_queries(
            tracked_queries(settings), params.get("queries") or [], what="param queries"
        )
        plan = plan_search_day(settings, day, selected, fresh=fresh)
        if probe_past_date("searches", settings, day, probe_query(plan), context):
            plan = plan_search_day(settings, day, selected, fresh=fresh)
    log.info("%s", plan.summary(settings))
    return [
        {"part": search_part(q), "query": q.query, "query_type": q.query_type, "pages": q.pages}
        for q in selected
    ]


def extract_query(item: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """One keyword search or hashtag lookup + listing, paged, unless already landed for the date."""
    from tiktok_engagement.config import Query
    from tiktok_engagement.extract import extract_searches

    with failure_policy():
        settings = task_settings(context, in_flight_from_pool=True)
        day = snapshot_date(context)
        query = Query(item["query"], item["query_type"], item.get("pages"))
        report = extract_searches(
            settings, day, [query], part=item["part"], **load_options(context)
        )
    return report_summary(report, item["part"])


def finalize(
    items: Sequence[Mapping[str, Any]],
    reports: Iterable[Mapping[str, Any]],
    context: Mapping[str, Any],
    asset: Any,
) -> dict[str, Any]:
    """After every query landed: sum up the run, emit the asset."""
    return finalize_extract(
        [i["part"] for i in items],
        reports,
        context,
        asset,
        subset_param="queries",
        datasets=DATASETS,
        main="search_results",
    )
