"""Brands: the brands file, what it adds to the tracking, and which videos mention a brand.

The brands file (``include/brands.csv``, or ``TIKTOK_BRANDS_FILE``; see
:meth:`~tiktok_engagement.config.Settings.from_env` for when the bundled one applies) has one row
per brand and these columns (``docs/brands.md``)::

    brand,handles,keywords,hashtags,competitive_set
    GlowLab,glowlab,glowlab,glowlab,beauty
    Lumé Skin,lumeskin,lumé skin,lumeskin,beauty

``handles``, ``keywords`` and ``hashtags`` are lists separated by ``|`` (``glowlab|glowlab.us``);
any of them may be empty, not all three. A handle may carry its ``@`` and a hashtag its ``#``.

Tracking needs no endpoint of its own (:func:`tracking`):

- each keyword becomes a tracked keyword search and each hashtag a tracked hashtag, beside the
  query file's (a query the file already has is not added twice);
- each handle becomes a tracked account: its feed is fetched like a roster creator's, with the
  niche ``brand:<brand>`` (:data:`BRAND_NICHE_PREFIX`; a roster niche can never hold a ``:``), so
  that the niche benchmarks can leave brand accounts out. A handle already on the roster keeps
  its roster row and is fetched once.

:func:`match_mentions` is the reference of what counts as a mention of a brand in a video; the
warehouse's SQL is checked against it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .config import (
    DEFAULT_BRANDS_FILE,
    ConfigError,
    Creator,
    Query,
    Settings,
    check_handle,
    load_queries,
    load_roster,
    read_rows,
)

BRAND_COLUMNS = ("brand", "handles", "keywords", "hashtags", "competitive_set")
LIST_SEPARATOR = "|"
BRAND_NICHE_PREFIX = "brand:"
MENTION_TYPES = ("owned", "sponsored", "earned")
SPONSORED_SIGNALS = frozenset({"disclosed", "likely"})
"""The ``sponsored_signal`` values that make a mention ``sponsored`` (unless it is ``owned``)."""

_BRAND_NAME = re.compile(r"^[\w&'.+! -]{1,40}$")
_HAS_ALNUM = re.compile(r"[^\W_]")
_HASHTAG = re.compile(r"^\w{1,100}$")
_SET_NAME = re.compile(r"^[a-z0-9][a-z0-9_ -]{0,39}$")
# An @handle in folded text: not inside a word, an e-mail address or another handle.
_HANDLE_MENTION = re.compile(r"(?<![\w@.])@([a-z0-9_.]+)")
_HASHTAG_MENTION = re.compile(r"(?<![\w#])#(\w+)")


def fold(text: str) -> str:
    """The form brand terms and captions are compared in: accents stripped (NFD, combining marks
    dropped), lower case, whitespace runs as one space, trimmed.

    Lower case rather than full case folding, so that DuckDB's ``lower(strip_accents(x))`` gives
    the same text (``ß`` stays ``ß``).
    """
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    )
    return " ".join(stripped.lower().split())


@dataclass(frozen=True)
class Brand:
    """One row of the brands file: the terms as written, and their folded forms for matching."""

    name: str
    handles: tuple[str, ...]
    keywords: tuple[str, ...]
    hashtags: tuple[str, ...]
    competitive_set: str
    line: int = 0

    @property
    def key(self) -> str:
        """The brand's name folded: brands are told apart by it."""
        return fold(self.name)

    @property
    def niche(self) -> str:
        """The niche its accounts' feeds are landed with: ``brand:<folded name>``."""
        return f"{BRAND_NICHE_PREFIX}{self.key}"

    @property
    def handle_keys(self) -> tuple[str, ...]:
        return tuple(h.lower() for h in self.handles)

    @property
    def hashtag_keys(self) -> tuple[str, ...]:
        return tuple(fold(t) for t in self.hashtags)

    @property
    def keyword_keys(self) -> tuple[str, ...]:
        return tuple(fold(k) for k in self.keywords)

    def queries(self) -> list[Query]:
        """The searches the brand asks for: its keywords, then its hashtags."""
        return [Query(k, "keyword") for k in self.keywords] + [
            Query(t, "hashtag") for t in self.hashtags
        ]


def _split(where: str, column: str, value: str) -> list[str]:
    if not value:
        return []
    items = [item.strip() for item in value.split(LIST_SEPARATOR)]
    if any(not item for item in items):
        raise ConfigError(
            f"{where}: {column} has an empty item in {value!r} (items are separated by "
            f"'{LIST_SEPARATOR}')"
        )
    return items


