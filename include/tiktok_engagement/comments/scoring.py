"""Score one comment offline: language, sentiment, question, purchase intent, generic praise.

The scorer is VADER (``vaderSentiment``, whose lexicon ships in the package) run over a comment
rewritten so that VADER's own rules (negation, intensifiers, "but", capitals, exclamation marks)
apply to what TikTok comments say:

- every emoji becomes a token valued by the project's emoji lexicon (``lexicons/emoji.tsv``; a
  run of the same emoji counts at most three times);
- the phrases of the TikTok usage lexicon (``lexicons/tiktok_en.tsv``: "no because", "understood
  the assignment", "i'm dead") become one token each, longest first, and its words override
  VADER's entries ("dead", "fire", "sick" are praise here; "mid", "flop", "ick" are not);
- slang intensifiers and hedges become VADER's own ("lowkey" is "kinda", "X af" is "very X").

Language comes from ``py3langid`` restricted to the languages TikTok comments come in, corrected
by the covered languages' vocabularies on short texts (where character n-grams say little).
English is scored with VADER's lexicon; Spanish, Portuguese, German and French with small project
lexicons under the same rules (their negators rewritten to "not", intensifiers to "very"). A
comment with no letters at all (emoji only) has language ``und`` and is scored by its emoji. Any
other language is ``unscored``: no score, never a neutral one. docs/sentiment.md has the details
and the measured accuracy.

Everything is loaded once, at import; :func:`score_comment` does no I/O.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from py3langid.langid import MODEL_FILE, LanguageIdentifier
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

LABELS = ("positive", "neutral", "negative", "unscored")

# Bump when a rule in this module changes; lexicon changes change the version by themselves.
_RULES_REVISION = "1"
LEXICON_DIR = Path(__file__).with_name("lexicons")

# Languages py3langid may answer: those TikTok comments are commonly written in. Restricting it
# keeps short comments from landing on rare languages whose n-grams happen to fit.
CANDIDATE_LANGUAGES = (
    "en", "es", "pt", "de", "fr", "it", "nl", "id", "ms", "tl", "tr", "pl", "ru", "uk", "ar",
    "hi", "ja", "ko", "zh", "vi", "th", "sv", "ro",
)  # fmt: skip
SCORED_LANGUAGES = ("en", "es", "pt", "de", "fr")
UNDETERMINED = "und"
# A comment of at most this many words is "short": its language is decided by vocabulary first.
_SHORT_WORDS = 3
# Below this py3langid probability a longer comment's language is decided by vocabulary too.
_CONFIDENT = 0.7
# VADER's own compound thresholds.
_POSITIVE_AT, _NEGATIVE_AT = 0.05, -0.05
# Emoji scores (-1..1) onto VADER's valence scale (-4..4): a fully positive emoji weighs like
# "love" (3.2).
_EMOJI_SCALE = 3.0
_MAX_EMOJI_RUN = 3
# Longer comments are cut before scoring: nobody writes 5,000 characters of sentiment, and the cost
# of a pathological input stays bounded.
MAX_TEXT_CHARS = 5000


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


# -- lexicon files ---------------------------------------------------------------------------------


def _rows(name: str) -> list[list[str]]:
    """Tab-separated rows of a lexicon file, comments and blank lines skipped."""
    text = (LEXICON_DIR / name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and line[0] != "#"]


def _lines(name: str) -> list[str]:
    return [row[0].strip() for row in _rows(name)]


def _scorer_version() -> str:
    """A version that changes whenever a lexicon file, a rule revision or a dependency changes."""
    digest = hashlib.sha256(_RULES_REVISION.encode())
    for path in sorted(LEXICON_DIR.iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(f"vader {version('vaderSentiment')} langid {version('py3langid')}".encode())
    return f"tiktok-sentiment-1.{_RULES_REVISION}+{digest.hexdigest()[:10]}"


SCORER_VERSION = _scorer_version()

# -- text primitives -------------------------------------------------------------------------------

_VARIATION = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
_EMOJI_CHAR = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u2190-\u21ff"
    "\u3030\u303d\u3297\u3299\u200d\ufe0f\U0001f3fb-\U0001f3ff\u203c\u2049\u2122\u2139]"
)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_MENTION = re.compile(r"(?<!\w)@[\w.]+")
_SPACES = re.compile(r"\s+")
_REPEATS = re.compile(r"(.)\1{2,}", re.S)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def _clean(text: object) -> str:
    """The text as a bounded, printable string: control and format characters become spaces
    (the emoji joiner and variation selectors stay), curly apostrophes straight."""
    raw = text if isinstance(text, str) else "" if text is None else str(text)
    raw = unicodedata.normalize("NFC", raw[:MAX_TEXT_CHARS]).translate(_APOSTROPHES)
    return "".join(
        " "
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")
        and ch not in "\u200d\ufe0f"
        else ch
        for ch in raw
    )


def normalize(text: str) -> str:
    """Casefolded, spaces collapsed, runs of 3+ equal characters cut to 2 ("niiiice" is "niice"),
    emoji variation selectors and skin tones dropped: equal for texts a reader would call equal."""
    folded = _VARIATION.sub("", _clean(text).casefold())
    return _REPEATS.sub(r"\1\1", _SPACES.sub(" ", folded)).strip()


def _squeeze(text: str) -> str:
    """Every run of equal characters cut to one: "niice", "nice" and "niiice" compare equal."""
    return re.sub(r"(.)\1+", r"\1", text)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


# -- emoji -----------------------------------------------------------------------------------------

_EMOJI: dict[str, float] = {_VARIATION.sub("", r[0]): float(r[1]) for r in _rows("emoji.tsv")}
_EMOJI_LONGEST = max(len(e) for e in _EMOJI)


# Three neutral lexicon tokens: the words VADER looks back at for a negator are then all lexicon
# items, which its negation rule skips.
_SHIELD_WORD = "tksep"
_SHIELD = " ".join([_SHIELD_WORD] * 3)


def _emoji_token(emoji: str) -> str:
    return "tke" + "x".join(f"{ord(c):x}" for c in emoji)


def _split_emoji(text: str) -> tuple[str, list[str]]:
    """``text`` with each known emoji replaced by its token (runs of one emoji capped) and unknown
    emoji removed; also the emoji found, in order.

    Each group of emoji is preceded by neutral shield tokens: VADER negates a lexicon item up to
    three words after a negator, and "i can't 😭" or "my dog would never 😂" are not negated
    laughter."""
    text = _VARIATION.sub("", text)
    out: list[str] = []
    found: list[str] = []
    run_of, run = "", 0
    in_group = False
    i = 0
    while i < len(text):
        match = next(
            (
                text[i : i + n]
                for n in range(min(_EMOJI_LONGEST, len(text) - i), 0, -1)
                if text[i : i + n] in _EMOJI
            ),
            None,
        )
        if match is not None:
            found.append(match)
            run = run + 1 if match == run_of else 1
            run_of = match
            if run <= _MAX_EMOJI_RUN:
                out.append(
                    f" {_emoji_token(match)} " if in_group else f" {_SHIELD} {_emoji_token(match)} "
                )
                in_group = True
            i += len(match)
            continue
        ch = text[i]
        if _EMOJI_CHAR.match(ch):
            if ch != "\u200d":
                found.append(ch)
            out.append(" ")
        else:
            out.append(ch)
            if not ch.isspace():
                run_of, run, in_group = "", 0, False
        i += 1
    return "".join(out), found


# -- lexicons and analyzers ------------------------------------------------------------------------


def _valences(name: str) -> dict[str, float]:
    return {row[0].strip().casefold(): float(row[1]) for row in _rows(name)}


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """Whole-word alternatives, longest first; a phrase written ``^phrase`` matches only at the
    start of the text."""
    ordered = sorted(phrases, key=lambda p: len(p.lstrip("^")), reverse=True)
    alternatives = "|".join(
        rf"^\s*{re.escape(p[1:])}" if p.startswith("^") else re.escape(p) for p in ordered
    )
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w'])", re.I)


@dataclass(frozen=True)
class _Language:
    """One covered language: its analyzer, phrase tokens, word rewrites and vocabulary."""

    analyzer: SentimentIntensityAnalyzer
    phrases: dict[str, str]  # casefolded phrase -> token
    phrase_pattern: re.Pattern[str] | None
    rewrites: dict[str, str]  # casefolded word -> replacement ("" drops it)
    intensifiers: frozenset[str]
    vocabulary: frozenset[str]

    def phrase_token(self, matched: str) -> str:
        phrase = " ".join(matched.casefold().split())
        return self.phrases.get(phrase) or self.phrases[f"^{phrase}"]


def _analyzer(lexicon: dict[str, float]) -> SentimentIntensityAnalyzer:
    """A VADER analyzer of its own with ``lexicon``; its emoji descriptions are off, since emoji
    arrive as lexicon tokens."""
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon = lexicon
    analyzer.emojis = {}
    return analyzer


def _load_languages() -> dict[str, _Language]:
    emoji_tokens = {_emoji_token(e): s * _EMOJI_SCALE for e, s in _EMOJI.items()}
    emoji_tokens[_SHIELD_WORD] = 0.0
    # Ratings out of ten: 5.5 is the middle; the ends weigh like "love" and "hate".
    emoji_tokens.update({f"tkrating{n}": (n - 5.5) / 4.5 * 3.0 for n in range(11)})
    stopwords: dict[str, set[str]] = {}
    for lang, words in _rows("stopwords.tsv"):
        stopwords.setdefault(lang, set()).update(words.split())
    rules: dict[str, dict[str, set[str]]] = {}
    for lang, kind, word in _rows("rules.tsv"):
        rules.setdefault(lang, {}).setdefault(kind, set()).add(word.strip().casefold())

    english_words: dict[str, float] = dict(SentimentIntensityAnalyzer().lexicon)
    tiktok = _valences("tiktok_en.tsv")
    english_words.update({w: v for w, v in tiktok.items() if " " not in w})
    loanwords = {w: english_words[w] for w in rules["*"]["loanword"] if w in english_words}

    languages: dict[str, _Language] = {}
    for lang in SCORED_LANGUAGES:
        entries = tiktok if lang == "en" else _valences(f"sentiment_{lang}.tsv")
        word_valences = (
            english_words if lang == "en" else {w: v for w, v in entries.items() if " " not in w}
        )
        phrases = {p: f"tkp{lang}{n}" for n, p in enumerate(w for w in entries if " " in w)}
        lexicon = {**(loanwords if lang != "en" else {}), **word_valences, **emoji_tokens}
        lexicon.update({token: entries[p] for p, token in phrases.items()})
        own = rules.get(lang, {})
        rewrites = (
            {
                row[0].strip().casefold(): row[1].strip() if len(row) > 1 else ""
                for row in _rows("rewrites_en.tsv")
            }
            if lang == "en"
            else {
                **{w: "not" for w in own.get("negator", ())},
                **{w: "kinda" for w in own.get("dampener", ())},
            }
        )
        vocabulary = {w.lstrip("^") for p in entries for w in p.split()}
        vocabulary |= stopwords.get(lang, set())
        vocabulary |= {w for kind in own.values() for w in kind}
        if lang == "en":
            vocabulary |= set(tiktok) | {w for w in english_words if w.isalpha()}
            vocabulary |= {w for line in _lines("vocabulary_en.txt") for w in line.split()}
        languages[lang] = _Language(
            analyzer=_analyzer(lexicon),
            phrases=phrases,
            phrase_pattern=_phrase_pattern(phrases) if phrases else None,
            rewrites=rewrites,
            intensifiers=frozenset(own.get("intensifier", ())),
            vocabulary=frozenset(vocabulary),
        )
    return languages


_LANGUAGES = _load_languages()
_STOPWORDS: dict[str, frozenset[str]] = {}
for _lang, _words_line in _rows("stopwords.tsv"):
    _STOPWORDS[_lang] = _STOPWORDS.get(_lang, frozenset()) | frozenset(_words_line.split())

_IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
_IDENTIFIER.set_languages(list(CANDIDATE_LANGUAGES))

_GENERIC = frozenset(_squeeze(" ".join(_words(p))) for p in _lines("generic_praise.txt"))
_PURCHASE = [re.compile(row[1].strip()) for row in _rows("purchase_intent.tsv")]
_QUESTION_STARTS = _phrase_pattern(row[1].strip() for row in _rows("question_starts.tsv"))
_PUNCTUATION = ".,!?;:¡¿\"'()…"
_VADER_MODIFIERS = frozenset(("so", "very", "really", "kinda", "not", "no", "too"))
# Languages whose negator commonly follows what it negates.
_POSTPOSED_NEGATION = frozenset(("de", "fr"))
_RATING = re.compile(r"(?<![\w/.])(\d{1,2}(?:\.\d)?)\s*/\s*10(?![\w/])")
_RATING_TOKENS = {n: f"tkrating{n}" for n in range(11)}
_AF = re.compile(r"(?<![\w'])([^\W\d_]+) (?:af|asf)(?![\w'])", re.I)

# -- the parts of a score --------------------------------------------------------------------------


def detect_language(text: str) -> tuple[str, float | None]:
    """The language of ``text`` (emoji, mentions and URLs already removed) and py3langid's
    probability for it; ``und`` with no confidence when there are no words.

    On a short text, or when py3langid is unsure, a covered language whose vocabulary holds the
    text's words wins: character n-grams barely identify "mid" or "lindo demais"."""
    words = [_REPEATS.sub(r"\1\1", w) for w in _words(text)]
    if not words:
        return UNDETERMINED, None
    ranked = _IDENTIFIER.rank(text)
    probability = dict(ranked)
    best, best_p = ranked[0]
    if len(words) > _SHORT_WORDS and best_p >= _CONFIDENT:
        return best, best_p
    hits = {
        lang: sum(w in spec.vocabulary or _squeeze(w) in spec.vocabulary for w in words)
        for lang, spec in _LANGUAGES.items()
    }
    top = max(hits.values())
    if top and top / len(words) >= 0.5:
        # Ties go to py3langid's order, then English (the lingua franca of TikTok comments).
        lang = max(hits, key=lambda k: (hits[k], probability.get(k, 0.0), k == "en"))
        return lang, probability.get(lang)
    return best, best_p


