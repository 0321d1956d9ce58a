"""A day's extraction: the roster's profiles and recent posts, the tracked searches, the
comments of the videos the sampling policy says are due (:mod:`.comments.sampling`), and the
following lists of the creators the graph policy says are due (:mod:`.graph.sampling`).

The entry points are plain functions of (settings, snapshot date, inputs), so the command line, the
benchmark and the Airflow tasks call the same code. Each call is one *load* (:class:`Load`): it
writes files of its own beside whatever earlier loads of the date landed, never replacing them, and
ends by landing its request ledger and a row in ``loads`` saying how it ended. The ledger and the
``loads`` row are landed whatever happens (a 401, a cap, a bug), and every attempt is journaled as
it completes, so even a killed process loses no record of what was billed (:mod:`.credits`).

What a load fetches: the items (creators, queries, videos) of its list that no earlier load of the
date completed, unless ``fresh`` (``--fresh`` / ``TIKTOK_FRESH_CAPTURE``) asks for a new capture,
whose later ``captured_at`` then wins in the warehouse. So a retry or a re-run after a failure fetches
only what is missing, and a re-run of a complete date spends nothing.

Past dates: the live API answers only with today's counts. For a snapshot date other than today's
(UTC) the client requires every answer to echo ``X-Sim-Date`` (only the simulator does), and the
first item is fetched alone: against an API that does not confirm the date, the load stops after
that one request, lands nothing under the date (the refused request's ledger row is landed under
today's date, when it was made and billed), and raises :class:`ExtractionRefused`.

Failure policy, from the API contract:

- 401 (bad key): the load fails at once; its ledger is landed.
- 402 (out of credits), a cap (``SCAVIO_CREDIT_BUDGET`` per run, ``SCAVIO_DAILY_CREDIT_BUDGET`` per
  date, ``SCAVIO_CREDIT_RESERVE``): spending stops; what was fetched is landed, and
  :class:`ExtractionStopped` says which cap and what was kept.
- 404 (creator gone, unknown hashtag): the item is marked in the report and the ledger; the run
  goes on.
- An item that fails validation (out-of-range time or count, a missing id, a wrong type) goes to
  the ``rejected`` dataset with its raw JSON and the reason, once the client has re-fetched its page
  without success; the rest lands. A single-object answer (profile, hashtag) that stays invalid
  fails its item, which :class:`ExtractionIncomplete` reports after everything else landed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol, TypeAlias, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import uvloop

from .comments.sampling import DueVideo
from .config import Creator, Query, Settings
from .credits import Caps, CreditRegister, end_journal, recover_journals, start_journal
from .graph.sampling import DueCreator
from .landing import (
    Landing,
    Load,
    hashtag_row,
    profile_row,
    to_batch,
    video_columns,
)
from .scavio.client import CreditBudget, RequestLedger, ScavioClient
from .scavio.errors import (
    AuthenticationError,
    BudgetExceededError,
    CreditsExhaustedError,
    DateNotHonouredError,
    NotFoundError,
    ScavioError,
)
from .scavio.paginators import PagedComment, PagedFollowing
from .scavio.records import RejectedItem, Video, raw_json

log = logging.getLogger(__name__)

T = TypeVar("T")

# What one item's answer becomes per dataset: rows, or record batches converted as answers arrive.
Collected: TypeAlias = Mapping[str, Sequence[dict[str, Any]] | Sequence[pa.RecordBatch]]

# Credits asked of the credit register at a time once a load's first lease is spent.
REFILL_BLOCK = 10


class ExtractionError(ScavioError):
    """A run ended early or incomplete; ``report`` holds what was landed."""

    def __init__(self, message: str, report: ExtractionReport) -> None:
        super().__init__(message)
        self.report = report


class ExtractionStopped(ExtractionError):
    """Spending stopped (402, or a credit cap) before every item was fetched."""


class ExtractionIncomplete(ExtractionError):
    """Some items failed for good (bad payloads, exhausted retries); the rest landed."""


class ExtractionRefused(ExtractionError):
    """The snapshot date is not today and the API does not confirm it can answer as of it."""


@dataclass
class ExtractionReport:
    """What one load did: files and rows landed, requests and credits spent, items that failed."""

    kind: str
    snapshot_date: date
    run_id: str
    load_id: str = ""
    run_attempt: int = 1
    files: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    credits_used: int = 0
    retries: int = 0
    price_per_credit: float = 0.005
    already_landed: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    suspect_empty: list[str] = field(default_factory=list)
    not_fetched: list[str] = field(default_factory=list)
    stopped_reason: str | None = None
    outcome: str = "complete"

    @property
    def cost_usd(self) -> float:
        return self.credits_used * self.price_per_credit

    def summary(self) -> str:
        lines = [
            f"{self.kind} extraction for {self.snapshot_date} (run {self.run_id}, try "
            f"{self.run_attempt}, load {self.load_id}): {self.outcome}",
            f"  requests {self.requests} (retries {self.retries}), credits {self.credits_used}"
            f" (${self.cost_usd:.3f})",
        ]
        if self.already_landed:
            lines.append(
                f"  skipped {len(self.already_landed)} item(s) an earlier load of the date "
                "already landed (--fresh to capture them again)"
            )
        lines += [f"  landed {rows:>6} rows  {self.files[ds]}" for ds, rows in self.rows.items()]
        if self.rejected:
            reasons = ", ".join(f"{n} x {reason}" for reason, n in sorted(self.rejected.items()))
            lines.append(f"  REJECTED {sum(self.rejected.values())} item(s): {reasons}")
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
    profiles = profiles.filter(pc.less(profiles["snapshot_date"], pa.scalar(snapshot_date)))
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


def creator_item(creator: Creator) -> str:
    """The item key of a creator in ``loads`` (case-insensitive handle)."""
    return f"creator:{creator.username.lower()}"


def query_item(query: Query) -> str:
    """The item key of a query in ``loads``."""
    return f"{query.query_type}:{query.query.lower()}"


def landed_items(
    landing: Landing, snapshot_date: date, kind: str, *, run_id: str | None = None
) -> set[str]:
    """Items that a finished load of ``kind`` on the date fetched completely (or found gone);
    with ``run_id``, only the loads of that run."""
    loads = landing.read("loads", snapshot_date)
    if not loads.num_rows:
        return set()
    loads = loads.filter(pc.equal(loads["kind"], pa.scalar(kind)))
    if run_id is not None:
        loads = loads.filter(pc.equal(loads["run_id"], pa.scalar(run_id)))
    return {item for items in loads["items_done"].to_pylist() for item in items or ()}


def items_to_skip(
    landing: Landing, snapshot_date: date, kind: str, *, fresh: bool, run_id: str | None
) -> set[str]:
    """What a load leaves out: what any earlier load of the date landed, or with ``fresh`` (a new
    capture) what earlier loads of the same run landed, so a run never fetches an item twice (its
    past-date probe, a retried task)."""
    if not fresh:
        return landed_items(landing, snapshot_date, kind)
    return landed_items(landing, snapshot_date, kind, run_id=run_id) if run_id else set()


def estimate_credits(
    plans: Sequence[CreatorPlan] = (), queries: Sequence[Query] = (), search_pages: int = 2
) -> int:
    """Upper bound of the credits a run would spend (each request costs one credit)."""
    creator_credits = sum(1 + int(p.refresh_profile) for p in plans)
    query_credits = sum(
        (q.pages or search_pages) + (1 if q.query_type == "hashtag" else 0) for q in queries
    )
    return creator_credits + query_credits


def today_utc() -> date:
    return datetime.now(UTC).date()


def make_client(
    settings: Settings,
    snapshot_date: date,
    ledger: RequestLedger,
    budget: CreditBudget | None = None,
) -> ScavioClient:
    """A client configured from settings; against the simulator it asks for the world as of the date.

    For a date other than today's, every answer must echo the date (see the module docstring).
    """
    headers = {"X-Sim-Date": snapshot_date.isoformat()} if settings.sim_clock_header else None
    past = snapshot_date != today_utc()
    return ScavioClient(
        base_url=settings.base_url,
        api_key=settings.api_key,
        max_in_flight=settings.max_in_flight,
        requests_per_second=settings.requests_per_second,
        requests_per_minute=settings.requests_per_minute,
        timeout=settings.timeout_s,
        max_attempts=settings.max_attempts,
        budget=budget if budget is not None else CreditBudget(settings.credit_budget),
        ledger=ledger,
        extra_headers=headers,
        expect_date_echo=snapshot_date.isoformat() if past else None,
    )


def state_dir(settings: Settings) -> Path:
    """Local operational state (credit leases, request journals): ``<data dir>/state``."""
    return settings.data_dir / "state"


def _refused_message(snapshot_date: date, error: BaseException) -> str:
    return (
        f"refused to extract {snapshot_date}: it is not today ({today_utc()} UTC) and the API "
        f"did not confirm that it answers as of {snapshot_date}. The live Scavio API serves only "
        "current counts, so this would store today's counts under another date. Nothing was "
        f"landed for {snapshot_date}; history starts the day a run lands. ({error})"
    )


class _Outcomes:
    """Sorts per-item exceptions into the report; re-raises what must end the run."""

    def __init__(self, report: ExtractionReport) -> None:
        self.report = report
        self.stop_error: ScavioError | None = None
        self.fatal: BaseException | None = None

    def record(self, key: str, item: str, error: BaseException) -> None:
        if isinstance(error, AuthenticationError | DateNotHonouredError):
            self.fatal = self.fatal or error
            self.report.not_fetched.append(item)
        elif isinstance(error, CreditsExhaustedError | BudgetExceededError):
            self.stop_error = self.stop_error or error
            self.report.not_fetched.append(item)
        elif isinstance(error, NotFoundError):
            self.report.not_found.append(item)
            self.report.done.append(key)  # gone for good: fetching it again would not help
        elif isinstance(error, ScavioError):
            self.report.failed[item] = f"{type(error).__name__}: {error}"
        else:
            self.fatal = self.fatal or error
            self.report.not_fetched.append(item)


def _stop_reason(report: ExtractionReport, error: ScavioError) -> str:
    if isinstance(error, CreditsExhaustedError):
        what = "Scavio says the account is out of credits (HTTP 402)"
    else:
        setting = getattr(error, "setting", None) or "SCAVIO_CREDIT_BUDGET"
        what = f"a credit cap ({setting}) was reached"
    return (
        f"{what}: spending stopped after {report.credits_used} credits; "
        f"{sum(v for k, v in report.rows.items() if k not in ('request_ledger', 'loads'))} rows "
        f"fetched before it are landed; {len(report.not_fetched)} item(s) were not fetched. {error}"
    )


@dataclass
class _Work:
    """One item of a load: its key in ``loads``, its label in logs, and how to fetch it."""

    key: str
    label: str
    fetch: Callable[[ScavioClient], Awaitable[Any]]


async def _run_load(
    settings: Settings,
    snapshot_date: date,
    *,
    kind: str,
    part: str,
    work: Sequence[_Work],
    skipped: Sequence[str],
    credits_wanted: int,
    collect: Callable[[_Work, Any, Load], Collected],
    run_id: str | None,
    run_attempt: int,
    fresh: bool,
) -> ExtractionReport:
    """Fetch ``work``, land what came back, the rejected items, the ledger and the ``loads`` row."""
    landing = Landing(settings.landing_root)
    state = state_dir(settings)
    recover_journals(state, landing)
    landing.remove_stale_temporaries(snapshot_date=snapshot_date)
    load = Load.new(run_id, run_attempt)
    report = ExtractionReport(
        kind,
        snapshot_date,
        load.run_id,
        load.load_id,
        run_attempt,
        price_per_credit=settings.price_per_credit,
        already_landed=list(skipped),
    )
    if not work:
        # Everything asked for is landed already: no request, no file.
        log.info("%s", report.summary())
        return report
    outcomes = _Outcomes(report)
    register = CreditRegister(
        state, landing, snapshot_date, Caps(settings.credit_budget, settings.daily_credit_budget)
    )
    ledger = RequestLedger(journal=start_journal(state, load, snapshot_date, part))
    datasets: dict[str, list[Any]] = {}
    rejected: list[RejectedItem] = []
    api_date: str | None = None
    try:
        lease = register.open(load, credits_wanted)
        budget = CreditBudget(
            lease,
            refill=(lambda n: register.refill(load, max(n, REFILL_BLOCK)))
            if lease is not None
            else None,
            reserve_floor=settings.credit_reserve,
        )
        async with make_client(settings, snapshot_date, ledger, budget) as client:

            async def run(item: _Work) -> Collected:
                # Rows are built and converted to Arrow as each item's answer arrives, so that
                # work overlaps the answers still in flight instead of following the last one.
                return collect(item, await item.fetch(client), load)

            results: list[Any] = []
            remaining = list(work)
            if remaining and snapshot_date != today_utc():
                # One item alone first: an API that cannot answer as of the date is found out by
                # a single request, before the others go out.
                first = remaining.pop(0)
                results += await asyncio.gather(run(first), return_exceptions=True)
            results += await asyncio.gather(*(run(w) for w in remaining), return_exceptions=True)
            rejected = list(client.rejected)
        if any(e.ok for e in ledger.entries):
            api_date = snapshot_date.isoformat() if snapshot_date != today_utc() else None
        for item, result in zip(work, results, strict=True):
            if isinstance(result, BaseException):
                outcomes.record(item.key, item.label, result)
                continue
            for dataset, rows in result.items():
                datasets.setdefault(dataset, []).extend(rows)
            report.done.append(item.key)
    except BaseException as exc:  # land the ledger whatever happened, then let it propagate
        outcomes.fatal = outcomes.fatal or exc
        raise
    finally:
        refused = isinstance(outcomes.fatal, DateNotHonouredError)
        try:
            _land_load(
                landing,
                report,
                load,
                part,
                {} if refused else datasets,
                [] if refused else rejected,
                ledger,
                outcomes,
                fresh=fresh,
                api_date=api_date,
                ledger_date=today_utc() if refused else snapshot_date,
            )
        finally:
            ledger.close()
            end_journal(state, load.load_id)
            register.close(load.load_id)
    _finish(report, outcomes)
    log.info("%s", report.summary())
    return report


def _rejected_rows(
    snapshot_date: date, dataset: str, rejected: Sequence[RejectedItem], load: Load
) -> list[dict[str, Any]]:
    return [
        {
            "snapshot_date": snapshot_date,
            "dataset": dataset,
            "endpoint": item.endpoint,
            "item_key": item.item_key,
            "item_id": item.item_id,
            "reason": item.reason,
            "raw_json": item.raw_json,
            **load.lineage(item.captured_at, item.request_seq),
        }
        for item in rejected
    ]


_DATASET_OF_ENDPOINT = {
    "profile": "profiles",
    "user/posts": "creator_posts",
    "search/videos": "search_results",
    "hashtag/videos": "search_results",
    "hashtag": "hashtags",
    "video/comments": "comments",
    "video/comments/replies": "comments",
    "user/followings": "followings",
}


def _land_load(
    landing: Landing,
    report: ExtractionReport,
    load: Load,
    part: str,
    datasets: dict[str, list[Any]],
    rejected: Sequence[RejectedItem],
    ledger: RequestLedger,
    outcomes: _Outcomes,
    *,
    fresh: bool,
    api_date: str | None,
    ledger_date: date,
) -> None:
    """Data files first, then rejected items, the ledger, and last the ``loads`` row."""
    day = report.snapshot_date
    name = load.file_name(part)
    for dataset, rows in datasets.items():
        if rows:
            report.files[dataset] = landing.write(dataset, day, name, rows)
            report.rows[dataset] = sum(
                r.num_rows if isinstance(r, pa.RecordBatch) else 1 for r in rows
            )
    if rejected:
        by_dataset: dict[str, list[RejectedItem]] = {}
        for item in rejected:
            by_dataset.setdefault(
                _DATASET_OF_ENDPOINT.get(item.endpoint, item.endpoint), []
            ).append(item)
        rows = [r for ds, items in by_dataset.items() for r in _rejected_rows(day, ds, items, load)]
        report.files["rejected"] = landing.write("rejected", day, name, rows)
        report.rows["rejected"] = len(rows)
        for item in rejected:
            reason = item.reason.split(" (", 1)[0]
            report.rejected[reason] = report.rejected.get(reason, 0) + 1
            log.warning("rejected %s item %s: %s", item.endpoint, item.item_id, item.reason)
    summary = ledger.summary()
    report.requests = summary["requests"]
    report.credits_used = summary["credits_used"]
    report.retries = summary["retries"]
    report.suspect_empty = sorted(summary.get("suspect_empty_items", []))
    ledger_rows = ledger.rows(
        ledger_date, run_id=load.run_id, run_attempt=load.run_attempt, load_id=load.load_id
    )
    if ledger_rows:
        report.files["request_ledger"] = landing.write(
            "request_ledger", ledger_date, name, ledger_rows
        )
        report.rows["request_ledger"] = len(ledger_rows)
    report.outcome = _outcome(outcomes)
    if outcomes.stop_error is not None:
        report.stopped_reason = _stop_reason(report, outcomes.stop_error)
    fatal = outcomes.fatal
    stop_reason = report.stopped_reason or (
        f"{type(fatal).__name__}: {fatal}"[:1000] if fatal is not None else None
    )
    if isinstance(fatal, DateNotHonouredError):
        stop_reason = _refused_message(day, fatal)
    landing.write(
        "loads",
        ledger_date,
        name,
        [
            {
                "snapshot_date": ledger_date,
                "load_id": load.load_id,
                "run_id": load.run_id,
                "run_attempt": load.run_attempt,
                "kind": report.kind,
                "part": part,
                "started_at": load.started_at,
                "finished_at": datetime.now(UTC),
                "outcome": report.outcome,
                "stop_reason": stop_reason,
                "fresh_capture": fresh,
                "api_date": api_date,
                "requests": report.requests,
                "credits_used": report.credits_used,
                "rows_landed": sum(
                    v for k, v in report.rows.items() if k not in ("request_ledger", "rejected")
                ),
                "rows_rejected": report.rows.get("rejected", 0),
                "items_done": report.done,
                "items_failed": sorted(report.failed),
                "items_not_fetched": sorted(report.not_fetched),
            }
        ],
    )


def _outcome(outcomes: _Outcomes) -> str:
    if isinstance(outcomes.fatal, DateNotHonouredError):
        return "refused"
    if outcomes.fatal is not None:
        return "failed"
    if outcomes.stop_error is not None:
        return "stopped"
    if outcomes.report.failed:
        return "incomplete"
    return "complete"


def _finish(report: ExtractionReport, outcomes: _Outcomes) -> None:
    fatal = outcomes.fatal
    if isinstance(fatal, DateNotHonouredError):
        raise ExtractionRefused(_refused_message(report.snapshot_date, fatal), report) from None
    if fatal is not None:
        raise fatal
    if outcomes.stop_error is not None:
        raise ExtractionStopped(report.stopped_reason or str(outcomes.stop_error), report)
    if report.failed:
        items = "; ".join(f"{k}: {v}" for k, v in report.failed.items())
        raise ExtractionIncomplete(
            f"{len(report.failed)} item(s) failed; everything else is landed: {items}", report
        )


def _lineage_of(record: Video | Any, load: Load) -> dict[str, Any]:
    return load.lineage(record.captured_at, record.request_seq)


async def extract_creators_async(
    settings: Settings,
    snapshot_date: date,
    roster: Sequence[Creator],
    *,
    part: str = "creators",
    run_id: str | None = None,
    run_attempt: int = 1,
    fresh: bool | None = None,
) -> ExtractionReport:
    """Fetch profiles (when due) and recent posts for ``roster``; land them as one load.

    Creators that an earlier load of the date completed are skipped unless ``fresh`` (default
    ``settings.fresh_capture``).
    """
    fresh = settings.fresh_capture if fresh is None else fresh
    landing = Landing(settings.landing_root)
    done = items_to_skip(landing, snapshot_date, "creators", fresh=fresh, run_id=run_id)
    todo = [c for c in roster if creator_item(c) not in done]
    skipped = [creator_item(c) for c in roster if creator_item(c) in done]
    plans = plan_creators(landing, todo, snapshot_date, settings.profile_refresh_days)

    def post_rows(
        plan: CreatorPlan, sec_uid: str, videos: list[Video], load: Load
    ) -> list[dict[str, Any]]:
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
                    **_lineage_of(video, load),
                }
            )
        return rows

    def fetcher(plan: CreatorPlan) -> Callable[[ScavioClient], Awaitable[Any]]:
        async def fetch(client: ScavioClient) -> tuple[Any, str, list[Video]]:
            name = plan.creator.username
            profile = None
            sec_uid = plan.sec_uid
            if plan.refresh_profile:
                profile = await client.profile(username=name)
                sec_uid = profile.sec_uid
            assert sec_uid is not None
            videos = await client.user_posts(
                sec_uid, count=settings.posts_per_creator, item_key=name
            )
            return profile, sec_uid, videos

        return fetch

    by_key = {creator_item(p.creator): p for p in plans}

    def collect(item: _Work, result: Any, load: Load) -> Collected:
        plan = by_key[item.key]
        profile, sec_uid, videos = result
        out: dict[str, list[dict[str, Any]] | list[pa.RecordBatch]] = {}
        if profile is not None:
            row = profile_row(snapshot_date, plan.creator.username, plan.creator.niche, profile)
            out["profiles"] = [{**row, **_lineage_of(profile, load)}]
        # Converted to Arrow per creator, so the work overlaps the answers still in flight.
        out["creator_posts"] = [to_batch("creator_posts", post_rows(plan, sec_uid, videos, load))]
        return out

    work = [_Work(creator_item(p.creator), p.creator.username, fetcher(p)) for p in plans]
    return await _run_load(
        settings,
        snapshot_date,
        kind="creators",
        part=part,
        work=work,
        skipped=skipped,
        credits_wanted=estimate_credits(plans, (), settings.search_pages),
        collect=collect,
        run_id=run_id,
        run_attempt=run_attempt,
        fresh=fresh,
    )


async def extract_searches_async(
    settings: Settings,
    snapshot_date: date,
    queries: Sequence[Query],
    *,
    part: str = "searches",
    run_id: str | None = None,
    run_attempt: int = 1,
    fresh: bool | None = None,
) -> ExtractionReport:
    """Run each keyword search and hashtag lookup + listing, paged; land them as one load."""
    fresh = settings.fresh_capture if fresh is None else fresh
    landing = Landing(settings.landing_root)
    done = items_to_skip(landing, snapshot_date, "searches", fresh=fresh, run_id=run_id)
    todo = [q for q in queries if query_item(q) not in done]
    skipped = [query_item(q) for q in queries if query_item(q) in done]

    def fetcher(query: Query) -> Callable[[ScavioClient], Awaitable[Any]]:
        async def fetch(client: ScavioClient) -> tuple[Any, list[Any]]:
            pages = query.pages or settings.search_pages
            label = f"{query.query_type}:{query.query}"
            if query.query_type == "keyword":
                return None, await client.search_videos(query.query, max_pages=pages)
            hashtag = await client.hashtag(hashtag_name=query.query)
            items = await client.hashtag_videos(hashtag.hashtag_id, max_pages=pages, item_key=label)
            return hashtag, items

        return fetch

    by_key = {query_item(q): q for q in todo}

    def collect(item: _Work, result: Any, load: Load) -> Collected:
        query = by_key[item.key]
        hashtag, items = result
        out: dict[str, list[dict[str, Any]]] = {"search_results": []}
        if hashtag is not None:
            row = hashtag_row(snapshot_date, query.query, hashtag)
            out["hashtags"] = [{**row, **_lineage_of(hashtag, load)}]
        seen: set[str] = set()
        for paged in items:
            if paged.video.video_id in seen:
                continue
            seen.add(paged.video.video_id)
            out["search_results"].append(
                {
                    "snapshot_date": snapshot_date,
                    "query": query.query,
                    "query_type": query.query_type,
                    "hashtag_id": hashtag.hashtag_id if hashtag else None,
                    "page": paged.page,
                    "result_rank": paged.rank,
                    **video_columns(paged.video),
                    **_lineage_of(paged.video, load),
                }
            )
        return out

    work = [_Work(query_item(q), f"{q.query_type}:{q.query}", fetcher(q)) for q in todo]
    return await _run_load(
        settings,
        snapshot_date,
        kind="searches",
        part=part,
        work=work,
        skipped=skipped,
        credits_wanted=estimate_credits((), todo, settings.search_pages),
        collect=collect,
        run_id=run_id,
        run_attempt=run_attempt,
        fresh=fresh,
    )


class DueItem(Protocol):
    """A due item of a listing load (a video, a creator): its key in ``loads``."""

    @property
    def item(self) -> str: ...


_DueT = TypeVar("_DueT", bound=DueItem)
_EntryT = TypeVar("_EntryT")


async def _extract_listings(
    settings: Settings,
    snapshot_date: date,
    due: Sequence[_DueT],
    *,
    kind: str,
    part: str,
    run_id: str | None,
    run_attempt: int,
    fresh: bool | None,
    label: Callable[[_DueT], str],
    pages: Callable[[_DueT], int],
    fetch: Callable[[ScavioClient, _DueT], Awaitable[Sequence[_EntryT]]],
    entry_id: Callable[[_EntryT], str],
    row: Callable[[_DueT, _EntryT, Load], dict[str, Any]],
) -> ExtractionReport:
    """One load of a paged listing per due item (a video's comments, a creator's followings),
    landed in the dataset named ``kind``; ``pages`` is an item's page bound, one credit each."""
    fresh = settings.fresh_capture if fresh is None else fresh
    landing = Landing(settings.landing_root)
    done = items_to_skip(landing, snapshot_date, kind, fresh=fresh, run_id=run_id)
    todo = [d for d in due if d.item not in done]
    skipped = [d.item for d in due if d.item in done]
    by_key = {d.item: d for d in todo}

    def fetcher(item: _DueT) -> Callable[[ScavioClient], Awaitable[Sequence[_EntryT]]]:
        async def fetch_item(client: ScavioClient) -> Sequence[_EntryT]:
            return await fetch(client, item)

        return fetch_item

    def collect(work: _Work, result: Any, load: Load) -> Collected:
        item = by_key[work.key]
        rows = []
        seen: set[str] = set()
        for entry in result:
            key = entry_id(entry)
            if key in seen:  # a listing can repeat an entry across a page boundary
                continue
            seen.add(key)
            rows.append(row(item, entry, load))
        # An item that answered with an empty listing adds no batch, so such a load lands no
        # empty file.
        return {kind: [to_batch(kind, rows)] if rows else []}

    work = [_Work(d.item, label(d), fetcher(d)) for d in todo]
    return await _run_load(
        settings,
        snapshot_date,
        kind=kind,
        part=part,
        work=work,
        skipped=skipped,
        credits_wanted=sum(pages(d) for d in todo),
        collect=collect,
        run_id=run_id,
        run_attempt=run_attempt,
        fresh=fresh,
    )


