"""The engagement report: one self-contained HTML page drawn from the published marts.

Sections: creator scorecards (top creators by vetting score, with their like/view and comment/view
bands), a page per top creator (its scorecard, audience sentiment over time, comment authenticity,
posting cadence, follower growth, sponsored share and outlier videos), a watch list of videos whose
comments raise a negative alert, niche benchmarks (like/view percentiles per niche against the
healthy 3-8 % range), trend lines per tracked query over the snapshot dates, a brand page per
competitive set (share of voice over time, the owned / sponsored / earned split of the date's
views, the top UGC creators per brand) and a graph page (the roster on a circle coloured by
community, its top discovered accounts inside it, the follows between them, a deterministic layout
computed here; the discovery candidates, the communities and the most similar pairs).

Every mart the page reads is required (a missing mart or column is a :class:`ReportError` naming
it); a mart that is there but empty, such as the brand marts without a brands file or the graph
marts before the first followings load, gives its section an empty-state message instead.

Charts are inline SVG generated here: the page loads nothing from anywhere (no scripts, fonts or
styles from outside), so it opens offline, in a browser sandbox or inside the Airflow UI.
The page is a pure function of the data (no clock): the same marts give the same bytes.

Data comes from the read-only serving DuckDB file that the warehouse publishes, or from a directory
of Parquet exports (``<dir>/<mart>.parquet`` or ``<dir>/<mart>/**/*.parquet``)::

    python -m tiktok_engagement.report data/warehouse/serving.duckdb data/report/index.html
"""

from __future__ import annotations

import argparse
import html
import math
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

# The audience and content marts of the creator pages and the watch list.
CREATOR_MARTS = (
    "creator_audience",
    "creator_content_signals",
    "video_comment_summary",
    "fct_video_snapshots",
)
# The brand page (share of voice, mention types, UGC creators) and the graph page.
BRAND_MARTS = ("brand_share_of_voice", "brand_mentions")
GRAPH_MARTS = ("creator_communities", "creator_discovery", "creator_follows", "creator_similarity")
MARTS = (
    "creator_scorecard",
    "niche_benchmarks",
    "query_trends",
    *CREATOR_MARTS,
    *BRAND_MARTS,
    *GRAPH_MARTS,
)
TOP_CREATORS = 25
TOP_CREATORS_CHART = 15
TOP_CREATOR_PAGES = 10
WATCH_LIST_LIMIT = 50
OUTLIERS_PER_CREATOR = 5
TOP_UGC_CREATORS = 5
TOP_DISCOVERED = 15
TOP_SIMILAR_PAIRS = 10
# The follower band an agency hires lookalikes from (creator_discovery.follower_count).
LOOKALIKE_FOLLOWERS = (10_000, 2_000_000)

