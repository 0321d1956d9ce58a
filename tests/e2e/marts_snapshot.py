"""Every ``marts`` table of a serving file as rows in a total order, for comparing two warehouses."""

from __future__ import annotations

from pathlib import Path

import duckdb

# Marts these comparisons may find empty: rejected items (the simulator's default world serves no
# bad item) and the marts of runs the e2e sequences do not make (comments, followings, brands).
# They are compared all the same; every other mart must have rows, or nothing was compared.
MAY_BE_EMPTY = frozenset(
    {
        "rejected_items",
        "fct_comments",
        "video_comment_summary",
        "creator_audience",
        "creator_follows",
        "creator_discovery",
        "creator_similarity",
        "creator_communities",
        "brand_mentions",
        "brand_share_of_voice",
        "brand_creators",
    }
)


def marts_rows(serving_db: Path, replaced: dict[str, str] | None = None) -> dict[str, list[tuple]]:
    """Each marts table's rows, ``order by all``; ``replaced`` maps a key to the query to run instead
    (a table whose columns count runs or files rather than data, or an extra aggregate)."""
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        rows = {
            t: con.execute(f'select * from marts."{t}" order by all').fetchall() for t in tables
        }
        for key, query in (replaced or {}).items():
            rows[key] = con.execute(query).fetchall()
        return rows
    finally:
        con.close()
