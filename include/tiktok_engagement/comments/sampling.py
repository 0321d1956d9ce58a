"""Which videos have their comments sampled on a snapshot date: the policy, as pure functions.

Comments cost a credit per page of 50, so they are sampled, not followed:

- **Which videos.** Every video in a tracked creator's recent posts (the date's ``creator_posts``)
  and, when ``TIKTOK_COMMENTS_TOP_QUERY_VIDEOS`` is N > 0, the N most-shared videos of each query's
  results of the date (``search_results``; ties by video id) among those the rules below leave
  open: a query's all-time hits are old, so ranking before the age window would leave nothing.
  A video in both is sampled as the creator's. A video whose latest landed ``comment_count`` is 0 is left for a later day: its answer
  would be an empty page, bought for nothing.
- **When.** Once, when the video is at least ``TIKTOK_COMMENTS_MIN_AGE_HOURS`` (48) old and at
  most ``TIKTOK_COMMENTS_MAX_AGE_DAYS`` (14) old, as of the snapshot date's :func:`as_of` instant
  (12:00 UTC, the instant the simulator answers as of), so most of a post's comments have arrived
  and the sample still describes a recent post. The age is the landed ``created_at`` against that
  instant, never the clock, so a re-run decides as the first run did.
- **Once.** A video that earlier dates sampled (comments landed, or a finished ``comments`` load
  counted it as done, which covers a video that answered with no comments or is gone) is not due
  again. Only the dates that can hold a sample of a video still in the window are read
  (:meth:`CommentPolicy.history_dates`). The date's own samples are not part of that decision: they
  only say what a re-run still has to fetch (the loads' ``items_done``, as for creators), so the
  date's selection, and its batches, stay the same across re-runs; a fresh capture fetches the
  selection again.
- **How much.** ``TIKTOK_COMMENT_PAGES`` pages (1) of 50 comments per video. With
  ``TIKTOK_COMMENTS_DAILY_CREDITS`` set, the date's selection holds at most that many credits of
  pages; the videos left out stay due and, since the oldest are chosen first, come first the next
  day. The selection takes each creator's (and query's) oldest due video in turn, so a cap spreads
  over creators instead of exhausting itself on the most prolific one.

Everything here works on rows already read (dicts); :mod:`tiktok_engagement.plan` reads the landing
zone and calls these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tiktok_engagement.config import Settings

COMMENTS_PER_PAGE = 50
"""Comments asked for per page: the API's maximum ``count`` for video/comments."""
SOURCE_CREATOR_POSTS = "creator_posts"
SOURCE_SEARCH_RESULTS = "search_results"
SAMPLE_SOURCES = (SOURCE_CREATOR_POSTS, SOURCE_SEARCH_RESULTS)
"""Values of ``comments.sample_source``: the landing dataset the video was chosen from."""


def as_of(snapshot_date: date) -> datetime:
    """The instant a snapshot date's ages are measured at: 12:00 UTC that day."""
    return datetime.combine(snapshot_date, time(12, 0), tzinfo=UTC)


def video_item(video_id: str) -> str:
    """The item key of a sampled video in ``loads``."""
    return f"video:{video_id}"


@dataclass(frozen=True)
class CommentPolicy:
    """The sampling settings (see the module docstring)."""

    min_age_hours: int = 48
    max_age_days: int = 14
    pages: int = 1
    top_query_videos: int = 0
    daily_credits: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> CommentPolicy:
        """The policy of ``settings`` (validated there: ``TIKTOK_COMMENTS_*``, ``TIKTOK_COMMENT_PAGES``)."""
        return cls(
            min_age_hours=settings.comments_min_age_hours,
            max_age_days=settings.comments_max_age_days,
            pages=settings.comment_pages,
            top_query_videos=settings.comments_top_query_videos,
            daily_credits=settings.comments_daily_credits,
        )

    def in_window(self, created_at: datetime, snapshot_date: date) -> bool:
        """Whether a video created at ``created_at`` is old enough and young enough on the date."""
        age = as_of(snapshot_date) - created_at
        return timedelta(hours=self.min_age_hours) <= age <= timedelta(days=self.max_age_days)

    def history_dates(self, snapshot_date: date) -> list[date]:
        """The earlier dates whose samples can concern a video in the date's window.

        A video in the window was created at most ``max_age_days`` before the date, and nothing
        samples a video before it exists, so earlier samples of it are on these dates.
        """
        return [snapshot_date - timedelta(days=n) for n in range(self.max_age_days + 1, 0, -1)]

    @property
    def videos_per_day(self) -> int | None:
        """How many videos a date's selection may hold under ``daily_credits`` (None: no cap)."""
        return None if self.daily_credits is None else self.daily_credits // self.pages