async def extract_comments_async(
    settings: Settings,
    snapshot_date: date,
    videos: Sequence[DueVideo],
    *,
    part: str = "comments",
    run_id: str | None = None,
    run_attempt: int = 1,
    fresh: bool | None = None,
) -> ExtractionReport:
    """Sample the comments of ``videos`` (the policy's due videos, see
    :func:`tiktok_engagement.plan.plan_comment_day`): ``TIKTOK_COMMENT_PAGES`` pages of 50 each;
    land them as one load.

    Videos that an earlier load of the date completed are skipped unless ``fresh``. A video that is
    gone (404) counts as done, like a creator that is gone.
    """

    def row(video: DueVideo, paged: PagedComment, load: Load) -> dict[str, Any]:
        comment = paged.comment
        return {
            "snapshot_date": snapshot_date,
            "video_id": video.video_id,
            "creator_username": video.creator_username,
            "video_author_unique_id": video.video_author_unique_id,
            "sample_source": video.sample_source,
            "query": video.query,
            "page": paged.page,
            "comment_rank": paged.rank,
            "comment_id": comment.comment_id,
            "parent_comment_id": comment.parent_comment_id,
            "text": comment.text,
            "created_at": comment.created_at,
            "like_count": comment.like_count,
            "reply_count": comment.reply_count,
            "commenter_unique_id": comment.commenter_unique_id,
            "commenter_nickname": comment.commenter_nickname,
            "raw_json": raw_json(comment.raw),
            **_lineage_of(comment, load),
        }

    return await _extract_listings(
        settings,
        snapshot_date,
        videos,
        kind="comments",
        part=part,
        run_id=run_id,
        run_attempt=run_attempt,
        fresh=fresh,
        label=lambda video: video.item,
        pages=lambda _video: settings.comment_pages,
        fetch=lambda client, video: client.video_comments(
            video.video_id, max_pages=settings.comment_pages, item_key=video.video_id
        ),
        entry_id=lambda paged: paged.comment.comment_id,
        row=row,
    )


