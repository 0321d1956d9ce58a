"""The engagement report: one self-contained HTML page drawn from the published marts.

Sections: creator scorecards (top creators by vetting score, with their like/view and comment/view
bands), a page per top creator (its scorecard, audience sentiment over time, comment authenticity,
posting cadence, follower growth, sponsored share and outlier videos), a watch list of videos whose
comments raise a negative alert, niche benchmarks (like/view percentiles per niche against the
healthy 3-8 % range) and trend lines per tracked query over the snapshot dates.

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
MARTS = ("creator_scorecard", "niche_benchmarks", "query_trends", *CREATOR_MARTS)
TOP_CREATORS = 25
TOP_CREATORS_CHART = 15
TOP_CREATOR_PAGES = 10
WATCH_LIST_LIMIT = 50
OUTLIERS_PER_CREATOR = 5

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


def _select(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    mart: str,
    columns: Sequence[str],
    where: str,
    params: list[Any],
) -> list[dict[str, Any]]:
    have = {row[0] for row in con.execute(f"describe select * from {relation}").fetchall()}  # noqa: S608
    missing = [c for c in columns if c not in have]
    if missing:
        raise ReportError(f"mart {mart} lacks column(s) {', '.join(missing)}")
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