def load_brands(path: Path) -> list[Brand]:
    """Read and validate the brands CSV (:data:`BRAND_COLUMNS`, lists separated by ``|``).

    Raises :class:`ConfigError` naming the file and line: an unknown or missing column, an empty
    or duplicate brand, a brand with nothing to match, a handle TikTok would not allow, a hashtag
    with a space or other than letters, digits and ``_``, a keyword without a letter or digit, an
    empty list item, a handle, keyword or hashtag another brand already has, an empty or bad
    competitive set; and what :func:`~tiktok_engagement.config.load_roster` rejects in the file
    itself (encoding, multi-line fields, control characters). A file with a header and no brand
    is no brands.
    """
    brands: list[Brand] = []
    seen: dict[str, int] = {}
    terms: dict[tuple[str, str], tuple[str, int]] = {}
    for number, row in read_rows(path, BRAND_COLUMNS, allowed=()):
        where = f"{path} line {number}"
        name = row["brand"]
        if not name:
            raise ConfigError(f"{where}: brand is empty")
        if not _BRAND_NAME.match(name) or not _HAS_ALNUM.search(name):
            raise ConfigError(
                f"{where}: brand {name!r} must be 1-40 characters of letters, digits, spaces and "
                "& ' . + ! - _, with at least one letter or digit"
            )
        if fold(name) in seen:
            raise ConfigError(f"{where}: brand {name!r} already appears on line {seen[fold(name)]}")
        seen[fold(name)] = number

        handles = [h.removeprefix("@") for h in _split(where, "handles", row["handles"])]
        for handle in handles:
            check_handle(where, handle, what="handle")
        hashtags = [t.removeprefix("#") for t in _split(where, "hashtags", row["hashtags"])]
        for tag in hashtags:
            if any(c.isspace() for c in tag):
                raise ConfigError(
                    f"{where}: hashtag {tag!r} has a space; a hashtag is one word (list "
                    f"several separated by '{LIST_SEPARATOR}', or put the words in keywords)"
                )
            if not _HASHTAG.match(tag):
                raise ConfigError(
                    f"{where}: hashtag {tag!r} must be letters, digits or '_' only (1-100)"
                )
        keywords = [" ".join(k.split()) for k in _split(where, "keywords", row["keywords"])]
        for keyword in keywords:
            if len(keyword) > 500 or not _HAS_ALNUM.search(keyword):
                raise ConfigError(
                    f"{where}: keyword {keyword!r} must be 1-500 characters with a letter or digit"
                )
            if "@" in keyword or "#" in keyword:
                raise ConfigError(
                    f"{where}: keyword {keyword!r} holds '@' or '#': put handles in handles and "
                    "hashtags in hashtags (keywords match the caption's other words)"
                )
        if not (handles or hashtags or keywords):
            raise ConfigError(
                f"{where}: brand {name!r} has no handle, keyword or hashtag: nothing would match it"
            )
        for kind, values in (
            ("handle", [h.lower() for h in handles]),
            ("hashtag", [fold(t) for t in hashtags]),
            ("keyword", [fold(k) for k in keywords]),
        ):
            for value in values:
                other = terms.get((kind, value))
                if other is not None:
                    owner = "this brand" if other[1] == number else f"brand {other[0]!r}"
                    raise ConfigError(
                        f"{where}: {kind} {value!r} already belongs to {owner} (line "
                        f"{other[1]}); a term can name one brand only"
                    )
                terms[(kind, value)] = (name, number)

        competitive_set = row["competitive_set"].lower()
        if not competitive_set:
            raise ConfigError(
                f"{where}: competitive_set is empty; name the set of brands {name!r} is compared "
                "with (the same name on each of their rows)"
            )
        if not _SET_NAME.match(competitive_set):
            raise ConfigError(
                f"{where}: competitive_set {row['competitive_set']!r} must be 1-40 characters of "
                "letters, digits, spaces, '_' or '-'"
            )
        brands.append(
            Brand(
                name=name,
                handles=tuple(handles),
                keywords=tuple(keywords),
                hashtags=tuple(hashtags),
                competitive_set=competitive_set,
                line=number,
            )
        )
    return brands


def brands_for(settings: Settings) -> list[Brand]:
    """The brands the settings track: none when ``brands_file`` is None, or when it is the
    bundled file and that file is not there (an install without it); otherwise the file, which
    must exist and be valid."""
    path = settings.brands_file
    if path is None or (path == DEFAULT_BRANDS_FILE and not path.is_file()):
        return []
    return load_brands(path)