def _sentiment(text: str, lang: str) -> float:
    """VADER's compound score of ``text`` (emoji already tokens) under ``lang``'s lexicons."""
    spec = _LANGUAGES["en" if lang == UNDETERMINED else lang]
    lexicon = spec.analyzer.lexicon
    text = _RATING.sub(_rating_token, text)
    if spec.phrase_pattern is not None:
        text = spec.phrase_pattern.sub(lambda m: _phrase_sub(spec, m), text)
    text = _AF.sub(r"very \1", text)
    tokens = text.split()
    rewritten = []
    for i, token in enumerate(tokens):
        bare = token.strip(_PUNCTUATION).casefold()
        if bare not in lexicon and bare not in spec.rewrites:
            # "niiiice", "yesss", "sooo": the word with its repeated letters cut, if that is known.
            for variant in (_REPEATS.sub(r"\1\1", bare), _squeeze(bare)):
                if variant in lexicon or variant in spec.rewrites or variant in _VADER_MODIFIERS:
                    token, bare = variant, variant
                    break
        if bare in spec.rewrites:
            replacement = spec.rewrites[bare]
            if replacement:
                rewritten.append(token.casefold().replace(bare, replacement))
        elif bare in spec.intensifiers and i + 1 < len(tokens):
            # An intensifier rewritten only before another word: "super!" alone is praise.
            rewritten.append("very")
        else:
            rewritten.append(token)
    if lang in _POSTPOSED_NEGATION:
        rewritten = _front_postposed_negators(rewritten, lexicon)
    return float(spec.analyzer.polarity_scores(" ".join(rewritten))["compound"])


