"""Score one comment offline: language, sentiment, question, purchase intent, generic praise.

INTERFACE SKELETON (session 4): the public names below are the contract the extraction step, the
warehouse and the tests rely on; the internals are being replaced by the full scorer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

SCORER_VERSION = "tiktok-sentiment-0.0-skeleton"
LABELS = ("positive", "neutral", "negative", "unscored")


@dataclass(frozen=True)
class CommentScore:
    language: str | None
    language_confidence: float | None
    sentiment_score: float | None  # -1..1; None when unscored
    sentiment_label: str  # one of LABELS
    is_question: bool
    purchase_intent: bool
    is_generic: bool
    normalized_text: str
    terms: tuple[str, ...]


_analyzer = SentimentIntensityAnalyzer()
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    return _SPACES.sub(" ", text.casefold()).strip()


def score_comment(text: str) -> CommentScore:
    compound = _analyzer.polarity_scores(text)["compound"]
    label = "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
    norm = normalize(text)
    return CommentScore(
        language="en",
        language_confidence=None,
        sentiment_score=compound,
        sentiment_label=label,
        is_question="?" in text,
        purchase_intent=False,
        is_generic=False,
        normalized_text=norm,
        terms=tuple(w for w in norm.split() if w.isalpha()),
    )


def score_comments(texts: list[str]) -> list[CommentScore]:
    return [score_comment(t) for t in texts]
