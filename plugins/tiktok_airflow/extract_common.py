"""What the extract DAGs' adapters share: lineage options, a load's XCom summary, the past-date
probe, a mapped batch's load, the planning of the mapped-batch DAGs (comments, creator graph) and
the finalize step.

Every extract task is a load of the library (``tiktok_engagement.extract``): it lands files of its
own, named by its part, the run id and the try number, beside what earlier runs and tries landed;
nothing is ever pruned or replaced, and the warehouse picks the latest capture per grain. Planning,
part names and the probe decision are the library's (``tiktok_engagement.plan``); this module only
turns the Airflow context into their arguments. Library imports happen inside the functions, so
importing it while parsing a DAG file costs nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
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


def _probe(
    kind: str,
    extract: Callable[..., ExtractionReport],
    settings: Settings,
    day: date,
    item: Any,
    context: Mapping[str, Any],
) -> None:
    from tiktok_engagement.plan import probe_part

    # The planning task holds one slot of the scavio_api pool: one request in flight at most.
    report = extract(
        settings.with_overrides(max_in_flight=1),
        day,
        [item],
        part=probe_part(kind),
        **load_options(context),
    )
    log.info("%s", report.summary())


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

    log.info("%s is not today (%s UTC): checking the API answers as of it", day, today_utc())
    extract = extract_creators if isinstance(item, Creator) else extract_searches
    _probe(kind, extract, settings, day, item, context)
    return True


def plan_due_batches(
    context: Mapping[str, Any],
    *,
    kind: str,
    items: str,
    roster: Callable[[Settings], Sequence[Creator]],
    plan_day: Callable[..., Any],
    probe: Callable[[Any], Any],
    extract: Callable[..., ExtractionReport],
    batches: Callable[[Sequence[Any], int], Sequence[Any]],
    default_size: int,
) -> list[dict[str, Any]]:
    """The planning task of a DAG that maps over batches of due items (videos, creators): plan the
    date for the ``roster``, probe a past date, split the due items in batches (param
    ``batch_size``), each ``{"part": ..., items: [...]}``.

    ``kind`` is the load kind (the probe's part name), ``items`` the batches' attribute and the
    XCom key. For a past snapshot date the first item still to fetch is extracted alone first, so
    that an API that cannot answer as of the date fails this task (no retry) before any batch
    starts.
    """
    params = context.get("params") or {}
    options = load_options(context)
    with failure_policy():
        settings = task_settings(context)
        day = snapshot_date(context)
        planned = plan_day(
            settings, day, roster(settings), fresh=options["fresh"], run_id=options["run_id"]
        )
        first = probe(planned)
        if first is not None:
            log.info("%s is not today: checking the API answers as of it", day)
            _probe(kind, extract, settings, day, first, context)
    log.info("%s", planned.summary(settings))
    size = int(params.get("batch_size") or default_size)
    return [
        {"part": batch.part, items: [item.to_dict() for item in getattr(batch, items)]}
        for batch in batches(planned.due, size)
    ]


def load_batch(
    batch: Mapping[str, Any],
    context: Mapping[str, Any],
    *,
    items: str,
    decode: Callable[[Mapping[str, Any]], Any],
    extract: Callable[..., ExtractionReport],
    pages: Callable[[Any], int] | None = None,
) -> dict[str, Any]:
    """A mapped task's load of one batch (``batch[items]``, each item made by ``decode``), with as
    many requests in flight as the task holds slots of its pool; ``pages``, when an item's page
    bound varies, has the log line say the batch's."""
    with failure_policy():
        settings = task_settings(context, in_flight_from_pool=True)
        day = snapshot_date(context)
        decoded = [decode(item) for item in batch[items]]
        bound = f"{sum(pages(i) for i in decoded)} pages, " if pages else ""
        log.info(
            "%s %s: %d %s, at most %s%d requests in flight",
            day,
            batch["part"],
            len(decoded),
            items,
            bound,
            settings.max_in_flight,
        )
        report = extract(settings, day, decoded, part=batch["part"], **load_options(context))
    return report_summary(report, batch["part"])


def total_rows(reports: Iterable[Mapping[str, Any]], dataset: str) -> int:
    """The rows of ``dataset`` the loads' XCom summaries say they landed."""
    return sum(int(r.get("rows", {}).get(dataset, 0)) for r in reports)


def run_summary(
    context: Mapping[str, Any],
    parts: Sequence[str],
    reports: Sequence[Mapping[str, Any]],
    counts: Mapping[str, Any],
    *,
    main: str,
) -> dict[str, Any]:
    """What a finalize task returns: the date, the parts, the DAG's own ``counts``, the loads'
    credits, skips and rejects, and the landing path of ``main`` (the dataset the asset stands
    for)."""
    with failure_policy():
        settings = task_settings(context)
        day = snapshot_date(context)
    return {
        "snapshot_date": day.isoformat(),
        "parts": list(parts),
        **counts,
        "credits_used": sum(int(r.get("credits_used", 0)) for r in reports),
        "skipped": sum(int(r.get("skipped", 0)) for r in reports),
        "rejected": sum(int(r.get("rejected", 0)) for r in reports),
        "landing": f"{settings.landing_root}/{main}/snapshot_date={day.isoformat()}",
    }


def skip_unchanged(summary: Mapping[str, Any], reason: str) -> None:
    """Skip the finalize task: nothing new for the warehouse, so no asset event and no rebuild of
    an unchanged date."""
    from airflow.sdk.exceptions import AirflowSkipException

    log.info("nothing new landed %s", summary)
    raise AirflowSkipException(reason)


def emit_asset(
    context: Mapping[str, Any], asset: Any, summary: dict[str, Any], keys: Sequence[str]
) -> dict[str, Any]:
    """Emit ``asset`` with ``keys`` of the run's summary as its extra; return the summary."""
    context["outlet_events"][asset].extra = {k: summary[k] for k in keys}
    log.info("landed %s", summary)
    return summary


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
    counts = {
        "subset": bool(params.get(subset_param)),
        **{f"{dataset}_rows": total_rows(reports, dataset) for dataset in datasets},
    }
    summary = run_summary(context, parts, reports, counts, main=main)
    return emit_asset(
        context, asset, summary, ("snapshot_date", "subset", f"{main}_rows", "landing")
    )