def _phrase_sub(spec: _Language, match: re.Match[str]) -> str:
    """The phrase's token; a start-only framing phrase ("not the ...") stays as written when a
    sentiment word follows it, since then it is a plain negation ("not the best")."""
    phrase = " ".join(match.group(0).casefold().split())
    if phrase not in spec.phrases:
        following = match.string[match.end() :].split(maxsplit=1)
        if following and following[0].strip(_PUNCTUATION).casefold() in spec.analyzer.lexicon:
            return match.group(0)
    return f" {spec.phrase_token(match.group(0))} "


def _rating_token(match: re.Match[str]) -> str:
    """ "8/10" as a lexicon token: 0/10 is strongly negative, 10/10 strongly positive."""
    value = min(float(match.group(1)), 10.0)
    return f" {_RATING_TOKENS[round(value)]} "


def _front_postposed_negators(tokens: list[str], lexicon: dict[str, float]) -> list[str]:
    """German and French put the negator after the verb ("gefällt mir nicht", "ça marche pas");
    VADER looks for it before. A negator with no sentiment word in the two words after it is moved
    in front of a sentiment word among the two words before it."""
    out = list(tokens)
    for k, token in enumerate(tokens):
        if token.strip(_PUNCTUATION) != "not":
            continue
        after = [t.strip(_PUNCTUATION).casefold() for t in tokens[k + 1 : k + 3]]
        if any(t in lexicon for t in after):
            continue
        for j in (k - 1, k - 2):
            if j >= 0 and tokens[j].strip(_PUNCTUATION).casefold() in lexicon:
                out[k] = ""
                out[j] = f"not {tokens[j]}"
                break
    return [t for t in out if t]


