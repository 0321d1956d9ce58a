"""The domain rules of a day's extraction, shared by ``tiktok-extract`` and the Airflow DAGs.

Given the selected creators or queries (see :mod:`.selection`: names match case-insensitively and a
name that matches nothing is an error), a day is planned the same way everywhere:

- **What is still to fetch.** Items a finished load of the date already landed are skipped, unless
  a fresh capture is asked for (``--fresh``, the ``fresh_capture`` param, or
  ``TIKTOK_FRESH_CAPTURE`` when neither says so).
- **What it costs.** Who needs a profile request (from profiles landed before the date) and the
  upper bound of the credits; :meth:`CreatorDay.summary` and :meth:`SearchDay.summary` are the
  lines the planning step logs.
- **Part names.** Creators go in batches of ``batch_size`` named ``creators-part-<batch:04d>``, or
  ``creators-subset-<digest of the handles>-<batch:04d>`` for a run over a chosen subset (so a
  subset's files never share a name with the whole roster's); a query's part is
  ``searches-<type>-<slug>-<digest>``. Part names are deterministic, distinct and plain file names.
  Batches cover the whole selection, not only what is missing, so the same selection always gives
  the same batches and a retry of a batch re-fetches what that batch still misses. Brands'
  accounts go in batches of their own, ``brands-part-<batch:04d>`` (``brands-subset-...``).
- **Comments.** Which videos the date samples is :mod:`.comments.sampling`'s policy, over the
  date's landed ``creator_posts`` (and ``search_results`` when query videos are on) and the
  ``comments`` and ``loads`` of earlier dates; :func:`plan_comment_day` reads those and returns the
  selection, what a re-run still has to fetch and its credits. Videos go in batches of
  ``batch_size`` named ``comments-part-<batch:04d>``, over the whole selection as for creators.
- **Followings.** Which roster creators have their following lists fetched is
  :mod:`.graph.sampling`'s policy (a backfill once, then page 1 every few days), over the ``loads``
  of earlier dates and the landed ``profiles`` (for each creator's ``sec_uid``);
  :func:`plan_following_day` reads those. Creators go in batches named
  ``followings-part-<batch:04d>``, over the whole selection.
- **Brands.** A brand's accounts and searches (:mod:`.brands`) are planned, fetched and landed
  like the roster's and the query file's, in the same halves; :func:`plan_brand_days` says what
  each brand adds to a day and to a steady day, for the dry run.
- **The past-date probe.** For a snapshot date other than today's (UTC), the first item the run
  would fetch is extracted alone first: against an API that does not confirm it answers as of that
  date, this spends one request and refuses the run before anything else is requested. An item
  already landed would be skipped without a request and confirm nothing, so the probe is the first
  item still to fetch; when nothing is, there is nothing to check.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import pyarrow.parquet as pq

from .brands import Brand, BrandTracking
from .comments.sampling import (
    CommentPolicy,
    DueVideo,
    Selection,
    candidate_videos,
    sampled_video_ids,
    select_due,
    steady_daily_credits,
)
from .config import Creator, Query, Settings
from .extract import (
    CreatorPlan,
    DueItem,
    creator_item,
    estimate_credits,
    items_to_skip,
    landed_items,
    plan_creators,
    query_item,
    today_utc,
)
from .graph.sampling import (
    BACKFILL,
    LOAD_KIND,
    DueCreator,
    FollowingsPolicy,
    GraphSelection,
    graph_history,
    latest_sec_uids,
)
from .graph.sampling import (
    select_due as select_due_creators,
)
from .landing import Landing

DEFAULT_BATCH_SIZE = 25
DEFAULT_COMMENT_BATCH_SIZE = 50
CREATOR_PART = "creators-part"
COMMENT_PART = "comments-part"
FOLLOWING_PART = "followings-part"
DEFAULT_FOLLOWING_BATCH_SIZE = 10
CREATOR_SUBSET_PART = "creators-subset"
BRAND_PART = "brands-part"
BRAND_SUBSET_PART = "brands-subset"
PROBE_PART = "{kind}-probe"

_T = TypeVar("_T")
_DueT = TypeVar("_DueT", bound=DueItem)


def _digest(text: str, length: int = 8) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:length]


def is_fresh(settings: Settings, fresh: bool | None) -> bool:
    """Whether to capture again what the date already landed: ``fresh`` when given, else the
    setting (``TIKTOK_FRESH_CAPTURE``)."""
    return settings.fresh_capture if fresh is None else fresh


def _still_to_fetch(
    settings: Settings,
    landing: Landing,
    day: date,
    kind: str,
    due: Sequence[_DueT],
    *,
    fresh: bool | None,
    run_id: str | None,
) -> list[_DueT]:
    """The due items a load of ``kind`` would still fetch: with ``fresh`` the whole selection
    again, except what earlier loads of the same ``run_id`` fetched (its probe, a retried task)."""
    done = items_to_skip(landing, day, kind, fresh=is_fresh(settings, fresh), run_id=run_id)
    return [d for d in due if d.item not in done]


def _numbered(items: Sequence[_T], size: int, prefix: str) -> list[tuple[str, list[_T]]]:
    """``items`` in slices of ``size``, each with its part name ``<prefix>-<batch:04d>``."""
    if size < 1:
        raise ValueError(f"batch size {size} must be at least 1")
    return [
        (f"{prefix}-{index:04d}", list(items[start : start + size]))
        for index, start in enumerate(range(0, len(items), size))
    ]


def _first_to_fetch(todo: Sequence[_T], day: date, today: date | None) -> _T | None:
    """The probe: the first item still to fetch, when ``day`` needs one (see the module doc)."""
    return todo[0] if todo and needs_probe(day, today) else None


def _read_columns(landing: Landing, paths: Iterable[str], columns: list[str]) -> list[dict]:
    """The rows of landed files, reading only ``columns`` (comments carry long texts); a column a
    file predates comes back as None."""
    rows: list[dict] = []
    for path in paths:
        parquet = pq.ParquetFile(path, filesystem=landing.fs)
        present = [c for c in columns if c in parquet.schema_arrow.names]
        missing = dict.fromkeys(c for c in columns if c not in present)
        rows += [{**missing, **row} for row in parquet.read(columns=present).to_pylist()]
    return rows


@dataclass(frozen=True)
class CreatorDay:
    """The creator half of a day: the selection, what is still to fetch, and what it costs."""

    snapshot_date: date
    selected: list[Creator]
    todo: list[Creator]
    plans: list[CreatorPlan]
    credits: int

    @property
    def skipped(self) -> int:
        """Selected creators an earlier load of the date already landed."""
        return len(self.selected) - len(self.todo)

    def summary(self, settings: Settings) -> str:
        """The planning line: who is skipped, resolved, refreshed, and the credit bound."""
        resolve = sum(p.sec_uid is None for p in self.plans)
        refresh = sum(p.refresh_profile and p.sec_uid is not None for p in self.plans)
        return (
            f"{self.snapshot_date}: {len(self.selected)} creators from {settings.creators_file}, "
            f"{self.skipped} already landed for the date; {resolve} to resolve, {refresh} profiles "
            f"to refresh, {len(self.plans)} posts requests; at most {self.credits} credits "
            f"(${self.credits * settings.price_per_credit:.3f})"
        )


@dataclass(frozen=True)
class SearchDay:
    """The search half of a day: the selection, what is still to fetch, and what it costs."""

    snapshot_date: date
    selected: list[Query]
    todo: list[Query]
    credits: int

    @property
    def skipped(self) -> int:
        """Selected queries an earlier load of the date already landed."""
        return len(self.selected) - len(self.todo)

    def summary(self, settings: Settings) -> str:
        """The planning line: how many queries, how many skipped, and the credit bound."""
        return (
            f"{self.snapshot_date}: {len(self.selected)} queries from {settings.queries_file}, "
            f"{self.skipped} already landed for the date; at most {self.credits} credits "
            f"(${self.credits * settings.price_per_credit:.3f})"
        )


def plan_creator_day(
    settings: Settings, day: date, selected: Sequence[Creator], *, fresh: bool | None = None
) -> CreatorDay:
    """Plan the creator half of ``day`` for the selected creators (reads the landing zone)."""
    landing = Landing(settings.landing_root)
    done = set() if is_fresh(settings, fresh) else landed_items(landing, day, "creators")
    todo = [c for c in selected if creator_item(c) not in done]
    plans = plan_creators(landing, todo, day, settings.profile_refresh_days)
    credits = estimate_credits(plans, (), settings.search_pages)
    return CreatorDay(day, list(selected), todo, plans, credits)


def plan_search_day(
    settings: Settings, day: date, selected: Sequence[Query], *, fresh: bool | None = None
) -> SearchDay:
    """Plan the search half of ``day`` for the selected queries (reads the landing zone)."""
    landing = Landing(settings.landing_root)
    done = set() if is_fresh(settings, fresh) else landed_items(landing, day, "searches")
    todo = [q for q in selected if query_item(q) not in done]
    credits = estimate_credits((), todo, settings.search_pages)
    return SearchDay(day, list(selected), todo, credits)


@dataclass(frozen=True)
class BrandDay:
    """What one brand adds to a day: its accounts' and its searches' halves, and a steady day."""

    brand: Brand
    accounts: CreatorDay
    searches: SearchDay
    already_tracked: list[str]
    steady_credits: float

    @property
    def credits(self) -> int:
        """Upper bound of the credits the brand's items still to fetch cost today."""
        return self.accounts.credits + self.searches.credits

    def summary(self, settings: Settings) -> str:
        """One dry-run line: the brand's items, today's bound and a steady day."""
        items = [f"@{c.username}" for c in self.accounts.selected] + [
            f"{'#' if q.query_type == 'hashtag' else 'keyword '}{q.query}"
            for q in self.searches.selected
        ]
        price = settings.price_per_credit
        text = (
            f"{self.brand.name} ({self.brand.competitive_set}): {', '.join(items) or 'nothing'}; "
            f"at most {self.credits} credits today (${self.credits * price:.3f}), about "
            f"{self.steady_credits:.1f} a steady day (${self.steady_credits * price:.3f})"
        )
        if self.already_tracked:
            text += (
                f"; already tracked by the roster or query file: {', '.join(self.already_tracked)}"
            )
        return text


