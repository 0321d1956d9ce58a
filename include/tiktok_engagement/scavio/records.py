"""Typed records parsed from Scavio payloads.

Parsing follows the contract's tolerance rules: ids may arrive as strings or numbers (they are kept
as strings, since a 19-digit id loses precision as a float), optional fields may be missing, and an
empty string counts as missing. A payload that lacks a required field raises
:class:`PayloadValidationError` naming the field, so a bad row is never built.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from .errors import PayloadValidationError

_MISSING = object()


@functools.lru_cache(maxsize=256)
def _steps(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def _get(obj: Any, path: str) -> Any:
    """Walk a dotted path through nested dicts; ``_MISSING`` when any step is absent or empty."""
    current = obj
    # Parsing runs on the event loop for every item of every page, so the walk is kept lean.
    for part in _steps(path):
        if type(current) is not dict:
            return _MISSING
        current = current.get(part, _MISSING)
        if current is _MISSING:
            return _MISSING
    if current is None or current == "":
        return _MISSING
    return current


def _require(obj: Any, path: str, context: str) -> Any:
    value = _get(obj, path)
    if value is _MISSING:
        raise PayloadValidationError(path, "is missing", context=context)
    return value


def _as_id(value: Any, path: str, context: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PayloadValidationError(
            path, f"must be a string or integer id, got {type(value).__name__}", context=context
        )
    text = str(value).strip()
    if not text:
        raise PayloadValidationError(path, "is empty", context=context)
    return text


def _as_int(value: Any, path: str, context: str) -> int:
    """Counts arrive as numbers or decimal strings; anything else is rejected."""
    if isinstance(value, bool):
        raise PayloadValidationError(path, "must be a number, got a boolean", context=context)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise PayloadValidationError(path, f"must be an integer, got {value!r}", context=context)


def _int_or_none(value: Any, path: str, context: str) -> int | None:
    """An optional count: None when absent or empty, else as :func:`_as_int` reads it."""
    if type(value) is int:
        return value
    if value is None or value == "":
        return None
    return _as_int(value, path, context)


def _str_or_none(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if type(value) is str else str(value)


def _opt_int(obj: Any, path: str, context: str) -> int | None:
    value = _get(obj, path)
    return None if value is _MISSING else _int_or_none(value, path, context)


def _opt_str(obj: Any, path: str) -> str | None:
    value = _get(obj, path)
    return None if value is _MISSING else _str_or_none(value)


def raw_json(item: dict[str, Any]) -> bytes:
    """The item as compact UTF-8 JSON with sorted keys: the same payload always gives the same text.

    Bytes rather than ``str``: landing puts them into a string column as they are, which is 20x
    faster for 20,000 kilobyte-long items than converting Python strings back to UTF-8.
    """
    return orjson.dumps(item, option=orjson.OPT_SORT_KEYS)


@dataclass(frozen=True, slots=True)
class Video:
    """One video ("aweme") as returned by user/posts, search/videos, hashtag/videos and video."""

    video_id: str
    created_at: datetime
    play_count: int
    digg_count: int
    comment_count: int
    share_count: int
    collect_count: int | None
    download_count: int | None
    author_unique_id: str | None
    author_nickname: str | None
    author_sec_uid: str | None
    description: str | None
    duration_ms: int | None
    music_title: str | None
    music_author: str | None
    hashtags: tuple[str, ...]
    is_ads: bool | None
    region: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_payload(cls, item: Any) -> Video:
        # Every item of every page goes through here on the event loop, so the common case (fields
        # present with their usual types) is read directly; anything else takes the general path
        # of `_require` / `_as_int`, which raises the error naming the field.
        if not isinstance(item, dict):
            raise PayloadValidationError("aweme", f"must be an object, got {type(item).__name__}")
        video_id = _as_id(_require(item, "aweme_id", "video"), "aweme_id", "video")
        context = f"video {video_id}"
        create_time = item.get("create_time")
        if type(create_time) is not int:
            create_time = _as_int(_require(item, "create_time", context), "create_time", context)
        stats = _child(item, "statistics")
        counts = {}
        for name in _REQUIRED_COUNTS:
            value = stats.get(name)
            if type(value) is not int:
                path = f"statistics.{name}"
                value = _as_int(_require(item, path, context), path, context)
            counts[name] = value
        author = _child(item, "author")
        music = _child(item, "music")
        hashtags = tuple(
            str(cha["cha_name"])
            for cha in (item.get("cha_list") or ())
            if isinstance(cha, dict) and cha.get("cha_name")
        )
        is_ads = item.get("is_ads")
        return cls(
            video_id=video_id,
            created_at=datetime.fromtimestamp(create_time, tz=UTC),
            collect_count=_int_or_none(
                stats.get("collect_count"), "statistics.collect_count", context
            ),
            download_count=_int_or_none(
                stats.get("download_count"), "statistics.download_count", context
            ),
            author_unique_id=_str_or_none(author.get("unique_id")),
            author_nickname=_str_or_none(author.get("nickname")),
            author_sec_uid=_str_or_none(author.get("sec_uid")),
            description=_str_or_none(item.get("desc")),
            duration_ms=_int_or_none(
                _child(item, "video").get("duration"), "video.duration", context
            ),
            music_title=_str_or_none(music.get("title")),
            music_author=_str_or_none(music.get("author")),
            hashtags=hashtags,
            is_ads=None if is_ads is None or is_ads == "" else bool(is_ads),
            region=_str_or_none(item.get("region")),
            raw=item,
            **counts,
        )


_REQUIRED_COUNTS = ("play_count", "digg_count", "comment_count", "share_count")
_EMPTY: dict[str, Any] = {}


def _child(obj: dict[str, Any], key: str) -> dict[str, Any]:
    """A nested object, or an empty one when it is absent or not an object."""
    value = obj.get(key)
    return value if type(value) is dict else _EMPTY


@dataclass(frozen=True, slots=True)
class Profile:
    """A creator's profile (``data.user`` of the profile endpoint)."""

    unique_id: str
    sec_uid: str
    uid: str | None
    nickname: str | None
    signature: str | None
    bio_url: str | None
    follower_count: int
    following_count: int | None
    aweme_count: int | None
    total_favorited: int | None
    verification_type: int | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def is_verified(self) -> bool:
        return (self.verification_type or 0) > 0

    @classmethod
    def from_payload(cls, user: Any) -> Profile:
        if not isinstance(user, dict):
            raise PayloadValidationError("user", f"must be an object, got {type(user).__name__}")
        unique_id = str(_require(user, "unique_id", "profile"))
        context = f"profile {unique_id}"
        uid = _get(user, "uid")
        return cls(
            unique_id=unique_id,
            sec_uid=_as_id(_require(user, "sec_uid", context), "sec_uid", context),
            uid=None if uid is _MISSING else _as_id(uid, "uid", context),
            nickname=_opt_str(user, "nickname"),
            signature=_opt_str(user, "signature"),
            bio_url=_opt_str(user, "bio_url"),
            follower_count=_as_int(
                _require(user, "follower_count", context), "follower_count", context
            ),
            following_count=_opt_int(user, "following_count", context),
            aweme_count=_opt_int(user, "aweme_count", context),
            total_favorited=_opt_int(user, "total_favorited", context),
            verification_type=_opt_int(user, "verification_type", context),
            raw=user,
        )


@dataclass(frozen=True, slots=True)
class Hashtag:
    """A hashtag (``data.challengeInfo``); counts read from statsV2, then stats, then challenge.stats."""

    hashtag_id: str
    title: str
    description: str | None
    video_count: int | None
    view_count: int | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_payload(cls, info: Any) -> Hashtag:
        if not isinstance(info, dict):
            raise PayloadValidationError(
                "challengeInfo", f"must be an object, got {type(info).__name__}"
            )
        hashtag_id = _as_id(_require(info, "challenge.id", "hashtag"), "challenge.id", "hashtag")
        context = f"hashtag {hashtag_id}"

        def count(name: str) -> int | None:
            for base in ("statsV2", "stats", "challenge.stats"):
                value = _opt_int(info, f"{base}.{name}", context)
                if value is not None:
                    return value
            return None

        return cls(
            hashtag_id=hashtag_id,
            title=str(_require(info, "challenge.title", context)),
            description=_opt_str(info, "challenge.desc"),
            video_count=count("videoCount"),
            view_count=count("viewCount"),
            raw=info,
        )