async def extract_followings_async(
    settings: Settings,
    snapshot_date: date,
    creators: Sequence[DueCreator],
    *,
    part: str = "followings",
    run_id: str | None = None,
    run_attempt: int = 1,
    fresh: bool | None = None,
) -> ExtractionReport:
    """Fetch the following lists of ``creators`` (the policy's due creators, see
    :func:`tiktok_engagement.plan.plan_following_day`): a backfill's pages or a refresh's page 1,
    20 accounts a page; land them as one load (``followings``).

    Creators an earlier load of the date completed are skipped unless ``fresh``. A creator that is
    gone (404) counts as done, like in the creator extraction.
    """

    def row(creator: DueCreator, paged: PagedFollowing, load: Load) -> dict[str, Any]:
        account = paged.following
        return {
            "snapshot_date": snapshot_date,
            "creator_username": creator.username,
            "creator_sec_uid": creator.sec_uid,
            "page": paged.page,
            "position": paged.position,
            "followed_unique_id": account.unique_id,
            "followed_sec_uid": account.sec_uid,
            "followed_nickname": account.nickname,
            "followed_follower_count": account.follower_count,
            "raw_json": raw_json(account.raw),
            **_lineage_of(account, load),
        }

    return await _extract_listings(
        settings,
        snapshot_date,
        creators,
        kind="followings",
        part=part,
        run_id=run_id,
        run_attempt=run_attempt,
        fresh=fresh,
        label=lambda creator: creator.username,
        pages=lambda creator: creator.pages,
        fetch=lambda client, creator: client.user_followings(
            creator.sec_uid, max_pages=creator.pages, item_key=creator.username
        ),
        entry_id=lambda paged: paged.following.unique_id,
        row=row,
    )


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on uvloop: its lower per-callback cost keeps answers that arrive together
    from queueing behind each other, which is what lets a run reach the plan's in-flight cap."""
    return uvloop.run(coroutine)


