"""Typed records parsed from Scavio payloads.

Parsing follows the contract's tolerance rules: ids may arrive as strings or numbers (they are kept
as strings, since a 19-digit id loses precision as a float), optional fields may be missing, and an
empty string counts as missing. A payload that lacks a required field, holds a value of the wrong
type (an object where a number belongs, a boolean for a count) or out of range (a negative count,
one beyond int64, a ``create_time`` outside 2006-2100) raises :class:`PayloadValidationError` naming
the field, so a bad row is never built; no other exception escapes parsing, whatever the item holds.

Every record can carry the lineage of the answer it came from: ``request_seq`` (the ledger's number
of the request) and ``captured_at`` (when the answer's bytes were in). The client fills them.
An item that stays invalid becomes a :class:`RejectedItem`, which keeps its raw JSON and the reason.

A comment (:class:`Comment`, from ``video/comments`` and ``video/comments/replies``) is checked the
same way: ``cid`` kept as a string, ``create_time`` within 2006-2100, counts from 0 to int64.
A followed account (:class:`Following`, from ``user/followings``) needs its ``unique_id``; its
counts are checked like a profile's.
"""

from __future__ import annotations

import functools
import json
import re
import reprlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from .errors import PayloadValidationError, clean_text

MAX_INT64 = 2**63 - 1
"""The largest count a record accepts: the landed count columns are int64."""
MIN_CREATE_TIME = 1_136_073_600
"""2006-01-01 UTC in Unix seconds: no TikTok video is older (the app dates from 2016)."""
MAX_CREATE_TIME = 4_102_444_800
"""2100-01-01 UTC in Unix seconds (excluded): a later time is a garbled value, not a date."""

_MIN_INT32 = -(2**31)
_MAX_INT32 = 2**31 - 1
_INT_TEXT = re.compile(r"\s*-?[0-9]{1,20}\s*")
_FLAG_TEXT = {"true": True, "1": True, "false": False, "0": False}
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


def _show(value: Any) -> str:
    """A short repr of a bad value for a message (a huge object must not make a huge message)."""
    return reprlib.repr(value)


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
    """Integers arrive as numbers, integral floats or decimal strings; anything else is rejected."""
    if isinstance(value, bool):
        raise PayloadValidationError(path, "must be a number, got a boolean", context=context)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    # Only plain ASCII digits: int() would also take "1_000" or other scripts' digits.
    if isinstance(value, str) and _INT_TEXT.fullmatch(value):
        return int(value)
    raise PayloadValidationError(path, f"must be an integer, got {_show(value)}", context=context)


def _as_count(value: Any, path: str, context: str) -> int:
    """A count: an integer from 0 to the largest int64, the landed column's type."""
    number = value if type(value) is int else _as_int(value, path, context)
    if number < 0:
        raise PayloadValidationError(path, f"must not be negative, got {number}", context=context)
    if number > MAX_INT64:
        raise PayloadValidationError(path, f"must be at most {MAX_INT64}", context=context)
    return number


def _count_or_none(value: Any, path: str, context: str) -> int | None:
    """An optional count: None when absent or empty, else as :func:`_as_count` reads it."""
    if type(value) is int and 0 <= value <= MAX_INT64:
        return value
    if value is None or value == "":
        return None
    return _as_count(value, path, context)


def _int32_or_none(value: Any, path: str, context: str) -> int | None:
    """An optional code landed as int32 (``verification_type``)."""
    if value is _MISSING or value is None or value == "":
        return None
    number = _as_int(value, path, context)
    if not _MIN_INT32 <= number <= _MAX_INT32:
        raise PayloadValidationError(
            path, f"must be from {_MIN_INT32} to {_MAX_INT32}, got {number}", context=context
        )
    return number


def _as_create_time(value: Any, context: str) -> int:
    """Unix seconds of a video's creation, within the years TikTok can have published it."""
    seconds = _as_int(value, "create_time", context)
    if not MIN_CREATE_TIME <= seconds < MAX_CREATE_TIME:
        raise PayloadValidationError(
            "create_time",
            f"must be Unix seconds from 2006-01-01 to 2100-01-01 UTC, got {seconds}",
            context=context,
        )
    return seconds


def _str_or_none(value: Any, path: str, context: str) -> str | None:
    """An optional text: None when absent or empty; a number is kept as its text."""
    if type(value) is str:
        return value or None
    if value is None:
        return None
    if type(value) is int or type(value) is float:
        return str(value)
    raise PayloadValidationError(
        path, f"must be a string, got {type(value).__name__}", context=context
    )