@dataclass(frozen=True)
class BrandTracking:
    """What the brands add to a roster and a query list, brand by brand.

    ``accounts`` and ``queries`` hold, per brand name, the accounts and searches the brand adds;
    ``already_tracked`` the handles and queries of the brand the roster or the query file has
    already (tracked once, as they are there).
    """

    brands: tuple[Brand, ...]
    accounts: dict[str, list[Creator]]
    queries: dict[str, list[Query]]
    already_tracked: dict[str, list[str]]

    @property
    def all_accounts(self) -> list[Creator]:
        return [a for b in self.brands for a in self.accounts[b.name]]

    @property
    def all_queries(self) -> list[Query]:
        return [q for b in self.brands for q in self.queries[b.name]]

    def restricted(self, creators: Sequence[Creator], queries: Sequence[Query]) -> BrandTracking:
        """The same brands with only the accounts in ``creators`` and the searches in
        ``queries`` (a run's selection); brands left with neither are dropped."""
        wanted_accounts = {c.username.lower() for c in creators}
        wanted_queries = {(q.query.lower(), q.query_type) for q in queries}
        accounts = {
            name: [a for a in items if a.username.lower() in wanted_accounts]
            for name, items in self.accounts.items()
        }
        searches = {
            name: [q for q in items if (q.query.lower(), q.query_type) in wanted_queries]
            for name, items in self.queries.items()
        }
        kept = tuple(b for b in self.brands if accounts[b.name] or searches[b.name])
        return BrandTracking(
            kept,
            {b.name: accounts[b.name] for b in kept},
            {b.name: searches[b.name] for b in kept},
            {b.name: self.already_tracked[b.name] for b in kept},
        )


def tracking(
    brands: Sequence[Brand], roster: Sequence[Creator], queries: Sequence[Query]
) -> BrandTracking:
    """The accounts and queries ``brands`` add to ``roster`` and ``queries`` (module docstring)."""
    on_roster = {c.username.lower() for c in roster}
    in_file = {(q.query.lower(), q.query_type) for q in queries}
    accounts: dict[str, list[Creator]] = {}
    added: dict[str, list[Query]] = {}
    already: dict[str, list[str]] = {}
    for brand in brands:
        accounts[brand.name] = []
        added[brand.name] = []
        already[brand.name] = []
        for handle in brand.handles:
            if handle.lower() in on_roster:
                already[brand.name].append(f"@{handle}")
            else:
                accounts[brand.name].append(Creator(handle, brand.niche))
        for query in brand.queries():
            key = (query.query.lower(), query.query_type)
            if key in in_file:
                already[brand.name].append(f"{query.query_type}:{query.query}")
            else:
                in_file.add(key)
                added[brand.name].append(query)
    return BrandTracking(tuple(brands), accounts, added, already)


def settings_tracking(settings: Settings) -> BrandTracking:
    """:func:`tracking` of the settings' brands over their roster and query file."""
    return tracking(
        brands_for(settings),
        load_roster(settings.creators_file),
        load_queries(settings.queries_file),
    )


def tracked_creators(settings: Settings) -> list[Creator]:
    """The roster, then the brands' accounts: every feed the creator extraction fetches."""
    roster = load_roster(settings.creators_file)
    queries = load_queries(settings.queries_file)
    return roster + tracking(brands_for(settings), roster, queries).all_accounts


def tracked_queries(settings: Settings) -> list[Query]:
    """The query file, then the brands' keywords and hashtags it lacks: every search fetched.

    The roster plays no part in which searches a brand adds, so it is not read: a bad roster
    fails the creator extraction, not the searches."""
    queries = load_queries(settings.queries_file)
    return queries + tracking(brands_for(settings), [], queries).all_queries


def is_brand_niche(niche: str | None) -> bool:
    """Whether a landed niche marks a brand's own account (``brand:<name>``)."""
    return bool(niche) and str(niche).startswith(BRAND_NICHE_PREFIX)


class Mention(NamedTuple):
    """One brand a video mentions: the brand's name, ``owned``/``sponsored``/``earned``, and what
    matched (``@handle``, ``#hashtag``, the folded keyword, or ``author`` when only the video's
    author being one of the brand's handles did)."""

    brand: str
    mention_type: str
    matched_on: str


