"""One small class per Scavio pagination style.

A paginator knows three things about its style: where the page's items sit in ``data``, how the
next request differs from the last (:meth:`~BasePaginator.update_request`) and, from an answer,
whether there is a next page (:meth:`~BasePaginator.update_state`). The client owns the loop.

=====================  ====================  ===========================  =================
style                  endpoints             next page                    items
=====================  ====================  ===========================  =================
MaxCursorPaginator     user/posts            ``cursor = data.max_cursor``  ``data.aweme_list``
CursorPaginator        search/videos,        ``cursor = data.cursor``      given per endpoint
                       hashtag/videos
CommentsPaginator      video/comments,       ``cursor = data.cursor``      ``data.comments``
                       video/comments/
                       replies
FollowingsPaginator    user/followings       ``page_token``, ``min_time``  ``data.followings``
                                             from the answer (the first
                                             page without them)
=====================  ====================  ===========================  =================

Every style stops when ``has_more`` is 0 (or absent), after ``max_pages`` pages, on an empty page,
and when the API hands back the cursor it was just sent (a page that does not advance would
otherwise be bought again and again). Cursors arrive as strings or numbers and are always sent
back as strings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, ClassVar

from .errors import PayloadValidationError, clean_text
from .records import Comment, Following, Video

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PagedItem:
    """A video in a paged listing: its 1-based page and its 1-based rank across all pages."""

    page: int
    rank: int
    video: Video


@dataclass(frozen=True, slots=True)
class PagedComment:
    """A comment in a paged listing: its 1-based page and its 1-based rank across all pages."""

    page: int
    rank: int
    comment: Comment


@dataclass(frozen=True, slots=True)
class PagedFollowing:
    """A followed account in a paged listing: its 1-based page and 1-based position across pages."""

    page: int
    position: int
    following: Following


def as_cursor(value: Any, field: str) -> str | None:
    """A cursor from the API as the string to send back; ``None`` when absent or empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise PayloadValidationError(field, "must be a string or number, got a boolean")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value.strip() or None
    raise PayloadValidationError(field, f"must be a string or number, got {value!r}")


def as_has_more(value: Any) -> bool:
    """``has_more`` arrives as 0/1, a boolean or a numeric string; absent means no more pages."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() not in {"", "0", "false", "no"}
    raise PayloadValidationError("has_more", f"must be a number or boolean, got {value!r}")


def dig(data: Any, path: str) -> Any:
    """Walk a dotted path through nested dicts; ``None`` when any step is missing."""
    current = data
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


class BasePaginator:
    """Cursor pagination shared by every style; subclasses name the field carrying the next cursor.

    Use: send ``update_request(body)`` while ``has_next_page``; after each answer call
    ``items(data)`` and then ``update_state(data, items)`` (or ``next_cursor`` to validate the
    answer and ``advance`` once it is accepted).
    """

    cursor_field: ClassVar[str]
    # Whether a page after the first may be empty as a matter of course (the list ended exactly at
    # the page before), so an empty one is not a suspect answer.
    empty_last_page: ClassVar[bool] = False

    def __init__(self, *, items_path: str, max_pages: int = 1, first_cursor: str = "0") -> None:
        if max_pages < 1:
            raise ValueError(f"max_pages must be >= 1, got {max_pages}")
        self.items_path = items_path
        self.max_pages = max_pages
        self.cursor = first_cursor
        self.pages_fetched = 0
        self.has_next_page = True

    def update_request(self, body: dict[str, Any]) -> dict[str, Any]:
        """The body of the next page's request: ``body`` with the current cursor."""
        return {**body, "cursor": self.cursor}

    def items(self, data: dict[str, Any]) -> list[Any]:
        """The page's raw items; a missing or null list is an empty page."""
        items = dig(data, self.items_path)
        if items is None:
            return []
        if not isinstance(items, list):
            raise PayloadValidationError(
                self.items_path, f"must be a list, got {type(items).__name__}"
            )
        return items

    def next_cursor(self, data: dict[str, Any], items: list[Any]) -> str | None:
        """The cursor of the page after this answer, or ``None`` when it is the last page.

        Changes nothing, so an answer whose pagination fields are invalid (it raises
        :class:`PayloadValidationError`) can be fetched again and the paginator stays where it was.
        """
        if (
            not items
            or self.pages_fetched + 1 >= self.max_pages
            or not as_has_more(data.get("has_more"))
        ):
            return None
        next_cursor = as_cursor(data.get(self.cursor_field), self.cursor_field)
        if next_cursor is None or next_cursor == self.cursor:
            log.warning(
                "pagination stopped: has_more is set but %s did not advance (%s)",
                self.cursor_field,
                clean_text(repr(next_cursor), 80),
            )
            return None
        return next_cursor

    def advance(self, next_cursor: str | None) -> None:
        """Count a page as fetched and move to ``next_cursor`` (``None``: there is no next page)."""
        self.pages_fetched += 1
        if next_cursor is None:
            self.has_next_page = False
        else:
            self.cursor = next_cursor

    def update_state(self, data: dict[str, Any], items: list[Any]) -> None:
        """Advance the cursor from an answer, or stop."""
        self.advance(self.next_cursor(data, items))