def plan_brand_days(
    settings: Settings, day: date, tracked: BrandTracking, *, fresh: bool | None = None
) -> list[BrandDay]:
    """Plan, brand by brand, the accounts and searches ``tracked`` adds (reads the landing zone).

    A steady day of a brand: one ``user/posts`` request per account, a profile every
    ``TIKTOK_PROFILE_REFRESH_DAYS``, and each of its searches' pages (a hashtag's lookup too).
    """
    days = []
    for brand in tracked.brands:
        accounts = tracked.accounts[brand.name]
        queries = tracked.queries[brand.name]
        steady = len(accounts) * (1 + 1 / settings.profile_refresh_days) + estimate_credits(
            (), queries, settings.search_pages
        )
        days.append(
            BrandDay(
                brand,
                plan_creator_day(settings, day, accounts, fresh=fresh),
                plan_search_day(settings, day, queries, fresh=fresh),
                list(tracked.already_tracked[brand.name]),
                steady,
            )
        )
    return days


@dataclass(frozen=True)
class CommentDay:
    """The comment sampling of a day: the selection, what is still to fetch, and what it costs.

    ``posts_landed`` is False when the date has no ``creator_posts`` yet: nothing can be due
    before the creators of the date are extracted.
    """

    snapshot_date: date
    policy: CommentPolicy
    selection: Selection
    todo: list[DueVideo]
    credits: int
    posts_landed: bool

    @property
    def due(self) -> list[DueVideo]:
        return self.selection.due

    @property
    def skipped(self) -> int:
        """Due videos an earlier load of the date already sampled."""
        return len(self.selection.due) - len(self.todo)

    def summary(self, settings: Settings) -> str:
        """The planning line: due, skipped, deferred by the cap, and the credit bound."""
        if not self.posts_landed:
            return (
                f"{self.snapshot_date}: no creator posts landed for the date yet, so no video is "
                "due; extract the creators of the date first"
            )
        deferred = len(self.selection.deferred)
        return (
            f"{self.snapshot_date}: {len(self.due)} videos due for comments "
            f"({self.selection.sampled_before} sampled on earlier dates, {deferred} left for "
            f"later by TIKTOK_COMMENTS_DAILY_CREDITS), {self.skipped} already landed for the "
            f"date; {self.policy.pages} page(s) of 50 each, at most {self.credits} credits "
            f"(${self.credits * settings.price_per_credit:.3f})"
        )


