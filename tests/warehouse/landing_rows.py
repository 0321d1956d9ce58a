"""Hand-written landing rows with defaults, for fixtures whose expected values are computed by hand.

Rows leave out their lineage: ``Landing.write(..., load=...)`` fills it from the load that writes
them (:func:`load` makes one with a deterministic id).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from tiktok_engagement.landing import Load


def load(run_id: str, started: datetime, *, attempt: int = 1) -> Load:
    """A load started at ``started`` whose id is deterministic and sorts by start, as real ones do."""
    digest = hashlib.sha256(f"{run_id}/{attempt}/{started.isoformat()}".encode()).hexdigest()[:8]
    return Load(f"{started:%Y%m%dT%H%M%S}Z-{digest}", run_id, attempt, started)


def loads_row(
    day: date,
    of: Load,
    *,
    outcome: str = "complete",
    finished: datetime | None = None,
    requests: int = 0,
    credits: int = 0,
    rows_landed: int = 0,
    rows_rejected: int = 0,
    fresh: bool = False,
    items_done: list[str] | None = None,
) -> dict[str, Any]:
    """The ``loads`` row a load writes when it finishes."""
    return {
        "snapshot_date": day,
        "load_id": of.load_id,
        "run_id": of.run_id,
        "run_attempt": of.run_attempt,
        "kind": "creators",
        "part": "part-0000",
        "started_at": of.started_at,
        "finished_at": finished or of.started_at,
        "outcome": outcome,
        "stop_reason": None if outcome == "complete" else outcome,
        "fresh_capture": fresh,
        "api_date": day.isoformat(),
        "requests": requests,
        "credits_used": credits,
        "rows_landed": rows_landed,
        "rows_rejected": rows_rejected,
        "items_done": items_done or [],
        "items_failed": [],
        "items_not_fetched": [],
    }


def rejected(
    day: date, item_key: str, item_id: str | None, reason: str, *, request_seq: int | None = None
) -> dict[str, Any]:
    """A feed item that failed validation."""
    return {
        "snapshot_date": day,
        "dataset": "creator_posts",
        "endpoint": "user/posts",
        "item_key": item_key,
        "item_id": item_id,
        "reason": reason,
        "raw_json": json.dumps({"aweme_id": item_id}),
        "request_seq": request_seq,
    }


def video(
    video_id: str, views: int, likes: int, comments: int, shares: int, *, created: str, author: str
) -> dict[str, Any]:
    """The video columns shared by creator_posts and search_results."""
    created_at = datetime.fromisoformat(created).replace(tzinfo=UTC)
    return {
        "video_id": video_id,
        "author_unique_id": author,
        "author_nickname": author.title(),
        "author_sec_uid": f"sec-{author}",
        "description": f"video {video_id}",
        "created_at": created_at,
        "play_count": views,
        "digg_count": likes,
        "comment_count": comments,
        "share_count": shares,
        "collect_count": 0,
        "download_count": 0,
        "duration_ms": 15000,
        "music_title": None,
        "music_author": None,
        "hashtags": [],
        "is_ads": False,
        "region": "US",
        "raw_json": json.dumps({"aweme_id": video_id}),
    }


def post(
    day: date, creator: str, niche: str, position: int, *args: Any, **kwargs: Any
) -> dict[str, Any]:
    return {
        "snapshot_date": day,
        "creator_username": creator,
        "niche": niche,
        "sec_uid": f"sec-{creator}",
        "feed_position": position,
        **video(*args, author=creator, **kwargs),
    }


def result(
    day: date,
    query: str,
    query_type: str,
    rank: int,
    *args: Any,
    author: str = "outsider",
    **kwargs: Any,
) -> dict[str, Any]:
    return {
        "snapshot_date": day,
        "query": query,
        "query_type": query_type,
        "hashtag_id": "h-" + query.strip("#") if query_type == "hashtag" else None,
        "page": 1,
        "result_rank": rank,
        **video(*args, author=author, **kwargs),
    }


def profile(
    day: date, creator: str, niche: str, followers: int, *, verified: bool = False
) -> dict[str, Any]:
    return {
        "snapshot_date": day,
        "creator_username": creator,
        "niche": niche,
        "unique_id": creator,
        "sec_uid": f"sec-{creator}",
        "uid": None,
        "nickname": creator.title(),
        "signature": None,
        "bio_url": None,
        "follower_count": followers,
        "following_count": 10,
        "aweme_count": 50,
        "total_favorited": 1000,
        "verification_type": 1 if verified else 0,
        "is_verified": verified,
        "raw_json": json.dumps({"unique_id": creator}),
    }


def ledger(
    day: date,
    seq: int,
    endpoint: str,
    *,
    attempt: int = 1,
    status: int | None = 200,
    credits: int | None = 1,
    error: str | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    return {
        "snapshot_date": day,
        "run_id": run_id or f"run-{day}",
        "request_seq": seq,
        "endpoint": endpoint,
        "params_json": "{}",
        "item_key": None,
        "attempt": attempt,
        "status": status,
        "error_class": error,
        "error_message": None if error is None else "failed",
        "credits_used": credits,
        "credits_remaining": 1000 - seq,
        "latency_ms": 100.0,
        "started_at": datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
        "suspect_empty": False,
    }


def hashtag(day: date, query: str, views: int, videos: int) -> dict[str, Any]:
    return {
        "snapshot_date": day,
        "query": query,
        "hashtag_id": "h-" + query.strip("#"),
        "title": query.strip("#"),
        "description": None,
        "video_count": videos,
        "view_count": views,
        "raw_json": "{}",
    }


def comment(
    day: date,
    video_id: str,
    comment_id: str,
    text: str,
    commenter: str,
    *,
    creator: str | None,
    rank: int = 1,
    page: int = 1,
    likes: int = 0,
    replies: int = 0,
    parent: str | None = None,
    author: str | None = None,
    created: str = "2024-03-30T12:00:00",
) -> dict[str, Any]:
    """A comment of a sampled video (``creator``: the roster creator whose feed it came from)."""
    return {
        "snapshot_date": day,
        "video_id": video_id,
        "creator_username": creator,
        "video_author_unique_id": author or creator,
        "sample_source": "creator_posts" if creator else "query_top",
        "query": None,
        "page": page,
        "comment_rank": rank,
        "comment_id": comment_id,
        "parent_comment_id": parent,
        "text": text,
        "created_at": datetime.fromisoformat(created).replace(tzinfo=UTC),
        "like_count": likes,
        "reply_count": replies,
        "commenter_unique_id": commenter,
        "commenter_nickname": commenter.title(),
        "raw_json": json.dumps({"cid": comment_id, "text": text}),
    }


def comment_score(
    day: date,
    video_id: str,
    comment_id: str,
    comments_load: Load,
    label: str,
    *,
    score: float | None = None,
    language: str | None = "en",
    question: bool = False,
    purchase: bool = False,
    generic: bool = False,
    terms: list[str] | None = None,
    version: str = "test-1",
    scored_at: datetime | None = None,
) -> dict[str, Any]:
    """The score of a landed comment; ``score`` defaults to 0.5, 0.0 or -0.5 by label (NULL when
    unscored). Lineage comes from the scoring load; ``scored_at`` sets its captured_at."""
    defaults = {"positive": 0.5, "neutral": 0.0, "negative": -0.5, "unscored": None}
    return {
        "snapshot_date": day,
        "comment_id": comment_id,
        "video_id": video_id,
        "comments_load_id": comments_load.load_id,
        "language": language,
        "language_confidence": None if language is None else 0.9,
        "sentiment_score": defaults[label] if score is None else score,
        "sentiment_label": label,
        "is_question": question,
        "purchase_intent": purchase,
        "is_generic": generic,
        "normalized_text": comment_id,
        "terms": terms or [],
        "scorer_version": version,
        "captured_at": scored_at,
        "request_seq": None,
    }


def following(
    day: date,
    creator: str,
    account: str,
    position: int,
    *,
    followers: int | None = 1000,
    sec_uid: str | None = None,
    page: int | None = None,
) -> dict[str, Any]:
    """An account ``creator`` follows, as a ``user/followings`` page listed it (20 a page)."""
    return {
        "snapshot_date": day,
        "creator_username": creator,
        "creator_sec_uid": f"sec-{creator}",
        "page": page or (position - 1) // 20 + 1,
        "position": position,
        "followed_unique_id": account,
        "followed_sec_uid": sec_uid or f"sec-{account}",
        "followed_nickname": account.title(),
        "followed_follower_count": followers,
        "raw_json": json.dumps({"unique_id": account, "follower_count": followers}),
    }
