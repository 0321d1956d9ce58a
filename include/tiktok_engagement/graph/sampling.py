"""Which roster creators have their following lists fetched on a snapshot date: the policy, as pure
functions over what has landed.

A following list costs a credit per page of 20 accounts, most recent follow first, so:

- **Backfill once.** A roster creator whose list no earlier date fetched completely is backfilled:
  up to ``TIKTOK_FOLLOWINGS_MAX_PAGES`` (25) pages, i.e. its 500 latest follows. A backfill counts
  as done when a finished ``followings`` load lists it in ``items_done`` (a creator that was gone,
  404, counts too); one stopped by a cap is not done, and the next date backfills it again.
- **Then refresh page 1.** Once backfilled, page 1 (the 20 latest follows, where new follows
  appear) is fetched again when the creator's last backfill or refresh is
  ``TIKTOK_FOLLOWINGS_REFRESH_DAYS`` (7) or more days before the date. Follows deeper in the list
  are not fetched again, so an unfollow below page 1 is not seen by a refresh.
- **Who.** The creators of the roster with a known ``sec_uid``: the latest landed profile on or
  before the date (the posts plan resolves and keeps it). A creator without one waits for its
  profile (the creator extraction resolves it) and is listed as unresolved.
- **Decided from earlier dates.** Only loads of dates before the snapshot date decide who is
  due, so a re-run of a date selects the same creators and the same batches; the date's own loads
  only say what a re-run still has to fetch (their ``items_done``, as for the other loads).

Everything here works on rows already read (dicts); :mod:`tiktok_engagement.plan` reads the landing
zone and calls these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tiktok_engagement.config import Creator, Settings

FOLLOWINGS_PER_PAGE = 20
"""Accounts asked for per page: the API's maximum ``count`` for user/followings."""
BACKFILL = "backfill"
REFRESH = "refresh"
MODES = (BACKFILL, REFRESH)
LOAD_KIND = "followings"
"""The ``loads.kind`` of a followings load."""


def following_item(mode: str, username: str) -> str:
    """The item key of a creator's backfill or refresh in ``loads``."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    return f"followings-{mode}:{username.lower()}"


def parse_item(item: str) -> tuple[str, str] | None:
    """(mode, lower-case handle) of a followings item key, or None for any other key."""
    head, _, username = item.partition(":")
    mode = head.removeprefix("followings-")
    if head == mode or mode not in MODES or not username:
        return None
    return mode, username


@dataclass(frozen=True)
class FollowingsPolicy:
    """The graph settings (see the module docstring)."""

    max_pages: int = 25
    refresh_days: int = 7

    def __post_init__(self) -> None:
        if self.max_pages < 1 or self.refresh_days < 1:
            raise ValueError(f"max_pages and refresh_days must be >= 1, got {self}")

    @classmethod
    def from_settings(cls, settings: Settings) -> FollowingsPolicy:
        """The policy of ``settings`` (validated there: ``TIKTOK_FOLLOWINGS_*``)."""
        return cls(
            max_pages=settings.followings_max_pages,
            refresh_days=settings.followings_refresh_days,
        )

    def pages(self, mode: str) -> int:
        """Pages a creator's fetch may cost: the backfill's maximum, or the refresh's one."""
        return self.max_pages if mode == BACKFILL else 1


@dataclass(frozen=True)
class GraphHistory:
    """What earlier dates did for one creator: when its backfill finished, its latest fetch."""

    backfilled_on: date | None = None
    last_fetched_on: date | None = None


def graph_history(loads: Iterable[Mapping[str, Any]], before: date) -> dict[str, GraphHistory]:
    """Per lower-case handle, what finished ``followings`` loads of dates before ``before`` did.

    ``loads`` are rows of the ``loads`` dataset with ``snapshot_date``, ``kind`` and
    ``items_done``; rows of other kinds and of ``before`` or later are ignored.
    """
    backfilled: dict[str, date] = {}
    fetched: dict[str, date] = {}
    for load in loads:
        day = load["snapshot_date"]
        if load["kind"] != LOAD_KIND or day >= before:
            continue
        for item in load["items_done"] or ():
            parsed = parse_item(item)
            if parsed is None:
                continue
            mode, username = parsed
            if mode == BACKFILL and (username not in backfilled or day < backfilled[username]):
                backfilled[username] = day
            if username not in fetched or day > fetched[username]:
                fetched[username] = day
    return {
        name: GraphHistory(backfilled.get(name), fetched.get(name))
        for name in backfilled.keys() | fetched.keys()
    }