def _label(score: float) -> str:
    if score >= _POSITIVE_AT:
        return "positive"
    if score <= _NEGATIVE_AT:
        return "negative"
    return "neutral"


def _is_question(text: str, normalized: str) -> bool:
    if any(mark in text for mark in "?¿？"):
        return True
    return _QUESTION_STARTS.match(_MENTION.sub("", normalized).strip()) is not None


def _terms(normalized: str, lang: str) -> tuple[str, ...]:
    stop = _STOPWORDS["en"] | _STOPWORDS.get(lang, frozenset())
    text = _MENTION.sub(" ", _URL.sub(" ", normalized))
    return tuple(dict.fromkeys(w for w in _words(text) if len(w) > 1 and w not in stop))


def score_comment(text: str) -> CommentScore:
    """Score one comment. Never raises on odd input: empty, huge or control-character text is
    scored as what is left of it (an empty comment is undetermined and neutral)."""
    cleaned = _clean(text)
    normalized = normalize(cleaned)
    mentions = _MENTION.findall(cleaned)
    content = _MENTION.sub(" ", _URL.sub(" ", cleaned)).replace("#", " ")
    tokenized, emoji = _split_emoji(content)
    plain = _EMOJI_CHAR.sub(" ", _VARIATION.sub("", content))
    words = _words(plain)
    if words:
        language, confidence = detect_language(plain)
    else:
        language, confidence = UNDETERMINED, None
    has_words = bool(words) or any(ch.isdigit() for ch in plain)
    generic = (not has_words and bool(emoji or mentions)) or (
        0 < len(words) <= 3 and _squeeze(" ".join(words)) in _GENERIC
    )
    score: float | None = None
    label = "unscored"
    if language in _LANGUAGES or language == UNDETERMINED:
        compound = _sentiment(tokenized, language)
        score, label = compound, _label(compound)
    return CommentScore(
        language=language,
        language_confidence=confidence,
        sentiment_score=score,
        sentiment_label=label,
        is_question=_is_question(cleaned, normalized),
        purchase_intent=any(p.search(normalized) for p in _PURCHASE),
        is_generic=generic,
        normalized_text=normalized,
        terms=_terms(normalized, language),
    )


def score_comments(texts: Iterable[str]) -> list[CommentScore]:
    """Score many comments (the lexicons and the language model are loaded once, at import)."""
    return [score_comment(t) for t in texts]