def _caption_terms(description: str, hashtags: Iterable[str]) -> tuple[set[str], set[str], str]:
    """(handles mentioned, hashtags, the words) of a caption, all folded."""
    text = fold(description)
    handles = {m.rstrip(".") for m in _HANDLE_MENTION.findall(text)}
    tags = {fold(t).lstrip("#") for t in hashtags if t} | set(_HASHTAG_MENTION.findall(text))
    words = _HASHTAG_MENTION.sub(" ", _HANDLE_MENTION.sub(" ", text))
    return handles, tags, " ".join(words.split())


def match_mentions(
    brands: Sequence[Brand],
    description: str | None,
    hashtags: Iterable[str] | None,
    author: str | None,
    *,
    sponsored_signal: str | None = None,
) -> list[Mention]:
    """The brands a video mentions, in the brands file's order, one :class:`Mention` each.

    On the caption folded (:func:`fold`):

    - a **handle** matches as ``@handle`` not inside a word, an e-mail address or a longer handle
      (``@glowlab`` yes; ``@glowlabfans``, ``@glowlab.us``, ``me@glowlab`` no; a final ``.`` is
      punctuation, so ``@glowlab.`` matches);
    - a **hashtag** matches when the video carries exactly it (the ``hashtags`` given, or a
      ``#tag`` in the caption), accents and case aside: ``#glowlabfans`` is not ``#glowlab``, a
      tag that only contains the brand's name is not a mention (list it in ``hashtags`` to
      count it);
    - a **keyword** matches on word boundaries in the caption's words, the ``@handles`` and
      ``#hashtags`` left out (``lume skin`` matches "Lumé Skin!"; ``glow`` does not match
      "glowing" nor ``#glowup``).

    ``matched_on`` is the first that matched in that order (handles, hashtags, keywords, each in
    the file's order), or ``author`` when the video's author is one of the brand's handles and
    the caption names none of its terms. The type: ``owned`` when the author is one of the
    brand's handles, else ``sponsored`` when ``sponsored_signal`` (the video's, as the warehouse
    derives it) is ``disclosed`` or ``likely``, else ``earned``. Without a signal, sponsored
    videos read as earned.
    """
    handles, tags, words = _caption_terms(description or "", hashtags or ())
    padded = f" {words} "
    author_key = (author or "").strip().removeprefix("@").lower()
    sponsored = sponsored_signal in SPONSORED_SIGNALS
    mentions = []
    for brand in brands:
        matched = next((f"@{h}" for h in brand.handle_keys if h in handles), None)
        matched = matched or next((f"#{t}" for t in brand.hashtag_keys if t in tags), None)
        matched = matched or next((k for k in brand.keyword_keys if _keyword_in(k, padded)), None)
        owned = bool(author_key) and author_key in brand.handle_keys
        if matched is None and not owned:
            continue
        kind = "owned" if owned else "sponsored" if sponsored else "earned"
        mentions.append(Mention(brand.name, kind, matched or "author"))
    return mentions


def _keyword_in(keyword: str, padded_words: str) -> bool:
    """Whether the folded keyword occurs in the words on word boundaries (letters, digits, _)."""
    return re.search(rf"(?<!\w){re.escape(keyword)}(?!\w)", padded_words) is not None


def brand_terms(brands: Sequence[Brand]) -> list[dict[str, str | int]]:
    """The brands file as rows for the warehouse: one per brand and term, folded as
    :func:`match_mentions` compares them (``term_type``: handle, hashtag or keyword;
    ``position``: the term's order within its type, which decides ``matched_on``)."""
    rows: list[dict[str, str | int]] = []
    for brand in brands:
        for term_type, terms in (
            ("handle", brand.handle_keys),
            ("hashtag", brand.hashtag_keys),
            ("keyword", brand.keyword_keys),
        ):
            rows += [
                {
                    "brand": brand.name,
                    "competitive_set": brand.competitive_set,
                    "term_type": term_type,
                    "term": term,
                    "position": position,
                }
                for position, term in enumerate(terms, start=1)
            ]
    return rows


__all__ = [
    "BRAND_COLUMNS",
    "BRAND_NICHE_PREFIX",
    "LIST_SEPARATOR",
    "MENTION_TYPES",
    "Brand",
    "BrandTracking",
    "Mention",
    "brand_terms",
    "brands_for",
    "fold",
    "is_brand_niche",
    "load_brands",
    "match_mentions",
    "settings_tracking",
    "tracked_creators",
    "tracked_queries",
    "tracking",
]