def latest_sec_uids(profiles: Iterable[Mapping[str, Any]], on_or_before: date) -> dict[str, str]:
    """Per lower-case handle, the ``sec_uid`` of its latest landed profile on or before the date."""
    latest: dict[str, tuple[date, str]] = {}
    for row in profiles:
        day = row["snapshot_date"]
        if day > on_or_before or not row.get("sec_uid"):
            continue
        key = row["creator_username"].lower()
        if key not in latest or day >= latest[key][0]:
            latest[key] = (day, row["sec_uid"])
    return {name: sec_uid for name, (_, sec_uid) in latest.items()}


@dataclass(frozen=True)
class DueCreator:
    """A roster creator whose following list a date fetches, and how much of it."""

    username: str
    sec_uid: str
    mode: str
    pages: int

    @property
    def item(self) -> str:
        """Its item key in ``loads``."""
        return following_item(self.mode, self.username)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (for XCom); :meth:`from_dict` reads it back."""
        return {
            "username": self.username,
            "sec_uid": self.sec_uid,
            "mode": self.mode,
            "pages": self.pages,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DueCreator:
        return cls(
            username=str(data["username"]),
            sec_uid=str(data["sec_uid"]),
            mode=str(data["mode"]),
            pages=int(data["pages"]),
        )


@dataclass(frozen=True)
class GraphSelection:
    """A date's decision: who is backfilled, who refreshed, who is not due, who has no sec_uid."""

    due: list[DueCreator]
    not_due: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    @property
    def backfills(self) -> list[DueCreator]:
        return [c for c in self.due if c.mode == BACKFILL]

    @property
    def refreshes(self) -> list[DueCreator]:
        return [c for c in self.due if c.mode == REFRESH]

    @property
    def credits(self) -> int:
        """Upper bound of the credits: a backfill's maximum pages, a refresh's one."""
        return followings_credits(self.due)


def select_due(
    roster: Sequence[Creator],
    history: Mapping[str, GraphHistory],
    sec_uids: Mapping[str, str],
    policy: FollowingsPolicy,
    snapshot_date: date,
) -> GraphSelection:
    """The roster's creators due on the date, in roster order (see the module docstring)."""
    due: list[DueCreator] = []
    not_due: list[str] = []
    unresolved: list[str] = []
    for creator in roster:
        key = creator.username.lower()
        sec_uid = sec_uids.get(key)
        if sec_uid is None:
            unresolved.append(creator.username)
            continue
        known = history.get(key, GraphHistory())
        if known.backfilled_on is None:
            mode = BACKFILL
        elif (
            known.last_fetched_on is None
            or (snapshot_date - known.last_fetched_on).days >= policy.refresh_days
        ):
            mode = REFRESH
        else:
            not_due.append(creator.username)
            continue
        due.append(DueCreator(creator.username, sec_uid, mode, policy.pages(mode)))
    return GraphSelection(due, not_due, unresolved)


def followings_credits(due: Iterable[DueCreator]) -> int:
    """Upper bound of the credits of fetching ``due``: each creator's pages.

    A backfill stops at the end of the list, so it costs ``following // 20 + 1`` pages (the
    last one partly full, or empty when the list ends on a page boundary) when that is fewer
    than its maximum; a refresh costs exactly one.
    """
    return sum(c.pages for c in due)


def backfill_pages(following: int, policy: FollowingsPolicy) -> int:
    """The pages a backfill of a list of ``following`` accounts costs (see :func:`followings_credits`)."""
    return min(policy.max_pages, following // FOLLOWINGS_PER_PAGE + 1)


def steady_daily_credits(creators: int, policy: FollowingsPolicy) -> float:
    """Credits a steady day costs for ``creators`` backfilled creators: a page every
    ``refresh_days`` days each."""
    return creators / policy.refresh_days


__all__ = [
    "BACKFILL",
    "FOLLOWINGS_PER_PAGE",
    "LOAD_KIND",
    "MODES",
    "REFRESH",
    "DueCreator",
    "FollowingsPolicy",
    "GraphHistory",
    "GraphSelection",
    "backfill_pages",
    "following_item",
    "followings_credits",
    "graph_history",
    "latest_sec_uids",
    "parse_item",
    "select_due",
    "steady_daily_credits",
]