def _column_rows(landing: Landing, dataset: str, day: date, columns: list[str]) -> list[dict]:
    """The rows of a date's partition, reading only ``columns``."""
    return _read_columns(landing, landing.files(dataset, day), columns)


def sampled_before(landing: Landing, day: date, policy: CommentPolicy) -> set[str]:
    """Videos whose comments an earlier date sampled (the dates the policy says matter)."""
    video_ids: list[str] = []
    loads: list[dict] = []
    for earlier in policy.history_dates(day):
        video_ids += [
            r["video_id"] for r in _column_rows(landing, "comments", earlier, ["video_id"])
        ]
        loads += _column_rows(landing, "loads", earlier, ["kind", "items_done"])
    return sampled_video_ids(video_ids, loads)


_POST_COLUMNS = [
    "creator_username",
    "video_id",
    "author_unique_id",
    "created_at",
    "comment_count",
    "captured_at",
    "load_id",
]
_RESULT_COLUMNS = [
    "query",
    "query_type",
    "video_id",
    "author_unique_id",
    "created_at",
    "comment_count",
    "share_count",
    "captured_at",
    "load_id",
]


def plan_comment_day(
    settings: Settings,
    day: date,
    selected: Sequence[Creator],
    *,
    fresh: bool | None = None,
    run_id: str | None = None,
) -> CommentDay:
    """Plan the comment sampling of ``day`` for the selected creators' posts (reads the landing
    zone). With ``fresh`` the whole selection is fetched again, except what earlier loads of the
    same ``run_id`` fetched (its probe, a retried task)."""
    landing = Landing(settings.landing_root)
    policy = CommentPolicy.from_settings(settings)
    posts = _column_rows(landing, "creator_posts", day, _POST_COLUMNS)
    results = (
        _column_rows(landing, "search_results", day, _RESULT_COLUMNS)
        if policy.top_query_videos
        else []
    )
    sampled = sampled_before(landing, day, policy)
    candidates = candidate_videos(
        posts, results, policy, day, creators=[c.username for c in selected], sampled=sampled
    )
    selection = select_due(candidates, sampled, policy)
    todo = _still_to_fetch(
        settings, landing, day, "comments", selection.due, fresh=fresh, run_id=run_id
    )
    return CommentDay(
        day, policy, selection, todo, len(todo) * policy.pages, posts_landed=bool(posts)
    )


