"""The task bodies of ``tiktok_warehouse``: one function per task, named as the task.

- :func:`plan`: the snapshot date of the run, and the other dates its asset events announced.
- :func:`build`: the library's build of that date (``tiktok_engagement.warehouse.build_snapshot``,
  the one the CLI and the demo run: build lock, test scope, ``dbt build`` in a child process,
  exports check, publish), after checking that something was landed for the date.
- :func:`report`: the HTML report from the published serving database.

They read storage settings only (``runtime.storage_settings``), never the Scavio connection.
Library imports happen inside the functions, so importing this module while parsing a DAG file
costs nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

from tiktok_airflow.runtime import asset_event_dates, failure_policy, snapshot_date
from tiktok_airflow.runtime import storage_settings as _storage_settings

log = logging.getLogger(__name__)

# The datasets whose files for a date mean the extract DAGs ran for it.
_MAIN_DATASETS = ("creator_posts", "search_results")


def plan(context: Mapping[str, Any]) -> dict[str, Any]:
    """The date this run builds, and the other dates waiting for a build.

    An asset-triggered run can carry events for several dates (e.g. after a backfill of the
    extract DAGs); it builds the latest and returns the others, for which ``queue_other_dates``
    triggers one run each (``max_active_runs=1`` runs them one after the other).
    """
    with failure_policy():
        day = snapshot_date(context)
    params = context.get("params") or {}
    others = (
        [] if params.get("snapshot_date") else [d for d in asset_event_dates(context) if d != day]
    )
    if others:
        log.info(
            "asset events also announced %s: queueing one run per date",
            [d.isoformat() for d in others],
        )
    return {
        "snapshot_date": day.isoformat(),
        # TriggerDagRunOperator kwargs, one run per other date; the run id is deterministic, so a
        # re-run of this run does not queue the same date twice (skip_when_already_exists).
        "other_dates": [
            {
                "conf": {"snapshot_date": d.isoformat()},
                "trigger_run_id": f"snapshot_{d.isoformat()}__from__{context['run_id']}",
            }
            for d in others
        ],
    }


def build(planned: Mapping[str, Any], context: Mapping[str, Any], asset: Any) -> dict[str, Any]:
    """Build and publish the planned date; log dbt's per-node results; return a summary.

    A date for which neither extract DAG landed anything fails at once (no retry), naming the
    partitions, instead of building empty marts. A failing model or test fails the task with
    dbt's messages and publishes nothing; Airflow retries it like any other error.
    """
    from tiktok_engagement.config import ConfigError
    from tiktok_engagement.landing import Landing
    from tiktok_engagement.warehouse import build_snapshot

    with failure_policy():
        storage = _storage_settings()
        day = date.fromisoformat(planned["snapshot_date"])
        landing = Landing(storage.landing_root)
        files = {ds: len(landing.files(ds, day)) for ds in _MAIN_DATASETS}
        if not any(files.values()):
            raise ConfigError(
                f"nothing landed for {day}: no files under "
                f"{landing.partition_dir('creator_posts', day)} nor "
                f"{landing.partition_dir('search_results', day)}; run tiktok_creator_posts and "
                "tiktok_search_trends for that date first"
            )
    log.info("%s: landing files %s", day, files)
    result = build_snapshot(storage, day, quiet=True)
    for node in result.dbt.nodes:
        log.info(
            "dbt %-6s %-10s %6.2f s  %s",
            node.resource_type,
            node.status,
            node.execution_time,
            node.unique_id,
        )
    summary = result.summary()
    context["outlet_events"][asset].extra = {
        "snapshot_date": summary["snapshot_date"],
        "serving": summary["serving"],
        "build_id": summary["build_id"],
        "row_counts": summary["row_counts"],
    }
    log.info(
        "published %s: %d models, %d tests, %d failures; timings %s; slowest %s",
        summary["serving"],
        summary["models"],
        summary["tests"],
        summary["failures"],
        summary["timings"],
        summary["slowest"],
    )
    return summary


def report(built: Mapping[str, Any], context: Mapping[str, Any], asset: Any) -> str:
    """Write ``<TIKTOK_DATA_DIR>/report/index.html`` from the published serving database."""
    from tiktok_engagement.report import write_report

    with failure_policy():
        storage = _storage_settings()
        day = date.fromisoformat(built["snapshot_date"])
    path = write_report(built["serving"], storage.report_dir / "index.html", day)
    context["outlet_events"][asset].extra = {"snapshot_date": day.isoformat(), "path": str(path)}
    log.info("report written to %s", path)
    return str(path)