# like/view bands of the marts (see include/dbt/macros/engagement.sql), worst to best.
BAND_COLORS = {
    "not_resonating": "#c0392b",
    "below_healthy": "#e67e22",
    "healthy": "#27ae60",
    "strong": "#16a085",
    "highly_engaged": "#2471a3",
    None: "#95a5a6",
}
SERIES_COLORS = ("#2471a3", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d")
HEALTHY_LIKE_VIEW = (0.03, 0.08)
MENTION_COLORS = {"owned": "#2471a3", "sponsored": "#d35400", "earned": "#27ae60"}
# One colour per community of the graph page, by community id (1 is the largest); a creator alone
# in its community (no similar creator) is drawn grey.
COMMUNITY_COLORS = (
    "#2471a3", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085",
    "#b7950b", "#2e4053", "#e84393", "#6c3483", "#117a65", "#a04000",
)  # fmt: skip
LONE_COLOR = "#aab7b8"

_SCORECARD_COLUMNS = (
    "creator_username",
    "niche",
    "follower_count",
    "follower_tier",
    "vetting_score",
    "like_view_band",
    "comment_view_band",
    "has_viral_potential",
    "avg_like_view_ratio",
    "avg_comment_view_ratio",
    "avg_share_view_ratio",
    "posts_analyzed",
    "avg_engagement_rate",
    "overall_score",
)
_AUDIENCE_COLUMNS = (
    "creator_username",
    "snapshot_date",
    "videos_with_comments",
    "comments_analyzed",
    "net_sentiment",
    "negative_alert_videos",
    "repeat_commenter_rate",
    "generic_comment_share",
    "comment_authenticity",
    "top_terms",
)
_CONTENT_COLUMNS = (
    "creator_username",
    "posts_per_week_30d",
    "days_since_last_post",
    "max_gap_days_90d",
    "median_views_recent",
    "outlier_videos_30d",
    "sponsored_share_30d",
    "sponsored_engagement_lift",
    "follower_growth_7d",
    "follower_growth_30d",
    "has_follower_spike",
)
_OUTLIER_COLUMNS = (
    "creator_username",
    "video_id",
    "created_at",
    "play_count",
    "views_vs_creator_median",
    "engagement_rate",
    "sponsored_signal",
)
_WATCH_COLUMNS = (
    "video_id",
    "creator_username",
    "comments_analyzed",
    "negative_share",
    "net_sentiment",
    "question_share",
    "purchase_intent_share",
    "top_terms",
)
_BENCHMARK_COLUMNS = (
    "niche",
    "creators",
    "p25_avg_like_view_ratio",
    "p50_avg_like_view_ratio",
    "p75_avg_like_view_ratio",
    "p90_avg_like_view_ratio",
    "p50_avg_comment_view_ratio",
    "p50_avg_share_view_ratio",
)
_TREND_COLUMNS = (
    "query",
    "query_type",
    "snapshot_date",
    "total_share_count",
    "total_play_count",
    "videos_found",
)

_SHARE_COLUMNS = (
    "brand",
    "competitive_set",
    "snapshot_date",
    "videos",
    "views",
    "engagements",
    "creators",
    "share_of_voice_views",
    "share_of_voice_videos",
    "share_of_voice_creators",
    "earned_share",
    "new_ugc_creators",
    "net_sentiment",
    *(
        f"{kind}_{measure}"
        for kind in ("owned", "sponsored", "earned")
        for measure in ("videos", "views")
    ),
)
_MENTION_COLUMNS = (
    "brand",
    "video_id",
    "snapshot_date",
    "creator_username",
    "mention_type",
    "play_count",
)
_COMMUNITY_COLUMNS = (
    "creator_username",
    "niche",
    "community_id",
    "community_size",
    "dominant_niche",
    "dominant_niche_share",
    "similar_creators",
)
_DISCOVERY_COLUMNS = (
    "account_username",
    "account_nickname",
    "follower_count",
    "follower_tier",
    "followed_by_roster",
    "follower_niches",
    "new_follows_7d",
    "discovery_rank",
)
_SIMILARITY_COLUMNS = (
    "creator_a",
    "creator_b",
    "niche_a",
    "niche_b",
    "following_jaccard",
    "commenter_jaccard",
    "is_mutual",
    "shared_followings",
)


class ReportError(ValueError):
    """The source lacks a mart or a column the report needs; the message names it."""


@dataclass
class ReportData:
    """Everything the page shows, already filtered to the report's date."""

    snapshot_date: date | None
    dates: list[date] = field(default_factory=list)
    scorecards: list[dict[str, Any]] = field(default_factory=list)
    benchmarks: list[dict[str, Any]] = field(default_factory=list)
    trends: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    creator_pages: list[CreatorPage] = field(default_factory=list)
    watch_list: list[dict[str, Any]] = field(default_factory=list)
    brand_sets: list[BrandSet] = field(default_factory=list)
    graph: GraphData | None = None


@dataclass
class BrandSet:
    """One competitive set on the brand page: its brands' share of voice up to the report's date,
    the mention types of the date and each brand's top UGC creators."""

    name: str
    brands: list[str] = field(default_factory=list)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # brand -> rows by date
    today: dict[str, dict[str, Any]] = field(default_factory=dict)  # brand -> the date's row
    split: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    """brand -> mention type -> (videos, views) on the report's date."""
    top_ugc: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class GraphData:
    """The graph page as of the latest followings date on or before the report's date."""

    snapshot_date: date
    members: list[dict[str, Any]] = field(default_factory=list)  # creator_communities rows
    discovered: list[dict[str, Any]] = field(default_factory=list)  # top creator_discovery rows
    lookalikes: list[dict[str, Any]] = field(default_factory=list)  # the same, in the hiring band
    edges: list[tuple[str, str, bool]] = field(default_factory=list)  # follower, followed, mutual
    similar_pairs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class CreatorPage:
    """One top creator's page: its scorecard row of the report's date and its history up to it."""

    scorecard: dict[str, Any]
    audience: dict[str, Any] | None = None  # creator_audience on the report's date
    audience_history: list[dict[str, Any]] = field(default_factory=list)
    followers_history: list[tuple[date, int]] = field(default_factory=list)
    content: dict[str, Any] | None = None  # creator_content_signals on the report's date
    outliers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def username(self) -> str:
        return str(self.scorecard["creator_username"])


# ---- reading --------------------------------------------------------------------------------------


def _connect(source: Path) -> tuple[duckdb.DuckDBPyConnection, dict[str, str]]:
    """A connection and the relation name of each mart, from a DuckDB file or a Parquet directory."""
    if source.is_dir():
        con = duckdb.connect(":memory:")
        relations = {}
        for mart in MARTS:
            single = source / f"{mart}.parquet"
            if single.is_file():
                pattern = str(single)
            elif (source / mart).is_dir():
                pattern = str(source / mart / "**" / "*.parquet")
            else:
                raise ReportError(f"{source}: no Parquet export for mart {mart}")
            # The path as a SQL string literal; the view names are this module's constants.
            quoted = pattern.replace("'", "''")
            sql = f"create view \"{mart}\" as select * from read_parquet('{quoted}', union_by_name = true)"  # noqa: S608
            con.execute(sql)
            relations[mart] = f'"{mart}"'
        return con, relations
    if not source.is_file():
        raise ReportError(f"{source}: no such DuckDB file or Parquet directory")
    con = duckdb.connect(str(source), read_only=True)
    found = con.execute(
        "select table_catalog, table_schema, table_name from information_schema.tables "
        "where table_name in ? order by table_schema = 'marts' desc, table_schema",
        [list(MARTS)],
    ).fetchall()
    relations = {}
    for catalog, schema, name in found:
        relations.setdefault(name, f'"{catalog}"."{schema}"."{name}"')
    missing = [m for m in MARTS if m not in relations]
    if missing:
        con.close()
        raise ReportError(f"{source}: mart(s) {', '.join(missing)} not found")
    return con, relations


def _require(
    con: duckdb.DuckDBPyConnection, relation: str, mart: str, columns: Sequence[str]
) -> None:
    have = {row[0] for row in con.execute(f"describe select * from {relation}").fetchall()}  # noqa: S608
    missing = [c for c in columns if c not in have]
    if missing:
        raise ReportError(f"mart {mart} lacks column(s) {', '.join(missing)}")


def _select(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    mart: str,
    columns: Sequence[str],
    where: str,
    params: list[Any],
) -> list[dict[str, Any]]:
    _require(con, relation, mart, columns)
    cursor = con.execute(f"select {', '.join(columns)} from {relation} where {where}", params)  # noqa: S608
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def load_report_data(source: str | os.PathLike, snapshot_date: date | None = None) -> ReportData:
    """Read what the page shows; ``snapshot_date`` defaults to the latest date in the scorecards."""
    con, rel = _connect(Path(source))
    try:
        dates = sorted(
            {
                row[0]
                for row in con.execute(
                    f"select distinct snapshot_date from {rel['creator_scorecard']} "  # noqa: S608
                    f"union select distinct snapshot_date from {rel['query_trends']}"
                ).fetchall()
                if row[0] is not None
            }
        )
        day = snapshot_date or (dates[-1] if dates else None)
        data = ReportData(snapshot_date=day, dates=[d for d in dates if day is None or d <= day])
        if day is None:
            return data
        data.scorecards = _select(
            con,
            rel["creator_scorecard"],
            "creator_scorecard",
            _SCORECARD_COLUMNS,
            "snapshot_date = ? order by vetting_score desc nulls last, creator_username",
            [day],
        )
        data.benchmarks = _select(
            con,
            rel["niche_benchmarks"],
            "niche_benchmarks",
            _BENCHMARK_COLUMNS,
            "snapshot_date = ? and follower_tier = 'all' order by niche",
            [day],
        )
        for row in _select(
            con,
            rel["query_trends"],
            "query_trends",
            _TREND_COLUMNS,
            "snapshot_date <= ? order by query, query_type, snapshot_date",
            [day],
        ):
            data.trends.setdefault((row["query"], row["query_type"]), []).append(row)
        _load_creator_pages(con, rel, data, day)
        data.brand_sets = _load_brand_sets(con, rel, day)
        data.graph = _load_graph(con, rel, day)
        return data
    finally:
        con.close()


def _load_creator_pages(
    con: duckdb.DuckDBPyConnection, rel: dict[str, str], data: ReportData, day: date
) -> None:
    """The top creators' pages and the watch list of negative alerts."""
    top = [r for r in data.scorecards if r["vetting_score"] is not None][:TOP_CREATOR_PAGES]
    pages = {r["creator_username"]: CreatorPage(r) for r in top}
    handles = list(pages)
    if handles:
        for row in _select(
            con,
            rel["creator_scorecard"],
            "creator_scorecard",
            ("creator_username", "snapshot_date", "follower_count"),
            "snapshot_date <= ? and creator_username in ? and follower_count is not null "
            "order by creator_username, snapshot_date",
            [day, handles],
        ):
            pages[row["creator_username"]].followers_history.append(
                (row["snapshot_date"], row["follower_count"])
            )
        for row in _select(
            con,
            rel["creator_audience"],
            "creator_audience",
            _AUDIENCE_COLUMNS,
            "snapshot_date <= ? and creator_username in ? order by creator_username, snapshot_date",
            [day, handles],
        ):
            page = pages[row["creator_username"]]
            page.audience_history.append(row)
            if row["snapshot_date"] == day:
                page.audience = row
        for row in _select(
            con,
            rel["creator_content_signals"],
            "creator_content_signals",
            _CONTENT_COLUMNS,
            "snapshot_date = ? and creator_username in ?",
            [day, handles],
        ):
            pages[row["creator_username"]].content = row
        for row in _select(
            con,
            rel["fct_video_snapshots"],
            "fct_video_snapshots",
            _OUTLIER_COLUMNS,
            "snapshot_date = ? and is_outlier and creator_username in ? "
            "order by creator_username, views_vs_creator_median desc nulls last, video_id",
            [day, handles],
        ):
            page = pages[row["creator_username"]]
            if len(page.outliers) < OUTLIERS_PER_CREATOR:
                page.outliers.append(row)
    data.creator_pages = list(pages.values())
    data.watch_list = _select(
        con,
        rel["video_comment_summary"],
        "video_comment_summary",
        _WATCH_COLUMNS,
        "negative_alert order by negative_share desc, comments_analyzed desc, video_id limit ?",
        [WATCH_LIST_LIMIT],
    )


def _load_brand_sets(
    con: duckdb.DuckDBPyConnection, rel: dict[str, str], day: date
) -> list[BrandSet]:
    """Each competitive set's brands, from their share of voice up to ``day``."""
    sets: dict[str, BrandSet] = {}
    for row in _select(
        con,
        rel["brand_share_of_voice"],
        "brand_share_of_voice",
        _SHARE_COLUMNS,
        "snapshot_date <= ? order by competitive_set, brand, snapshot_date",
        [day],
    ):
        brand_set = sets.setdefault(row["competitive_set"], BrandSet(row["competitive_set"]))
        if row["brand"] not in brand_set.history:
            brand_set.brands.append(row["brand"])
        brand_set.history.setdefault(row["brand"], []).append(row)
        if row["snapshot_date"] == day:
            brand_set.today[row["brand"]] = row
            brand_set.split[row["brand"]] = {
                kind: (int(row[f"{kind}_videos"] or 0), int(row[f"{kind}_views"] or 0))
                for kind in MENTION_COLORS
            }
    brand_of = {brand: s for s in sets.values() for brand in s.brands}
    if not brand_of:
        return []
    _require(con, rel["brand_mentions"], "brand_mentions", _MENTION_COLUMNS)
    # Each video once, as its latest capture on or before the date has it (views, type): a video
    # whose caption later discloses a partnership is no longer counted as UGC.
    cursor = con.execute(
        f"""
        with latest as (
            select brand, video_id, creator_username, mention_type, play_count
            from {rel["brand_mentions"]}
            where snapshot_date <= ? and brand in ?
            qualify row_number() over (
                partition by brand, video_id order by snapshot_date desc) = 1
        )
        select brand, creator_username, count(*) as earned_videos,
            coalesce(sum(play_count), 0) as views
        from latest
        where mention_type = 'earned' and creator_username is not null
        group by brand, creator_username
        qualify row_number() over (
            partition by brand order by views desc, earned_videos desc, creator_username) <= ?
        order by brand, views desc, earned_videos desc, creator_username
        """,  # noqa: S608
        [day, list(brand_of), TOP_UGC_CREATORS],
    )
    for brand, creator, videos, views in cursor.fetchall():
        brand_of[brand].top_ugc.setdefault(brand, []).append(
            {"creator_username": creator, "earned_videos": videos, "views": views}
        )
    return [sets[name] for name in sorted(sets)]


def _load_graph(con: duckdb.DuckDBPyConnection, rel: dict[str, str], day: date) -> GraphData | None:
    """The roster's communities, its top discovered accounts and the follows between them."""
    found = con.execute(
        f"select max(snapshot_date) from {rel['creator_communities']} where snapshot_date <= ?",  # noqa: S608
        [day],
    ).fetchone()
    if found is None or found[0] is None:
        return None
    graph = GraphData(snapshot_date=found[0])
    graph.members = _select(
        con,
        rel["creator_communities"],
        "creator_communities",
        _COMMUNITY_COLUMNS,
        "snapshot_date = ? order by community_id, creator_username",
        [graph.snapshot_date],
    )
    graph.discovered = _select(
        con,
        rel["creator_discovery"],
        "creator_discovery",
        _DISCOVERY_COLUMNS,
        "snapshot_date = ? order by discovery_rank limit ?",
        [graph.snapshot_date, TOP_DISCOVERED],
    )
    graph.lookalikes = _select(
        con,
        rel["creator_discovery"],
        "creator_discovery",
        _DISCOVERY_COLUMNS,
        "snapshot_date = ? and follower_count between ? and ? order by discovery_rank limit ?",
        [graph.snapshot_date, *LOOKALIKE_FOLLOWERS, TOP_DISCOVERED],
    )
    roster = [m["creator_username"] for m in graph.members]
    targets = [d["account_username"] for d in graph.discovered]
    seen: set[tuple[str, str]] = set()
    for row in _select(
        con,
        rel["creator_follows"],
        "creator_follows",
        ("follower_username", "followed_username", "followed_roster_username", "is_mutual"),
        "first_seen_date <= ? and follower_username in ? "
        "and (followed_roster_username in ? or followed_username in ?) "
        "order by follower_username, followed_username",
        [graph.snapshot_date, roster or [""], roster or [""], targets or [""]],
    ):
        target = row["followed_roster_username"] or row["followed_username"]
        if target != row["follower_username"] and (row["follower_username"], target) not in seen:
            seen.add((row["follower_username"], target))
            graph.edges.append((row["follower_username"], target, bool(row["is_mutual"])))
    graph.similar_pairs = _select(
        con,
        rel["creator_similarity"],
        "creator_similarity",
        _SIMILARITY_COLUMNS,
        "following_jaccard is not null "
        "order by following_jaccard desc, creator_a, creator_b limit ?",
        [TOP_SIMILAR_PAIRS],
    )
    return graph


# ---- formatting -----------------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def _count(value: float | None) -> str:
    if value is None:
        return "–"
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.1f}{suffix}"
    return f"{value:.0f}"


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _label(text: str) -> str:
    return text.replace("_", " ")