def steady_comment_credits(
    settings: Settings, day: date, selected: Sequence[Creator], queries: int
) -> float | None:
    """Comment credits of a steady day for the selection, estimated from the latest landed feeds
    on or before ``day`` (None when no feed has landed within the window)."""
    landing = Landing(settings.landing_root)
    policy = CommentPolicy.from_settings(settings)
    wanted = {c.username.lower() for c in selected}
    for earlier in [day, *reversed(policy.history_dates(day))]:
        posts = [
            r
            for r in _column_rows(landing, "creator_posts", earlier, _POST_COLUMNS)
            if r["creator_username"].lower() in wanted
        ]
        if posts:
            return steady_daily_credits(posts, earlier, policy, queries)
    return None


@dataclass(frozen=True)
class CommentBatch:
    """One batch of due videos and the part name its files carry."""

    part: str
    videos: list[DueVideo]


def comment_batches(
    due: Sequence[DueVideo], size: int = DEFAULT_COMMENT_BATCH_SIZE
) -> list[CommentBatch]:
    """Split the date's selection into batches of ``size`` (``comments-part-<batch:04d>``)."""
    return [CommentBatch(part, videos) for part, videos in _numbered(due, size, COMMENT_PART)]


def probe_comment_video(day: CommentDay, today: date | None = None) -> DueVideo | None:
    """The video to sample alone first, or None when no probe is needed."""
    return _first_to_fetch(day.todo, day.snapshot_date, today)


