"""Grain: roster creator x followings snapshot date. Communities of the following-similarity graph.

For each date on which a followings load landed, the graph has the roster creators with
followings seen on or before that date as nodes, and an edge between two of them whose
following_jaccard as of that date (int_followings_similarity) is at least ``EDGE_THRESHOLD``,
weighted by it. Communities come from Louvain modularity (networkx ``louvain_communities``,
resolution 1, seed ``LOUVAIN_SEED``). Louvain visits nodes in an order drawn from the seed, so
nodes and edges are added in sorted order: the same data gives the same communities every run.
A creator without any edge above the threshold is a community of its own.

Community ids are per date: 1 is the largest community, ties by the smallest handle in it, then
2, 3, ... (an id says nothing across dates; ``community_anchor``, the smallest handle, tends to).
dominant_niche is the most common niche (dim_creators) among the members, ties by name.

A dbt Python model (dbt-duckdb runs it in the build's process on the build's connection): the
detection needs a graph library, the rest of the marts stay SQL. It returns an Arrow table with
a declared schema, so a landing without followings gives an empty, typed table.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

# Same-niche creators of the simulated world nearly all share 2-10 % of their followings,
# creators of different niches nearly all under 2 % (the global hubs everyone follows): 0.02
# keeps the niche structure and drops the links that only those hubs make.
EDGE_THRESHOLD = 0.02
LOUVAIN_SEED = 20_261_101
LOUVAIN_RESOLUTION = 1.0


def detect(
    nodes: list[str], edges: list[tuple[str, str, float]], seed: int = LOUVAIN_SEED
) -> dict[str, set[str]]:
    """Louvain communities of one date's graph, keyed by their smallest member."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(sorted(nodes))
    graph.add_weighted_edges_from(sorted(edges))
    communities = nx.community.louvain_communities(
        graph, weight="weight", resolution=LOUVAIN_RESOLUTION, seed=seed
    )
    return {min(members): set(members) for members in communities}


def numbered(communities: dict[str, set[str]]) -> list[tuple[int, str, set[str]]]:
    """(id, anchor, members): 1 for the largest, ties by the smallest member."""
    ordered = sorted(communities.items(), key=lambda item: (-len(item[1]), item[0]))
    return [(number, anchor, members) for number, (anchor, members) in enumerate(ordered, 1)]


def dominant_niche(members: set[str], niches: dict[str, str]) -> tuple[str, float]:
    counts = Counter(niches.get(member) or "unknown" for member in members)
    niche, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return niche, count / len(members)


SCHEMA_FIELDS = (
    ("snapshot_date", "date32"),
    ("creator_username", "string"),
    ("niche", "string"),
    ("community_id", "int64"),
    ("community_anchor", "string"),
    ("community_size", "int64"),
    ("dominant_niche", "string"),
    ("dominant_niche_share", "float64"),
    ("similar_creators", "int64"),
)


def communities_rows(
    dates: list[Any],
    first_seen: dict[str, Any],
    edges_by_date: dict[Any, list[tuple[str, str, float]]],
    niches: dict[str, str],
) -> list[dict[str, Any]]:
    """The model's rows, in (date, creator) order."""
    rows = []
    for day in sorted(dates):
        nodes = [creator for creator, since in first_seen.items() if since <= day]
        edges = edges_by_date.get(day, [])
        degree = Counter(a for a, _, _ in edges) + Counter(b for _, b, _ in edges)
        for number, anchor, members in numbered(detect(nodes, edges)):
            niche, niche_share = dominant_niche(members, niches)
            for creator in sorted(members):
                rows.append(
                    {
                        "snapshot_date": day,
                        "creator_username": creator,
                        "niche": niches.get(creator),
                        "community_id": number,
                        "community_anchor": anchor,
                        "community_size": len(members),
                        "dominant_niche": niche,
                        "dominant_niche_share": niche_share,
                        "similar_creators": degree.get(creator, 0),
                    }
                )
    rows.sort(key=lambda row: (row["snapshot_date"], row["creator_username"]))
    return rows


def model(dbt: Any, session: Any) -> Any:
    import pyarrow as pa

    dbt.config(materialized="table")
    dates = [
        day for (day,) in dbt.ref("int_followings").project("snapshot_date").distinct().fetchall()
    ]
    first_seen = dict(
        dbt.ref("int_followings_edges")
        .aggregate("follower_username, min(first_seen_date)", "follower_username")
        .fetchall()
    )
    edges_by_date: dict[Any, list[tuple[str, str, float]]] = {}
    similar = (
        dbt.ref("int_followings_similarity")
        .filter(f"following_jaccard >= {EDGE_THRESHOLD!r}")
        .project("snapshot_date, creator_a, creator_b, following_jaccard")
    )
    for day, creator_a, creator_b, jaccard in similar.fetchall():
        edges_by_date.setdefault(day, []).append((creator_a, creator_b, jaccard))
    niches = dict(dbt.ref("dim_creators").project("creator_username, niche").fetchall())

    rows = communities_rows(dates, first_seen, edges_by_date, niches)
    schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in SCHEMA_FIELDS])
    return pa.Table.from_pylist(rows, schema=schema)
