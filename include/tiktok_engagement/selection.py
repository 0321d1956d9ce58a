"""Choosing a subset of the roster or of the tracked queries, the same way everywhere.

The CLI (``--creator``, ``--query``) and the DAGs (params ``creators``, ``queries``) both call these:
names are matched case-insensitively, a handle may carry its ``@``, a query may be given as its text,
as ``#tag`` or as ``type:text``; a name that matches nothing is an error naming it, never silently
dropped, so a typo cannot turn into a run that fetches less than was asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .config import QUERY_TYPES, ConfigError, Creator, Query


def select_creators(
    roster: Sequence[Creator], wanted: Iterable[str], *, what: str = "creators"
) -> list[Creator]:
    """The roster rows named in ``wanted``, in the order asked; the whole roster when empty."""
    names = [w.strip().removeprefix("@") for w in wanted if w and w.strip()]
    if not names:
        return list(roster)
    by_name = {c.username.lower(): c for c in roster}
    missing = [n for n in names if n.lower() not in by_name]
    if missing:
        raise ConfigError(f"{what}: {', '.join(map(repr, missing))} not on the roster")
    return [by_name[n] for n in dict.fromkeys(n.lower() for n in names)]


def select_queries(
    queries: Sequence[Query], wanted: Iterable[str], *, what: str = "queries"
) -> list[Query]:
    """The query rows named in ``wanted`` (``text``, ``#tag``, ``type:text``); all when empty."""
    selected: list[Query] = []
    for raw in (w.strip() for w in wanted if w and w.strip()):
        kind, _, text = raw.partition(":")
        if kind.lower() in QUERY_TYPES and text:
            matches = [q for q in queries if q.query_type == kind.lower()]
        elif raw.startswith("#"):
            matches, text = [q for q in queries if q.query_type == "hashtag"], raw[1:]
        else:
            matches, text = list(queries), raw
        found = [q for q in matches if q.query.lower() == text.strip().lower()]
        if not found:
            raise ConfigError(f"{what}: {raw!r} is not in the query file")
        selected.extend(q for q in found if q not in selected)
    return selected or list(queries)
