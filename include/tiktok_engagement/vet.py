"""``tiktok-vet``: vet one creator on demand, on the roster or not, in a few credits.

    tiktok-vet pilateswithjune --niche fitness        # profile + ~20 recent posts: 2 credits
    tiktok-vet pilateswithjune --comments             # + a comment page per post in the window
    tiktok-vet pilateswithjune --dry-run              # what it would cost; spends nothing
    tiktok-vet pilateswithjune --json                 # one JSON object, for tools

What it fetches lands like any run (the extraction's own machinery: append-only files with lineage,
the request ledger, a ``loads`` row; see docs/landing.md): the creator goes through
``extract_creators`` as a one-creator roster built in memory (niche ``--niche``, else the
roster's, else ``unknown``), so the next warehouse build sees it as it sees any creator. Then the
creator's numbers are computed from the rows just landed, by the marts' formulas (``VETTING
FORMULAS`` below), and printed beside the niche's benchmarks read from the published warehouse
(the read-only serving file), with the credits the vetting spent. See docs/vetting.md.

Exit status as tiktok-extract's: 0 done; 2 bad configuration or handle; 3 the API rejected the
key; 4 spending stopped (out of credits or a credit cap) after landing what was fetched; 5 some
requests failed, the rest landed; 6 refused: a past date against an API that serves only today's
counts; and 7: no such creator (the API answered 404; the billed request is in the ledger).
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import logging
import math
import re
import statistics
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from .config import ConfigError, Creator, Settings, load_roster
from .extract import (
    ExtractionIncomplete,
    ExtractionRefused,
    ExtractionReport,
    ExtractionStopped,
    extract_comments,
    extract_creators,
    plan_creators,
    score_comments,
    today_utc,
)
from .landing import Landing, Load
from .plan import plan_comment_day
from .scavio.errors import AuthenticationError
from .warehouse.paths import DBT_PROJECT_DIR, WarehousePaths

log = logging.getLogger(__name__)

EXIT_NOT_FOUND = 7
UNKNOWN_NICHE = "unknown"
# Starts every vetting's run id: int_creator_engagement spells it too, to tell a date's vetted-only
# creators from the tracked ones (tests/unit/test_vet_run_ids.py keeps the two the same).
VET_RUN_PREFIX = "vet__"
# The marts' recent-posts window (int_creator_engagement): the 20 most recently created posts.
RECENT_POSTS = 20

# TikTok's handle rules, as the roster checks them (config.load_roster).
_HANDLE = re.compile(r"[A-Za-z0-9_.]{2,24}")
_NICHE = re.compile(r"[a-z0-9][a-z0-9_ -]{0,39}")


class VetError(ValueError):
    """A bad handle or niche; the message says which rule it breaks."""


def check_handle(text: str) -> str:
    """The handle without a leading ``@``, if TikTok would allow it."""
    handle = text.strip().removeprefix("@")
    if (
        not _HANDLE.fullmatch(handle)
        or not re.search(r"[A-Za-z0-9]", handle)
        or handle.endswith(".")
    ):
        raise VetError(
            f"{text!r} is not a TikTok handle (2-24 characters: letters, digits, '_' and '.', "
            "at least one letter or digit, not ending in '.')"
        )
    return handle


def check_niche(text: str) -> str:
    niche = text.strip().lower()
    if not _NICHE.fullmatch(niche):
        raise VetError(
            f"niche {text!r} must be 1-40 characters of letters, digits, spaces, '_' or '-'"
        )
    return niche


# ---- VETTING FORMULAS -------------------------------------------------------------------------------
# The marts' formulas over one creator's just-landed rows, in one place for the vetting. The marts
# are SQL over the whole landing zone (include/dbt/models) and their Jinja macros do not run outside
# dbt, so this is a Python transcription (the sponsorship tag lists are read from the macro file
# itself); the slow test tests/extract/test_vet.py::test_vetting_numbers_agree_with_the_marts vets
# a niche's roster creators on a built date and checks every number against their marts rows, so
# the two cannot drift apart unnoticed.


def safe_ratio(numerator: float | None, views: float | None) -> float | None:
    """numerator / views; None without views (the marts' ``safe_ratio``)."""
    if numerator is None or not views:
        return None
    return float(numerator) / float(views)


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _median(values: Sequence[float | None]) -> float | None:
    # statistics.median, as DuckDB's median, takes the mean of the two middle values.
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def like_view_band(ratio: float | None) -> str | None:
    """The seed's like/view bands (include/dbt/macros/engagement.sql)."""
    if ratio is None:
        return None
    if ratio < 0.02:
        return "not_resonating"
    if ratio < 0.03:
        return "below_healthy"
    if ratio <= 0.08:
        return "healthy"
    return "strong" if ratio <= 0.10 else "highly_engaged"


def comment_view_band(ratio: float | None) -> str | None:
    if ratio is None:
        return None
    if ratio < 0.001:
        return "low"
    return "healthy" if ratio <= 0.005 else "discussion_heavy"


def follower_tier(followers: int | None) -> str | None:
    if followers is None:
        return None
    for limit, tier in (
        (10_000, "nano"),
        (100_000, "micro"),
        (500_000, "mid"),
        (1_000_000, "macro"),
    ):
        if followers < limit:
            return tier
    return "mega"


def vetting_component(ratio: float | None, benchmark: float | None) -> float | None:
    """ratio / (ratio + benchmark): 0.5 at the niche median (the marts' ``vetting_component``)."""
    if ratio is None:
        return None
    if ratio + (benchmark or 0) == 0:
        return 0.5
    return ratio / (ratio + (benchmark or 0))


def recent_posts(posts: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The 20 most recently created posts (ties by video id), one row per video."""
    by_video: dict[str, Mapping[str, Any]] = {}
    for post in posts:  # the latest capture of a video wins, as in the marts
        seen = by_video.get(post["video_id"])
        if seen is None or post["captured_at"] > seen["captured_at"]:
            by_video[post["video_id"]] = post
    ordered = sorted(by_video.values(), key=lambda p: p["video_id"])
    ordered.sort(key=lambda p: p["created_at"], reverse=True)
    return ordered[:RECENT_POSTS]


def scorecard(
    posts: Sequence[Mapping[str, Any]],
    follower_count: int | None,
    niche_medians: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """A creator's ``marts.creator_scorecard`` numbers from its recent posts.

    ``niche_medians`` is the niche's ``niche_benchmarks`` row of tier ``all``; without one (a niche
    the warehouse has never seen) the vetting score is None rather than scored against nothing.
    """
    recent = recent_posts(posts)
    with_views = [p for p in recent if p["play_count"] > 0]
    like = [safe_ratio(p["digg_count"], p["play_count"]) for p in recent]
    comment = [safe_ratio(p["comment_count"], p["play_count"]) for p in recent]
    share = [safe_ratio(p["share_count"], p["play_count"]) for p in recent]
    engagement = [
        safe_ratio(p["digg_count"] + p["comment_count"] + p["share_count"], p["play_count"])
        for p in recent
    ]
    views = sum(p["play_count"] for p in with_views)

    def pooled(column: str) -> float | None:
        return safe_ratio(sum(p[column] for p in with_views), views) if with_views else None

    card: dict[str, Any] = {
        "follower_count": follower_count,
        "follower_tier": follower_tier(follower_count),
        "posts_analyzed": len(recent),
        "posts_with_views": len(with_views),
        "posts_with_likes_above_views": sum(p["digg_count"] > p["play_count"] for p in recent),
        "total_play_count": sum(p["play_count"] for p in recent),
        "total_share_count": sum(p["share_count"] for p in recent),
        "avg_like_view_ratio": _mean(like),
        "median_like_view_ratio": _median(like),
        "pooled_like_view_ratio": pooled("digg_count"),
        "avg_comment_view_ratio": _mean(comment),
        "median_comment_view_ratio": _median(comment),
        "pooled_comment_view_ratio": pooled("comment_count"),
        "avg_share_view_ratio": _mean(share),
        "median_share_view_ratio": _median(share),
        "pooled_share_view_ratio": pooled("share_count"),
        "avg_engagement_rate": _mean(engagement),
    }
    card["like_view_band"] = like_view_band(card["avg_like_view_ratio"])
    card["comment_view_band"] = comment_view_band(card["avg_comment_view_ratio"])
    card["has_viral_potential"] = (card["avg_share_view_ratio"] or 0) > 0.01
    components = None
    if niche_medians is not None:
        components = [
            vetting_component(
                card[f"avg_{kind}_view_ratio"], niche_medians[f"p50_avg_{kind}_view_ratio"]
            )
            for kind in ("like", "comment", "share")
        ]
    card["like_view_component"], card["comment_view_component"], card["share_view_component"] = (
        components or (None, None, None)
    )
    like_c, comment_c, share_c = components or (None, None, None)
    card["vetting_score"] = (
        round(100 * (0.5 * like_c + 0.2 * comment_c + 0.3 * share_c), 2)
        if like_c is not None and comment_c is not None and share_c is not None
        else None
    )
    return card


# -- audience (marts.creator_audience over fct_comments: each video's first sampling) --------------

SCORED_LABELS = ("positive", "neutral", "negative")


def comment_text_key(text: str) -> str:
    """Case, spaces and repeated characters ignored (macros/signals.sql comment_text_key)."""
    folded = re.sub(r"\s+", " ", text.lower()).strip()
    return "".join(ch for i, ch in enumerate(folded) if i == 0 or ch != folded[i - 1])


def _share(
    rows: Sequence[Mapping[str, Any]], condition: str, population: str | None = None
) -> float | None:
    pool = [r for r in rows if population is None or r[population]]
    return sum(bool(r[condition]) for r in pool) / len(pool) if pool else None


def negative_alert(scored: int, negative: int) -> bool:
    return scored >= 10 and 5 * negative >= 2 * scored


def audience(
    handle: str,
    recent_video_ids: Sequence[str],
    comments: Sequence[Mapping[str, Any]],
    scores: Sequence[Mapping[str, Any]],
    day: date,
) -> dict[str, Any] | None:
    """``marts.creator_audience`` numbers over the recent posts' sampled comments.

    ``comments`` are the creator's landed comment rows of ``day`` and the 44 days before it (a
    video's first sampling is at most 14 days after it was posted, and the duplicate rule looks 30
    days back); ``scores`` their ``comment_scores`` rows. None when no recent post has comments.
    """
    # int_comments: of a video's captures on a date, the latest load's rows, each comment once.
    latest_load: dict[tuple[date, str], tuple[datetime, str]] = {}
    for row in comments:
        grain = (row["snapshot_date"], row["video_id"])
        order = (row["captured_at"], row["load_id"])
        if grain not in latest_load or order > latest_load[grain]:
            latest_load[grain] = order
    picked: dict[tuple[date, str], Mapping[str, Any]] = {}
    for row in sorted(comments, key=lambda r: (r["page"], r["comment_rank"])):
        grain = (row["snapshot_date"], row["video_id"])
        if (row["captured_at"], row["load_id"]) == latest_load[grain]:
            picked.setdefault((row["snapshot_date"], row["comment_id"]), row)
    # int_scored_comments: the score row of the comment's own load first, then the latest.
    best_score: dict[tuple[date, str], tuple[tuple[Any, ...], Mapping[str, Any]]] = {}
    for score_row in scores:
        key = (score_row["snapshot_date"], score_row["comment_id"])
        scored_row = picked.get(key)
        if scored_row is None:
            continue
        rank = (
            score_row["comments_load_id"] == scored_row["load_id"],
            score_row["captured_at"],
            score_row["scorer_version"],
        )
        if key not in best_score or rank > best_score[key][0]:
            best_score[key] = (rank, score_row)
    keyed = {key: comment_text_key(row["text"]) for key, row in picked.items()}
    # fct_comments: each video's first sampled date.
    first_date: dict[str, date] = {}
    for sampled_on, video_id in latest_load:
        if sampled_on <= day and (video_id not in first_date or sampled_on < first_date[video_id]):
            first_date[video_id] = sampled_on
    wanted = set(recent_video_ids)
    rows = []
    for (sampled_on, comment_id), row in picked.items():
        if row["video_id"] not in wanted or first_date.get(row["video_id"]) != sampled_on:
            continue
        best = best_score.get((sampled_on, comment_id))
        score: Mapping[str, Any] | None = best[1] if best else None
        duplicate = any(
            other_key == keyed[(sampled_on, comment_id)]
            and other_id != comment_id
            and sampled_on - timedelta(days=30) <= other_date <= sampled_on
            for (other_date, other_id), other_key in keyed.items()
        )
        rows.append(
            {
                "video_id": row["video_id"],
                "commenter": row["commenter_unique_id"],
                "label": score["sentiment_label"] if score else None,
                "has_score": score is not None,
                "is_generic": bool(score and score["is_generic"]),
                "is_duplicate_text": duplicate,
                "terms": list(score["terms"]) if score else [],
                "comment_id": comment_id,
            }
        )
    if not rows:
        return None
    videos = sorted({r["video_id"] for r in rows})
    scored = [r for r in rows if r["label"] in SCORED_LABELS]
    positive = sum(r["label"] == "positive" for r in rows)
    negative = sum(r["label"] == "negative" for r in rows)
    alerts = 0
    for video_id in videos:
        of_video = [r for r in rows if r["video_id"] == video_id]
        alerts += negative_alert(
            sum(r["label"] in SCORED_LABELS for r in of_video),
            sum(r["label"] == "negative" for r in of_video),
        )
    commented: dict[str, set[str]] = {}
    for r in rows:
        if r["commenter"] is not None and r["commenter"] != handle:
            commented.setdefault(r["commenter"], set()).add(r["video_id"])
    repeat = sum(2 * len(v) >= len(videos) for v in commented.values())
    repeat_rate = repeat / len(commented) if len(videos) >= 3 and commented else None
    generic = _share(rows, "is_generic", "has_score")
    duplicate_share = _share(rows, "is_duplicate_text")
    parts = [(0.4, generic), (0.3, duplicate_share), (0.3, repeat_rate)]
    weights = sum(w for w, v in parts if v is not None)
    authenticity = (
        round(100 * (1 - sum(w * v for w, v in parts if v is not None) / weights), 2)
        if weights
        else None
    )
    term_counts: dict[str, int] = {}
    for r in rows:
        for term in set(r["terms"]):
            if term:
                term_counts[term] = term_counts.get(term, 0) + 1
    return {
        "videos_with_comments": len(videos),
        "comments_analyzed": len(rows),
        "scored_comments": len(scored),
        "net_sentiment": (positive - negative) / len(scored) if scored else None,
        "negative_alert_videos": alerts,
        "repeat_commenter_rate": repeat_rate,
        "generic_comment_share": generic,
        "duplicate_comment_share": duplicate_share,
        "comment_authenticity": authenticity,
        "top_terms": sorted(term_counts, key=lambda t: (-term_counts[t], t))[:5],
    }


# -- content signals (marts.creator_content_signals, fct_video_snapshots' outlier and sponsorship) --

_SIGNALS_MACROS = DBT_PROJECT_DIR / "macros" / "signals.sql"


def _macro_list(name: str) -> list[str]:
    """A list the dbt macro ``name`` returns (macros/signals.sql): the tag lists live there only."""
    text = _SIGNALS_MACROS.read_text(encoding="utf-8")
    found = re.search(
        r"macro " + re.escape(name) + r"\(\)\s*-?%\}\s*\{\{\s*return\((\[.*?\])\)", text, re.S
    )
    if found is None:
        raise RuntimeError(f"{_SIGNALS_MACROS}: macro {name}() returning a list not found")
    return [str(v) for v in ast.literal_eval(found.group(1))]


@functools.cache
def _sponsorship_patterns() -> tuple[re.Pattern[str], ...]:
    # The macros' regular expressions in Python's dialect: [^\p{L}\p{N}_] is [^\w] (Unicode).
    nw = r"[^\w]"
    tags = "|".join(_macro_list("disclosure_tags"))
    phrases = "|".join(_macro_list("disclosure_phrases"))
    likely = "|".join(_macro_list("likely_sponsored_tags"))
    return (
        re.compile(rf"(^|{nw})#({tags})({nw}|$)"),
        re.compile(rf"(^|{nw})({phrases})({nw}|$)"),
        re.compile(rf"(^|{nw})#({likely})({nw}|$)"),
        re.compile(rf"(^|{nw})(thanks|thank you|thx|gracias|danke|merci)( so much)?( to)? @[\w.]+"),
        re.compile(rf"(^|{nw})@[\w.]+"),
        re.compile(
            rf"(^|{nw})(code|codigo|código|rabattcode|gutscheincode)\s*:?\s*[^\W\d_]*[0-9]\w*"
        ),
    )


def sponsored_signal(
    description: str | None, hashtags: Sequence[str] | None, is_ads: bool | None
) -> str:
    """``disclosed``, ``likely`` or ``none``, as fct_video_snapshots.sponsored_signal."""
    if is_ads:
        return "disclosed"
    text = (
        (description or "") + " " + " ".join("#" + tag.lstrip("#") for tag in hashtags or ())
    ).lower()
    tags, phrases, likely, thanks, mention, code = _sponsorship_patterns()
    if tags.search(text) or phrases.search(text):
        return "disclosed"
    if likely.search(text) or thanks.search(text) or (mention.search(text) and code.search(text)):
        return "likely"
    return "none"


def _day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)


def views_vs_creator_median(
    feed: Sequence[Mapping[str, Any]], day: date
) -> dict[str, float | None]:
    """Each feed video's views over the median views of the creator's other feed posts of a
    similar age (log age in hours within ln 2: half to twice as old); None with fewer than 3."""
    end = _day_end(day)

    def log_age(post: Mapping[str, Any]) -> float:
        return math.log(max((end - post["created_at"]).total_seconds() / 3600.0, 1.0))

    ages = {p["video_id"]: log_age(p) for p in feed}
    out: dict[str, float | None] = {}
    for post in feed:
        peers = [
            q["play_count"]
            for q in feed
            if q["video_id"] != post["video_id"]
            and abs(ages[q["video_id"]] - ages[post["video_id"]]) <= math.log(2) + 1e-12
        ]
        out[post["video_id"]] = (
            safe_ratio(post["play_count"], statistics.median(peers)) if len(peers) >= 3 else None
        )
    return out


def content_signals(
    feed: Sequence[Mapping[str, Any]],
    profiles: Sequence[Mapping[str, Any]],
    day: date,
    earlier_outlier_days: Sequence[date] = (),
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``marts.creator_content_signals`` numbers from the feed just landed and the creator's
    profile snapshots (one per date, on or before ``day``), and the feed's videos with their
    outlier and sponsorship columns. ``earlier_outlier_days`` are the dates before ``day`` with an
    outlier video of the creator (from the published fct_video_snapshots), for the spike rule."""
    posts = _latest_by_video(feed)
    end = _day_end(day)
    ratios = views_vs_creator_median(posts, day)
    recent_ids = {p["video_id"] for p in recent_posts(posts)}
    videos = []
    for post in posts:
        ratio = ratios[post["video_id"]]
        videos.append(
            {
                "video_id": post["video_id"],
                "created_at": post["created_at"],
                "play_count": post["play_count"],
                "engagement_rate": safe_ratio(
                    post["digg_count"] + post["comment_count"] + post["share_count"],
                    post["play_count"],
                ),
                "views_vs_creator_median": ratio,
                "is_outlier": ratio is not None and ratio >= 5,
                "sponsored_signal": sponsored_signal(
                    post["description"], post["hashtags"], post["is_ads"]
                ),
                "is_recent": post["video_id"] in recent_ids,
                "is_in_30d": post["created_at"] > end - timedelta(days=30),
                "is_in_90d": post["created_at"] > end - timedelta(days=90),
            }
        )
    in_30d = [v for v in videos if v["is_in_30d"]]
    sponsored = ("disclosed", "likely")
    lift_sponsored = _median(
        [
            v["engagement_rate"]
            for v in videos
            if v["is_recent"] and v["sponsored_signal"] in sponsored
        ]
    )
    lift_organic = _median(
        [v["engagement_rate"] for v in videos if v["is_recent"] and v["sponsored_signal"] == "none"]
    )
    in_90d = sorted(
        (v for v in videos if v["is_in_90d"]), key=lambda v: (v["created_at"], v["video_id"])
    )
    gaps = [
        ((later["created_at"] if later else end) - video["created_at"]).total_seconds() / 86400.0
        for video, later in zip(in_90d, [*in_90d[1:], None], strict=True)
    ]
    newest = max((v["created_at"] for v in videos), default=None)
    signals: dict[str, Any] = {
        "posts_captured": len(videos),
        "posts_per_week_30d": len(in_30d) * 7.0 / 30 if videos else None,
        "days_since_last_post": (day - newest.astimezone(UTC).date()).days if newest else None,
        "max_gap_days_90d": max(gaps) if gaps else None,
        "median_views_recent": _median([v["play_count"] for v in videos if v["is_recent"]]),
        "outlier_videos_30d": sum(v["is_outlier"] for v in in_30d),
        "sponsored_share_30d": (
            sum(v["sponsored_signal"] in sponsored for v in in_30d) / len(in_30d)
            if in_30d
            else None
        ),
        "sponsored_engagement_lift": (
            lift_sponsored / lift_organic if lift_sponsored is not None and lift_organic else None
        ),
    }
    signals.update(
        follower_growth(
            profiles,
            day,
            [*earlier_outlier_days, *([day] if any(v["is_outlier"] for v in videos) else [])],
        )
    )
    return signals, videos


