"""A day's extraction: the roster's profiles and recent posts, and the tracked searches.

Both entry points are plain functions of (settings, snapshot date, inputs) so the command line, the
benchmark and the Airflow tasks call the same code. What a run decides depends only on the snapshot
date and what landed before that date, so a repeated run for the same date makes the same requests
and writes the same files (deterministic part names), replacing rather than adding.

Failure policy, from the API contract:

- 401 (bad key): fails the run at once; nothing is landed.
- 402 (out of credits): all spending stops; what was already fetched is landed with the ledger, and
  :class:`ExtractionStopped` says what happened and what was kept.
- 404 (creator gone, unknown hashtag): the item is marked in the report and the ledger; the run goes on.
- A payload missing a required field is fetched again a couple of times (the simulator, like a
  flaky upstream, sometimes garbles one answer); if it stays bad the item is reported as failed with
  the field named, everything else is landed, and the run ends with :class:`ExtractionIncomplete`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import uvloop

from .config import Creator, Query, Settings
from .landing import Landing, Rows, hashtag_row, profile_row, to_batch, to_table, video_columns
from .scavio.client import CreditBudget, RequestLedger, ScavioClient
from .scavio.errors import (
    AuthenticationError,
    BudgetExceededError,
    CreditsExhaustedError,
    NotFoundError,
    PayloadValidationError,
    ScavioError,
)
from .scavio.records import Video

log = logging.getLogger(__name__)

T = TypeVar("T")

# How many times an item whose payload fails validation is fetched in all.
PAYLOAD_ATTEMPTS = 3


class ExtractionError(ScavioError):
    """A run ended early or incomplete; ``report`` holds what was landed."""

    def __init__(self, message: str, report: ExtractionReport) -> None:
        super().__init__(message)
        self.report = report


class ExtractionStopped(ExtractionError):
    """Spending stopped (402 or the run's credit cap) before every item was fetched."""


class ExtractionIncomplete(ExtractionError):
    """Some items failed for good (bad payloads, exhausted retries); the rest landed."""


@dataclass
class ExtractionReport:
    """What one run did: files and rows landed, requests and credits spent, items that failed."""

    kind: str
    snapshot_date: date
    run_id: str
    files: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    credits_used: int = 0
    retries: int = 0
    price_per_credit: float = 0.005
    not_found: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    suspect_empty: list[str] = field(default_factory=list)
    not_fetched: list[str] = field(default_factory=list)
    stopped_reason: str | None = None

    @property
    def cost_usd(self) -> float:
        return self.credits_used * self.price_per_credit

    def summary(self) -> str:
        lines = [
            f"{self.kind} extraction for {self.snapshot_date} (run {self.run_id})",
            f"  requests {self.requests} (retries {self.retries}), credits {self.credits_used}"
            f" (${self.cost_usd:.3f})",
        ]
        lines += [f"  landed {rows:>6} rows  {self.files[ds]}" for ds, rows in self.rows.items()]
        if self.not_found:
            lines.append(f"  not found (404): {', '.join(self.not_found)}")
        if self.suspect_empty:
            lines.append(f"  suspect empty answers: {', '.join(self.suspect_empty)}")
        for item, reason in self.failed.items():
            lines.append(f"  FAILED {item}: {reason}")
        if self.not_fetched:
            lines.append(f"  not fetched: {len(self.not_fetched)} item(s)")
        if self.stopped_reason:
            lines.append(f"  STOPPED: {self.stopped_reason}")
        return "\n".join(lines)


@dataclass(frozen=True)
class CreatorPlan:
    """What a run will request for one creator."""

    creator: Creator
    sec_uid: str | None
    refresh_profile: bool


def plan_creators(
    landing: Landing, roster: Sequence[Creator], snapshot_date: date, refresh_days: int
) -> list[CreatorPlan]:
    """Decide, from profiles landed before the snapshot date, who needs a profile request.

    A creator is resolved through ``profile`` once; its ``sec_uid`` is kept in the landed profiles
    and reused. The profile is fetched again when the latest one is ``refresh_days`` or more days
    old. The snapshot date's own partition is ignored, so a re-run decides exactly as the first run.
    """
    profiles = landing.read("profiles").select(["snapshot_date", "creator_username", "sec_uid"])
    profiles = profiles.filter(pc.less(profiles["snapshot_date"], snapshot_date))
    latest: dict[str, tuple[date, str]] = {}
    for row in profiles.to_pylist():
        key = row["creator_username"].lower()
        if key not in latest or row["snapshot_date"] > latest[key][0]:
            latest[key] = (row["snapshot_date"], row["sec_uid"])
    plans = []
    for creator in roster:
        known = latest.get(creator.username.lower())
        if known is None:
            plans.append(CreatorPlan(creator, None, True))
        else:
            stale = (snapshot_date - known[0]).days >= refresh_days
            plans.append(CreatorPlan(creator, known[1], stale))
    return plans


def estimate_credits(
    plans: Sequence[CreatorPlan] = (), queries: Sequence[Query] = (), search_pages: int = 2
) -> int:
    """Upper bound of the credits a run would spend (each request costs one credit)."""
    creator_credits = sum(1 + int(p.refresh_profile) for p in plans)
    query_credits = sum(
        (q.pages or search_pages) + (1 if q.query_type == "hashtag" else 0) for q in queries
    )
    return creator_credits + query_credits


def make_client(settings: Settings, snapshot_date: date, ledger: RequestLedger) -> ScavioClient:
    """A client configured from settings; against the simulator it asks for the world as of the date."""
    headers = {"X-Sim-Date": snapshot_date.isoformat()} if settings.sim_clock_header else None
    return ScavioClient(
        base_url=settings.base_url,
        api_key=settings.api_key,
        max_in_flight=settings.max_in_flight,
        requests_per_second=settings.requests_per_second,
        requests_per_minute=settings.requests_per_minute,
        timeout=settings.timeout_s,
        max_attempts=settings.max_attempts,
        budget=CreditBudget(settings.credit_budget),
        ledger=ledger,
        extra_headers=headers,
    )


async def _with_payload_retries(item: str, fetch: Callable[[], Awaitable[T]]) -> T:
    for attempt in range(1, PAYLOAD_ATTEMPTS + 1):
        try:
            return await fetch()
        except PayloadValidationError as exc:
            if attempt == PAYLOAD_ATTEMPTS:
                raise
            log.warning(
                "%s: bad payload (%s); fetching again (%d/%d)", item, exc, attempt, PAYLOAD_ATTEMPTS
            )
    raise AssertionError("unreachable")


class _Outcomes:
    """Sorts per-item exceptions into the report; re-raises what must end the run."""

    def __init__(self, report: ExtractionReport) -> None:
        self.report = report
        self.stop_error: ScavioError | None = None

    def record(self, item: str, error: BaseException) -> None:
        if isinstance(error, AuthenticationError):
            raise error
        if isinstance(error, CreditsExhaustedError | BudgetExceededError):
            self.stop_error = self.stop_error or error
            self.report.not_fetched.append(item)
        elif isinstance(error, NotFoundError):
            self.report.not_found.append(item)
        elif isinstance(error, ScavioError):
            self.report.failed[item] = f"{type(error).__name__}: {error}"
        else:
            raise error


def _finish(report: ExtractionReport, ledger: RequestLedger, outcomes: _Outcomes) -> None:
    summary = ledger.summary()
    report.requests = summary["requests"]
    report.credits_used = summary["credits_used"]
    report.retries = summary["retries"]
    report.suspect_empty = sorted(summary.get("suspect_empty_items", []))
    if outcomes.stop_error is not None:
        error = outcomes.stop_error
        what = (
            "Scavio says the account is out of credits (HTTP 402)"
            if isinstance(error, CreditsExhaustedError)
            else "the run's credit cap (SCAVIO_CREDIT_BUDGET) was reached"
        )
        report.stopped_reason = (
            f"{what}: spending stopped after {report.credits_used} credits; "
            f"{sum(report.rows.values())} rows fetched before it are landed; "
            f"{len(report.not_fetched)} item(s) were not fetched. {error}"
        )
        raise ExtractionStopped(report.stopped_reason, report)
    if report.failed:
        items = "; ".join(f"{k}: {v}" for k, v in report.failed.items())
        raise ExtractionIncomplete(
            f"{len(report.failed)} item(s) failed; everything else is landed: {items}", report
        )


def _land(
    landing: Landing,
    report: ExtractionReport,
    ledger: RequestLedger,
    part: str,
    datasets: dict[str, Rows],
) -> None:
    for dataset, rows in datasets.items():
        table = to_table(dataset, rows)
        report.files[dataset] = landing.write(dataset, report.snapshot_date, part, table)
        report.rows[dataset] = table.num_rows
    ledger_rows = ledger.rows(report.snapshot_date, report.run_id)
    report.files["request_ledger"] = landing.write(
        "request_ledger", report.snapshot_date, f"{report.kind}-{part}", ledger_rows
    )
    report.rows["request_ledger"] = len(ledger_rows)


async def extract_creators_async(
    settings: Settings,
    snapshot_date: date,
    roster: Sequence[Creator],
    *,
    part: str = "part-0000",
    run_id: str | None = None,
) -> ExtractionReport:
    """Fetch profiles (when due) and recent posts for ``roster``; land them as one part."""
    landing = Landing(settings.landing_root)
    report = ExtractionReport(
        "creators",
        snapshot_date,
        run_id or uuid.uuid4().hex[:12],
        price_per_credit=settings.price_per_credit,
    )
    plans = plan_creators(landing, roster, snapshot_date, settings.profile_refresh_days)
    ledger = RequestLedger()
    outcomes = _Outcomes(report)

    def post_rows(plan: CreatorPlan, sec_uid: str, videos: list[Video]) -> list[dict[str, Any]]:
        rows = []
        seen: set[str] = set()
        for position, video in enumerate(videos, start=1):
            if video.video_id in seen:  # a feed can repeat an item across a page boundary
                continue
            seen.add(video.video_id)
            rows.append(
                {
                    "snapshot_date": snapshot_date,
                    "creator_username": plan.creator.username,
                    "niche": plan.creator.niche,
                    "sec_uid": sec_uid,
                    "feed_position": position,
                    **video_columns(video),
                }
            )
        return rows

    async def fetch(
        client: ScavioClient, plan: CreatorPlan
    ) -> tuple[dict[str, Any] | None, pa.RecordBatch]:
        # Rows are built and converted to Arrow as each creator's answer arrives, so that work
        # overlaps the network wait instead of following it.
        name = plan.creator.username
        profile = None
        sec_uid = plan.sec_uid
        if plan.refresh_profile:
            profile = await _with_payload_retries(name, lambda: client.profile(username=name))
            sec_uid = profile.sec_uid
        videos = await _with_payload_retries(
            name,
            lambda: client.user_posts(sec_uid, count=settings.posts_per_creator, item_key=name),
        )
        if profile is not None:
            profile = profile_row(snapshot_date, name, plan.creator.niche, profile)
        return profile, to_batch("creator_posts", post_rows(plan, sec_uid, videos))

    async with make_client(settings, snapshot_date, ledger) as client:
        results = await asyncio.gather(*(fetch(client, p) for p in plans), return_exceptions=True)

    profile_rows: list[dict[str, Any]] = []
    posts: list[pa.RecordBatch] = []
    for plan, result in zip(plans, results, strict=True):
        if isinstance(result, BaseException):
            outcomes.record(plan.creator.username, result)
            continue
        profile, batch = result
        if profile is not None:
            profile_rows.append(profile)
        posts.append(batch)
    _land(landing, report, ledger, part, {"profiles": profile_rows, "creator_posts": posts})
    _finish(report, ledger, outcomes)
    log.info("%s", report.summary())
    return report


async def extract_searches_async(
    settings: Settings,
    snapshot_date: date,
    queries: Sequence[Query],
    *,
    part: str = "part-0000",
    run_id: str | None = None,
) -> ExtractionReport:
    """Run each keyword search and hashtag lookup + listing, paged; land them as one part."""
    landing = Landing(settings.landing_root)
    report = ExtractionReport(
        "searches",
        snapshot_date,
        run_id or uuid.uuid4().hex[:12],
        price_per_credit=settings.price_per_credit,
    )
    ledger = RequestLedger()
    outcomes = _Outcomes(report)

    async def fetch(client: ScavioClient, query: Query):
        pages = query.pages or settings.search_pages
        label = f"{query.query_type}:{query.query}"
        if query.query_type == "keyword":
            items = await _with_payload_retries(
                label, lambda: client.search_videos(query.query, max_pages=pages)
            )
            return None, items
        hashtag = await _with_payload_retries(
            label, lambda: client.hashtag(hashtag_name=query.query)
        )
        items = await _with_payload_retries(
            label,
            lambda: client.hashtag_videos(hashtag.hashtag_id, max_pages=pages, item_key=label),
        )
        return hashtag, items

    async with make_client(settings, snapshot_date, ledger) as client:
        results = await asyncio.gather(*(fetch(client, q) for q in queries), return_exceptions=True)

    hashtag_rows: list[dict[str, Any]] = []
    result_rows: list[dict[str, Any]] = []
    for query, result in zip(queries, results, strict=True):
        if isinstance(result, BaseException):
            outcomes.record(f"{query.query_type}:{query.query}", result)
            continue
        hashtag, items = result
        if hashtag is not None:
            hashtag_rows.append(hashtag_row(snapshot_date, query.query, hashtag))
        seen: set[str] = set()
        for item in items:
            if item.video.video_id in seen:
                continue
            seen.add(item.video.video_id)
            result_rows.append(
                {
                    "snapshot_date": snapshot_date,
                    "query": query.query,
                    "query_type": query.query_type,
                    "hashtag_id": hashtag.hashtag_id if hashtag else None,
                    "page": item.page,
                    "result_rank": item.rank,
                    **video_columns(item.video),
                }
            )
    _land(landing, report, ledger, part, {"hashtags": hashtag_rows, "search_results": result_rows})
    _finish(report, ledger, outcomes)
    log.info("%s", report.summary())
    return report


def run_async(coroutine: Awaitable[T]) -> T:
    """Run a coroutine on uvloop: its lower per-callback cost keeps answers that arrive together
    from queueing behind each other, which is what lets a run reach the plan's in-flight cap."""
    return uvloop.run(coroutine)


def extract_creators(
    settings: Settings, snapshot_date: date, roster: Sequence[Creator], **kwargs
) -> ExtractionReport:
    """Synchronous wrapper of :func:`extract_creators_async` (for the CLI and Airflow tasks)."""
    return run_async(extract_creators_async(settings, snapshot_date, roster, **kwargs))


def extract_searches(
    settings: Settings, snapshot_date: date, queries: Sequence[Query], **kwargs
) -> ExtractionReport:
    """Synchronous wrapper of :func:`extract_searches_async`."""
    return run_async(extract_searches_async(settings, snapshot_date, queries, **kwargs))
