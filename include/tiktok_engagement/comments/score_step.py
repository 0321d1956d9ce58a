"""The scoring step: score a date's landed comments into the ``comment_scores`` dataset.

It runs apart from the warehouse build (a task before dbt, or the CLI), so the build stays the one
DuckDB writer and reads scores as it reads any landed dataset. Scores land beside the comments,
append-only like everything else: a comment is identified by its ``comment_id`` and the load that
landed it (``comments_load_id``), so a comment landed twice, by two loads, is scored twice, once
per load, and the warehouse picks as it picks comments. A re-run scores only what this
:data:`~.scoring.SCORER_VERSION` has not scored yet; a new version scores everything again, in
files of its own, and the old version's rows stay.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

from ..landing import Landing, Load
from .scoring import SCORER_VERSION, score_comment

log = logging.getLogger(__name__)

SCORES_PART = "comment-scores"


def scored_keys(landing: Landing, snapshot_date: date, scorer_version: str) -> set[tuple[str, str]]:
    """(comment_id, comments_load_id) already scored by ``scorer_version`` on that date."""
    scores = landing.read("comment_scores", snapshot_date).select(
        ["comment_id", "comments_load_id", "scorer_version"]
    )
    return {
        (comment_id, load_id)
        for comment_id, load_id, version in zip(
            *(scores.column(c).to_pylist() for c in scores.column_names), strict=True
        )
        if version == scorer_version
    }


def score_landed_comments(landing: Landing, snapshot_date: date, load: Load) -> int:
    """Score the comments landed for ``snapshot_date`` that this scorer version has not scored,
    writing them as ONE ``comment_scores`` file of ``load``; returns the rows written (0, and no
    file, when nothing is new)."""
    comments = landing.read("comments", snapshot_date).select(
        ["comment_id", "video_id", "load_id", "text"]
    )
    if comments.num_rows == 0:
        return 0
    done = scored_keys(landing, snapshot_date, SCORER_VERSION)
    rows: list[dict[str, Any]] = []
    for comment_id, video_id, comments_load_id, text in zip(
        *(comments.column(c).to_pylist() for c in comments.column_names), strict=True
    ):
        key = (comment_id, comments_load_id)
        if key in done:
            continue
        done.add(key)  # one row per comment and load, even if a load holds a comment twice
        score = score_comment(text or "")
        rows.append(
            {
                "snapshot_date": snapshot_date,
                "comment_id": comment_id,
                "video_id": video_id,
                "comments_load_id": comments_load_id,
                "language": score.language,
                "language_confidence": score.language_confidence,
                "sentiment_score": score.sentiment_score,
                "sentiment_label": score.sentiment_label,
                "is_question": score.is_question,
                "purchase_intent": score.purchase_intent,
                "is_generic": score.is_generic,
                "normalized_text": score.normalized_text,
                "terms": list(score.terms),
                "scorer_version": SCORER_VERSION,
            }
        )
    if not rows:
        log.info("comments of %s: all scored by %s already", snapshot_date, SCORER_VERSION)
        return 0
    lineage = load.lineage(captured_at=datetime.now(UTC), request_seq=None)
    for row in rows:
        row.update(lineage)
    landing.write("comment_scores", snapshot_date, load.file_name(SCORES_PART), rows, load=load)
    log.info("scored %d comments of %s with %s", len(rows), snapshot_date, SCORER_VERSION)
    return len(rows)