class MaxCursorPaginator(BasePaginator):
    """user/posts: the next page is asked for with ``cursor = data.max_cursor``."""

    cursor_field = "max_cursor"

    def __init__(self, *, max_pages: int = 1, items_path: str = "aweme_list") -> None:
        super().__init__(items_path=items_path, max_pages=max_pages)


class CursorPaginator(BasePaginator):
    """search/videos and hashtag/videos: the next page is asked for with ``cursor = data.cursor``."""

    cursor_field = "cursor"


class CommentsPaginator(CursorPaginator):
    """video/comments and video/comments/replies: ``data.comments``, next page with
    ``cursor = data.cursor`` (an offset the API sends as a number)."""

    def __init__(self, *, max_pages: int = 1, items_path: str = "comments") -> None:
        super().__init__(items_path=items_path, max_pages=max_pages)


class FollowingsPaginator(BasePaginator):
    """user/followings: the first page without a cursor; each later one sends the answer's
    ``next_page_token`` as ``page_token`` together with its ``min_time`` (the follow time of the
    page's last account, an integer). ``has_more`` is a boolean (0/1 accepted too).

    The cursor of the base class is the page token; the ``min_time`` that came with each token is
    kept beside it, so whichever answer of a refetched page stands, its own pair is sent next.
    """

    cursor_field = "next_page_token"
    # TikTok answers a list that ends on a full page with one more, empty, page.
    empty_last_page = True

    def __init__(self, *, max_pages: int = 1, items_path: str = "followings") -> None:
        super().__init__(items_path=items_path, max_pages=max_pages, first_cursor="")
        self.min_time: int | None = None
        self._min_times: dict[str, int] = {}

    def update_request(self, body: dict[str, Any]) -> dict[str, Any]:
        if not self.cursor:
            return dict(body)
        return {**body, "page_token": self.cursor, "min_time": self.min_time}

    def next_cursor(self, data: dict[str, Any], items: list[Any]) -> str | None:
        token = super().next_cursor(data, items)
        if token is None:
            return None
        self._min_times[token] = as_min_time(data.get("min_time"))
        return token

    def advance(self, next_cursor: str | None) -> None:
        if next_cursor is not None:
            self.min_time = self._min_times.pop(next_cursor)
            self._min_times.clear()
        super().advance(next_cursor)


def as_min_time(value: Any) -> int:
    """``min_time``: Unix seconds as an integer (or an integral float or digit string), >= 0."""
    if isinstance(value, bool) or value is None:
        raise PayloadValidationError("min_time", f"must be an integer, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 0:
        raise PayloadValidationError(
            "min_time", f"must be a non-negative integer, got {clean_text(repr(value), 80)}"
        )
    return value
