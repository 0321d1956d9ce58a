"""What the two extract DAGs' adapters share: lineage options, a load's XCom summary, the
past-date probe and the finalize step.

Every extract task is a load of the library (``tiktok_engagement.extract``): it lands files of its
own, named by its part, the run id and the try number, beside what earlier runs and tries landed;
nothing is ever pruned or replaced, and the warehouse picks the latest capture per grain. Planning,
part names and the probe decision are the library's (``tiktok_engagement.plan``); this module only
turns the Airflow context into their arguments. Library imports happen inside the functions, so
importing it while parsing a DAG file costs nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from tiktok_airflow.runtime import failure_policy, snapshot_date, task_settings

if TYPE_CHECKING:
    from tiktok_engagement.config import Creator, Query, Settings
    from tiktok_engagement.extract import ExtractionReport

log = logging.getLogger(__name__)


def load_options(context: Mapping[str, Any]) -> dict[str, Any]:
    """The lineage and capture options every extract task passes to the library.

    ``fresh`` is None unless the ``fresh_capture`` param is on, so that the library then falls
    back to ``TIKTOK_FRESH_CAPTURE``.
    """
    params = context.get("params") or {}
    ti = context.get("ti")
    return {
        "run_id": context["run_id"],
        "run_attempt": int(getattr(ti, "try_number", 1) or 1),
        "fresh": bool(params.get("fresh_capture")) or None,
    }


def report_summary(report: ExtractionReport, part: str) -> dict[str, Any]:
    """Log a load's summary and return what goes to XCom: counts and paths, no data."""
    log.info("%s", report.summary())
    return {
        "part": part,
        "load_id": report.load_id,
        "outcome": report.outcome,
        "skipped": len(report.already_landed),
        "rejected": sum(report.rejected.values()),
        "snapshot_date": report.snapshot_date.isoformat(),
        "rows": dict(report.rows),
        "files": dict(report.files),
        "requests": report.requests,
        "credits_used": report.credits_used,
        "not_found": list(report.not_found),
    }


def probe_past_date(
    kind: str,
    settings: Settings,
    day: date,
    item: Creator | Query | None,
    context: Mapping[str, Any],
) -> bool:
    """Extract ``item`` alone (the library's probe decision) so that a past date the API cannot
    answer as of fails the planning task, before any mapped task starts. True when it probed."""
    if item is None:
        return False
    from tiktok_engagement.config import Creator
    from tiktok_engagement.extract import extract_creators, extract_searches, today_utc
    from tiktok_engagement.plan import probe_part

    log.info("%s is not today (%s UTC): checking the API answers as of it", day, today_utc())
    part = probe_part(kind)
    # The planning task holds one slot of the scavio_api pool: one request in flight at most.
    settings = settings.with_overrides(max_in_flight=1)
    if isinstance(item, Creator):
        report = extract_creators(settings, day, [item], part=part, **load_options(context))
    else:
        report = extract_searches(settings, day, [item], part=part, **load_options(context))
    log.info("%s", report.summary())
    return True


def _total_rows(reports: Iterable[Mapping[str, Any]], dataset: str) -> int:
    return sum(int(r.get("rows", {}).get(dataset, 0)) for r in reports)


def finalize(
    parts: Sequence[str],
    reports: Iterable[Mapping[str, Any]],
    context: Mapping[str, Any],
    asset: Any,
    *,
    subset_param: str,
    datasets: Sequence[str],
    main: str,
) -> dict[str, Any]:
    """After every part of an extract DAG landed: sum up the run and emit the asset.

    Nothing is pruned: the landing zone keeps every load's files. ``main`` is the dataset the asset
    stands for; its extra carries the snapshot date, which is how the warehouse run learns it.
    """
    params = context.get("params") or {}
    reports = list(reports)
    with failure_policy():
        settings = task_settings(context)
        day = snapshot_date(context)
    subset = bool(params.get(subset_param))
    summary = {
        "snapshot_date": day.isoformat(),
        "parts": list(parts),
        "subset": subset,
        **{f"{dataset}_rows": _total_rows(reports, dataset) for dataset in datasets},
        "credits_used": sum(int(r.get("credits_used", 0)) for r in reports),
        "skipped": sum(int(r.get("skipped", 0)) for r in reports),
        "rejected": sum(int(r.get("rejected", 0)) for r in reports),
        "landing": f"{settings.landing_root}/{main}/snapshot_date={day.isoformat()}",
    }
    context["outlet_events"][asset].extra = {
        k: summary[k] for k in ("snapshot_date", "subset", f"{main}_rows", "landing")
    }
    log.info("landed %s", summary)
    return summary