def _as_text(value: Any, path: str, context: str) -> str:
    text = _str_or_none(value, path, context)
    if text is None:
        raise PayloadValidationError(path, "is missing", context=context)
    return text


def _as_flag(value: Any, path: str, context: str) -> bool | None:
    """An optional flag: a boolean, 0/1, or their usual spellings."""
    if value is None or value == "":
        return None
    if type(value) is bool:
        return value
    if type(value) is int and value in (0, 1):
        return value == 1
    if isinstance(value, str) and value.strip().lower() in _FLAG_TEXT:
        return _FLAG_TEXT[value.strip().lower()]
    raise PayloadValidationError(path, f"must be a boolean, got {_show(value)}", context=context)


def _opt_count(obj: Any, path: str, context: str) -> int | None:
    value = _get(obj, path)
    return None if value is _MISSING else _count_or_none(value, path, context)


def _opt_str(obj: Any, path: str, context: str) -> str | None:
    value = _get(obj, path)
    return None if value is _MISSING else _str_or_none(value, path, context)


def _hashtags(item: dict[str, Any], context: str) -> tuple[str, ...]:
    chas = item.get("cha_list")
    if not chas:
        return ()
    if type(chas) is not list:
        raise PayloadValidationError(
            "cha_list", f"must be a list, got {type(chas).__name__}", context=context
        )
    names = []
    for index, cha in enumerate(chas):
        if type(cha) is dict:
            name = cha.get("cha_name")
            if name:
                names.append(_as_text(name, f"cha_list[{index}].cha_name", context))
    return tuple(names)


def raw_json(item: Any) -> bytes:
    """The item as compact UTF-8 JSON with sorted keys: the same payload always gives the same text.

    Bytes rather than ``str``: landing puts them into a string column as they are, far cheaper for
    kilobyte-long items than converting Python strings back to UTF-8. An integer beyond 64 bits,
    which orjson refuses, is written by the standard library instead.
    """
    try:
        return orjson.dumps(item, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True, slots=True)