@dataclass(frozen=True)
class FollowingDay:
    """The creator graph of a day: who is due (backfill or refresh), what is still to fetch, and
    the credit bound."""

    snapshot_date: date
    policy: FollowingsPolicy
    selection: GraphSelection
    todo: list[DueCreator]
    credits: int

    @property
    def due(self) -> list[DueCreator]:
        return self.selection.due

    @property
    def skipped(self) -> int:
        """Due creators an earlier load of the date already fetched."""
        return len(self.selection.due) - len(self.todo)

    def summary(self, settings: Settings) -> str:
        """The planning line: backfills, refreshes, not due, unresolved, and the credit bound."""
        selection = self.selection
        backfills = sum(c.mode == BACKFILL for c in self.todo)
        return (
            f"{self.snapshot_date}: {len(selection.backfills)} creators to backfill (up to "
            f"{self.policy.max_pages} pages of 20), {len(selection.refreshes)} to refresh (page "
            f"1), {len(selection.not_due)} not due (refreshed under "
            f"{self.policy.refresh_days} days ago), {len(selection.unresolved)} without a landed "
            f"profile; {self.skipped} already landed for the date; {backfills} backfills and "
            f"{len(self.todo) - backfills} refreshes to fetch, at most {self.credits} credits "
            f"(${self.credits * settings.price_per_credit:.3f})"
        )


def _all_rows(landing: Landing, dataset: str, columns: list[str]) -> list[dict]:
    """Every landed row of a dataset, reading only ``columns``."""
    return _read_columns(landing, landing.files(dataset), columns)


def plan_following_day(
    settings: Settings,
    day: date,
    selected: Sequence[Creator],
    *,
    fresh: bool | None = None,
    run_id: str | None = None,
) -> FollowingDay:
    """Plan the creator graph of ``day`` for the selected roster creators (reads the landing
    zone). With ``fresh`` the whole selection is fetched again, except what earlier loads of the
    same ``run_id`` fetched (its probe, a retried task)."""
    landing = Landing(settings.landing_root)
    policy = FollowingsPolicy.from_settings(settings)
    loads = [
        r
        for r in _all_rows(landing, "loads", ["snapshot_date", "kind", "items_done"])
        if r["kind"] == LOAD_KIND
    ]
    profiles = _all_rows(landing, "profiles", ["snapshot_date", "creator_username", "sec_uid"])
    selection = select_due_creators(
        selected, graph_history(loads, day), latest_sec_uids(profiles, day), policy, day
    )
    todo = _still_to_fetch(
        settings, landing, day, LOAD_KIND, selection.due, fresh=fresh, run_id=run_id
    )
    return FollowingDay(day, policy, selection, todo, sum(c.pages for c in todo))


def landed_backfill_pages(settings: Settings, before: date) -> list[int]:
    """Credits each backfill finished before ``before`` cost (its load's billed ``user/followings``
    requests for the creator, an empty last page included): what a backfill of this roster
    costs, for the dry run's estimate."""
    landing = Landing(settings.landing_root)
    loads = _all_rows(landing, "loads", ["snapshot_date", "load_id", "kind", "items_done"])
    backfills = {
        (r["load_id"], item.partition(":")[2])
        for r in loads
        if r["kind"] == LOAD_KIND and r["snapshot_date"] < before
        for item in r["items_done"] or ()
        if item.startswith(f"followings-{BACKFILL}:")
    }
    credits: dict[tuple[str, str], int] = {}
    columns = ["load_id", "endpoint", "item_key", "credits_used"]
    for row in _all_rows(landing, "request_ledger", columns):
        key = (row["load_id"], (row["item_key"] or "").lower())
        if row["endpoint"] == "user/followings" and key in backfills:
            credits[key] = credits.get(key, 0) + (row["credits_used"] or 0)
    return sorted(credits.values())


