"""Comment sentiment: the project's scorer against plain VADER on the labelled comments.

The labelled set (``bench/data/labelled_comments.csv``, written for the project; see
docs/sentiment.md) has a development half, the only one the lexicons and rules were tuned on, and
a test half, which this reports. Both scorers are measured on the test comments in the languages
ours covers (English, Spanish, Portuguese, German, French, and emoji-only comments): macro-F1 and
per-class precision and recall over positive, neutral and negative. Plain VADER is
``SentimentIntensityAnalyzer().polarity_scores(text)["compound"]`` with its usual thresholds
(>= 0.05 positive, <= -0.05 negative). A covered comment ours marks ``unscored`` (its language
misdetected) counts as a miss. Coverage is reported apart: the share of all test comments ours
scores, and how it treats the comments in languages it does not cover.

    .venv/bin/python bench/sentiment_bench.py [--split test] [--no-write]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, write_section  # noqa: E402
from tiktok_engagement.comments.scoring import (  # noqa: E402
    SCORED_LANGUAGES,
    SCORER_VERSION,
    UNDETERMINED,
    score_comment,
)
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

LABELLED_SET = Path(__file__).resolve().parent / "data" / "labelled_comments.csv"
CLASSES = ("positive", "neutral", "negative")
COVERED = (*SCORED_LANGUAGES, UNDETERMINED)


@dataclass(frozen=True)
class Labelled:
    id: str
    text: str
    language: str
    label: str
    split: str
    note: str


def load_labelled(path: Path = LABELLED_SET) -> list[Labelled]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [Labelled(**row) for row in csv.DictReader(handle)]


@dataclass(frozen=True)
class ClassFigures:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """One scorer on one set of comments."""

    comments: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, ClassFigures]


def evaluate(truth: Sequence[str], predicted: Sequence[str]) -> Evaluation:
    """Macro-F1 over the three classes; a prediction outside them (``unscored``) is a miss."""
    per_class = {}
    for cls in CLASSES:
        tp = sum(t == cls and p == cls for t, p in zip(truth, predicted, strict=True))
        predicted_n = sum(p == cls for p in predicted)
        actual_n = sum(t == cls for t in truth)
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / actual_n if actual_n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[cls] = ClassFigures(precision, recall, f1, actual_n)
    correct = sum(t == p for t, p in zip(truth, predicted, strict=True))
    return Evaluation(
        comments=len(truth),
        accuracy=correct / len(truth) if truth else 0.0,
        macro_f1=sum(c.f1 for c in per_class.values()) / len(CLASSES),
        per_class=per_class,
    )


def vader_labeller() -> Callable[[str], str]:
    analyzer = SentimentIntensityAnalyzer()

    def label(text: str) -> str:
        compound = analyzer.polarity_scores(text)["compound"]
        return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"

    return label


def ours_labeller(text: str) -> str:
    return score_comment(text).sentiment_label


@dataclass(frozen=True)
class Report:
    split: str
    vader: Evaluation
    ours: Evaluation
    ours_all: Evaluation  # every comment of the split, unscored counted as a miss
    comments: int
    covered_comments: int
    scored_share: float  # of all comments of the split
    uncovered_comments: int
    uncovered_unscored: int  # uncovered-language comments ours left unscored (as it should)
    language_accuracy: float  # detected language == labelled language, covered comments


def run(split: str = "test", rows: Sequence[Labelled] | None = None) -> Report:
    """Both scorers on the ``split`` half of the labelled set."""
    chosen = [r for r in (rows if rows is not None else load_labelled()) if r.split == split]
    covered = [r for r in chosen if r.language in COVERED]
    uncovered = [r for r in chosen if r.language not in COVERED]
    vader = vader_labeller()
    scores = {r.id: score_comment(r.text) for r in chosen}
    truth = [r.label for r in covered]
    return Report(
        split=split,
        vader=evaluate(truth, [vader(r.text) for r in covered]),
        ours=evaluate(truth, [scores[r.id].sentiment_label for r in covered]),
        ours_all=evaluate(
            [r.label for r in chosen], [scores[r.id].sentiment_label for r in chosen]
        ),
        comments=len(chosen),
        covered_comments=len(covered),
        scored_share=sum(s.sentiment_label != "unscored" for s in scores.values()) / len(chosen),
        uncovered_comments=len(uncovered),
        uncovered_unscored=sum(scores[r.id].sentiment_label == "unscored" for r in uncovered),
        language_accuracy=sum(scores[r.id].language == r.language for r in covered) / len(covered),
    )


def render(report: Report, command: str) -> str:
    def row(name: str, e: Evaluation) -> str:
        cells = " | ".join(
            f"{e.per_class[c].precision:.2f} / {e.per_class[c].recall:.2f}" for c in CLASSES
        )
        return f"| {name} | {e.macro_f1:.3f} | {e.accuracy:.3f} | {cells} |"

    support = ", ".join(f"{c} {report.ours.per_class[c].support}" for c in CLASSES)
    return "\n".join(
        [
            "## Comment sentiment (`make bench-sentiment`)",
            "",
            f"The {report.split} half of `bench/data/labelled_comments.csv` "
            f"({report.comments} comments)"
            + (", never used for tuning" if report.split == "test" else "")
            + ". Scored on the "
            f"{report.covered_comments} comments in the languages ours covers (en, es, pt, de, fr, "
            f"emoji-only; {support}); a covered comment ours leaves unscored counts as a miss. "
            "Precision / recall per class.",
            "",
            "| scorer | macro-F1 | accuracy | positive P / R | neutral P / R | negative P / R |",
            "|---|---|---|---|---|---|",
            row("plain VADER (compound ±0.05)", report.vader),
            row(f"ours (`{SCORER_VERSION}`)", report.ours),
            "",
            f"Coverage: ours scores {report.scored_share:.1%} of all {report.comments} "
            f"{report.split} comments; of the {report.uncovered_comments} in languages it does not cover it "
            f"leaves {report.uncovered_unscored} unscored (the rest were detected as a covered "
            f"language and scored). Language detected as labelled on "
            f"{report.language_accuracy:.1%} of the covered comments. Over every {report.split} "
            "comment, "
            f"unscored counted as a miss, ours has macro-F1 {report.ours_all.macro_f1:.3f}.",
            "",
            f"Machine: {machine()}. Command: `{command}`.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "test"), default="test")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    report = run(args.split)
    command = "python bench/sentiment_bench.py" + (
        f" --split {args.split}" if args.split != "test" else ""
    )
    body = render(report, command)
    print(body)
    if not args.no_write and args.split == "test":
        write_section("sentiment", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