def extract_creators(
    settings: Settings, snapshot_date: date, roster: Sequence[Creator], **kwargs: Any
) -> ExtractionReport:
    """Synchronous wrapper of :func:`extract_creators_async` (for the CLI and Airflow tasks)."""
    return run_async(extract_creators_async(settings, snapshot_date, roster, **kwargs))


def extract_searches(
    settings: Settings, snapshot_date: date, queries: Sequence[Query], **kwargs: Any
) -> ExtractionReport:
    """Synchronous wrapper of :func:`extract_searches_async`."""
    return run_async(extract_searches_async(settings, snapshot_date, queries, **kwargs))


def extract_comments(
    settings: Settings, snapshot_date: date, videos: Sequence[DueVideo], **kwargs: Any
) -> ExtractionReport:
    """Synchronous wrapper of :func:`extract_comments_async`."""
    return run_async(extract_comments_async(settings, snapshot_date, videos, **kwargs))


def extract_followings(
    settings: Settings, snapshot_date: date, creators: Sequence[DueCreator], **kwargs: Any
) -> ExtractionReport:
    """Synchronous wrapper of :func:`extract_followings_async`."""
    return run_async(extract_followings_async(settings, snapshot_date, creators, **kwargs))


def score_comments(
    settings: Settings, snapshot_date: date, *, run_id: str | None = None, run_attempt: int = 1
) -> int:
    """The scoring step, after the comments of the date landed: score the date's comments that
    no earlier step scored into ``comment_scores`` (a load of its own); returns the rows landed.

    A step of its own, not part of a comment load, so a scorer error never costs a landed
    comment, and re-scoring (a new scorer version) needs no request.
    """
    from .comments.score_step import score_landed_comments

    landing = Landing(settings.landing_root)
    return score_landed_comments(landing, snapshot_date, Load.new(run_id, run_attempt))


__all__ = [
    "CreatorPlan",
    "ExtractionError",
    "ExtractionIncomplete",
    "ExtractionRefused",
    "ExtractionReport",
    "ExtractionStopped",
    "creator_item",
    "estimate_credits",
    "extract_comments",
    "extract_creators",
    "extract_followings",
    "extract_searches",
    "score_comments",
    "items_to_skip",
    "landed_items",
    "plan_creators",
    "query_item",
]
