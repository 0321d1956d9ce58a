"""The bodies of the DAGs' tasks: one function per task, called from a one-line ``@task``.

Each function takes the task's Airflow context (and its inputs), resolves settings and the
snapshot date through :mod:`tiktok_airflow.runtime`, calls the library, and returns a small summary
(paths, counts) for XCom. Library imports happen inside the functions, so importing this module
while parsing a DAG file costs nothing.

Part names are deterministic, so a retried or re-run task replaces its own files:

- creators, whole roster: ``part-<batch:04d>``; a run for a subset of creators (the ``creators``
  param): ``subset-<digest of the handles>-<batch:04d>``, so it can never overwrite a batch of the
  full roster. Only a whole-roster run prunes the date's other parts (left over from a different
  batching); a subset run adds to the date and prunes nothing.
- searches: one mapped task per query, part ``search-<type>-<slug>-<digest>``; the same name in a
  full run and in a subset run, so a subset run re-fetches exactly that query's file.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tiktok_airflow.runtime import failure_policy, snapshot_date, task_settings

if TYPE_CHECKING:
    from tiktok_engagement.config import Creator, Query
    from tiktok_engagement.extract import ExtractionReport
    from tiktok_engagement.landing import Landing

log = logging.getLogger(__name__)

CREATOR_DATASETS = ("profiles", "creator_posts")
SEARCH_DATASETS = ("hashtags", "search_results")


def _digest(text: str, length: int = 8) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:length]


# ---- selection from params ------------------------------------------------------------------------


def select_creators(roster: Sequence[Creator], wanted: Iterable[str]) -> list[Creator]:
    """The roster rows named in ``wanted`` (handles, with or without @); all rows when empty."""
    from tiktok_engagement.config import ConfigError

    names = [w.strip().removeprefix("@") for w in wanted if w and w.strip()]
    if not names:
        return list(roster)
    by_name = {c.username.lower(): c for c in roster}
    missing = [n for n in names if n.lower() not in by_name]
    if missing:
        raise ConfigError(f"param creators: {', '.join(map(repr, missing))} not on the roster")
    return [by_name[n.lower()] for n in dict.fromkeys(n.lower() for n in names)]


def select_queries(queries: Sequence[Query], wanted: Iterable[str]) -> list[Query]:
    """The query rows named in ``wanted`` (``text``, ``#tag``, ``type:text``); all when empty."""
    from tiktok_engagement.config import QUERY_TYPES, ConfigError

    selected: list[Query] = []
    for raw in (w.strip() for w in wanted if w and w.strip()):
        kind, _, text = raw.partition(":")
        if kind.lower() in QUERY_TYPES and text:
            matches = [q for q in queries if q.query_type == kind.lower()]
        elif raw.startswith("#"):
            matches, text = [q for q in queries if q.query_type == "hashtag"], raw[1:]
        else:
            matches, text = list(queries), raw
        found = [q for q in matches if q.query.lower() == text.strip().lower()]
        if not found:
            raise ConfigError(f"param queries: {raw!r} is not in the query file")
        selected.extend(q for q in found if q not in selected)
    return selected or list(queries)


def search_part(query: Query) -> str:
    """Deterministic part name of one query's files (readable slug + digest of the exact text)."""
    slug = re.sub(r"[^a-z0-9]+", "-", query.query.lower()).strip("-")[:40] or "q"
    return f"search-{query.query_type}-{slug}-{_digest(f'{query.query_type}:{query.query}')}"


# ---- pruning --------------------------------------------------------------------------------------


def prune_date(
    landing: Landing, day: date, datasets: Sequence[str], parts: Sequence[str], ledger_kind: str
) -> list[str]:
    """Delete the date's files of ``datasets`` that are not among ``parts``; same for the ledger.

    The ledger partition is shared by both extract DAGs (``creators-<part>``, ``searches-<part>``),
    so only files of this DAG's ``ledger_kind`` are candidates there.
    """
    removed: list[str] = []
    for dataset in datasets:
        removed += landing.prune(dataset, day, parts)
    prefix = f"{ledger_kind}-"
    others = [
        name
        for name in (
            path.rsplit("/", 1)[-1].removesuffix(".parquet")
            for path in landing.files("request_ledger", day)
        )
        if not name.startswith(prefix)
    ]
    removed += landing.prune("request_ledger", day, [*others, *(prefix + p for p in parts)])
    for path in removed:
        log.info("pruned stale part %s", path)
    return removed


def _report_summary(report: ExtractionReport, part: str) -> dict[str, Any]:
    log.info("%s", report.summary())
    return {
        "part": part,
        "snapshot_date": report.snapshot_date.isoformat(),
        "rows": dict(report.rows),
        "files": dict(report.files),
        "requests": report.requests,
        "credits_used": report.credits_used,
        "not_found": list(report.not_found),
    }


def _total_rows(reports: Iterable[Mapping[str, Any]], dataset: str) -> int:
    return sum(int(r.get("rows", {}).get(dataset, 0)) for r in reports)


# ---- tiktok_creator_posts ---------------------------------------------------------------------------


def creator_batches(context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Read and validate the roster, plan the day (who needs a profile request), split in batches."""
    from tiktok_engagement.config import load_roster
    from tiktok_engagement.extract import estimate_credits, plan_creators
    from tiktok_engagement.landing import Landing

    params = context.get("params") or {}
    with failure_policy():
        settings = task_settings(context)
        day = snapshot_date(context)
        roster = load_roster(settings.creators_file)
        wanted = list(params.get("creators") or [])
        roster = select_creators(roster, wanted)
        plans = plan_creators(
            Landing(settings.landing_root), roster, day, settings.profile_refresh_days
        )
    resolve = sum(p.sec_uid is None for p in plans)
    refresh = sum(p.refresh_profile and p.sec_uid is not None for p in plans)
    credits = estimate_credits(plans, (), settings.search_pages)
    log.info(
        "%s: %d creators from %s; %d to resolve, %d profiles to refresh, %d posts requests; "
        "at most %d credits ($%.3f)",
        day,
        len(roster),
        settings.creators_file,
        resolve,
        refresh,
        len(plans),
        credits,
        credits * settings.price_per_credit,
    )
    size = int(params.get("batch_size") or 25)
    prefix = (
        f"subset-{_digest(','.join(sorted(c.username.lower() for c in roster)))}"
        if wanted
        else "part"
    )
    return [
        {
            "part": f"{prefix}-{index:04d}",
            "creators": [
                {"username": c.username, "niche": c.niche} for c in roster[start : start + size]
            ],
        }
        for index, start in enumerate(range(0, len(roster), size))
    ]


def extract_creator_batch(batch: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """Profiles (when due) and recent posts of one batch, landed as the batch's part."""
    from tiktok_engagement.config import Creator
    from tiktok_engagement.extract import extract_creators

    with failure_policy():
        settings = task_settings(context, in_flight_from_pool=True)
        day = snapshot_date(context)
        roster = [Creator(c["username"], c["niche"]) for c in batch["creators"]]
        log.info(
            "%s %s: %d creators, at most %d requests in flight",
            day,
            batch["part"],
            len(roster),
            settings.max_in_flight,
        )
        report = extract_creators(
            settings, day, roster, part=batch["part"], run_id=context["run_id"]
        )
    return _report_summary(report, batch["part"])


def _finalize(
    parts: Sequence[str],
    reports: Iterable[Mapping[str, Any]],
    context: Mapping[str, Any],
    asset: Any,
    *,
    subset_param: str,
    datasets: Sequence[str],
    main: str,
    kind: str,
) -> dict[str, Any]:
    """After every part of an extract DAG landed: prune the date's stale parts, emit the asset.

    Parts are pruned only after a whole-list run: a run for a subset (``subset_param``) leaves the
    other parts of the date alone. ``main`` is the dataset the asset stands for.
    """
    from tiktok_engagement.landing import Landing

    params = context.get("params") or {}
    reports = list(reports)
    with failure_policy():
        settings = task_settings(context)
        day = snapshot_date(context)
    subset = bool(params.get(subset_param))
    landing = Landing(settings.landing_root)
    removed = [] if subset else prune_date(landing, day, datasets, list(parts), kind)
    summary = {
        "snapshot_date": day.isoformat(),
        "parts": list(parts),
        "subset": subset,
        **{f"{dataset}_rows": _total_rows(reports, dataset) for dataset in datasets},
        "credits_used": sum(int(r.get("credits_used", 0)) for r in reports),
        "pruned": removed,
        "landing": f"{settings.landing_root}/{main}/snapshot_date={day.isoformat()}",
    }
    context["outlet_events"][asset].extra = {
        k: summary[k] for k in ("snapshot_date", "subset", f"{main}_rows", "landing")
    }
    log.info("landed %s", summary)
    return summary


def finalize_creators(
    batches: Sequence[Mapping[str, Any]],
    reports: Iterable[Mapping[str, Any]],
    context: Mapping[str, Any],
    asset: Any,
) -> dict[str, Any]:
    """After every batch landed: prune stale parts of the date (whole-roster runs), emit the asset."""
    parts = [b["part"] for b in batches]
    return _finalize(
        parts,
        reports,
        context,
        asset,
        subset_param="creators",
        datasets=CREATOR_DATASETS,
        main="creator_posts",
        kind="creators",
    )


# ---- tiktok_search_trends ---------------------------------------------------------------------------


def search_queries(context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Read and validate the query file; one item per query to map over."""
    from tiktok_engagement.config import load_queries
    from tiktok_engagement.extract import estimate_credits

    params = context.get("params") or {}
    with failure_policy():
        settings = task_settings(context)
        day = snapshot_date(context)
        queries = select_queries(load_queries(settings.queries_file), params.get("queries") or [])
    credits = estimate_credits((), queries, settings.search_pages)
    log.info(
        "%s: %d queries from %s; at most %d credits ($%.3f)",
        day,
        len(queries),
        settings.queries_file,
        credits,
        credits * settings.price_per_credit,
    )
    return [
        {"part": search_part(q), "query": q.query, "query_type": q.query_type, "pages": q.pages}
        for q in queries
    ]


def extract_search(item: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """One keyword search or hashtag lookup + listing, paged, landed as the query's part."""
    from tiktok_engagement.config import Query
    from tiktok_engagement.extract import extract_searches

    with failure_policy():
        settings = task_settings(context, in_flight_from_pool=True)
        day = snapshot_date(context)
        query = Query(item["query"], item["query_type"], item.get("pages"))
        report = extract_searches(
            settings, day, [query], part=item["part"], run_id=context["run_id"]
        )
    return _report_summary(report, item["part"])


def finalize_searches(
    items: Sequence[Mapping[str, Any]],
    reports: Iterable[Mapping[str, Any]],
    context: Mapping[str, Any],
    asset: Any,
) -> dict[str, Any]:
    """After every query landed: prune parts of queries no longer tracked, emit the asset."""
    parts = [i["part"] for i in items]
    return _finalize(
        parts,
        reports,
        context,
        asset,
        subset_param="queries",
        datasets=SEARCH_DATASETS,
        main="search_results",
        kind="searches",
    )


# ---- tiktok_warehouse -----------------------------------------------------------------------------


def warehouse_plan(context: Mapping[str, Any]) -> dict[str, Any]:
    """The date this run builds, the absolute data directory, and other dates waiting for a build.

    An asset-triggered run can carry events for several dates (e.g. after a backfill of the
    extract DAGs); it builds the latest and returns the others, for which ``queue_other_dates``
    triggers one run each (``max_active_runs=1`` runs them one after the other).
    """
    from tiktok_engagement.warehouse import WarehousePaths
    from tiktok_engagement.warehouse.dbt_runner import dbt_environment

    from tiktok_airflow.runtime import asset_event_dates
    from tiktok_airflow.wiring import DBT_ENV_KEYS

    with failure_policy():
        settings = task_settings(context)
        day = snapshot_date(context)
    landing_root = settings.landing_root
    if "://" not in landing_root:
        landing_root = str(Path(landing_root).resolve())
    paths = WarehousePaths(settings.warehouse_dir.resolve())
    env = dbt_environment(landing_root, paths, base={})
    env["TIKTOK_DATA_DIR"] = str(settings.data_dir.resolve())
    env["TIKTOK_PRICE_PER_CREDIT"] = repr(float(settings.price_per_credit))
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
        "dbt_env": {key: env[key] for key in DBT_ENV_KEYS},
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


def warehouse_load(plan: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """Check the day's landing partitions before dbt reads them, and open the build.

    dbt's staging views read the landing Parquet of the snapshot date directly; a date for which
    neither extract DAG landed anything fails here, with the partitions named, instead of building
    empty marts. Then, as ``tiktok_engagement.warehouse.build`` does: if the previous build never
    published, this one runs the data tests on whole tables (``TIKTOK_FULL_TESTS``), and the
    "unpublished" marker stays until ``publish`` succeeds.
    """
    from tiktok_engagement.config import ConfigError
    from tiktok_engagement.landing import Landing
    from tiktok_engagement.warehouse import WarehousePaths
    from tiktok_engagement.warehouse.publish import exports_match_working_marts

    with failure_policy():
        settings = task_settings(context)
        day = date.fromisoformat(plan["snapshot_date"])
        landing = Landing(settings.landing_root)
        files = {ds: len(landing.files(ds, day)) for ds in (*CREATOR_DATASETS, *SEARCH_DATASETS)}
        if not files["creator_posts"] and not files["search_results"]:
            raise ConfigError(
                f"nothing landed for {day}: no files under "
                f"{landing.partition_dir('creator_posts', day)} nor "
                f"{landing.partition_dir('search_results', day)}; run tiktok_creator_posts and "
                "tiktok_search_trends for that date first"
            )
    paths = WarehousePaths(settings.warehouse_dir.resolve())
    paths.work_dir.mkdir(parents=True, exist_ok=True)
    full_tests = paths.unpublished_marker.exists()
    exports_current = not full_tests and exports_match_working_marts(
        paths.warehouse_dir, settings.exports_dir.resolve()
    )
    paths.unpublished_marker.touch()
    log.info("%s: landing files %s; full tests: %s", day, files, full_tests)
    return {
        "snapshot_date": day.isoformat(),
        "landing_files": files,
        "full_tests": "1" if full_tests else "0",
        "exports_current": exports_current,
    }


def release_in_process_dbt_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process, if dbt ran in it.

    Under a scheduler every task is its own process, so there is nothing to close. ``airflow dags
    test`` / ``dag.test()`` run every task in one process, and Cosmos's dbtRunner leaves dbt-duckdb's
    environment (with the marts file attached) open after each dbt task; publishing would then fail
    with "Unique file handle conflict". Closing it here is what the end of a dbt process does.
    """
    import sys

    connections = sys.modules.get("dbt.adapters.duckdb.connections")
    if connections is None:
        return
    manager = connections.DuckDBConnectionManager
    with manager._LOCK:
        if manager._ENV is not None:
            manager._ENV.close()
            manager._ENV = None


def warehouse_publish(
    loaded: Mapping[str, Any], context: Mapping[str, Any], asset: Any
) -> dict[str, Any]:
    """Publish the marts dbt built: build_info, Parquet exports, the read-only serving file."""
    from tiktok_engagement.warehouse import WarehousePaths, publish
    from tiktok_engagement.warehouse.build import rebuilt_dates

    with failure_policy():
        settings = task_settings(context)
        day = date.fromisoformat(loaded["snapshot_date"])
    release_in_process_dbt_duckdb()
    paths = WarehousePaths(settings.warehouse_dir.resolve())
    result = publish(
        paths.warehouse_dir,
        settings.exports_dir.resolve(),
        snapshot_date=day,
        dates=rebuilt_dates(paths) if loaded["exports_current"] else None,
    )
    paths.unpublished_marker.unlink(missing_ok=True)
    summary = {
        "snapshot_date": day.isoformat(),
        "serving": str(result.serving_db),
        "build_id": result.build_id,
        "row_counts": dict(result.row_counts),
    }
    context["outlet_events"][asset].extra = dict(summary)
    log.info("published %s", summary)
    return summary


def warehouse_report(published: Mapping[str, Any], context: Mapping[str, Any], asset: Any) -> str:
    """Write ``<TIKTOK_DATA_DIR>/report/index.html`` from the published serving database."""
    from tiktok_engagement.report import write_report

    with failure_policy():
        settings = task_settings(context)
        day = date.fromisoformat(published["snapshot_date"])
    path = write_report(published["serving"], settings.report_dir / "index.html", day)
    context["outlet_events"][asset].extra = {"snapshot_date": day.isoformat(), "path": str(path)}
    log.info("report written to %s", path)
    return str(path)