def _latest_by_video(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    by_video: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        seen = by_video.get(row["video_id"])
        if seen is None or row["captured_at"] > seen["captured_at"]:
            by_video[row["video_id"]] = row
    return list(by_video.values())


def follower_growth(
    profiles: Sequence[Mapping[str, Any]], day: date, outlier_days: Sequence[date]
) -> dict[str, Any]:
    """follower_growth_7d/_30d and has_follower_spike from one profile per date (see the mart)."""
    by_date = sorted(
        (p["snapshot_date"], p["follower_count"]) for p in profiles if p["snapshot_date"] <= day
    )
    out: dict[str, Any] = {
        "follower_growth_7d": None,
        "follower_growth_30d": None,
        "has_follower_spike": False,
    }
    if not by_date:
        return out
    now_date, now = by_date[-1]
    for days, slack, name in ((7, 21, "follower_growth_7d"), (30, 44, "follower_growth_30d")):
        then = [(d, f) for d, f in by_date if d <= now_date - timedelta(days=days)]
        if then and then[-1][0] >= now_date - timedelta(days=slack) and then[-1][1]:
            out[name] = (now - then[-1][1]) / then[-1][1]
    intervals = [
        (start, end, (f_end - f_start) / (end - start).days)
        for (start, f_start), (end, f_end) in zip(by_date, by_date[1:], strict=False)
        if day - timedelta(days=90) < end <= day
    ]
    if len(intervals) >= 3:
        median_gain = statistics.median(g for _, _, g in intervals)
        mad = statistics.median(abs(g - median_gain) for _, _, g in intervals)
        out["has_follower_spike"] = any(
            end > day - timedelta(days=30)
            and gain > median_gain + 5 * mad
            and not any(start - timedelta(days=2) <= d <= end for d in outlier_days)
            for start, end, gain in intervals
        )
    return out


def overall_score(
    card: Mapping[str, Any],
    peer_medians: Mapping[str, Any] | None,
    audience_row: Mapping[str, Any] | None,
    signals: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """creator_scorecard.overall_score and its parts (weights in the mart's docstring)."""
    engagement = None
    if card["avg_like_view_ratio"] is not None and peer_medians is not None:
        c = [
            vetting_component(card[f"avg_{k}_view_ratio"], peer_medians[f"p50_avg_{k}_view_ratio"])
            for k in ("like", "comment", "share")
        ]
        engagement = 0.5 * (c[0] or 0) + 0.2 * (c[1] or 0) + 0.3 * (c[2] or 0)
    sentiment = authenticity = consistency = growth = None
    if audience_row is not None:
        if audience_row["net_sentiment"] is not None:
            sentiment = (audience_row["net_sentiment"] + 1) / 2
        if audience_row["comment_authenticity"] is not None:
            authenticity = audience_row["comment_authenticity"] / 100
    if signals is not None:
        if signals["max_gap_days_90d"] is None:
            consistency = 0.0
        else:
            consistency = 0.5 * min(signals["posts_per_week_30d"] / 3, 1) + 0.5 * max(
                1 - signals["max_gap_days_90d"] / 30, 0
            )
        if signals["has_follower_spike"]:
            growth = 0.0
        elif signals["follower_growth_30d"] is not None:
            growth = min(max(0.5 + 10 * signals["follower_growth_30d"], 0), 1)
    parts = {
        "peer_engagement_part": (0.40, engagement),
        "sentiment_part": (0.15, sentiment),
        "authenticity_part": (0.20, authenticity),
        "consistency_part": (0.15, consistency),
        "growth_part": (0.10, growth),
    }
    out: dict[str, Any] = {name: value for name, (_, value) in parts.items()}
    present = [(w, v) for w, v in parts.values() if v is not None]
    out["overall_score"] = (
        round(100 * sum(w * v for w, v in present) / sum(w for w, _ in present), 2)
        if engagement is not None
        else None
    )
    return out


# ---- the published benchmarks -------------------------------------------------------------------------

_BENCHMARK_COLUMNS = (
    "follower_tier",
    "creators",
    "p25_avg_like_view_ratio",
    "p50_avg_like_view_ratio",
    "p75_avg_like_view_ratio",
    "p90_avg_like_view_ratio",
    "p50_avg_comment_view_ratio",
    "p50_avg_share_view_ratio",
    "p50_avg_engagement_rate",
    "creators_with_views",
)
# The fewest creators with views a follower tier needs to be the same-size peers of overall_score.
PEER_TIER_MIN_CREATORS = 5


@dataclass
class Benchmarks:
    """The niche's published benchmarks on the latest built date on or before the vetting date."""

    serving_db: Path
    niche: str
    snapshot_date: date | None = None
    all_tiers: dict[str, Any] | None = None
    same_tier: dict[str, Any] | None = None
    # Share of the niche's other creators with a lower avg like/view (the marts' percent_rank).
    like_view_percentile_in_niche: float | None = None
    # Dates before the vetting date with a published outlier video of the creator (spike rule).
    outlier_days: list[date] = field(default_factory=list)
    unavailable: str | None = None

    @property
    def peer_medians(self) -> dict[str, Any] | None:
        """The same-size peers of overall_score: the creator's tier when it has enough creators
        with views, else the whole niche."""
        tier = self.same_tier
        if tier is not None and (tier["creators_with_views"] or 0) >= PEER_TIER_MIN_CREATORS:
            return tier
        return self.all_tiers

    def as_json(self) -> dict[str, Any]:
        return {
            "serving_db": str(self.serving_db),
            "niche": self.niche,
            "snapshot_date": self.snapshot_date,
            "all_tiers": self.all_tiers,
            "same_tier": self.same_tier,
            "like_view_percentile_in_niche": self.like_view_percentile_in_niche,
            "unavailable": self.unavailable,
        }


def read_benchmarks(
    serving_db: Path,
    niche: str,
    tier: str | None,
    day: date,
    handle: str,
    avg_like_view_ratio: float | None,
) -> Benchmarks:
    """The niche's benchmark rows (tier ``all`` and the creator's tier) from the serving file."""
    found = Benchmarks(serving_db, niche)
    if not serving_db.is_file():
        found.unavailable = f"no published warehouse at {serving_db} (build one first)"
        return found
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        (latest,) = con.execute(
            "select max(snapshot_date) from marts.niche_benchmarks "
            "where niche = ? and snapshot_date <= ?",
            [niche, day],
        ).fetchone() or (None,)
        if latest is None:
            niches = [
                n
                for (n,) in con.execute(
                    "select distinct niche from marts.niche_benchmarks order by niche"
                ).fetchall()
            ]
            found.unavailable = (
                f"the published warehouse has no benchmarks for niche {niche!r} on or before "
                f"{day} (its niches: {', '.join(niches) or 'none'}); pass --niche"
            )
            return found
        found.snapshot_date = latest
        cursor = con.execute(
            f"select {', '.join(_BENCHMARK_COLUMNS)} from marts.niche_benchmarks "  # noqa: S608
            "where niche = ? and snapshot_date = ? and follower_tier in ('all', ?)",
            [niche, latest, tier or "all"],
        )
        names = [d[0] for d in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            if row["follower_tier"] == "all":
                found.all_tiers = row
            if row["follower_tier"] == tier:
                found.same_tier = row
        if avg_like_view_ratio is not None:
            # Over the tracked creators, as the mart's percentiles: other vetted candidates are not
            # part of the niche (a warehouse built before is_vetted_only existed has none marked).
            query = (
                _OTHERS_BELOW_TRACKED
                if _has_column(con, "creator_scorecard", "is_vetted_only")
                else _OTHERS_BELOW
            )
            below, others = con.execute(
                query, [avg_like_view_ratio, niche, latest, handle]
            ).fetchone() or (0, 0)
            found.like_view_percentile_in_niche = below / others if others else None
        found.outlier_days = [
            d
            for (d,) in con.execute(
                "select distinct snapshot_date from marts.fct_video_snapshots "
                "where lower(creator_username) = lower(?) and is_outlier and seen_in_creator_posts "
                "and snapshot_date < ? order by 1",
                [handle, day],
            ).fetchall()
        ]
    finally:
        con.close()
    return found


# ---- the vetting run ---------------------------------------------------------------------------------


@dataclass
class Vetting:
    """What one vetting fetched, landed and computed."""

    handle: str
    niche: str
    on_roster: bool
    snapshot_date: date
    run_id: str
    price_per_credit: float
    reports: list[ExtractionReport] = field(default_factory=list)
    profile: dict[str, Any] | None = None
    scorecard: dict[str, Any] = field(default_factory=dict)
    audience: dict[str, Any] | None = None
    content_signals: dict[str, Any] = field(default_factory=dict)
    videos: list[dict[str, Any]] = field(default_factory=list)
    benchmarks: Benchmarks | None = None
    scored_comments: int = 0
    comments_asked: bool = False

    @property
    def credits_used(self) -> int:
        return sum(r.credits_used for r in self.reports)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.reports)

    @property
    def cost_usd(self) -> float:
        return self.credits_used * self.price_per_credit

    def as_json(self) -> dict[str, Any]:
        return {
            "handle": self.handle,
            "niche": self.niche,
            "on_roster": self.on_roster,
            "snapshot_date": self.snapshot_date,
            "run_id": self.run_id,
            "load_ids": [r.load_id for r in self.reports],
            "requests": self.requests,
            "credits_used": self.credits_used,
            "cost_usd": round(self.cost_usd, 6),
            "files": {ds: path for r in self.reports for ds, path in r.files.items()},
            "profile": self.profile,
            "scorecard": self.scorecard,
            "audience": self.audience,
            "content_signals": self.content_signals,
            "outlier_videos": [v for v in self.videos if v["is_outlier"]],
            "benchmarks": self.benchmarks.as_json() if self.benchmarks else None,
        }


def _rows_of_load(landing: Landing, dataset: str, day: date, load_id: str) -> list[dict[str, Any]]:
    table = landing.read(dataset, day)
    return table.filter(pc.equal(table["load_id"], pa.scalar(load_id))).to_pylist()


class CreatorNotFound(Exception):
    """The API has no such creator (404); the vetting's ledger is landed."""

    def __init__(self, handle: str, report: ExtractionReport) -> None:
        super().__init__(handle)
        self.handle = handle
        self.report = report


def vet(
    settings: Settings,
    handle: str,
    day: date,
    *,
    niche: str | None = None,
    comments: bool = False,
) -> Vetting:
    """Fetch, land and compute one creator's vetting; raises what the extraction raises, and
    :class:`CreatorNotFound` for a handle the API does not know."""
    roster = {c.username.lower(): c for c in load_roster(settings.creators_file)}
    on_roster = roster.get(handle.lower())
    creator = Creator(
        username=on_roster.username if on_roster else handle,
        niche=niche or (on_roster.niche if on_roster else UNKNOWN_NICHE),
    )
    run_id = f"{VET_RUN_PREFIX}{Load.new().load_id}"
    result = Vetting(
        handle=creator.username,
        niche=creator.niche,
        on_roster=on_roster is not None,
        snapshot_date=day,
        run_id=run_id,
        price_per_credit=settings.price_per_credit,
    )
    result.comments_asked = comments
    part = f"vet-{creator.username.lower()}"
    # A fresh capture: vetting is asked for now, even of a creator the date already landed; the
    # run id keeps a retry inside this vetting from fetching twice.
    posts_report = extract_creators(settings, day, [creator], part=part, run_id=run_id, fresh=True)
    result.reports.append(posts_report)
    if posts_report.not_found:
        raise CreatorNotFound(creator.username, posts_report)
    landing = Landing(settings.landing_root)
    feed = _rows_of_load(landing, "creator_posts", day, posts_report.load_id)
    if comments:
        # The sampling policy of the comments DAG decides which posts are due; videos an earlier
        # load sampled are not fetched again, their landed comments are used.
        plan = plan_comment_day(settings, day, [creator], run_id=run_id)
        if plan.todo:
            result.reports.append(
                extract_comments(settings, day, plan.todo, part=f"{part}-comments", run_id=run_id)
            )
            result.scored_comments = score_comments(settings, day, run_id=run_id)
    profiles = creator_profiles(landing, creator.username, day)
    result.profile = profiles[-1] if profiles else None
    followers = result.profile["follower_count"] if result.profile else None
    serving = WarehousePaths(settings.warehouse_dir.resolve()).serving_db
    # The benchmarks first: the vetting score needs the niche medians.
    preliminary = scorecard(feed, followers, None)
    result.benchmarks = read_benchmarks(
        serving,
        creator.niche,
        follower_tier(followers),
        day,
        creator.username,
        preliminary["avg_like_view_ratio"],
    )
    result.scorecard = scorecard(feed, followers, result.benchmarks.all_tiers)
    signals, videos = content_signals(feed, profiles, day, result.benchmarks.outlier_days)
    result.content_signals = signals
    result.videos = videos
    if comments:
        recent = [p["video_id"] for p in recent_posts(feed)]
        history = [day - timedelta(days=n) for n in range(44, -1, -1)]
        creator_comments = [
            r
            for d in history
            for r in landing.read("comments", d).to_pylist()
            if (r["creator_username"] or r["video_author_unique_id"] or "").lower()
            == creator.username.lower()
        ]
        ids = {r["comment_id"] for r in creator_comments}
        creator_scores = [
            r
            for d in history
            for r in landing.read("comment_scores", d).to_pylist()
            if r["comment_id"] in ids
        ]
        result.audience = audience(creator.username, recent, creator_comments, creator_scores, day)
    result.scorecard.update(
        overall_score(result.scorecard, result.benchmarks.peer_medians, result.audience, signals)
    )
    return result


def creator_profiles(landing: Landing, handle: str, day: date) -> list[dict[str, Any]]:
    """The creator's landed profiles on or before ``day``, one per date (the latest capture), oldest
    first: what the marts join as of the date and measure growth over."""
    table = landing.read("profiles")
    table = table.filter(pc.less_equal(table["snapshot_date"], pa.scalar(day)))
    latest: dict[date, dict[str, Any]] = {}
    for row in table.to_pylist():
        if row["creator_username"].lower() != handle.lower():
            continue
        seen = latest.get(row["snapshot_date"])
        if seen is None or row["captured_at"] > seen["captured_at"]:
            latest[row["snapshot_date"]] = row
    return [
        {
            "snapshot_date": row["snapshot_date"],
            "unique_id": row["unique_id"],
            "nickname": row["nickname"],
            "follower_count": row["follower_count"],
            "following_count": row["following_count"],
            "aweme_count": row["aweme_count"],
            "is_verified": row["is_verified"],
        }
        for _, row in sorted(latest.items())
    ]


def estimate(settings: Settings, handle: str, day: date, *, comments: bool) -> dict[str, int]:
    """The most a vetting can cost, per endpoint, before anything is fetched."""
    landing = Landing(settings.landing_root)
    (plan,) = plan_creators(
        landing, [Creator(handle, UNKNOWN_NICHE)], day, settings.profile_refresh_days
    )
    costs = {"profile": int(plan.refresh_profile), "user/posts": 1}
    if comments:
        # At most every recent post is in the sampling window; fewer usually are.
        costs["video/comments"] = settings.posts_per_creator * settings.comment_pages
    return costs


# ---- output -----------------------------------------------------------------------------------------


def _pct(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _int(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def render_text(result: Vetting) -> str:
    card = result.scorecard
    bench = result.benchmarks
    profile = result.profile or {}
    roster = "on the roster" if result.on_roster else "not on the roster"
    lines = [
        f"vetting @{result.handle} ({result.niche}, {roster}) on {result.snapshot_date}: "
        f"{result.requests} requests, {result.credits_used} credits (${result.cost_usd:.3f}); "
        f"run {result.run_id}",
        f"  followers {_int(profile.get('follower_count'))} ({card['follower_tier'] or '-'} tier, "
        f"profile of {profile.get('snapshot_date', '-')}), verified "
        f"{'yes' if profile.get('is_verified') else 'no'}",
        f"  {card['posts_analyzed']} recent posts ({card['posts_with_views']} with views)",
    ]
    all_tiers = bench.all_tiers if bench else None
    same_tier = bench.same_tier if bench else None
    header = f"  {'':<18}{'creator':>9}"
    if all_tiers:
        header += "   niche p25      p50      p75      p90"
    if same_tier:
        header += f"{card['follower_tier'] + ' p50':>12}"
    lines.append(header)
    for label, kind in (
        ("avg like/view", "like"),
        ("avg comment/view", "comment"),
        ("avg share/view", "share"),
    ):
        line = f"  {label:<18}{_pct(card[f'avg_{kind}_view_ratio']):>9}"
        if all_tiers:
            quantiles = ("p25", "p50", "p75", "p90") if kind == "like" else ("p50",)
            cells = [
                _pct(all_tiers[f"{q}_avg_{kind}_view_ratio"]) if q in quantiles else ""
                for q in ("p25", "p50", "p75", "p90")
            ]
            line += "   " + "".join(f"{c:>9}" for c in cells)
        if same_tier:
            line += f"{_pct(same_tier[f'p50_avg_{kind}_view_ratio']):>12}"
        lines.append(line.rstrip())
    line = f"  {'engagement rate':<18}{_pct(card['avg_engagement_rate']):>9}"
    if all_tiers:
        line += f"   {'':>9}{_pct(all_tiers['p50_avg_engagement_rate']):>9}"
    lines.append(line.rstrip())
    lines.append(
        f"  like/view band {card['like_view_band'] or '-'}, comment/view band "
        f"{card['comment_view_band'] or '-'}, viral potential "
        f"{'yes' if card['has_viral_potential'] else 'no'} (share/view above 1%)"
    )
    if bench and bench.snapshot_date:
        lines.append(
            f"  vetting score {_num(card['vetting_score'])} (50 = the niche median), like/view "
            f"above {_pct(bench.like_view_percentile_in_niche, 0)} of the niche's "
            f"{all_tiers['creators'] if all_tiers else 0} creators; benchmarks of "
            f"{bench.snapshot_date} from {bench.serving_db}"
        )
    elif bench:
        lines.append(f"  no benchmarks: {bench.unavailable}")
    lines.append(
        f"  overall score {_num(card.get('overall_score'))} (engagement against same-size peers, audience, consistency, growth)"
    )
    sig = result.content_signals
    lines.append(
        f"  content: {_num(sig.get('posts_per_week_30d'))} posts/week (30 d), last post "
        f"{sig.get('days_since_last_post', '-')} day(s) ago, longest gap (90 d) "
        f"{_num(sig.get('max_gap_days_90d'))} days, median views {_int(sig.get('median_views_recent') and int(sig['median_views_recent']))}, "
        f"{sig.get('outlier_videos_30d', 0)} outlier video(s), sponsored share {_pct(sig.get('sponsored_share_30d'), 0)}"
        f" (lift {_num(sig.get('sponsored_engagement_lift'), 2)}"
        f"{'x' if sig.get('sponsored_engagement_lift') is not None else ''})"
    )
    lines.append(
        f"  growth: followers {_pct(sig.get('follower_growth_7d'))} in 7 d, "
        f"{_pct(sig.get('follower_growth_30d'))} in 30 d, follower spike "
        f"{'YES' if sig.get('has_follower_spike') else 'no'}"
    )
    aud = result.audience
    if aud is not None:
        lines.append(
            f"  audience: {aud['comments_analyzed']} comments on {aud['videos_with_comments']} "
            f"videos, net sentiment {_num(aud['net_sentiment'], 2)}, authenticity "
            f"{_num(aud['comment_authenticity'])}/100 (generic {_pct(aud['generic_comment_share'], 0)}, "
            f"duplicates {_pct(aud['duplicate_comment_share'], 0)}, repeat commenters "
            f"{_pct(aud['repeat_commenter_rate'], 0)}), negative-alert videos "
            f"{aud['negative_alert_videos']}, top terms {', '.join(aud['top_terms']) or '-'}"
        )
    elif result.comments_asked:
        lines.append("  audience: no recent post in the comment sampling window has comments")
    for report in result.reports:
        landed = ", ".join(f"{ds} {rows}" for ds, rows in report.rows.items())
        lines.append(f"  landed ({report.kind}, load {report.load_id}): {landed or 'nothing'}")
    return "\n".join(line for line in lines if line)


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tiktok-vet", description=__doc__.split("\n\n")[0])
    parser.add_argument("handle", help="the creator's TikTok handle (with or without @)")
    parser.add_argument(
        "--niche", help="the niche to benchmark against (default: the roster's, else unknown)"
    )
    parser.add_argument(
        "--comments",
        action="store_true",
        help="also one comment page per recent post in the sampling window",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--dry-run", action="store_true", help="print the cost; fetch nothing")
    parser.add_argument(
        "--date",
        type=date.fromisoformat,
        default=None,
        help="snapshot date (default today, UTC; a past date needs the simulator)",
    )
    parser.add_argument("--data-dir", help="overrides TIKTOK_DATA_DIR")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        handle = check_handle(args.handle)
        niche = check_niche(args.niche) if args.niche else None
        settings = Settings.from_env()
        if args.data_dir:
            settings = settings.with_overrides(data_dir=Path(args.data_dir))
    except (ConfigError, VetError) as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    day = args.date or today_utc()

    if args.dry_run:
        costs = estimate(settings, handle, day, comments=args.comments)
        credits = sum(costs.values())
        price = settings.price_per_credit
        if args.json:
            print(
                json.dumps(
                    {
                        "dry_run": True,
                        "handle": handle,
                        "snapshot_date": day,
                        "credits": credits,
                        "cost_usd": round(credits * price, 6),
                        "by_endpoint": costs,
                    },
                    default=_json_default,
                )
            )
        else:
            parts = ", ".join(f"{endpoint} {n}" for endpoint, n in costs.items())
            print(
                f"dry run: vetting @{handle} on {day} costs at most {credits} credits (${credits * price:.3f}): {parts}; nothing was spent"
            )
        return 0

    try:
        result = vet(settings, handle, day, niche=niche, comments=args.comments)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except CreatorNotFound as exc:
        print(
            f"no such creator: the API has no TikTok account @{exc.handle} (HTTP 404); "
            f"{exc.report.credits_used} credit(s) spent, recorded in the request ledger",
            file=sys.stderr,
        )
        return EXIT_NOT_FOUND
    except AuthenticationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except ExtractionRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 6
    except ExtractionStopped as exc:
        print(exc.report.summary(), file=sys.stderr)
        return 4
    except ExtractionIncomplete as exc:
        print(exc.report.summary(), file=sys.stderr)
        return 5
    if args.json:
        print(json.dumps(result.as_json(), default=_json_default, sort_keys=True))
    else:
        print(render_text(result))
    return 0


_OTHERS_BELOW = (
    "select count(*) filter (where avg_like_view_ratio < ?), count(*) "
    "from marts.creator_scorecard where niche = ? and snapshot_date = ? "
    "and avg_like_view_ratio is not null and lower(creator_username) <> lower(?)"
)
_OTHERS_BELOW_TRACKED = _OTHERS_BELOW + " and not coalesce(is_vetted_only, false)"


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.columns "
        "where table_schema = 'marts' and table_name = ? and column_name = ?",
        [table, column],
    ).fetchone()
    return bool(found and found[0])


if __name__ == "__main__":
    sys.exit(main())
