"""The offline comment scorer: TikTok usage, emoji, languages, flags, and accuracy against VADER."""

import pytest
from tiktok_engagement.comments import scoring
from tiktok_engagement.comments.scoring import (
    LABELS,
    SCORER_VERSION,
    CommentScore,
    normalize,
    score_comment,
    score_comments,
)
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from bench.sentiment_bench import load_labelled, run


def label(text: str) -> str:
    return score_comment(text).sentiment_label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("this ate 😭", "positive"),
        ("she ate that 🔥🔥", "positive"),
        ("💀💀💀", "positive"),
        ("😭😭😭😭", "positive"),
        ("mid", "negative"),
        ("so mid", "negative"),
        ("no because this is so true", "positive"),
        ("i'm screaming 😂😂", "positive"),
        ("im dead 💀", "positive"),
        ("she understood the assignment", "positive"),
        ("it's giving main character", "positive"),
        ("not the cat judging him in the background 😭", "positive"),
        ("this is fire fr", "positive"),
        ("not fire at all", "negative"),
        ("that sauce looks bussin", "positive"),
        ("lowkey obsessed with this", "positive"),
        ("so cringe 😬", "negative"),
        ("total flop", "negative"),
        ("he gives me the ick", "negative"),
        ("ratio", "negative"),
        ("W", "positive"),
        ("L", "negative"),
        ("i can't 😭😭", "positive"),
        ("my dog would never 😂", "positive"),
        ("niiiiice", "positive"),
        ("how original 🙄", "negative"),
        ("this product broke after two days", "negative"),
        ("0/10", "negative"),
        ("10/10", "positive"),
    ],
)
def test_tiktok_usage(text: str, expected: str) -> None:
    assert label(text) == expected


@pytest.mark.parametrize("text", ["💀", "😭", "i'm dead", "this ate", "fire", "slay"])
def test_plain_vader_gets_these_wrong_and_ours_does_not(text: str) -> None:
    compound = SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    assert compound < 0.05
    assert label(text) == "positive"


def test_plain_vader_is_left_untouched_by_our_lexicons() -> None:
    # Ours runs on analyzers of its own: VADER's module-level lexicon and rules stay VADER's.
    assert SentimentIntensityAnalyzer().polarity_scores("dead")["compound"] < 0
    assert label("dead 💀") == "positive"


def test_emoji_repetition_intensifies_up_to_a_cap() -> None:
    one, three, ten = (score_comment("🔥" * n).sentiment_score for n in (1, 3, 10))
    assert one is not None and three is not None
    assert 0 < one < three
    assert ten == three


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("me encanta 😍", "es", "positive"),
        ("no me gusta nada", "es", "negative"),
        ("no está mal", "es", "positive"),
        ("lindo demais", "pt", "positive"),
        ("não gostei", "pt", "negative"),
        ("das ist so schön", "de", "positive"),
        ("gefällt mir nicht", "de", "negative"),
        ("c'est nul", "fr", "negative"),
        ("ça marche pas", "fr", "negative"),
        ("j'adore", "fr", "positive"),
    ],
)
def test_covered_languages(text: str, language: str, expected: str) -> None:
    score = score_comment(text)
    assert (score.language, score.sentiment_label) == (language, expected)


@pytest.mark.parametrize("text", ["очень красиво", "かわいい", "너무 예뻐요", "çok güzel olmuş"])
def test_uncovered_languages_are_unscored_not_neutral(text: str) -> None:
    score = score_comment(text)
    assert score.language not in scoring.SCORED_LANGUAGES
    assert score.sentiment_label == "unscored"
    assert score.sentiment_score is None


def test_emoji_only_is_undetermined_but_scored() -> None:
    score = score_comment("😍😍")
    assert score.language == "und"
    assert score.language_confidence is None
    assert score.sentiment_label == "positive"
    assert score.is_generic


@pytest.mark.parametrize(
    ("text", "question", "purchase"),
    [
        ("where is this from??", True, True),
        ("link?", True, True),
        ("where can i buy this jacket", True, True),
        ("how much is it", True, True),
        ("i need this in my life", False, True),
        ("wo kann man das kaufen", True, True),
        ("donde compro esa chaqueta", True, True),
        ("onde compra", True, True),
        ("ou acheter ça", False, True),
        ("what's the song called", True, False),
        ("how cute is he", False, False),
        ("this ate", False, False),
    ],
)
def test_questions_and_purchase_intent(text: str, question: bool, purchase: bool) -> None:
    score = score_comment(text)
    assert (score.is_question, score.purchase_intent) == (question, purchase)


@pytest.mark.parametrize(
    ("text", "generic"),
    [
        ("nice 🔥", True),
        ("love this", True),
        ("Great content!!", True),
        ("niiiice", True),
        ("first", True),
        ("so cute 🥺", True),
        ("🔥🔥🔥", True),
        ("@tommy.b @kayla_rose", True),
        ("love this @jess", True),
        ("love this song so much", False),
        ("nice try but no", False),
        ("where is this from", False),
        ("", False),
    ],
)
def test_generic_comments(text: str, generic: bool) -> None:
    assert score_comment(text).is_generic is generic


def test_normalized_text_for_duplicate_detection() -> None:
    assert normalize("Niiiiice   🔥🔥🔥🔥") == normalize("niiice 🔥🔥") == "niice 🔥🔥"
    assert normalize("  LOVE\tthis ") == "love this"
    assert normalize("❤️❤️❤️") == normalize("❤❤")


def test_terms_are_content_words_only() -> None:
    terms = score_comment("@maya the SERUM is amazing 😍 https://x.co/abc #glowup the serum").terms
    assert terms == ("serum", "amazing", "glowup")


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00\x01\x7f", "a" * 200_000, "🔥" * 50_000, "\u202e\u200b text \ufeff", "??!!"],
)
def test_odd_input_never_raises(text: str) -> None:
    score = score_comment(text)
    assert score.sentiment_label in LABELS
    assert isinstance(score, CommentScore)
    assert "\x00" not in score.normalized_text


def test_score_comments_matches_score_comment() -> None:
    texts = ["this ate", "mid", "où acheter ?"]
    assert score_comments(texts) == [score_comment(t) for t in texts]


def test_version_names_the_lexicons() -> None:
    assert SCORER_VERSION.startswith("tiktok-sentiment-")
    assert scoring._scorer_version() == SCORER_VERSION  # stable for the same files


def test_labelled_set_is_large_split_and_stratified() -> None:
    rows = load_labelled()
    assert len(rows) >= 400
    assert len({r.id for r in rows}) == len(rows)
    assert {r.label for r in rows} == {"positive", "neutral", "negative"}
    dev = [r for r in rows if r.split == "dev"]
    test = [r for r in rows if r.split == "test"]
    assert len(dev) + len(test) == len(rows)
    for cls in ("positive", "neutral", "negative"):
        assert abs(sum(r.label == cls for r in dev) - sum(r.label == cls for r in test)) <= 8
    assert len({r.language for r in rows}) >= 10


def test_ours_beats_plain_vader_on_the_test_half() -> None:
    report = run("test")
    assert report.ours.macro_f1 > report.vader.macro_f1
    assert report.covered_comments >= 200
    assert report.scored_share > 0.8