def _n(value: float) -> str:
    """A coordinate: short, and the same text for the same number."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


# ---- charts (inline SVG) --------------------------------------------------------------------------


def score_chart(rows: Sequence[dict[str, Any]]) -> str:
    """Horizontal bars: vetting score (0-100) of the top creators, coloured by like/view band."""
    rows = [r for r in rows if r["vetting_score"] is not None][:TOP_CREATORS_CHART]
    if not rows:
        return '<p class="empty">No scored creators on this date.</p>'
    left, width, row_h, top = 150, 420, 22, 24
    height = top + row_h * len(rows) + 10
    parts = [
        f'<svg class="chart" id="score-chart" role="img" viewBox="0 0 {left + width + 60} {height}" '
        f'width="{left + width + 60}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        "<title>Vetting score of the top creators</title>",
    ]
    for tick in (0, 25, 50, 75, 100):
        x = left + width * tick / 100
        parts.append(
            f'<line class="grid" x1="{_n(x)}" y1="{top - 6}" x2="{_n(x)}" y2="{height - 8}"/>'
        )
        parts.append(
            f'<text class="axis" x="{_n(x)}" y="{top - 10}" text-anchor="middle">{tick}</text>'
        )
    for i, row in enumerate(rows):
        y = top + i * row_h
        score = float(row["vetting_score"])
        color = BAND_COLORS.get(row["like_view_band"], BAND_COLORS[None])
        parts.append(
            f'<text class="label" x="{left - 8}" y="{y + 15}" text-anchor="end">{_e(row["creator_username"])}</text>'
            f'<rect class="bar" data-value="{score:.2f}" x="{left}" y="{y + 3}" '
            f'width="{_n(width * max(score, 0) / 100)}" height="{row_h - 6}" fill="{color}">'
            f"<title>{_e(row['creator_username'])}: {score:.1f} ({_e(_label(row['like_view_band'] or 'no views'))})</title></rect>"
            f'<text class="value" x="{_n(left + width * max(score, 0) / 100 + 6)}" y="{y + 15}">{score:.1f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def benchmark_chart(rows: Sequence[dict[str, Any]]) -> str:
    """Per niche: like/view p25-p75 (bar), median (tick) and p90 (dot), over the healthy range."""
    rows = [r for r in rows if r["p50_avg_like_view_ratio"] is not None]
    if not rows:
        return '<p class="empty">No niche benchmarks on this date.</p>'
    left, width, row_h, top = 130, 440, 28, 26
    height = top + row_h * len(rows) + 24
    highest = max(
        [HEALTHY_LIKE_VIEW[1]]
        + [r["p90_avg_like_view_ratio"] or r["p75_avg_like_view_ratio"] or 0 for r in rows]
    )
    scale = 10 ** math.floor(math.log10(highest * 1.15))
    x_max = math.ceil(highest * 1.15 / scale) * scale

    def x(value: float) -> float:
        return left + width * value / x_max

    parts = [
        f'<svg class="chart" id="benchmark-chart" role="img" viewBox="0 0 {left + width + 30} {height}" '
        f'width="{left + width + 30}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        "<title>Like/view ratio by niche: p25-p75, median and p90</title>",
        f'<rect class="healthy" x="{_n(x(HEALTHY_LIKE_VIEW[0]))}" y="{top - 6}" '
        f'width="{_n(x(HEALTHY_LIKE_VIEW[1]) - x(HEALTHY_LIKE_VIEW[0]))}" height="{row_h * len(rows) + 6}">'
        "<title>healthy like/view range (3-8 %)</title></rect>",
    ]
    for i in range(6):
        value = x_max * i / 5
        parts.append(
            f'<line class="grid" x1="{_n(x(value))}" y1="{top - 6}" x2="{_n(x(value))}" y2="{height - 18}"/>'
        )
        parts.append(
            f'<text class="axis" x="{_n(x(value))}" y="{height - 4}" text-anchor="middle">{_pct(value, 1)}</text>'
        )
    for i, row in enumerate(rows):
        y = top + i * row_h + row_h / 2
        p25, p50 = row["p25_avg_like_view_ratio"], row["p50_avg_like_view_ratio"]
        p75, p90 = row["p75_avg_like_view_ratio"], row["p90_avg_like_view_ratio"]
        tip = f"{_e(row['niche'])}: median {_pct(p50, 2)}, p25-p75 {_pct(p25, 2)}-{_pct(p75, 2)}, p90 {_pct(p90, 2)}"
        parts.append(
            f'<text class="label" x="{left - 8}" y="{_n(y + 4)}" text-anchor="end">{_e(row["niche"])}</text>'
        )
        if p25 is not None and p75 is not None:
            parts.append(
                f'<rect class="iqr" x="{_n(x(p25))}" y="{_n(y - 7)}" width="{_n(max(x(p75) - x(p25), 1))}" height="14">'
                f"<title>{tip}</title></rect>"
            )
        parts.append(
            f'<line class="median" data-value="{p50:.5f}" x1="{_n(x(p50))}" y1="{_n(y - 10)}" '
            f'x2="{_n(x(p50))}" y2="{_n(y + 10)}"><title>{tip}</title></line>'
        )
        if p90 is not None:
            parts.append(
                f'<circle class="p90" cx="{_n(x(p90))}" cy="{_n(y)}" r="4"><title>{tip}</title></circle>'
            )
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(query: str, query_type: str, points: Sequence[dict[str, Any]], color: str) -> str:
    """One query's total shares over its snapshot dates: a line with a dot per date."""
    width, height, pad_l, pad_r, pad_t, pad_b = 300, 150, 48, 12, 12, 28
    values = [float(p["total_share_count"] or 0) for p in points]
    days = [p["snapshot_date"] for p in points]
    low, high = min(values), max(values)
    if high == low:
        low, high = (0.0, high * 2 or 1.0) if high >= 0 else (high * 2, 0.0)
    span_days = max((days[-1] - days[0]).days, 1)

    def xy(day: date, value: float) -> tuple[float, float]:
        x = pad_l + (width - pad_l - pad_r) * (
            (day - days[0]).days / span_days if len(days) > 1 else 0.5
        )
        y = pad_t + (height - pad_t - pad_b) * (1 - (value - low) / (high - low))
        return x, y

    coords = [xy(d, v) for d, v in zip(days, values, strict=True)]
    title = f"{'#' if query_type == 'hashtag' else ''}{query}"
    parts = [
        f'<svg class="chart trend" role="img" data-query="{_e(query)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_e(title)}: total shares per snapshot date</title>",
        f'<line class="axisline" x1="{pad_l}" y1="{height - pad_b}" x2="{width - pad_r}" y2="{height - pad_b}"/>',
        f'<line class="axisline" x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" y2="{height - pad_b}"/>',
        f'<text class="axis" x="{pad_l - 4}" y="{pad_t + 8}" text-anchor="end">{_count(high)}</text>',
        f'<text class="axis" x="{pad_l - 4}" y="{height - pad_b}" text-anchor="end">{_count(low)}</text>',
        f'<text class="axis" x="{pad_l}" y="{height - 8}">{days[0].isoformat()}</text>',
    ]
    if len(days) > 1:
        parts.append(
            f'<text class="axis" x="{width - pad_r}" y="{height - 8}" text-anchor="end">{days[-1].isoformat()}</text>'
        )
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
        parts.append(f'<polyline class="line" points="{path}" stroke="{color}"/>')
    for (x, y), point in zip(coords, points, strict=True):
        parts.append(
            f'<circle class="pt" cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{color}" '
            f'data-date="{point["snapshot_date"].isoformat()}" data-value="{int(point["total_share_count"] or 0)}">'
            f"<title>{point['snapshot_date'].isoformat()}: {_count(point['total_share_count'])} shares, "
            f"{_count(point['total_play_count'])} plays, {point['videos_found']} videos</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _series_chart(
    points: Sequence[tuple[date, float]],
    *,
    css: str,
    title: str,
    color: str,
    low: float | None = None,
    high: float | None = None,
    fmt: Any = None,
) -> str:
    """A small line chart of one value over snapshot dates, a dot per date (``class=css``).

    ``low``/``high`` fix the y range (e.g. -1..1 for sentiment, with a zero line); otherwise it
    spans the values.
    """
    fmt = fmt or _count
    width, height, pad_l, pad_r, pad_t, pad_b = 300, 140, 52, 12, 12, 28
    days = [d for d, _ in points]
    values = [float(v) for _, v in points]
    lo = min(values) if low is None else low
    hi = max(values) if high is None else high
    if hi == lo:
        lo, hi = (lo - 1.0, hi + 1.0) if lo == 0 else (lo * 0.9, hi * 1.1)
        lo, hi = min(lo, hi), max(lo, hi)
    span_days = max((days[-1] - days[0]).days, 1)

    def xy(day: date, value: float) -> tuple[float, float]:
        x = pad_l + (width - pad_l - pad_r) * (
            (day - days[0]).days / span_days if len(days) > 1 else 0.5
        )
        return x, pad_t + (height - pad_t - pad_b) * (1 - (value - lo) / (hi - lo))

    coords = [xy(d, v) for d, v in points]
    parts = [
        f'<svg class="chart series {css}" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_e(title)}</title>",
        f'<line class="axisline" x1="{pad_l}" y1="{height - pad_b}" x2="{width - pad_r}" y2="{height - pad_b}"/>',
        f'<line class="axisline" x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" y2="{height - pad_b}"/>',
        f'<text class="axis" x="{pad_l - 4}" y="{pad_t + 8}" text-anchor="end">{_e(fmt(hi))}</text>',
        f'<text class="axis" x="{pad_l - 4}" y="{height - pad_b}" text-anchor="end">{_e(fmt(lo))}</text>',
        f'<text class="axis" x="{pad_l}" y="{height - 8}">{days[0].isoformat()}</text>',
    ]
    if lo < 0 < hi:
        _, zero = xy(days[0], 0.0)
        parts.append(
            f'<line class="zero" x1="{pad_l}" y1="{_n(zero)}" x2="{width - pad_r}" y2="{_n(zero)}"/>'
        )
    if len(days) > 1:
        parts.append(
            f'<text class="axis" x="{width - pad_r}" y="{height - 8}" text-anchor="end">{days[-1].isoformat()}</text>'
        )
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
        parts.append(f'<polyline class="line" points="{path}" stroke="{color}"/>')
    for (x, y), (day, value) in zip(coords, points, strict=True):
        parts.append(
            f'<circle class="{css}-pt" cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{color}" '
            f'data-date="{day.isoformat()}" data-value="{value:.4f}">'
            f"<title>{day.isoformat()}: {_e(fmt(value))}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def sentiment_chart(page: CreatorPage) -> str:
    """Net sentiment of the creator's commented recent posts per snapshot date (-1 to 1)."""
    points = [
        (r["snapshot_date"], float(r["net_sentiment"]))
        for r in page.audience_history
        if r["net_sentiment"] is not None
    ]
    if not points:
        return '<p class="empty">No comments analysed yet.</p>'
    return _series_chart(
        points,
        css="sentiment",
        title=f"{page.username}: net sentiment of comments per snapshot date",
        color=SERIES_COLORS[0],
        low=-1.0,
        high=1.0,
        fmt=lambda v: f"{v:+.2f}",
    )


def followers_chart(page: CreatorPage) -> str:
    """Followers per snapshot date (the profile each scorecard row used)."""
    if not page.followers_history:
        return '<p class="empty">No profile yet.</p>'
    return _series_chart(
        [(d, float(v)) for d, v in page.followers_history],
        css="followers",
        title=f"{page.username}: followers per snapshot date",
        color=SERIES_COLORS[2],
    )


def _brand_colors(brand_set: BrandSet) -> dict[str, str]:
    return {b: SERIES_COLORS[i % len(SERIES_COLORS)] for i, b in enumerate(brand_set.brands)}


def share_of_voice_chart(brand_set: BrandSet) -> str:
    """Share of voice (views) of each brand of a competitive set per snapshot date, 0-100 %."""
    points = [
        (brand, row["snapshot_date"], float(row["share_of_voice_views"]))
        for brand in brand_set.brands
        for row in brand_set.history[brand]
        if row["share_of_voice_views"] is not None
    ]
    if not points:
        return '<p class="empty">No share of voice yet.</p>'
    colors = _brand_colors(brand_set)
    width, height, pad_l, pad_r, pad_t, pad_b = 460, 200, 44, 14, 12, 28
    days = sorted({day for _, day, _ in points})
    span_days = max((days[-1] - days[0]).days, 1)

    def xy(day: date, value: float) -> tuple[float, float]:
        x = pad_l + (width - pad_l - pad_r) * (
            (day - days[0]).days / span_days if len(days) > 1 else 0.5
        )
        return x, pad_t + (height - pad_t - pad_b) * (1 - value)

    parts = [
        f'<svg class="chart sov" role="img" data-set="{_e(brand_set.name)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_e(brand_set.name)}: share of voice (views) per snapshot date</title>",
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        _, y = xy(days[0], tick)
        parts.append(
            f'<line class="grid" x1="{pad_l}" y1="{_n(y)}" x2="{width - pad_r}" y2="{_n(y)}"/>'
            f'<text class="axis" x="{pad_l - 4}" y="{_n(y + 4)}" text-anchor="end">{tick:.0%}</text>'
        )
    parts.append(f'<text class="axis" x="{pad_l}" y="{height - 8}">{days[0].isoformat()}</text>')
    if len(days) > 1:
        parts.append(
            f'<text class="axis" x="{width - pad_r}" y="{height - 8}" text-anchor="end">{days[-1].isoformat()}</text>'
        )
    for brand in brand_set.brands:
        series = [(d, v) for b, d, v in points if b == brand]
        coords = [xy(d, v) for d, v in series]
        if len(coords) > 1:
            path = " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
            parts.append(f'<polyline class="line" points="{path}" stroke="{colors[brand]}"/>')
        for (x, y), (day, value) in zip(coords, series, strict=True):
            parts.append(
                f'<circle class="sov-pt" cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{colors[brand]}" '
                f'data-brand="{_e(brand)}" data-date="{day.isoformat()}" data-value="{value:.4f}">'
                f"<title>{_e(brand)} {day.isoformat()}: {_pct(value)} of the set's views</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


def mention_split_chart(brand_set: BrandSet) -> str:
    """Per brand, its views on the report's date split into owned, sponsored and earned (100 %)."""
    left, width, row_h, top = 130, 380, 26, 8
    height = top + row_h * len(brand_set.brands) + 8
    parts = [
        f'<svg class="chart split" role="img" data-set="{_e(brand_set.name)}" '
        f'viewBox="0 0 {left + width + 20} {height}" width="{left + width + 20}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_e(brand_set.name)}: views by mention type on the report's date</title>",
    ]
    for i, brand in enumerate(brand_set.brands):
        y = top + i * row_h
        split = brand_set.split.get(brand, {})
        total = sum(views for _, views in split.values())
        parts.append(
            f'<text class="label" x="{left - 8}" y="{y + 16}" text-anchor="end">{_e(brand)}</text>'
        )
        if not total:
            parts.append(
                f'<text class="axis" x="{left}" y="{y + 16}">no mentions on this date</text>'
            )
            continue
        x = float(left)
        for kind, color in MENTION_COLORS.items():
            videos, views = split.get(kind, (0, 0))
            if not views:
                continue
            share = views / total
            seg = width * share
            parts.append(
                f'<rect class="split-seg" data-type="{kind}" data-value="{views}" x="{_n(x)}" '
                f'y="{y + 3}" width="{_n(seg)}" height="{row_h - 6}" fill="{color}">'
                f"<title>{_e(brand)} {kind}: {_count(views)} views ({_pct(share)}), "
                f"{videos} videos</title></rect>"
            )
            if seg >= 36:
                parts.append(
                    f'<text class="seg" x="{_n(x + seg / 2)}" y="{y + 17}" '
                    f'text-anchor="middle">{share:.0%}</text>'
                )
            x += seg
    parts.append("</svg>")
    return "".join(parts)


def community_color(community_id: int | None, size: int | None) -> str:
    """The colour of a community on the graph page (grey for a creator alone in its own)."""
    if community_id is None or not size or size < 2:
        return LONE_COLOR
    return COMMUNITY_COLORS[(community_id - 1) % len(COMMUNITY_COLORS)]


def graph_layout(
    graph: GraphData, radius: float, centre: float
) -> dict[str, tuple[float, float, float]]:
    """(x, y, angle) of every node: a deterministic circular layout by community.

    The roster creators sit on a circle in community order (1 first, from the top, clockwise),
    a free slot between communities and the creators alone in a community of their own together
    at the end. The discovered accounts sit on an inner circle, ordered by the mean direction of
    the roster creators who follow them and spread evenly, so an account followed by one
    community faces it and the picture never depends on anything but the data.
    """
    slots: list[str | None] = []
    previous: int | None = None
    for member in graph.members:
        group = member["community_id"] if (member["community_size"] or 0) > 1 else None
        if slots and group != previous:
            slots.append(None)
        slots.append(member["creator_username"])
        previous = group
    positions: dict[str, tuple[float, float, float]] = {}
    for i, name in enumerate(slots):
        if name is not None:
            angle = -math.pi / 2 + 2 * math.pi * i / len(slots)
            positions[name] = (
                centre + radius * math.cos(angle),
                centre + radius * math.sin(angle),
                angle,
            )
    followers: dict[str, list[float]] = {}
    for follower, followed, _ in graph.edges:
        if follower in positions and followed not in positions:
            followers.setdefault(followed, []).append(positions[follower][2])
    directions = []
    for row in graph.discovered:
        angles = followers.get(row["account_username"], [])
        mean = math.atan2(sum(map(math.sin, angles)), sum(map(math.cos, angles))) if angles else 0.0
        directions.append((round(mean % (2 * math.pi), 9), row["account_username"]))
    directions.sort()
    inner = radius * 0.45
    for i, (_, name) in enumerate(directions):
        angle = directions[0][0] + 2 * math.pi * i / len(directions)
        positions[name] = (
            centre + inner * math.cos(angle),
            centre + inner * math.sin(angle),
            angle,
        )
    return positions


def graph_chart(graph: GraphData) -> str:
    """The roster (outer circle, coloured by community) and its top discovered accounts (inner
    diamonds, coloured by the community most of their roster followers are in), with the follows
    between them."""
    if not graph.members:
        return '<p class="empty">No roster creator has followings yet.</p>'
    size, radius = 760, 250.0
    centre = size / 2
    pos = graph_layout(graph, radius, centre)
    community = {m["creator_username"]: m for m in graph.members}
    colors = {
        name: community_color(m["community_id"], m["community_size"])
        for name, m in community.items()
    }
    parts = [
        f'<svg class="chart graph" id="graph-chart" role="img" viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>Who the roster follows, {graph.snapshot_date.isoformat()}: roster creators by "
        "community and their top discovered accounts</title>",
    ]
    edges = {(a, b): mutual for a, b, mutual in graph.edges}
    votes: dict[str, Counter[int]] = {}
    for (follower, followed), mutual in edges.items():
        if follower not in pos or followed not in pos:
            continue
        x1, y1, _ = pos[follower]
        x2, y2, _ = pos[followed]
        if followed in community:
            if mutual and (followed, follower) in edges:
                if follower > followed:
                    continue  # a mutual pair is one line
                css = "edge mutual"
            else:
                css = "edge follows"
            same = community[follower]["community_id"] == community[followed]["community_id"]
            stroke = colors[follower] if same else "#aab7b8"
            # pulled towards the centre, like a chord, so follows across the circle stay apart
            cx = centre + ((x1 + x2) / 2 - centre) * 0.3
            cy = centre + ((y1 + y2) / 2 - centre) * 0.3
            parts.append(
                f'<path class="{css}" d="M{_n(x1)} {_n(y1)} Q{_n(cx)} {_n(cy)} {_n(x2)} {_n(y2)}" '
                f'stroke="{stroke}"><title>{_e(follower)} {"and" if css == "edge mutual" else "follows"} '
                f"{_e(followed)}{' follow each other' if css == 'edge mutual' else ''}</title></path>"
            )
        else:
            votes.setdefault(followed, Counter())[community[follower]["community_id"]] += 1
            parts.append(
                f'<line class="edge discovery" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}"/>'
            )
    for name, member in community.items():
        x, y, angle = pos[name]
        degrees = math.degrees(angle)
        flip = math.cos(angle) < 0
        lx, ly = centre + (radius + 10) * math.cos(angle), centre + (radius + 10) * math.sin(angle)
        parts.append(
            f'<circle class="node roster" data-community="{member["community_id"]}" cx="{_n(x)}" '
            f'cy="{_n(y)}" r="6" fill="{colors[name]}"><title>{_e(name)} · {_e(member["niche"])} · '
            f"community {member['community_id']} ({member['community_size']} creators, mostly "
            f"{_e(member['dominant_niche'])}) · {member['similar_creators']} similar creators"
            "</title></circle>"
            f'<text class="nlabel" x="{_n(lx)}" y="{_n(ly + 3)}" '
            f'text-anchor="{"end" if flip else "start"}" '
            f'transform="rotate({_n(degrees + 180 if flip else degrees)} {_n(lx)} {_n(ly + 3)})">'
            f"{_e(name)}</text>"
        )
    for row in graph.discovered:
        name = row["account_username"]
        x, y, _ = pos[name]
        tally = votes.get(name)
        # the community most of its roster followers are in (ties: the larger community)
        color = (
            community_color(min(tally.items(), key=lambda kv: (-kv[1], kv[0]))[0], 2)
            if tally
            else LONE_COLOR
        )
        parts.append(
            f'<rect class="node discovered" data-rank="{row["discovery_rank"]}" '
            f'x="{_n(x - 6)}" y="{_n(y - 6)}" width="12" height="12" fill="{color}" '
            f'transform="rotate(45 {_n(x)} {_n(y)})"><title>#{row["discovery_rank"]} {_e(name)}: '
            f"{_count(row['follower_count'])} followers ({_e(row['follower_tier'] or 'no count')}), "
            f"followed by {row['followed_by_roster']} roster creators ({_e(_terms(row['follower_niches']))})"
            "</title></rect>"
            f'<text class="dlabel" x="{_n(x)}" y="{_n(y + 18)}" text-anchor="middle">{_e(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# ---- page -----------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1c2833;background:#f7f9fa}
header{background:#1c2833;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#d5dbdb;font-size:14px}
main{padding:8px 28px 40px;max-width:1180px}section{background:#fff;border:1px solid #e5e8e8;
border-radius:8px;padding:16px 20px;margin:18px 0}h2{font-size:18px;margin:0 0 4px}
p.note{color:#566573;font-size:13px;margin:0 0 12px}p.empty{color:#7f8c8d;font-style:italic}
table{border-collapse:collapse;font-size:13px;margin-top:12px;width:100%}
th,td{padding:5px 8px;border-bottom:1px solid #eaeded;text-align:left}th{background:#f4f6f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.band{display:inline-block;padding:1px 7px;border-radius:9px;color:#fff;font-size:12px}
svg.chart text{font-size:11px;fill:#34495e}svg.chart text.label{font-size:12px}
svg.chart .grid{stroke:#eaeded}svg.chart .axisline{stroke:#aab7b8}
svg.chart .healthy{fill:#27ae60;opacity:.12}svg.chart .iqr{fill:#5d6d7e;opacity:.55}
svg.chart .median{stroke:#1c2833;stroke-width:3}svg.chart .p90{fill:#d35400}
svg.chart .line{fill:none;stroke-width:2}.trends{display:flex;flex-wrap:wrap;gap:14px}
.trends figure{margin:0;border:1px solid #eaeded;border-radius:6px;padding:6px}
.trends figcaption{font-size:13px;font-weight:600;padding:0 0 4px 4px}
.legend span{margin-right:12px;font-size:12px}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px;margin:10px 0}
.kpis div{background:#f4f6f6;border-radius:6px;padding:6px 9px}.kpis dt{font-size:11px;color:#566573}
.kpis dd{margin:0;font-size:15px;font-weight:600;font-variant-numeric:tabular-nums}
.charts{display:flex;flex-wrap:wrap;gap:14px}.charts figure{margin:0}
.charts figcaption{font-size:12px;color:#566573}svg.chart .zero{stroke:#aab7b8;stroke-dasharray:3 3}
.alert{color:#c0392b;font-weight:600}nav.pages a{margin-right:10px;font-size:13px}
svg.chart text.seg{fill:#fff;font-weight:600}svg.chart .edge{fill:none;stroke-width:1;opacity:.45}
svg.chart .edge.mutual{stroke-width:2.2;opacity:.8}svg.chart .edge.discovery{stroke:#5d6d7e;opacity:.16}
svg.chart .node{stroke:#fff;stroke-width:1.2}svg.chart .node.discovered{stroke:#1c2833}
svg.chart text.nlabel{font-size:10px}svg.chart text.dlabel{font-size:9px;fill:#1c2833}
.chip{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:4px}
"""


def _band(value: str | None) -> str:
    if value is None:
        return "–"
    return f'<span class="band" style="background:{BAND_COLORS.get(value, BAND_COLORS[None])}">{_e(_label(value))}</span>'


def _scorecard_table(rows: Sequence[dict[str, Any]]) -> str:
    head = (
        "<tr><th>#</th><th>creator</th><th>niche</th><th>followers</th><th>score</th><th>overall</th>"
        "<th>like/view</th><th>band</th><th>comment/view</th><th>band</th><th>share/view</th>"
        "<th>viral potential</th><th>posts</th></tr>"
    )
    body = "".join(
        f"<tr><td class=num>{i}</td><td>{_e(r['creator_username'])}</td><td>{_e(r['niche'])}</td>"
        f"<td class=num>{_count(r['follower_count'])}</td>"
        f"<td class=num>{_score(r['vetting_score'])}</td>"
        f"<td class=num>{_score(r['overall_score'])}</td>"
        f"<td class=num>{_pct(r['avg_like_view_ratio'], 2)}</td><td>{_band(r['like_view_band'])}</td>"
        f"<td class=num>{_pct(r['avg_comment_view_ratio'], 2)}</td><td>{_e(_label(r['comment_view_band'] or '–'))}</td>"
        f"<td class=num>{_pct(r['avg_share_view_ratio'], 2)}</td>"
        f"<td>{'yes' if r['has_viral_potential'] else 'no'}</td><td class=num>{r['posts_analyzed']}</td></tr>"
        for i, r in enumerate(rows[:TOP_CREATORS], start=1)
    )
    return f'<table id="scorecards">{head}{body}</table>'


def _benchmark_table(rows: Sequence[dict[str, Any]]) -> str:
    head = (
        "<tr><th>niche</th><th>creators</th><th>like/view p25</th><th>p50</th><th>p75</th>"
        "<th>p90</th><th>comment/view p50</th><th>share/view p50</th></tr>"
    )
    body = "".join(
        f"<tr><td>{_e(r['niche'])}</td><td class=num>{r['creators']}</td>"
        + "".join(
            f"<td class=num>{_pct(r[c], 2)}</td>"
            for c in (
                "p25_avg_like_view_ratio",
                "p50_avg_like_view_ratio",
                "p75_avg_like_view_ratio",
                "p90_avg_like_view_ratio",
                "p50_avg_comment_view_ratio",
                "p50_avg_share_view_ratio",
            )
        )
        + "</tr>"
        for r in rows
    )
    return f'<table id="benchmarks">{head}{body}</table>'


def _terms(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "–"
    return str(value)


def _signed(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:+.{digits}f}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}x"


def _fraction(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _yes_no(value: bool | None) -> str:
    return "–" if value is None else ("yes" if value else "no")


def _page_id(username: str) -> str:
    return "creator-" + re.sub(r"[^A-Za-z0-9_-]", "-", username)


def _kpis(items: Sequence[tuple[str, str]]) -> str:
    return (
        '<dl class="kpis">'
        + "".join(f"<div><dt>{_e(name)}</dt><dd>{value}</dd></div>" for name, value in items)
        + "</dl>"
    )


def _creator_page(page: CreatorPage) -> str:
    card, audience, content = page.scorecard, page.audience or {}, page.content or {}
    spike = content.get("has_follower_spike")
    scorecard = _kpis(
        [
            ("vetting score", _score(card["vetting_score"])),
            ("overall score", _score(card.get("overall_score"))),
            (
                "like/view",
                f"{_pct(card['avg_like_view_ratio'], 2)} {_band(card['like_view_band'])}",
            ),
            (
                "comment/view",
                f"{_pct(card['avg_comment_view_ratio'], 2)} "
                f"({_e(_label(card['comment_view_band'] or '–'))})",
            ),
            ("share/view", _pct(card["avg_share_view_ratio"], 2)),
            ("engagement rate", _pct(card.get("avg_engagement_rate"), 2)),
        ]
    )
    audience_kpis = _kpis(
        [
            ("net sentiment", _e(_signed(audience.get("net_sentiment")))),
            ("comment authenticity", _score(audience.get("comment_authenticity"))),
            ("repeat commenters", _pct(audience.get("repeat_commenter_rate"))),
            ("generic comments", _pct(audience.get("generic_comment_share"))),
            (
                "negative-alert videos",
                f'<span class="{"alert" if audience.get("negative_alert_videos") else ""}">'
                f"{_e(audience.get('negative_alert_videos', '–'))}</span>",
            ),
            (
                "comments analysed",
                f"{_count(audience.get('comments_analyzed'))} on "
                f"{_e(audience.get('videos_with_comments', '–'))} videos",
            ),
        ]
    )
    content_kpis = _kpis(
        [
            ("posts / week (30 d)", _score(content.get("posts_per_week_30d"))),
            ("days since last post", _e(content.get("days_since_last_post", "–"))),
            ("longest gap (90 d)", f"{_score(content.get('max_gap_days_90d'))} days"),
            ("followers 7 d", _pct(content.get("follower_growth_7d"))),
            ("followers 30 d", _pct(content.get("follower_growth_30d"))),
            (
                "follower spike",
                f'<span class="{"alert" if spike else ""}">{_yes_no(spike)}</span>',
            ),
            ("sponsored share (30 d)", _pct(content.get("sponsored_share_30d"))),
            ("sponsored lift", _ratio(content.get("sponsored_engagement_lift"))),
            ("outlier videos (30 d)", _e(content.get("outlier_videos_30d", "–"))),
        ]
    )
    outliers = "".join(
        f"<tr><td>{_e(o['video_id'])}</td><td>{_e(o['created_at'].date() if o['created_at'] else '–')}</td>"
        f"<td class=num>{_count(o['play_count'])}</td>"
        f"<td class=num>{_score(o['views_vs_creator_median'])}x</td>"
        f"<td class=num>{_pct(o['engagement_rate'], 2)}</td><td>{_e(o['sponsored_signal'])}</td></tr>"
        for o in page.outliers
    )
    outlier_table = (
        '<table class="outliers"><tr><th>outlier video</th><th>posted</th><th>views</th>'
        "<th>views vs creator median</th><th>engagement rate</th><th>sponsored</th></tr>"
        f"{outliers}</table>"
        if outliers
        else '<p class="empty">No outlier videos on this date.</p>'
    )
    return (
        f'<section class="creator-page" id="{_page_id(page.username)}">'
        f"<h2>{_e(page.username)} <small>{_e(card['niche'])} · "
        f"{_e(card['follower_tier'] or 'no profile')} · {_count(card['follower_count'])} followers"
        f"</small></h2>{scorecard}"
        f"<h3>Audience</h3>{audience_kpis}"
        f"<p class=note>Top terms: {_e(_terms(audience.get('top_terms')))}</p>"
        f"<h3>Content</h3>{content_kpis}"
        '<div class="charts">'
        f"<figure><figcaption>Net sentiment of comments</figcaption>{sentiment_chart(page)}</figure>"
        f"<figure><figcaption>Followers</figcaption>{followers_chart(page)}</figure>"
        f"</div>{outlier_table}</section>"
    )


def _watch_list(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return '<p class="empty">No video has a negative alert.</p>'
    head = (
        "<tr><th>video</th><th>creator</th><th>comments</th><th>negative</th>"
        "<th>net sentiment</th><th>questions</th><th>purchase intent</th><th>top terms</th></tr>"
    )
    body = "".join(
        f'<tr class="alert-row"><td>{_e(r["video_id"])}</td><td>{_e(r["creator_username"])}</td>'
        f"<td class=num>{_count(r['comments_analyzed'])}</td>"
        f"<td class=num>{_pct(r['negative_share'])}</td>"
        f"<td class=num>{_e(_signed(r['net_sentiment']))}</td>"
        f"<td class=num>{_pct(r['question_share'])}</td>"
        f"<td class=num>{_pct(r['purchase_intent_share'])}</td>"
        f"<td>{_e(_terms(r['top_terms']))}</td></tr>"
        for r in rows
    )
    return f'<table id="watch-list">{head}{body}</table>'


def _legend(items: Sequence[tuple[str, str]]) -> str:
    return (
        '<div class="legend">'
        + "".join(
            f'<span><span class="chip" style="background:{color}"></span>{_e(name)}</span>'
            for name, color in items
        )
        + "</div>"
    )


def _brand_set_section(brand_set: BrandSet) -> str:
    colors = _brand_colors(brand_set)
    rows = "".join(
        f'<tr class="brand-row"><td><span class="chip" style="background:{colors[brand]}"></span>'
        f"{_e(brand)}</td>"
        f"<td class=num>{_count(today.get('videos'))}</td>"
        f"<td class=num>{_count(today.get('views'))}</td>"
        f"<td class=num>{_count(today.get('creators'))}</td>"
        f"<td class=num>{_pct(today.get('share_of_voice_views'))}</td>"
        f"<td class=num>{_pct(today.get('share_of_voice_videos'))}</td>"
        f"<td class=num>{_pct(today.get('share_of_voice_creators'))}</td>"
        f"<td class=num>{_pct(today.get('earned_share'))}</td>"
        f"<td class=num>{_e(today.get('new_ugc_creators', '–'))}</td>"
        f"<td class=num>{_e(_signed(today.get('net_sentiment')))}</td></tr>"
        for brand in brand_set.brands
        for today in [brand_set.today.get(brand, {})]
    )
    table = (
        '<table class="brands"><tr><th>brand</th><th>videos</th><th>views</th><th>creators</th>'
        "<th>share of views</th><th>of videos</th><th>of creators</th><th>earned share</th>"
        f"<th>new UGC creators</th><th>net sentiment</th></tr>{rows}</table>"
    )
    ugc = "".join(
        f"<figure><figcaption>{_e(brand)}</figcaption>"
        + (
            '<table class="ugc"><tr><th>#</th><th>creator</th><th>earned videos</th><th>views</th></tr>'
            + "".join(
                f'<tr class="ugc-row"><td class=num>{i}</td><td>{_e(r["creator_username"])}</td>'
                f"<td class=num>{r['earned_videos']}</td><td class=num>{_count(r['views'])}</td></tr>"
                for i, r in enumerate(brand_set.top_ugc.get(brand, []), start=1)
            )
            + "</table>"
            if brand_set.top_ugc.get(brand)
            else '<p class="empty">No earned mentions yet.</p>'
        )
        + "</figure>"
        for brand in brand_set.brands
    )
    mention_legend = _legend(list(MENTION_COLORS.items()))
    return (
        f'<section class="brand-set" id="brands-{_e(re.sub(r"[^A-Za-z0-9_-]", "-", brand_set.name))}">'
        f"<h2>Brands: {_e(brand_set.name)} <small>competitive set · "
        f"{len(brand_set.brands)} brands</small></h2>"
        '<p class="note">Share of search-visible voice: the videos the tracked searches and feeds '
        "returned that mention each brand (its handle, hashtags or keywords), not a census of "
        "TikTok. Shares are over the brands of this set on each date.</p>"
        f'<div class="charts"><figure><figcaption>Share of voice (views)</figcaption>'
        f"{share_of_voice_chart(brand_set)}"
        f"{_legend([(b, colors[b]) for b in brand_set.brands])}</figure>"
        f"<figure><figcaption>Owned / sponsored / earned views on this date</figcaption>"
        f"{mention_split_chart(brand_set)}{mention_legend}</figure></div>"
        f"{table}<h3>Top UGC creators (earned mentions, by views)</h3>"
        f'<div class="charts">{ugc}</div></section>'
    )


def _brands_section(brand_sets: Sequence[BrandSet]) -> str:
    if not brand_sets:
        return (
            '<section id="brands"><h2>Brands</h2><p class="empty">No brands tracked (no rows in '
            "marts.brand_share_of_voice up to this date): set TIKTOK_BRANDS_FILE to a brands file."
            "</p></section>"
        )
    return "".join(_brand_set_section(s) for s in brand_sets)


def _discovery_table(rows: Sequence[dict[str, Any]], css: str) -> str:
    head = (
        "<tr><th>#</th><th>account</th><th>name</th><th>followers</th><th>tier</th>"
        "<th>followed by roster</th><th>new follows 7 d</th><th>roster niches</th></tr>"
    )
    body = "".join(
        f'<tr class="{css}-row"><td class=num>{r["discovery_rank"]}</td>'
        f"<td>{_e(r['account_username'])}</td><td>{_e(r['account_nickname'])}</td>"
        f"<td class=num>{_count(r['follower_count'])}</td><td>{_e(r['follower_tier'] or '–')}</td>"
        f"<td class=num>{r['followed_by_roster']}</td><td class=num>{r['new_follows_7d']}</td>"
        f"<td>{_e(_terms(r['follower_niches']))}</td></tr>"
        for r in rows
    )
    return f'<table class="{css}">{head}{body}</table>'


def _graph_section(graph: GraphData | None) -> str:
    if graph is None:
        return (
            '<section id="graph"><h2>Creator graph</h2><p class="empty">No followings landed yet '
            "(the tiktok_creator_graph DAG, or tiktok-extract --only followings).</p></section>"
        )
    communities: dict[int, dict[str, Any]] = {}
    for m in graph.members:
        entry = communities.setdefault(m["community_id"], {**m, "members": []})
        entry["members"].append(m["creator_username"])
    shown = [c for c in communities.values() if c["community_size"] > 1]
    legend = _legend(
        [
            (
                f"{c['community_id']} · {c['dominant_niche']} ({c['community_size']})",
                community_color(c["community_id"], c["community_size"]),
            )
            for c in shown
        ]
        + ([("alone", LONE_COLOR)] if len(shown) < len(communities) else [])
    )
    community_rows = "".join(
        f'<tr class="community-row"><td class=num>{c["community_id"]}</td>'
        f'<td><span class="chip" style="background:'
        f'{community_color(c["community_id"], c["community_size"])}"></span>'
        f"{c['community_size']}</td><td>{_e(c['dominant_niche'])} "
        f"({_pct(c['dominant_niche_share'], 0)})</td><td>{_e(', '.join(c['members']))}</td></tr>"
        for c in communities.values()
    )
    pairs = "".join(
        f'<tr class="pair-row"><td>{_e(r["creator_a"])} <small>{_e(r["niche_a"])}</small></td>'
        f"<td>{_e(r['creator_b'])} <small>{_e(r['niche_b'])}</small></td>"
        f"<td class=num>{_fraction(r['following_jaccard'])}</td>"
        f"<td class=num>{_fraction(r['commenter_jaccard'])}</td>"
        f"<td class=num>{r['shared_followings']}</td><td>{_yes_no(r['is_mutual'])}</td></tr>"
        for r in graph.similar_pairs
    )
    band = f"{LOOKALIKE_FOLLOWERS[0]:,} to {LOOKALIKE_FOLLOWERS[1]:,}"
    return (
        '<section id="graph"><h2>Creator graph: whom the roster follows</h2>'
        f'<p class="note">As of {graph.snapshot_date.isoformat()}, the latest followings date on '
        "or before the report's date. Outer circle: the roster, coloured by community (Louvain "
        "on the similarity of their followings); a thick line joins two creators who follow each "
        f"other. Inner diamonds: the {len(graph.discovered)} accounts off the roster most of it "
        "follows, coloured by the community most of their roster followers are in.</p>"
        f"{legend}{graph_chart(graph)}"
        "<h3>Top discovered accounts</h3>"
        + (_discovery_table(graph.discovered, "discovery") if graph.discovered else
           '<p class="empty">No account off the roster is followed yet.</p>')
        + f"<h3>Lookalike candidates ({band} followers)</h3>"
        + (_discovery_table(graph.lookalikes, "lookalike") if graph.lookalikes else
           '<p class="empty">No discovered account in that band.</p>')
        + '<h3>Communities</h3><table class="communities"><tr><th>community</th><th>size</th>'
        f"<th>dominant niche</th><th>creators</th></tr>{community_rows}</table>"
        "<h3>Most similar creators</h3>"
        '<p class="note">Jaccard similarity of the accounts each follows and of the commenters on '
        "their sampled videos, over everything landed.</p>"
        + (
            '<table class="pairs"><tr><th>creator</th><th>creator</th><th>following jaccard</th>'
            f"<th>commenter jaccard</th><th>shared followings</th><th>mutual</th></tr>{pairs}</table>"
            if pairs
            else '<p class="empty">No two creators follow the same account.</p>'
        )
        + "</section>"
    )  # fmt: skip


def render_html(data: ReportData) -> str:
    """The whole page as a string (no external resources)."""
    day = data.snapshot_date.isoformat() if data.snapshot_date else "no data yet"
    span = f"{data.dates[0].isoformat()} to {data.dates[-1].isoformat()}" if data.dates else "none"
    legend = "".join(
        f'<span><span class="band" style="background:{color}">{_e(_label(band))}</span></span>'
        for band, color in BAND_COLORS.items()
        if band
    )
    pages_nav = "".join(
        f'<a href="#{_page_id(p.username)}">{_e(p.username)}</a>' for p in data.creator_pages
    )
    trends = "".join(
        f"<figure><figcaption>{'#' if qtype == 'hashtag' else ''}{_e(query)} "
        f"<small>({_e(qtype)})</small></figcaption>"
        f"{trend_chart(query, qtype, points, SERIES_COLORS[i % len(SERIES_COLORS)])}</figure>"
        for i, ((query, qtype), points) in enumerate(sorted(data.trends.items()))
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>TikTok engagement report {day}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>TikTok engagement report</h1><p>Snapshot date <b>{day}</b> · "
        f"{len(data.scorecards)} creators · {len(data.benchmarks)} niches · {len(data.trends)} "
        f"tracked queries · dates loaded: {span}</p></header><main>"
        '<section id="creators"><h2>Creator scorecards</h2>'
        '<p class="note">Top creators by vetting score (0-100: engagement per view relative to the '
        "niche median; 50 is the niche median). Bars are coloured by like/view band.</p>"
        f'<div class="legend">{legend}</div>{score_chart(data.scorecards)}'
        f"{_scorecard_table(data.scorecards)}"
        f'<nav class="pages">Creator pages: {pages_nav or "none yet"}</nav></section>'
        '<section id="watch"><h2>Watch list: negative comment alerts</h2>'
        '<p class="note">Videos with at least 10 scored comments of which at least 40 % are '
        "negative, most negative first.</p>"
        f"{_watch_list(data.watch_list)}</section>"
        '<section id="niches"><h2>Niche benchmarks</h2>'
        '<p class="note">Creators\' average like/view ratio per niche: the bar spans p25 to p75, the '
        "dark tick is the median, the orange dot p90; the green band is the healthy 3-8 % range.</p>"
        f"{benchmark_chart(data.benchmarks)}{_benchmark_table(data.benchmarks)}</section>"
        '<section id="trends"><h2>Trends per query</h2>'
        '<p class="note">Total shares of the videos each query returned, per snapshot date.</p>'
        f'<div class="trends">{trends or "<p class=empty>No query trends yet.</p>"}</div></section>'
        f"{_brands_section(data.brand_sets)}{_graph_section(data.graph)}"
        f"{''.join(_creator_page(p) for p in data.creator_pages)}"
        "</main></body></html>"
    )


def write_report(
    source: str | os.PathLike, out_path: str | os.PathLike, snapshot_date: date | None = None
) -> Path:
    """Render the report from ``source`` and write it atomically to ``out_path``."""
    page = render_html(load_report_data(source, snapshot_date))
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tiktok_engagement.report", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("source", help="serving DuckDB file or directory of Parquet exports")
    parser.add_argument("out", help="HTML file to write")
    parser.add_argument("--date", type=date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    print(write_report(args.source, args.out, args.date))
    return 0


if __name__ == "__main__":
    sys.exit(main())
