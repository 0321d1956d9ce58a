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
  the same batches and a retry of a batch re-fetches what that batch still misses.
- **The past-date probe.** For a snapshot date other than today's (UTC), the first item the run
  would fetch is extracted alone first: against an API that does not confirm it answers as of that
  date, this spends one request and refuses the run before anything else is requested. An item
  already landed would be skipped without a request and confirm nothing, so the probe is the first
  item still to fetch; when nothing is, there is nothing to check.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .config import Creator, Query, Settings
from .extract import (
    CreatorPlan,
    creator_item,
    estimate_credits,
    landed_items,
    plan_creators,
    query_item,
    today_utc,
)
from .landing import Landing

DEFAULT_BATCH_SIZE = 25
CREATOR_PART = "creators-part"
CREATOR_SUBSET_PART = "creators-subset"
PROBE_PART = "{kind}-probe"


def _digest(text: str, length: int = 8) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:length]


def is_fresh(settings: Settings, fresh: bool | None) -> bool:
    """Whether to capture again what the date already landed: ``fresh`` when given, else the
    setting (``TIKTOK_FRESH_CAPTURE``)."""
    return settings.fresh_capture if fresh is None else fresh


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
class CreatorBatch:
    """One batch of creators and the part name its files carry."""

    part: str
    creators: list[Creator]


def creator_batches(
    selected: Sequence[Creator], *, subset: bool, size: int = DEFAULT_BATCH_SIZE
) -> list[CreatorBatch]:
    """Split the selection into batches of ``size``, named as the module docstring says."""
    if size < 1:
        raise ValueError(f"batch size {size} must be at least 1")
    prefix = (
        f"{CREATOR_SUBSET_PART}-{_digest(','.join(sorted(c.username.lower() for c in selected)))}"
        if subset
        else CREATOR_PART
    )
    return [
        CreatorBatch(f"{prefix}-{index:04d}", list(selected[start : start + size]))
        for index, start in enumerate(range(0, len(selected), size))
    ]


def search_part(query: Query) -> str:
    """Part name of one query's files: a readable slug and a digest of the exact type and text."""
    slug = re.sub(r"[^a-z0-9]+", "-", query.query.lower()).strip("-")[:40] or "q"
    return f"searches-{query.query_type}-{slug}-{_digest(f'{query.query_type}:{query.query}')}"


def probe_part(kind: str) -> str:
    """Part name of the past-date probe's files (``kind`` is ``creators`` or ``searches``)."""
    return PROBE_PART.format(kind=kind)


def needs_probe(day: date, today: date | None = None) -> bool:
    """Whether ``day`` must be confirmed by the API first: any date other than today's (UTC)."""
    return day != (today or today_utc())


def probe_creator(day: CreatorDay, today: date | None = None) -> Creator | None:
    """The creator to extract alone first, or None when no probe is needed."""
    return day.todo[0] if day.todo and needs_probe(day.snapshot_date, today) else None


def probe_query(day: SearchDay, today: date | None = None) -> Query | None:
    """The query to extract alone first, or None when no probe is needed."""
    return day.todo[0] if day.todo and needs_probe(day.snapshot_date, today) else None


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "CreatorBatch",
    "CreatorDay",
    "SearchDay",
    "creator_batches",
    "is_fresh",
    "needs_probe",
    "plan_creator_day",
    "plan_search_day",
    "probe_creator",
    "probe_part",
    "probe_query",
    "search_part",
]