@dataclass(frozen=True)
class FollowingBatch:
    """One batch of due creators and the part name its files carry."""

    part: str
    creators: list[DueCreator]


def following_batches(
    due: Sequence[DueCreator], size: int = DEFAULT_FOLLOWING_BATCH_SIZE
) -> list[FollowingBatch]:
    """Split the date's selection into batches of ``size`` (``followings-part-<batch:04d>``)."""
    return [
        FollowingBatch(part, creators) for part, creators in _numbered(due, size, FOLLOWING_PART)
    ]


def probe_following_creator(day: FollowingDay, today: date | None = None) -> DueCreator | None:
    """The creator to fetch alone first, or None when no probe is needed."""
    return _first_to_fetch(day.todo, day.snapshot_date, today)


@dataclass(frozen=True)
class CreatorBatch:
    """One batch of creators and the part name its files carry."""

    part: str
    creators: list[Creator]


def creator_batches(
    selected: Sequence[Creator],
    *,
    subset: bool,
    size: int = DEFAULT_BATCH_SIZE,
    brands: bool = False,
) -> list[CreatorBatch]:
    """Split the selection into batches of ``size``, named as the module docstring says; with
    ``brands``, brand accounts' batches (``brands-part-<batch:04d>``, ``brands-subset-...``), so
    that the roster's batches stay what they are whatever the brands file holds."""
    whole, some = (BRAND_PART, BRAND_SUBSET_PART) if brands else (CREATOR_PART, CREATOR_SUBSET_PART)
    prefix = (
        f"{some}-{_digest(','.join(sorted(c.username.lower() for c in selected)))}"
        if subset
        else whole
    )
    return [CreatorBatch(part, creators) for part, creators in _numbered(selected, size, prefix)]


def search_part(query: Query) -> str:
    """Part name of one query's files: a readable slug and a digest of the exact type and text."""
    slug = re.sub(r"[^a-z0-9]+", "-", query.query.lower()).strip("-")[:40] or "q"
    return f"searches-{query.query_type}-{slug}-{_digest(f'{query.query_type}:{query.query}')}"


def probe_part(kind: str) -> str:
    """Part name of the past-date probe's files (``kind``: ``creators``, ``searches``, ``comments``,
    ``followings``)."""
    return PROBE_PART.format(kind=kind)


def needs_probe(day: date, today: date | None = None) -> bool:
    """Whether ``day`` must be confirmed by the API first: any date other than today's (UTC)."""
    return day != (today or today_utc())


def probe_creator(day: CreatorDay, today: date | None = None) -> Creator | None:
    """The creator to extract alone first, or None when no probe is needed."""
    return _first_to_fetch(day.todo, day.snapshot_date, today)


def probe_query(day: SearchDay, today: date | None = None) -> Query | None:
    """The query to extract alone first, or None when no probe is needed."""
    return _first_to_fetch(day.todo, day.snapshot_date, today)


__all__ = [
    "BrandDay",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_COMMENT_BATCH_SIZE",
    "DEFAULT_FOLLOWING_BATCH_SIZE",
    "CommentBatch",
    "CommentDay",
    "CreatorBatch",
    "CreatorDay",
    "FollowingBatch",
    "FollowingDay",
    "SearchDay",
    "comment_batches",
    "creator_batches",
    "following_batches",
    "landed_backfill_pages",
    "is_fresh",
    "needs_probe",
    "plan_brand_days",
    "plan_comment_day",
    "plan_creator_day",
    "plan_following_day",
    "plan_search_day",
    "probe_comment_video",
    "probe_creator",
    "probe_following_creator",
    "probe_part",
    "probe_query",
    "sampled_before",
    "search_part",
    "steady_comment_credits",
]