class Video:
    """One video ("aweme") as returned by user/posts, search/videos, hashtag/videos and video.

    ``request_seq`` and ``captured_at`` say which request's answer it was parsed from and when that
    answer arrived; they are lineage, not content, so they take no part in equality.
    """

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
    request_seq: int | None = field(default=None, compare=False)
    captured_at: datetime | None = field(default=None, compare=False)

    @classmethod
    def from_payload(
        cls, item: Any, *, request_seq: int | None = None, captured_at: datetime | None = None
    ) -> Video:
        """Parse one aweme item, or raise :class:`PayloadValidationError` naming the bad field."""
        # Every item of every page goes through here on the event loop, so the common case (fields
        # present with their usual types and in range) is checked inline; anything else takes the
        # general path of `_require` / `_as_count`, which raises the error naming the field.
        if type(item) is not dict:
            raise PayloadValidationError("aweme", f"must be an object, got {type(item).__name__}")
        video_id = _as_id(_require(item, "aweme_id", "video"), "aweme_id", "video")
        context = f"video {video_id}"
        create_time = item.get("create_time")
        if type(create_time) is not int or not MIN_CREATE_TIME <= create_time < MAX_CREATE_TIME:
            create_time = _as_create_time(_require(item, "create_time", context), context)
        stats = _child(item, "statistics")
        counts = {}
        for name in _REQUIRED_COUNTS:
            value = stats.get(name)
            if type(value) is not int or not 0 <= value <= MAX_INT64:
                path = f"statistics.{name}"
                value = _as_count(_require(item, path, context), path, context)
            counts[name] = value
        author = _child(item, "author")
        music = _child(item, "music")
        return cls(
            video_id=video_id,
            created_at=datetime.fromtimestamp(create_time, tz=UTC),
            collect_count=_count_or_none(
                stats.get("collect_count"), "statistics.collect_count", context
            ),
            download_count=_count_or_none(
                stats.get("download_count"), "statistics.download_count", context
            ),
            author_unique_id=_str_or_none(author.get("unique_id"), "author.unique_id", context),
            author_nickname=_str_or_none(author.get("nickname"), "author.nickname", context),
            author_sec_uid=_str_or_none(author.get("sec_uid"), "author.sec_uid", context),
            description=_str_or_none(item.get("desc"), "desc", context),
            duration_ms=_count_or_none(
                _child(item, "video").get("duration"), "video.duration", context
            ),
            music_title=_str_or_none(music.get("title"), "music.title", context),
            music_author=_str_or_none(music.get("author"), "music.author", context),
            hashtags=_hashtags(item, context),
            is_ads=_as_flag(item.get("is_ads"), "is_ads", context),
            region=_str_or_none(item.get("region"), "region", context),
            raw=item,
            request_seq=request_seq,
            captured_at=captured_at,
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
    """A creator's profile (``data.user`` of the profile endpoint), with its answer's lineage."""

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
    request_seq: int | None = field(default=None, compare=False)
    captured_at: datetime | None = field(default=None, compare=False)

    @property
    def is_verified(self) -> bool:
        """Whether TikTok marks the creator as verified (``verification_type > 0``)."""
        return (self.verification_type or 0) > 0

    @classmethod
    def from_payload(
        cls, user: Any, *, request_seq: int | None = None, captured_at: datetime | None = None
    ) -> Profile:
        """Parse ``data.user``, or raise :class:`PayloadValidationError` naming the bad field."""
        if type(user) is not dict:
            raise PayloadValidationError("user", f"must be an object, got {type(user).__name__}")
        unique_id = _as_id(_require(user, "unique_id", "profile"), "unique_id", "profile")
        context = f"profile {unique_id}"
        uid = _get(user, "uid")
        return cls(
            unique_id=unique_id,
            sec_uid=_as_id(_require(user, "sec_uid", context), "sec_uid", context),
            uid=None if uid is _MISSING else _as_id(uid, "uid", context),
            nickname=_opt_str(user, "nickname", context),
            signature=_opt_str(user, "signature", context),
            bio_url=_opt_str(user, "bio_url", context),
            follower_count=_as_count(
                _require(user, "follower_count", context), "follower_count", context
            ),
            following_count=_opt_count(user, "following_count", context),
            aweme_count=_opt_count(user, "aweme_count", context),
            total_favorited=_opt_count(user, "total_favorited", context),
            verification_type=_int32_or_none(
                _get(user, "verification_type"), "verification_type", context
            ),
            raw=user,
            request_seq=request_seq,
            captured_at=captured_at,
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
    request_seq: int | None = field(default=None, compare=False)
    captured_at: datetime | None = field(default=None, compare=False)

    @classmethod
    def from_payload(
        cls, info: Any, *, request_seq: int | None = None, captured_at: datetime | None = None
    ) -> Hashtag:
        """Parse ``data.challengeInfo``, or raise :class:`PayloadValidationError` naming a field."""
        if type(info) is not dict:
            raise PayloadValidationError(
                "challengeInfo", f"must be an object, got {type(info).__name__}"
            )
        hashtag_id = _as_id(_require(info, "challenge.id", "hashtag"), "challenge.id", "hashtag")
        context = f"hashtag {hashtag_id}"

        def count(name: str) -> int | None:
            for base in ("statsV2", "stats", "challenge.stats"):
                value = _opt_count(info, f"{base}.{name}", context)
                if value is not None:
                    return value
            return None

        return cls(
            hashtag_id=hashtag_id,
            title=_as_text(_require(info, "challenge.title", context), "challenge.title", context),
            description=_opt_str(info, "challenge.desc", context),
            video_count=count("videoCount"),
            view_count=count("viewCount"),
            raw=info,
            request_seq=request_seq,
            captured_at=captured_at,
        )


@dataclass(frozen=True, slots=True)
class Comment:
    """One comment (or reply) of a video, as ``video/comments`` and ``video/comments/replies``
    return it, with its answer's lineage.

    ``text`` may be empty (a sticker or image comment carries no text) but must be present.
    ``parent_comment_id`` is set on replies: the ``reply_id`` the API gives, else the comment whose
    replies were asked for.
    """

    comment_id: str
    video_id: str | None
    text: str
    created_at: datetime
    like_count: int
    reply_count: int | None
    parent_comment_id: str | None
    commenter_unique_id: str | None
    commenter_nickname: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)
    request_seq: int | None = field(default=None, compare=False)
    captured_at: datetime | None = field(default=None, compare=False)

    @classmethod
    def from_payload(
        cls,
        item: Any,
        *,
        request_seq: int | None = None,
        captured_at: datetime | None = None,
        parent_comment_id: str | None = None,
    ) -> Comment:
        """Parse one comment item, or raise :class:`PayloadValidationError` naming the bad field."""
        if type(item) is not dict:
            raise PayloadValidationError("comment", f"must be an object, got {type(item).__name__}")
        comment_id = _as_id(_require(item, "cid", "comment"), "cid", "comment")
        context = f"comment {comment_id}"
        if "text" not in item or item["text"] is None:
            raise PayloadValidationError("text", "is missing", context=context)
        text = _str_or_none(item["text"], "text", context) or ""
        video = _get(item, "aweme_id")
        # TikTok marks a top-level comment with reply_id "0".
        reply_to = _get(item, "reply_id")
        parent = None if reply_to is _MISSING else _as_id(reply_to, "reply_id", context)
        if parent == "0":
            parent = None
        user = _child(item, "user")
        return cls(
            comment_id=comment_id,
            video_id=None if video is _MISSING else _as_id(video, "aweme_id", context),
            text=text,
            created_at=datetime.fromtimestamp(
                _as_create_time(_require(item, "create_time", context), context), tz=UTC
            ),
            like_count=_as_count(_require(item, "digg_count", context), "digg_count", context),
            reply_count=_opt_count(item, "reply_comment_total", context),
            parent_comment_id=parent or parent_comment_id,
            commenter_unique_id=_str_or_none(user.get("unique_id"), "user.unique_id", context),
            commenter_nickname=_str_or_none(user.get("nickname"), "user.nickname", context),
            raw=item,
            request_seq=request_seq,
            captured_at=captured_at,
        )


@dataclass(frozen=True, slots=True)
class Following:
    """One account of a creator's following list (``user/followings``), with its answer's lineage.

    ``unique_id`` is required (it is the edge's other end); ``sec_uid``, ``nickname`` and
    ``follower_count`` are kept when present and checked like a profile's.
    """

    unique_id: str
    sec_uid: str | None
    uid: str | None
    nickname: str | None
    follower_count: int | None
    following_count: int | None
    verification_type: int | None
    raw: dict[str, Any] = field(repr=False, compare=False)
    request_seq: int | None = field(default=None, compare=False)
    captured_at: datetime | None = field(default=None, compare=False)

    @classmethod
    def from_payload(
        cls, item: Any, *, request_seq: int | None = None, captured_at: datetime | None = None
    ) -> Following:
        """Parse one followed account, or raise :class:`PayloadValidationError` naming the field."""
        if type(item) is not dict:
            raise PayloadValidationError(
                "following", f"must be an object, got {type(item).__name__}"
            )
        unique_id = _as_id(_require(item, "unique_id", "following"), "unique_id", "following")
        context = f"following {unique_id}"
        sec_uid = _get(item, "sec_uid")
        uid = _get(item, "uid")
        return cls(
            unique_id=unique_id,
            sec_uid=None if sec_uid is _MISSING else _as_id(sec_uid, "sec_uid", context),
            uid=None if uid is _MISSING else _as_id(uid, "uid", context),
            nickname=_opt_str(item, "nickname", context),
            follower_count=_opt_count(item, "follower_count", context),
            following_count=_opt_count(item, "following_count", context),
            verification_type=_int32_or_none(
                _get(item, "verification_type"), "verification_type", context
            ),
            raw=item,
            request_seq=request_seq,
            captured_at=captured_at,
        )


@dataclass(frozen=True, slots=True)
class RejectedItem:
    """An item that failed validation on every fetch: kept with its raw JSON and the reason.

    ``reason`` names the field, the problem and where the item sat
    (``statistics.play_count must be at most 9223372036854775807 (user/posts page 1 item 4)``).
    ``raw_json`` is the item as :func:`raw_json` writes it; ``item_id`` is its ``cid``,
    ``aweme_id``, ``unique_id`` or hashtag id when one could be read.
    """

    endpoint: str
    item_key: str | None
    request_seq: int
    captured_at: datetime
    reason: str
    raw_json: bytes
    item_id: str | None

    @classmethod
    def from_error(
        cls,
        error: PayloadValidationError,
        item: Any,
        *,
        endpoint: str,
        item_key: str | None,
        request_seq: int,
        captured_at: datetime,
        where: str,
    ) -> RejectedItem:
        """The rejection of ``item`` for ``error``; ``where`` says where it sat in the answer."""
        return cls(
            endpoint=endpoint,
            item_key=item_key,
            request_seq=request_seq,
            captured_at=captured_at,
            reason=f"{error.field} {error.problem} ({where})",
            raw_json=raw_json(item),
            item_id=item_id_of(item),
        )


def item_id_of(item: Any) -> str | None:
    """The id of a comment, video, profile, hashtag or followed account payload when one is
    readable, else ``None`` (a followed account without its ``unique_id`` is named by ``sec_uid``).

    A comment's ``cid`` comes first: a comment also carries its video's ``aweme_id``.
    """
    if type(item) is not dict:
        return None
    for path in ("cid", "aweme_id", "unique_id", "challenge.id", "sec_uid"):
        value = _get(item, path)
        if type(value) is str or type(value) is int:
            text = clean_text(value).strip()
            if text:
                return text
    return None