@dataclass(frozen=True)
class DueVideo:
    """A video whose comments a date samples, with what the landed rows say about it."""

    video_id: str
    sample_source: str
    created_at: datetime
    comment_count: int
    creator_username: str | None = None
    video_author_unique_id: str | None = None
    query: str | None = None

    @property
    def item(self) -> str:
        """Its item key in ``loads``."""
        return video_item(self.video_id)

    @property
    def group(self) -> str:
        """Whose video it is for the fair order: the creator's, or the query's."""
        if self.creator_username is not None:
            return f"creator:{self.creator_username.lower()}"
        return f"query:{(self.query or '').lower()}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (for XCom); :meth:`from_dict` reads it back."""
        return {
            "video_id": self.video_id,
            "sample_source": self.sample_source,
            "created_at": self.created_at.isoformat(),
            "comment_count": self.comment_count,
            "creator_username": self.creator_username,
            "video_author_unique_id": self.video_author_unique_id,
            "query": self.query,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DueVideo:
        return cls(
            video_id=str(data["video_id"]),
            sample_source=str(data["sample_source"]),
            created_at=datetime.fromisoformat(str(data["created_at"])),
            comment_count=int(data["comment_count"]),
            creator_username=data.get("creator_username"),
            video_author_unique_id=data.get("video_author_unique_id"),
            query=data.get("query"),
        )


def _latest(rows: Iterable[Mapping[str, Any]], key: tuple[str, ...]) -> list[Mapping[str, Any]]:
    """One row per ``key``: the latest capture (``captured_at``), as the warehouse picks it."""
    latest: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        grain = tuple(row[k] for k in key)
        known = latest.get(grain)
        if known is None or _capture_order(row) > _capture_order(known):
            latest[grain] = row
    return list(latest.values())


_NEVER = datetime.min.replace(tzinfo=UTC)


def _capture_order(row: Mapping[str, Any]) -> tuple[datetime, str]:
    # Rows landed before lineage existed have no captured_at: any later capture wins over them.
    return row.get("captured_at") or _NEVER, row.get("load_id") or ""


def candidate_videos(
    posts: Iterable[Mapping[str, Any]],
    search_results: Iterable[Mapping[str, Any]],
    policy: CommentPolicy,
    snapshot_date: date,
    *,
    creators: Iterable[str] | None = None,
    sampled: Iterable[str] = (),
) -> list[DueVideo]:
    """The date's videos the policy would sample, before ``sampled`` ones are left out.

    ``posts`` are the date's ``creator_posts`` rows, ``search_results`` the date's search rows
    (read only when ``policy.top_query_videos`` > 0); rows need ``video_id``, ``created_at``,
    ``comment_count``, ``captured_at``, and ``creator_username`` / ``author_unique_id`` or
    ``query`` / ``share_count``. ``creators`` restricts the posts to those handles
    (case-insensitive). ``sampled`` (videos sampled before) only matters for the query videos:
    a query's top N are taken among the videos not sampled yet. Sorted by video id.
    """
    wanted = None if creators is None else {c.lower() for c in creators}
    found: dict[str, DueVideo] = {}
    for row in sorted(
        _latest(posts, ("creator_username", "video_id")),
        key=lambda r: (r["creator_username"].lower(), r["video_id"]),
    ):
        if wanted is not None and row["creator_username"].lower() not in wanted:
            continue
        if row["video_id"] in found or not _eligible(row, policy, snapshot_date):
            continue
        found[row["video_id"]] = DueVideo(
            video_id=row["video_id"],
            sample_source=SOURCE_CREATOR_POSTS,
            created_at=row["created_at"],
            comment_count=row["comment_count"],
            creator_username=row["creator_username"],
            video_author_unique_id=row.get("author_unique_id"),
        )
    if policy.top_query_videos > 0:
        closed = set(sampled)
        by_query: dict[str, list[Mapping[str, Any]]] = {}
        for row in _latest(search_results, ("query", "query_type", "video_id")):
            if row["video_id"] not in closed and _eligible(row, policy, snapshot_date):
                by_query.setdefault(row["query"], []).append(row)
        for query in sorted(by_query):
            ranked = sorted(by_query[query], key=lambda r: (-r["share_count"], r["video_id"]))
            taken = 0
            for row in ranked:
                if taken == policy.top_query_videos:
                    break
                if row["video_id"] in found:
                    continue  # the creator's video, or another query's pick
                taken += 1
                found[row["video_id"]] = DueVideo(
                    video_id=row["video_id"],
                    sample_source=SOURCE_SEARCH_RESULTS,
                    created_at=row["created_at"],
                    comment_count=row["comment_count"],
                    video_author_unique_id=row.get("author_unique_id"),
                    query=query,
                )
    return [found[video_id] for video_id in sorted(found)]


def _eligible(row: Mapping[str, Any], policy: CommentPolicy, snapshot_date: date) -> bool:
    return row["comment_count"] > 0 and policy.in_window(row["created_at"], snapshot_date)


def sampled_video_ids(
    comment_video_ids: Iterable[str], loads: Iterable[Mapping[str, Any]]
) -> set[str]:
    """Videos sampled already: those with landed comments, and those a finished ``comments`` load
    counted as done (a video that answered with no comments, or was gone, has no comment rows).

    ``loads`` are rows of the ``loads`` dataset (only ``kind == "comments"`` ones are used).
    """
    sampled = set(comment_video_ids)
    prefix = video_item("")
    for load in loads:
        if load["kind"] != "comments":
            continue
        sampled.update(
            item[len(prefix) :] for item in load["items_done"] or () if item.startswith(prefix)
        )
    return sampled


def fair_order(videos: Iterable[DueVideo]) -> list[DueVideo]:
    """Each creator's (or query's) oldest video first, then every group's second, and so on."""
    groups: dict[str, list[DueVideo]] = {}
    for video in videos:
        groups.setdefault(video.group, []).append(video)
    ranked = []
    for group, members in groups.items():
        members.sort(key=lambda v: (v.created_at, v.video_id))
        ranked += [(rank, group, video) for rank, video in enumerate(members)]
    return [video for _, _, video in sorted(ranked, key=lambda item: (item[0], item[1]))]


@dataclass(frozen=True)
class Selection:
    """A date's sampling decision: what is due, and what a daily credit cap left for later."""

    due: list[DueVideo]
    deferred: list[DueVideo]
    sampled_before: int

    def credits(self, policy: CommentPolicy) -> int:
        """Upper bound of the credits the due videos cost (a page each, ``pages`` at most)."""
        return comment_credits(self.due, policy)


def select_due(
    candidates: Sequence[DueVideo], sampled_before: set[str], policy: CommentPolicy
) -> Selection:
    """The candidates not sampled before, in :func:`fair_order`, cut at the daily credit cap."""
    open_ = [v for v in candidates if v.video_id not in sampled_before]
    ordered = fair_order(open_)
    limit = policy.videos_per_day
    due = ordered if limit is None else ordered[:limit]
    deferred = [] if limit is None else ordered[limit:]
    return Selection(due, deferred, len(candidates) - len(open_))


def comment_credits(videos: Sequence[DueVideo], policy: CommentPolicy) -> int:
    """Upper bound of the credits of sampling ``videos``: ``pages`` per video.

    A video with fewer comments than the pages hold stops early (``has_more`` 0), so with more
    than one page the real cost can be lower; with one page it is exact.
    """
    return len(videos) * policy.pages


def posting_rate(
    posts: Iterable[Mapping[str, Any]], snapshot_date: date, window_days: int
) -> float:
    """New posts per day across the creators of ``posts`` (one date's feed rows), from the posts
    created in the ``window_days`` before the date's :func:`as_of` instant.

    A feed holds a creator's latest posts only, so for a creator whose feed does not reach back
    over the whole window the rate is taken over the span its feed does cover.
    """
    moment = as_of(snapshot_date)
    window = timedelta(days=window_days)
    by_creator: dict[str, list[datetime]] = {}
    for row in _latest(posts, ("creator_username", "video_id")):
        by_creator.setdefault(row["creator_username"].lower(), []).append(row["created_at"])
    rate = 0.0
    for created in by_creator.values():
        recent = [c for c in created if moment - window <= c <= moment]
        if not recent:
            continue
        if len(recent) < len(created):  # the feed reaches back past the window
            span = window
        else:
            span = max(moment - min(recent), timedelta(days=1))
        rate += len(recent) / (span / timedelta(days=1))
    return rate


def steady_daily_credits(
    posts: Iterable[Mapping[str, Any]],
    snapshot_date: date,
    policy: CommentPolicy,
    queries: int = 0,
) -> float:
    """Comment credits of a steady day: every new post is sampled once, ``pages`` pages each,
    plus, when query videos are on, at most ``top_query_videos`` new videos per query; capped by
    ``daily_credits``. An estimate from one date's feeds (:func:`posting_rate`)."""
    daily = posting_rate(posts, snapshot_date, policy.max_age_days) * policy.pages
    daily += queries * policy.top_query_videos * policy.pages
    if policy.daily_credits is not None:
        daily = min(daily, float(policy.daily_credits))
    return daily


__all__ = [
    "COMMENTS_PER_PAGE",
    "SAMPLE_SOURCES",
    "SOURCE_CREATOR_POSTS",
    "SOURCE_SEARCH_RESULTS",
    "CommentPolicy",
    "DueVideo",
    "Selection",
    "as_of",
    "candidate_videos",
    "comment_credits",
    "fair_order",
    "posting_rate",
    "sampled_video_ids",
    "select_due",
    "steady_daily_credits",
    "video_item",
]
