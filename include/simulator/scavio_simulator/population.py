"""A deterministic synthetic TikTok world: creators, their posts, hashtags and searches.

Everything is derived from the seed through ``random.Random`` seeded with strings
(``f"{seed}:{username}"``, ``f"{seed}:{username}:w{week}"``), which Python hashes with SHA-512, so
two processes with the same seed build byte-identical worlds regardless of ``PYTHONHASHSEED``.

Design:

* **Creators** are assigned round-robin to the niches (shuffled per block of ten) and, within a
  niche, to follower tiers by a fixed 20-slot pattern, so every niche holds every tier. Creator
  attributes are cheap and built up front; posts are built lazily, one week at a time, and cached.
* **Engagement archetypes** (``low``, ``healthy``, ``high``, ``comment_heavy``, ``viral``) set a
  creator's mean like/comment/share rates; each post varies around them. A few posts are
  implausible on purpose (likes above views), and posts have a review delay before their first
  view, so a snapshot always holds some fresh posts with zero views.
* **Tiers**: the archetype rates are scaled by :data:`TIER_ENGAGEMENT`, so view-based engagement
  ((likes + comments + shares) / views) falls with audience size as published benchmarks have
  it: a median creator near 11% below 10K followers, 8% micro, 5.5% mid, 4% macro and 2.5% above
  1M, with the archetypes still spreading creators inside each tier.
* **Time**: a post's views follow ``V * (1 - exp(-days / tau) + tail * days)``: most views in the
  first days, then a slow tail, so counts never decrease. Likes, comments, shares and saves are
  fixed fractions of views. Followers (:meth:`Population.followers_at`, what ``profile`` reports)
  drift exponentially by tier with a small daily wobble, gain a share of a viral video's views as
  they come in, and for follower buyers jump on spike days. Posts appear
  on a creator-specific cadence (Poisson per week) and about 1% are deleted some days after
  posting. A creator holds 60-120 posts as of :data:`REFERENCE_DATE`; earlier dates see fewer,
  later dates more.
* **Ids**: an ``aweme_id`` is ``create_time << 32 | creator_index << 12 | 12 random bits`` (TikTok's
  ids also start with the creation second), so a video id leads straight back to its creator and
  week without a global index.
* **Search**: a keyword is tokenised (lower case, light plural stemming, stop words dropped); the
  niches whose vocabulary contains a token give the candidate creators, and their visible posts
  are scored on caption and hashtag matches, then ranked by score, views and recency.
* **Signals** a vetter looks for, picked by roster position (:meth:`Population._assign_signals`)
  so the bundled roster holds each: ``Creator.is_pod`` (engagement pods: ``pod_members`` leave
  generic praise on most posts), ``Creator.is_controversial`` (about half of the comments
  negative; ``Creator.negativity`` is the share for everyone), ``Creator.spike_phase`` (bought
  followers every :data:`SPIKE_PERIOD_DAYS` days: :meth:`Population.spike_days`).
* **Sponsored posts**: ``Creator.sponsor_rate`` (0-3.5% for most, 8-20% for a fifth) of posts are
  paid, ``Post.sponsor`` says how they show it (:data:`SPONSOR_KINDS`): disclosure hashtags in
  ``Post.sponsor_tags`` (``#ad``, ``#sponsored``, ``#paidpartnership``, and by region
  ``#anzeige``, ``#werbung``, ``#publicidad``, ``#publi``, ``#pub``, ``#sponsorisé``) or a
  "paid partnership with @brand" line, softer hints (``#collab``, ``#gifted``, "thanks to
  @brand", "use code MAYA20 at @brand"), the platform's ``is_ads`` flag only, or nothing. Paid
  posts get fewer views, likes, shares and saves. The draw comes from a hash of the post's id,
  not from the week's stream, so organic posts are exactly what they were before.
* **Brands** (``comment_vocabulary.BRANDS``, named in captions as ``BRAND_NAMES`` writes them)
  have accounts of their own (:meth:`Population.brand`): a profile, and posts about their
  products tagged with their hashtag (``#glowlab``); their ids use the top
  :data:`BRAND_SLOTS` creator indexes of an ``aweme_id``. About :data:`MENTION_RATE` of the
  organic posts of a niche mention one of its brands (``@glowlab``, "GlowLab", "Lumé Skin", or
  the brand's hashtag), drawn from a hash of the id like sponsorship, so nothing else of a post
  changes; a sponsored post whose caption names its brand (``@brand``) mentions it too. A search
  whose keyword names a brand (its handle, or its name with or without spaces and accents) ranks
  the videos mentioning it first, the brand's own ones included; a brand's hashtag is a hashtag
  of the world whose feed holds them. Searches and feeds of other keywords and tags are what they
  were before brands had accounts.
* **Comments** are generated only when asked for (``comments.py``, :attr:`Population.comment_book`).
* **Followings** (who a creator follows: niche peers, hubs, brands, ordinary accounts, with weekly
  churn) likewise (``graph.py``, :attr:`Population.follow_graph`).
* **Hashtags** are fixed facts of the vocabulary (same ids for every seed); a hashtag's feed is the
  visible posts carrying it, ranked by views and recency. Because a post's tags come from its
  phrase plus its niche's general tags, "home workout" results and ``#gym`` videos overlap.
  Searches and feeds are cut at :data:`MAX_RESULT_DEPTH` (the server also stops at 5 pages).
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any

from .comment_vocabulary import BRAND_NAMES, BRANDS, PRODUCTS
from .vocabulary import (
    CAPTION_TEMPLATES,
    DISPLAY_NAMES,
    FIRST_NAMES,
    GENERIC_TAGS,
    LAST_NAMES,
    MUSIC,
    NICHE_BY_NAME,
    NICHES,
    REGIONS,
    STOPWORDS,
    Niche,
)

DAY = 86_400
WEEK = 7 * DAY

REFERENCE_DATE = date(2026, 11, 1)
"""The date at which every creator holds 60-120 posts and sits in its nominal follower tier."""
REFERENCE_TS = int(datetime(2026, 11, 1, 12, tzinfo=UTC).timestamp())

TIERS: tuple[str, ...] = ("nano", "micro", "mid", "macro", "mega")
TIER_RANGES: dict[str, tuple[int, int]] = {
    "nano": (1_000, 10_000),
    "micro": (10_000, 100_000),
    "mid": (100_000, 500_000),
    "macro": (500_000, 1_000_000),
    "mega": (1_000_000, 10_000_000),
}
# Within each niche the j-th creator gets TIER_PATTERN[j % 20]: 5 nano, 6 micro, 4 mid, 3 macro,
# 2 mega per 20, interleaved so that any prefix of a niche already spans the tiers.
TIER_PATTERN: tuple[str, ...] = (
    "micro", "nano", "mid", "mega", "macro", "micro", "nano", "mid", "micro", "macro",
    "nano", "micro", "mega", "mid", "nano", "micro", "macro", "mid", "nano", "micro",
)  # fmt: skip
# Median lifetime views of a post as a fraction of followers: small accounts reach far beyond
# their audience through the For You feed, big ones reach a small share of theirs.
TIER_REACH: dict[str, float] = {"nano": 0.9, "micro": 0.35, "mid": 0.16, "macro": 0.1, "mega": 0.06}
TIER_GROWTH: dict[str, tuple[float, float]] = {
    "nano": (-0.0005, 0.005),
    "micro": (-0.0005, 0.0035),
    "mid": (-0.0005, 0.0022),
    "macro": (-0.0008, 0.0014),
    "mega": (-0.001, 0.001),
}
# View-based engagement falls with audience size on TikTok (published benchmarks: roughly 8-15%
# below 10K followers, 1.5-3.5% above 1M): a creator's archetype rates are scaled by its tier, so
# the archetypes still spread creators within a tier.
TIER_ENGAGEMENT: dict[str, float] = {
    "nano": 1.7,
    "micro": 1.15,
    "mid": 0.78,
    "macro": 0.6,
    "mega": 0.38,
}
TIER_CADENCE: dict[str, tuple[float, float]] = {
    "nano": (0.25, 1.0),
    "micro": (0.3, 1.3),
    "mid": (0.4, 1.5),
    "macro": (0.5, 1.7),
    "mega": (0.6, 2.0),
}

ARCHETYPES: tuple[tuple[str, float], ...] = (
    ("healthy", 0.45),
    ("low", 0.16),
    ("high", 0.13),
    ("comment_heavy", 0.12),
    ("viral", 0.14),
)
# (like band, comment range, share range) per archetype; the like band also clamps the niche factor.
_ARCHETYPE_RATES: dict[
    str, tuple[tuple[float, float], tuple[float, float], tuple[float, float]]
] = {
    "low": ((0.007, 0.017), (0.0002, 0.0008), (0.0002, 0.0009)),
    "healthy": ((0.033, 0.075), (0.001, 0.004), (0.001, 0.005)),
    "high": ((0.11, 0.17), (0.002, 0.0045), (0.002, 0.007)),
    "comment_heavy": ((0.04, 0.08), (0.007, 0.015), (0.001, 0.004)),
    "viral": ((0.06, 0.11), (0.0015, 0.004), (0.014, 0.03)),
}

SIGNAL_BLOCK = 25
"""Roster positions per pod, controversial and follower-buying creator (see ``_assign_signals``)."""
POD_TIERS = ("nano", "micro", "mid")
"""Engagement pods are a small creator's trick: only these tiers join one."""
SPIKE_PERIOD_DAYS = 14
SPIKE_PURGE_DAYS = 5.0
SPIKE_HOUR_S = 2 * 3600

BRAND_SLOTS = 64
"""Creator indexes at the top of an ``aweme_id``'s 20 bits kept for the brands' accounts."""
BRAND_INDEX_BASE = (1 << 20) - BRAND_SLOTS
MENTION_RATE = 0.05
"""Share of a niche's organic posts that mention one of the niche's brands."""
# A niche's first brand is mentioned three times as often as its third, so shares of voice differ.
MENTION_WEIGHTS = (3, 2, 1)
BRAND_MATCH_SCORE = 10
"""What naming a post's brand adds to its search score: such posts rank above the rest."""

MAX_RESULT_DEPTH = 150
"""Search and hashtag feeds are cut at this many ranked videos (5 pages of 30)."""

_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_TOKEN = re.compile(r"[a-z0-9]+")
_EPOCH = date(1970, 1, 1)


def as_of_timestamp(day: date) -> int:
    """The simulated "now" of a snapshot date: 12:00 UTC that day, as Unix seconds."""
    return (day - _EPOCH).days * DAY + DAY // 2


def _stem(token: str) -> str:
    if len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def query_tokens(text: str) -> tuple[str, ...]:
    """Normalised search tokens of a keyword or caption (``#`` ignored, stop words dropped)."""
    return tuple(
        _stem(token)
        for token in _TOKEN.findall(text.lower())
        if token not in STOPWORDS and len(token) > 1
    )


def _fold(text: str) -> str:
    """Lower case, accents stripped, every run of other than letters and digits one space."""
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    )
    return " ".join(_TOKEN.findall(stripped.lower()))


def _brand_forms(handle: str) -> tuple[str, ...]:
    """How a search may name a brand: its handle, and its name as captions write it."""
    return tuple(dict.fromkeys((handle, _fold(BRAND_NAMES.get(handle, handle)))))


def _stable_int(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _weighted(rng: Random, pairs: Iterable[tuple[str, float]]) -> str:
    items = list(pairs)
    return rng.choices([name for name, _ in items], weights=[w for _, w in items])[0]


def _poisson(rng: Random, lam: float) -> int:
    threshold = math.exp(-lam)
    k, p = 0, rng.random()
    while p > threshold:
        k += 1
        p *= rng.random()
    return k


class Creator:
    """One synthetic creator. Attributes are fixed; follower counts and posts depend on the date."""

    __slots__ = (
        "index", "username", "niche", "tier", "archetype", "follower_count", "growth",
        "sec_uid", "uid", "nickname", "signature", "bio_url", "verification_type",
        "following_count", "cadence", "start_ts", "preferred_hour", "region", "reach",
        "like_rate", "comment_rate", "share_rate", "shows_downloads", "_seed_prefix",
        "sponsor_rate", "negativity", "is_pod", "pod_members", "is_controversial",
        "spike_phase", "spike_jump", "brand",
    )  # fmt: skip

    index: int
    username: str
    niche: str
    tier: str
    archetype: str
    follower_count: int
    """Followers as of :data:`REFERENCE_DATE` (the tier is defined by this number)."""
    sponsor_rate: float
    """Share of the creator's posts that are paid (disclosed or not): see :class:`Post.sponsor`."""
    negativity: float
    """Share of the creator's comments written to read negative (far higher when controversial)."""
    is_pod: bool
    """The creator is in an engagement pod: ``pod_members`` comment generic praise on most posts."""
    pod_members: tuple[tuple[str, str], ...]
    """(unique_id, nickname) of the pod's accounts (other creators of the niche and bots)."""
    is_controversial: bool
    """The audience is hostile: comments skew negative (complaints, sarcasm)."""
    spike_phase: int | None
    """Set for creators who buy followers: see :meth:`Population.spike_days`."""
    brand: str | None
    """The brand's handle when this is a brand's own account (:meth:`Population.brand`)."""

    def __init__(
        self, seed: int, index: int, username: str, names: tuple[str, str], niche: Niche, tier: str
    ) -> None:
        rng = Random(f"{seed}:{username}")
        self._seed_prefix = f"{seed}:{username}"
        self.index = index
        self.username = username
        self.niche = niche.name
        self.tier = tier
        self.archetype = _weighted(rng, ARCHETYPES)

        low, high = TIER_RANGES[tier]
        # The 6% margins keep a creator inside its tier for the weeks around REFERENCE_DATE.
        self.follower_count = int(
            math.exp(rng.uniform(math.log(low * 1.06), math.log(high * 0.94)))
        )
        self.growth = rng.uniform(*TIER_GROWTH[tier])
        self.reach = TIER_REACH[tier] * rng.lognormvariate(0, 0.45)

        (like_lo, like_hi), comment_range, share_range = _ARCHETYPE_RATES[self.archetype]
        self.like_rate = min(
            like_hi, max(like_lo, rng.uniform(like_lo, like_hi) * niche.like_factor)
        )
        self.comment_rate = rng.uniform(*comment_range)
        self.share_rate = rng.uniform(*share_range)
        scale = TIER_ENGAGEMENT[tier]
        self.like_rate *= scale
        self.comment_rate *= scale
        self.share_rate *= scale

        self.sec_uid = "MS4wLjABAAAA" + "".join(rng.choice(_B64URL) for _ in range(52))
        self.uid = str(rng.randrange(6_600_000_000_000_000_000, 7_400_000_000_000_000_000))
        label = rng.choice(niche.labels)
        self.nickname = _nickname(rng, names, niche, label)
        self.signature = _signature(rng, niche, label)
        host = rng.choice(("linktr.ee", "beacons.ai", "stan.store", "linkin.bio"))
        self.bio_url = f"{host}/{username.replace('.', '')}" if rng.random() < 0.55 else ""
        verified_odds = {"mega": 0.7, "macro": 0.25, "mid": 0.04}.get(tier, 0.0)
        self.verification_type = 1 if rng.random() < verified_odds else 0
        self.following_count = rng.randint(0, 400) if tier == "mega" else rng.randint(15, 2500)
        self.cadence = rng.uniform(*TIER_CADENCE[tier])
        target_posts = rng.uniform(60, 120)
        self.start_ts = int(REFERENCE_TS - target_posts / self.cadence * DAY)
        self.preferred_hour = rng.uniform(0, 24)
        self.region = _weighted(rng, REGIONS)
        self.shows_downloads = rng.random() < 0.5
        # Signals added later draw from a stream of their own, so the draws above (and every
        # post) stay what they were.
        signals = Random(f"{seed}:{username}:signals")
        if signals.random() < 0.2:
            self.sponsor_rate = signals.uniform(0.08, 0.2)
        else:
            self.sponsor_rate = signals.uniform(0.0, 0.035)
        self.negativity = signals.uniform(0.03, 0.12)
        self.spike_jump = signals.uniform(0.08, 0.15)
        # Set by the Population, which picks pods, controversial and spiking creators.
        self.is_pod = False
        self.pod_members = ()
        self.is_controversial = False
        self.spike_phase = None
        self.brand = None

    def followers_at(self, as_of: int) -> int:
        """The organic follower trend at a moment: exponential drift plus a small daily wobble.

        The profile endpoint reports :meth:`Population.followers_at`, which adds the followers
        viral videos bring and bought-follower spikes.
        """
        days = (as_of - REFERENCE_TS) / DAY
        wobble = Random(f"{self._seed_prefix}:f{as_of // DAY}").uniform(-0.0015, 0.0015)
        return max(0, int(self.follower_count * math.exp(self.growth * days) * (1 + wobble)))

    def _followers_trend(self, at: int) -> float:
        return self.follower_count * math.exp(self.growth * (at - REFERENCE_TS) / DAY)

    def __repr__(self) -> str:
        return f"Creator({self.username!r}, niche={self.niche!r}, tier={self.tier!r}, archetype={self.archetype!r})"


def _nickname(rng: Random, names: tuple[str, str], niche: Niche, label: str) -> str:
    first, last = names
    display = DISPLAY_NAMES.get(first, first.capitalize())
    style = rng.randrange(6)
    if style == 0:
        return f"{display} {last.capitalize()}"
    if style == 1:
        return f"{display} | {label}"
    if style == 2:
        return f"{rng.choice(niche.prefixes).capitalize()} {display}"
    if style == 3:
        return f"{display} {rng.choice(niche.emojis)}"
    if style == 4:
        return first
    return f"{display}{last[0].upper()}"


def _signature(rng: Random, niche: Niche, label: str) -> str:
    tagline = rng.choice(niche.taglines)
    style = rng.randrange(4)
    if style == 0:
        return f"{label} {rng.choice(niche.emojis)} {tagline}"
    if style == 1:
        return f"{tagline}\n📩 collabs: see link"
    if style == 2:
        return tagline
    return ""


def _handle(rng: Random, niche: Niche) -> tuple[str, tuple[str, str]]:
    """A realistic handle for the niche, and the (first, last) name it was built from."""
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    word = rng.choice(niche.handle_words)
    digits = f"{rng.randint(1, 99):02d}"
    style = rng.randrange(10)
    handle = (
        f"{first}.{word}",
        f"{rng.choice(niche.prefixes)}_{first}{digits}",
        f"{first}_{word}",
        f"{first}{last}",
        f"{first}.{last}",
        f"{rng.choice(niche.topics)}with{first}",
        f"{first}{last[0]}.{word}",
        f"{first}_{last}{digits}",
        f"{first}{word}{digits}",
        f"the{first}{word}",
    )[style]
    return handle[:24].rstrip("."), (first, last)


class Post:
    """One video. Counts are computed for a moment with :meth:`counts`."""

    __slots__ = (
        "creator", "aweme_id", "create_time", "caption", "template", "phrase", "tags", "_terms",
        "music", "duration_ms", "region", "is_ads", "lifetime_views", "tau_days", "tail",
        "like_rate", "comment_rate", "share_rate", "save_rate", "download_rate", "delay_s",
        "deleted_at", "implausible", "viral", "shows_sec_uid", "sponsor", "brand", "sponsor_tags",
        "mentions", "brand_tags",
    )  # fmt: skip

    creator: Creator
    aweme_id: str
    create_time: int
    caption: str
    template: str
    phrase: str
    tags: tuple[str, ...]
    _terms: tuple[frozenset[str], str] | None
    music: tuple[str, str, str]  # (title, author, music id)
    duration_ms: int
    region: str
    is_ads: bool
    lifetime_views: float
    tau_days: float
    tail: float
    like_rate: float
    comment_rate: float
    share_rate: float
    save_rate: float
    download_rate: float
    delay_s: float
    deleted_at: int | None
    implausible: bool
    viral: bool
    shows_sec_uid: bool
    sponsor: str | None
    """None for an organic post, else how the paid post shows it (:data:`SPONSOR_KINDS`)."""
    brand: str | None
    """The paying brand's handle (no ``@``) of a sponsored post."""
    sponsor_tags: tuple[str, ...]
    """Disclosure or collab hashtags, after :attr:`tags` in ``desc`` and ``cha_list``."""
    mentions: tuple[str, ...]
    """Handles of the brands the caption or :attr:`brand_tags` name (a brand's own posts: its own)."""
    brand_tags: tuple[str, ...]
    """Brand hashtags (``glowlab``), last in ``desc`` and ``cha_list``."""

    def counts(self, as_of: int) -> tuple[int, int, int, int, int, int]:
        """(views, likes, comments, shares, saves, downloads) at ``as_of`` (Unix seconds)."""
        age = as_of - self.create_time - self.delay_s
        if age <= 0:
            return (0, 0, 0, 0, 0, 0)
        days = age / DAY
        views = self.lifetime_views * (1.0 - math.exp(-days / self.tau_days) + self.tail * days)
        return (
            int(views),
            int(views * self.like_rate),
            int(views * self.comment_rate),
            int(views * self.share_rate),
            int(views * self.save_rate),
            int(views * self.download_rate),
        )

    @property
    def desc(self) -> str:
        """The caption as posted: text followed by the hashtags."""
        return self.caption + "".join(f" #{tag}" for tag in self.all_tags)

    @property
    def all_tags(self) -> tuple[str, ...]:
        """Every hashtag of the post: its topic tags, then any disclosure or collab tags, then any
        brand tags."""
        tags = self.tags + self.sponsor_tags if self.sponsor_tags else self.tags
        return tags + self.brand_tags if self.brand_tags else tags

    @property
    def terms(self) -> tuple[frozenset[str], str]:
        """Search terms (caption tokens and tags) and the tags as one string, built on first use."""
        if self._terms is None:
            words = _caption_terms(self.template, self.phrase).union(
                self.tags, [_stem(t) for t in self.tags]
            )
            self._terms = (words, " ".join(self.tags))
        return self._terms

    def visible_at(self, as_of: int) -> bool:
        """Posted at or before ``as_of`` and not deleted by then."""
        return self.create_time <= as_of and (self.deleted_at is None or self.deleted_at > as_of)

    def __repr__(self) -> str:
        return f"Post({self.aweme_id}, @{self.creator.username}, {self.caption!r})"


def _pick(random: Any, seq: tuple | list) -> Any:
    return seq[int(random() * len(seq))]


_CAPTION_TERMS: dict[tuple[str, str], frozenset[str]] = {}


def _caption_terms(template: str, phrase: str) -> frozenset[str]:
    """Search terms of a caption, cached per (template, phrase) since numbers and emoji never match."""
    key = (template, phrase)
    terms = _CAPTION_TERMS.get(key)
    if terms is None:
        words = template.replace("{P}", phrase).replace("{p}", phrase)
        terms = _CAPTION_TERMS[key] = frozenset(query_tokens(words))
    return terms


def _make_post(rng: Random, creator: Creator, niche: Niche, create_time: int) -> Post:
    # rng.random() with arithmetic instead of choice/randint/lognormvariate: post generation is the
    # simulator's hottest path, and one cheap call per draw keeps it fast and deterministic.
    random = rng.random
    gauss = rng.gauss
    post = Post()
    post.creator = creator
    post.create_time = create_time
    id_value = (create_time << 32) | (creator.index << 12) | rng.getrandbits(12)
    post.aweme_id = str(id_value)

    phrase, phrase_tags = _pick(random, niche.phrases)
    template = _pick(random, CAPTION_TEMPLATES)
    caption = template.format(
        p=phrase,
        P=phrase[0].upper() + phrase[1:],
        n=2 + int(random() * 89),
        k=2 + int(random() * 5),
        e=_pick(random, niche.emojis),
    )
    tags: list[str] = []
    if random() >= 0.05:
        tags.append(phrase_tags[0])
        if len(phrase_tags) > 1 and random() < 0.7:
            tags.append(phrase_tags[1])
        general = niche.tags
        first = int(random() * len(general))
        for step in range(1 + int(random() * 3)):
            tags.append(general[(first + step * 2) % len(general)])
        if random() < 0.45:
            tags.append(_pick(random, GENERIC_TAGS))
    post.tags = tuple(dict.fromkeys(tags))
    post.caption = caption
    post.template = template
    post.phrase = phrase
    post._terms = None

    if random() < 0.5:
        post.music = (
            f"original sound - {creator.nickname}",
            creator.nickname,
            f"{creator.uid[:10]}{create_time}",
        )
    else:
        title, artist = _pick(random, MUSIC)
        post.music = (title, artist, str(7_000_000_000_000_000_000 + _stable_int(title) % 10**18))
    low, high = niche.duration_s
    post.duration_ms = int((low + random() * (high - low)) * 1000)
    post.region = creator.region if random() < 0.9 else _pick(random, REGIONS)[0]
    post.is_ads = random() < 0.006

    viral = random() < (0.12 if creator.archetype == "viral" else 0.025)
    views = max(
        150.0, creator._followers_trend(create_time) * creator.reach * math.exp(gauss(0, 0.85))
    )
    if viral:
        views *= 5 + random() * 35
    post.viral = viral
    post.lifetime_views = views
    post.tau_days = 1.5 + random() * 3.5 if viral else 0.4 + random() * 2.1
    post.tail = 0.0003 + random() * 0.0017
    post.like_rate = min(0.5, creator.like_rate * math.exp(gauss(0, 0.15)))
    post.comment_rate = creator.comment_rate * math.exp(gauss(0, 0.3))
    post.share_rate = creator.share_rate * math.exp(gauss(0, 0.3)) * (1.6 if viral else 1.0)
    post.save_rate = post.share_rate * niche.save_factor * math.exp(gauss(0, 0.3))
    post.download_rate = post.share_rate * (0.05 + random() * 0.25)
    post.delay_s = 180 + random() * 5220 if random() < 0.88 else 5400 + random() * 9000
    post.implausible = random() < 0.0015
    if post.implausible:
        # Bot likes or a view purge: more likes than views, which a pipeline must flag, not fix.
        post.like_rate = 1.05 + random() * 0.75
    post.deleted_at = int(create_time + 3600 + random() * 30 * DAY) if random() < 0.01 else None
    post.shows_sec_uid = random() < 0.7
    post.sponsor = None
    post.brand = None
    post.sponsor_tags = ()
    post.mentions = ()
    post.brand_tags = ()
    # Sponsorship draws from a hash of the id, not from ``rng``: the posts' own draws stay as
    # they were before sponsored posts existed. Brand mentions likewise, from another hash.
    draw = _mix64(id_value)
    if creator.brand is not None:
        _brand_post(post, creator.brand, niche, _mix64(draw ^ _OWNED_SALT))
    elif (draw & 0xFFFFFFFF) / 2**32 < creator.sponsor_rate and not post.implausible:
        _sponsor(post, creator, niche, _mix64(draw))
    elif not post.implausible:
        mention = _mix64(draw ^ _MENTION_SALT)
        if (mention & 0xFFFFFFFF) / 2**32 < MENTION_RATE:
            _mention(post, niche, mention)
    return post


_MENTION_SALT = 0x6D656E74696F6E
_OWNED_SALT = 0x6F776E6564


def _unit16(draw: int, shift: int) -> float:
    return ((draw >> shift) & 0xFFFF) / 65536


def _mention(post: Post, niche: Niche, draw: int) -> None:
    """An organic mention of one of the niche's brands: its handle, its name or its hashtag.

    Worded so that no sponsorship signal fires ("thanks to @brand", a discount code, #collab):
    these are what a brand gets without paying for it.
    """
    brands = BRANDS[niche.name]
    weights = MENTION_WEIGHTS[: len(brands)]
    pick, total = _unit16(draw, 0) * sum(weights), 0.0
    brand = brands[-1]
    for handle, weight in zip(brands, weights, strict=False):
        total += weight
        if pick < total:
            brand = handle
            break
    name = BRAND_NAMES.get(brand, brand)
    products = PRODUCTS[niche.name]
    product = products[int(_unit16(draw, 16) * len(products))]
    style = _unit16(draw, 32)
    if style < 0.3:
        post.caption = f"{post.caption} my @{brand} {product} is a must"
    elif style < 0.55:
        post.caption = f"{post.caption} finally tried the {name} {product}"
    elif style < 0.75:
        post.caption = f"{post.caption} {name} {product} review"
        post.brand_tags = (brand,)
    else:
        post.brand_tags = (brand,)
    post.mentions = (brand,)


def _brand_post(post: Post, brand: str, niche: Niche, draw: int) -> None:
    """A brand's own post: about one of its products, mostly tagged with its hashtag."""
    name = BRAND_NAMES.get(brand, brand)
    products = PRODUCTS[niche.name]
    product = products[int(_unit16(draw, 0) * len(products))]
    if _unit16(draw, 16) < 0.5:
        post.caption = f"{post.caption} | the {name} {product} is here"
    else:
        post.caption = f"{post.caption} | new {product} drop"
    if _unit16(draw, 32) < 0.8:
        post.brand_tags = (brand,)
    post.mentions = (brand,)


SPONSOR_KINDS: tuple[tuple[str, float], ...] = (
    ("disclosed", 0.55),
    ("soft", 0.25),
    ("platform", 0.1),
    ("undisclosed", 0.1),
)
"""How a paid post shows it: a disclosure tag or "paid partnership" line, a softer hint
(``#collab``, ``#gifted``, "thanks to @brand", a discount code), only the platform's ``is_ads``
flag, or nothing at all."""
DISCLOSURE_TAGS: tuple[str, ...] = ("ad", "sponsored", "paidpartnership")
DISCLOSURE_TAGS_BY_REGION: dict[str, tuple[str, ...]] = {
    "DE": ("anzeige", "werbung"),
    "MX": ("publicidad", "publi"),
    "BR": ("publi",),
    "FR": ("pub", "sponsorisé"),
}
SOFT_TAGS: tuple[str, ...] = ("collab", "gifted")
_LOCAL_TAGS = tuple(t for tags in DISCLOSURE_TAGS_BY_REGION.values() for t in tags)
SPONSOR_TAG_NAMES: tuple[str, ...] = (*dict.fromkeys((*DISCLOSURE_TAGS, *_LOCAL_TAGS)), *SOFT_TAGS)
"""Every hashtag a sponsored post may carry; they are hashtags of the world like the others."""
# A sponsored post reaches and engages less than the creator's organic ones.
SPONSORED_VIEWS = 0.8
SPONSORED_LIKES = 0.65
SPONSORED_SHARES = 0.6


def _sponsor(post: Post, creator: Creator, niche: Niche, draw: int) -> None:
    """Make a post paid, with the signals its kind carries, and tone its engagement down."""

    def unit(shift: int) -> float:
        return ((draw >> shift) & 0xFFFF) / 65536

    kinds = SPONSOR_KINDS
    pick, total = unit(0), 0.0
    kind = kinds[-1][0]
    for name, weight in kinds:
        total += weight
        if pick < total:
            kind = name
            break
    brands = BRANDS[niche.name]
    brand = brands[int(unit(16) * len(brands))]
    style = unit(32)
    post.sponsor = kind
    post.brand = brand
    if kind == "disclosed":
        local = DISCLOSURE_TAGS_BY_REGION.get(creator.region)
        if local and unit(48) < 0.7:
            tag = local[int(unit(40) * len(local))]
        else:
            tag = DISCLOSURE_TAGS[int(unit(40) * len(DISCLOSURE_TAGS))]
        if style < 0.3:
            post.caption = f"{post.caption} | paid partnership with @{brand}"
            if style < 0.15:
                post.sponsor_tags = (tag,)
        else:
            post.sponsor_tags = (tag,)
    elif kind == "soft":
        if style < 0.35:
            post.sponsor_tags = (SOFT_TAGS[int(unit(40) * len(SOFT_TAGS))],)
        elif style < 0.7:
            post.caption = f"{post.caption} thanks to @{brand}"
        else:
            code = re.sub(r"[^a-z]", "", creator.username)[:6].upper() or "CODE"
            post.caption = f"{post.caption} use code {code}{10 + int(unit(48) * 4) * 5} at @{brand}"
    elif kind == "platform":
        post.is_ads = True
    if f"@{brand}" in post.caption:
        post.mentions = (brand,)
    post.lifetime_views *= SPONSORED_VIEWS
    post.like_rate *= SPONSORED_LIKES
    post.share_rate *= SPONSORED_SHARES
    post.save_rate *= SPONSORED_SHARES


def _mix64(value: int) -> int:
    """SplitMix64's finaliser: a cheap, well-spread 64-bit hash of an integer."""
    value = (value + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return value ^ (value >> 31)


class _PostStore:
    """A creator's posts in ascending time, generated week by week up to ``horizon_week``."""

    __slots__ = ("posts", "times", "horizon_week")

    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.times: list[int] = []
        self.horizon_week = -1


@dataclass(frozen=True, slots=True)
class HashtagInfo:
    """A hashtag of the simulated world; counts depend on the date (see :meth:`counts`)."""

    name: str
    cid: str
    niches: tuple[str, ...]
    desc: str
    stats_place: int
    """Where the payload carries the counts: 0 ``statsV2`` (strings), 1 ``stats``, 2 ``challenge.stats``."""
    base_videos: float
    views_per_video: float
    growth: float

    def counts(self, as_of: int) -> tuple[int, int]:
        """(videoCount, viewCount) as of a moment; both grow with time."""
        factor = math.exp(self.growth * (as_of - REFERENCE_TS) / DAY)
        videos = int(self.base_videos * factor)
        return videos, int(videos * self.views_per_video * factor)


class BoundedCache(OrderedDict):
    """A small bounded cache; least recently used entries are dropped first."""

    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.capacity = capacity

    def lookup(self, key: Any) -> Any:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def store(self, key: Any, value: Any) -> Any:
        self[key] = value
        if len(self) > self.capacity:
            self.popitem(last=False)
        return value


class Population:
    """The synthetic world for one seed: ``size`` creators, their posts, hashtags and searches.

    Creators are listed in :attr:`creators`; look one up with :meth:`get` (username) or
    :meth:`by_sec_uid`. Every method that depends on time takes ``as_of`` in Unix seconds
    (see :func:`as_of_timestamp`).
    """

    def __init__(self, seed: int = 42, size: int = 600) -> None:
        if size < 1:
            raise ValueError("a population needs at least one creator")
        if size > BRAND_INDEX_BASE:
            raise ValueError(
                f"at most {BRAND_INDEX_BASE:,} creators fit in an aweme_id (the top "
                f"{BRAND_SLOTS} creator indexes are the brands' accounts)"
            )
        self.seed = seed
        self.size = size
        roster_rng = Random(f"{seed}:population")
        used: set[str] = set()
        per_niche = dict.fromkeys(NICHE_BY_NAME, 0)
        niche_order: list[Niche] = []
        self.creators: list[Creator] = []
        for index in range(size):
            if index % len(NICHES) == 0:
                niche_order = list(NICHES)
                roster_rng.shuffle(niche_order)
            niche = niche_order[index % len(NICHES)]
            tier = TIER_PATTERN[per_niche[niche.name] % len(TIER_PATTERN)]
            per_niche[niche.name] += 1
            username, names = _handle(roster_rng, niche)
            while username in used:
                username = f"{username[:21]}{roster_rng.randint(0, 99):02d}"
            used.add(username)
            self.creators.append(Creator(seed, index, username, names, niche, tier))
        self._by_username = {c.username: c for c in self.creators}
        self._by_sec_uid = {c.sec_uid: c for c in self.creators}
        self._by_niche: dict[str, list[Creator]] = {n.name: [] for n in NICHES}
        for creator in self.creators:
            self._by_niche[creator.niche].append(creator)
        self._stores: dict[int, _PostStore] = {}
        self.generated_posts = 0
        """How many posts have been built so far (grows lazily; the server watches it)."""
        self._visible = BoundedCache(8192)
        self._rankings = BoundedCache(2048)
        self._hashtags = _build_hashtags()
        self._hashtags_by_id = {h.cid: h for h in self._hashtags.values()}
        self._niche_terms = {niche.name: _niche_terms(niche) for niche in NICHES}
        self._assign_signals()
        self._comment_book: Any = None
        self._follow_graph: Any = None
        self._brands: dict[str, Creator] | None = None
        self._brand_niche = {h: niche for niche, handles in BRANDS.items() for h in handles}
        self._brand_forms = {h: _brand_forms(h) for h in self._brand_niche}

    def _assign_signals(self) -> None:
        """Pick the pod, controversial and follower-buying creators by roster position.

        Every block of :data:`SIGNAL_BLOCK` creators in roster order holds one pod and one
        controversial creator (positions 6+ and 11) and two follower buyers (18 and 23), so the
        bundled 60-creator roster (a roster prefix) holds two or three pods and controversial
        creators and four follower buyers, whatever the seed.
        """
        ranked = self.roster(len(self.creators))
        spiking = 0
        for start in range(0, len(ranked), SIGNAL_BLOCK):
            block = ranked[start : start + SIGNAL_BLOCK]
            pod = next((c for c in block[6:] if c.tier in POD_TIERS), None)
            if pod is not None:
                self._make_pod(pod)
            if len(block) > 11 and block[11] is not pod:
                hostile = block[11]
                hostile.is_controversial = True
                hostile.negativity = Random(f"{self.seed}:{hostile.username}:hostile").uniform(
                    0.45, 0.6
                )
            for spike in [c for c in (block[18:19] + block[23:24]) if c is not pod]:
                # Phases 0, 7, 3, 10, ...: the spikes of any four consecutive spikers are at
                # most 4 days apart, so every 7-day window of the bundled roster holds two.
                spike.spike_phase = (spiking * 7 + spiking // 2 * 3) % SPIKE_PERIOD_DAYS
                spiking += 1

    def _make_pod(self, creator: Creator) -> None:
        rng = Random(f"{self.seed}:{creator.username}:pod")
        peers = [c for c in self._by_niche[creator.niche] if c is not creator]
        members = [(c.username, c.nickname) for c in rng.sample(peers, min(len(peers), 5))]
        for _ in range(5):
            handle = f"user{rng.randrange(10**9, 10**10)}"
            members.append((handle, handle))
        creator.is_pod = True
        creator.pod_members = tuple(members)

    # -- creators -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.creators)

    @property
    def niches(self) -> tuple[str, ...]:
        """Names of the niches, in vocabulary order."""
        return tuple(n.name for n in NICHES)

    def get(self, username: str) -> Creator | None:
        """The creator with this handle (case-insensitive, a leading ``@`` ignored), or None."""
        return self._by_username.get(username.strip().lstrip("@").lower())

    def __getitem__(self, username: str) -> Creator:
        creator = self.account(username)
        if creator is None:
            raise KeyError(username)
        return creator

    def by_sec_uid(self, sec_uid: str) -> Creator | None:
        """The creator with this ``sec_uid``, or None."""
        return self._by_sec_uid.get(sec_uid)

    # -- brands' accounts -----------------------------------------------------------------------

    @property
    def brands(self) -> dict[str, Creator]:
        """The brands' own accounts by handle, built on first use: posting accounts like the
        creators (profile, ``user/posts``), but not in :attr:`creators`, the roster or a niche's
        searches. Their ``uid``, ``sec_uid``, nickname and followers are the graph's account for
        the brand (:func:`scavio_simulator.graph.brand_account`), so a brand in a following list
        and its profile agree."""
        if self._brands is None:
            from .graph import brand_account

            brands: dict[str, Creator] = {}
            for slot, (handle, niche_name) in enumerate(self._brand_niche.items()):
                account = brand_account(self.seed, niche_name, handle)
                tier = next(
                    (t for t in TIERS if account.base_followers < TIER_RANGES[t][1]), TIERS[-1]
                )
                niche = NICHE_BY_NAME[niche_name]
                brand = Creator(
                    self.seed, BRAND_INDEX_BASE + slot, handle, (handle, handle), niche, tier
                )
                brand.brand = handle
                brand.uid, brand.sec_uid = account.uid, account.sec_uid
                brand.nickname = account.nickname
                brand.follower_count, brand.growth = account.base_followers, account.growth
                brand.following_count = account.following_count
                brand.verification_type = account.verification_type
                brand.signature = f"{BRAND_NAMES.get(handle, handle)} official"
                brand.sponsor_rate = 0.0
                brands[handle] = brand
            self._brands = brands
        return self._brands

    def brand(self, handle: str) -> Creator | None:
        """A brand's own account by handle (case-insensitive, a leading ``@`` ignored), or None."""
        return self.brands.get(handle.strip().lstrip("@").lower())

    def account(self, username: str) -> Creator | None:
        """A creator or a brand's account by handle, or None: what ``profile`` answers for."""
        return self.get(username) or self.brand(username)

    def account_by_sec_uid(self, sec_uid: str) -> Creator | None:
        """A creator or a brand's account by ``sec_uid``, or None: what ``user/posts`` answers for."""
        creator = self._by_sec_uid.get(sec_uid)
        if creator is None:
            creator = next((b for b in self.brands.values() if b.sec_uid == sec_uid), None)
        return creator

    def account_by_index(self, index: int) -> Creator | None:
        """The creator or brand account whose index an ``aweme_id`` carries, or None."""
        if index < len(self.creators):
            return self.creators[index]
        if index >= BRAND_INDEX_BASE:
            brands = list(self.brands.values())
            if index - BRAND_INDEX_BASE < len(brands):
                return brands[index - BRAND_INDEX_BASE]
        return None

    def brands_named(self, keyword: str) -> tuple[str, ...]:
        """Handles of the brands a search keyword names: its handle or its name, as whole words,
        case and accents aside, with or without the spaces ("glow lab", "lume skin")."""
        text = _fold(keyword)
        padded = f" {text} "
        compact = text.replace(" ", "")
        return tuple(
            handle
            for handle, forms in self._brand_forms.items()
            if compact == handle or any(f" {form} " in padded for form in forms)
        )

    def in_niche(self, niche: str) -> list[Creator]:
        """Creators of one niche, in population order."""
        return list(self._by_niche.get(niche, ()))

    def roster(self, count: int) -> list[Creator]:
        """A balanced sample: round-robin over niches, and within a niche over the five tiers.

        The order inside each (niche, tier) bucket is a seeded shuffle, so the sample is the same
        for the same seed and a larger count extends a smaller one.
        """
        rng = Random(f"{self.seed}:roster")
        buckets: dict[tuple[str, str], list[Creator]] = {}
        for creator in self.creators:
            buckets.setdefault((creator.niche, creator.tier), []).append(creator)
        for members in buckets.values():
            rng.shuffle(members)
        picked: list[Creator] = []
        rounds: dict[str, int] = dict.fromkeys(self.niches, 0)
        count = min(count, len(self.creators))
        while len(picked) < count:
            progressed = False
            for niche in self.niches:
                if len(picked) >= count:
                    break
                for attempt in range(len(TIERS)):
                    tier = TIERS[(rounds[niche] + attempt) % len(TIERS)]
                    bucket = buckets.get((niche, tier))
                    if bucket:
                        picked.append(bucket.pop())
                        progressed = True
                        break
                rounds[niche] += 1
            if not progressed:
                break
        return picked

    # -- posts ----------------------------------------------------------------------------------

    def _store(self, creator: Creator, until: int) -> _PostStore:
        store = self._stores.get(creator.index)
        if store is None:
            store = self._stores[creator.index] = _PostStore()
        last_week = until // WEEK
        if last_week > store.horizon_week:
            niche = NICHE_BY_NAME[creator.niche]
            first_week = max(store.horizon_week + 1, creator.start_ts // WEEK)
            for week in range(first_week, last_week + 1):
                self._generate_week(store, creator, niche, week)
            store.horizon_week = last_week
        return store

    def _generate_week(self, store: _PostStore, creator: Creator, niche: Niche, week: int) -> None:
        rng = Random(f"{creator._seed_prefix}:w{week}")
        count = _poisson(rng, 7 * creator.cadence)
        start = week * WEEK
        times: set[int] = set()
        for _ in range(count):
            hour = rng.gauss(creator.preferred_hour, 2.5) % 24
            moment = start + int(rng.random() * 7) * DAY + int(hour * 3600) + int(rng.random() * 60)
            if moment >= creator.start_ts:
                times.add(moment)
        for moment in sorted(times):
            store.posts.append(_make_post(rng, creator, niche, moment))
            store.times.append(moment)
        self.generated_posts += len(times)

    def posts(self, creator: Creator, as_of: int) -> list[Post]:
        """The creator's posts visible at ``as_of`` (posted by then, not deleted), latest first.

        The returned list is cached and shared: do not modify it.
        """
        key = (creator.index, as_of)
        cached = self._visible.lookup(key)
        if cached is not None:
            return cached
        store = self._store(creator, as_of)
        upto = bisect.bisect_right(store.times, as_of)
        visible = [
            post
            for post in reversed(store.posts[:upto])
            if post.deleted_at is None or post.deleted_at > as_of
        ]
        return self._visible.store(key, visible)

    def history(self, creator: Creator, until: int) -> list[Post]:
        """Every post the creator made up to ``until``, deleted ones included, oldest first."""
        store = self._store(creator, until)
        return store.posts[: bisect.bisect_right(store.times, until)]

    def find_post(self, aweme_id: str) -> Post | None:
        """The post with this id whether visible or not (deleted, future), or None if it never existed."""
        if not aweme_id.isdigit() or len(aweme_id) > 20:
            return None
        value = int(aweme_id)
        create_time = value >> 32
        creator_index = (value & 0xFFFFFFFF) >> 12
        creator = self.account_by_index(creator_index)
        if creator is None:
            return None
        # Bounds keep a forged id from making us generate years of posts.
        if create_time < creator.start_ts or create_time > REFERENCE_TS + 5 * 365 * DAY:
            return None
        store = self._store(creator, create_time)
        position = bisect.bisect_left(store.times, create_time)
        if position < len(store.times) and store.times[position] == create_time:
            post = store.posts[position]
            if post.aweme_id == aweme_id:
                return post
        return None

    def all_posts(self, as_of: int) -> Iterable[Post]:
        """Every visible post of every creator at ``as_of`` (generates the whole world; slow)."""
        for creator in self.creators:
            yield from self.posts(creator, as_of)

    # -- followers ------------------------------------------------------------------------------

    def followers_at(self, creator: Creator, as_of: int) -> int:
        """The follower count a profile shows at ``as_of``: what ``profile`` reports.

        The organic trend (:meth:`Creator.followers_at`), plus the followers the creator's viral
        videos bring as their views come in (counted from :data:`REFERENCE_DATE`, so the nominal
        count and tier hold there), plus, for follower buyers, the spikes of
        :meth:`spike_days`, each purged again over the following days.
        """
        if creator.brand is not None:
            from .graph import account_followers, brand_account

            return account_followers(brand_account(self.seed, creator.niche, creator.brand), as_of)
        count = creator.followers_at(as_of)
        gained = 0.0
        for post in self.history(creator, max(as_of, REFERENCE_TS)):
            if post.viral:
                rate = 0.001 + (_mix64(int(post.aweme_id)) & 0xFFFF) / 65536 * 0.002
                until = as_of if post.deleted_at is None else min(as_of, post.deleted_at)
                gained += rate * (post.counts(until)[0] - post.counts(REFERENCE_TS)[0])
        spikes = 0.0
        if creator.spike_phase is not None:
            day = (as_of - SPIKE_HOUR_S) // DAY
            for moment in self._spike_moments(creator, day - 6 * SPIKE_PERIOD_DAYS, day):
                if moment <= as_of:
                    age = (as_of - moment) / DAY
                    spikes += creator.spike_jump * math.exp(-age / SPIKE_PURGE_DAYS)
        return max(0, int(count * (1 + spikes) + gained))

    def spike_days(self, creator: Creator, first: date, last: date) -> list[date]:
        """The days in ``[first, last]`` on which the creator's bought followers arrive.

        Follower buyers (``creator.spike_phase`` set) gain ``spike_jump`` (8-15%) of their
        followers at 02:00 UTC every :data:`SPIKE_PERIOD_DAYS` days, unless a viral video of
        theirs came out in the 3 days before (a jump then would have an explanation); the bought
        followers are purged again with a time constant of :data:`SPIKE_PURGE_DAYS` days.
        """
        if creator.spike_phase is None:
            return []
        start = (first - _EPOCH).days
        end = (last - _EPOCH).days
        return [
            _EPOCH + timedelta(days=(moment - SPIKE_HOUR_S) // DAY)
            for moment in self._spike_moments(creator, start, end)
        ]

    def _spike_moments(self, creator: Creator, first_day: int, last_day: int) -> list[int]:
        phase = creator.spike_phase
        assert phase is not None
        moments = []
        day = first_day + (phase - first_day) % SPIKE_PERIOD_DAYS
        while day <= last_day:
            moment = day * DAY + SPIKE_HOUR_S
            recent = self.history(creator, moment)
            if not any(p.viral and p.create_time >= moment - 3 * DAY for p in recent[-40:]):
                moments.append(moment)
            day += SPIKE_PERIOD_DAYS
        return moments

    # -- comments -------------------------------------------------------------------------------

    @property
    def comment_book(self) -> Any:
        """The world's comments (:class:`scavio_simulator.comments.CommentBook`), built on first use."""
        if self._comment_book is None:
            from .comments import CommentBook

            self._comment_book = CommentBook(self)
        return self._comment_book

    @property
    def follow_graph(self) -> Any:
        """Who follows whom (:class:`scavio_simulator.graph.FollowGraph`), built on first use."""
        if self._follow_graph is None:
            from .graph import FollowGraph

            self._follow_graph = FollowGraph(self)
        return self._follow_graph

    # -- hashtags -------------------------------------------------------------------------------

    def hashtag(self, name: str) -> HashtagInfo | None:
        """A hashtag by name (case-insensitive, leading ``#`` ignored), or None if unknown."""
        return self._hashtags.get(name.strip().lstrip("#").lower())

    def hashtag_by_id(self, cid: str) -> HashtagInfo | None:
        """A hashtag by its challenge id, or None if unknown."""
        return self._hashtags_by_id.get(cid.strip())

    @property
    def hashtags(self) -> list[HashtagInfo]:
        """Every hashtag of the world, sorted by name."""
        return sorted(self._hashtags.values(), key=lambda h: h.name)

    def hashtag_posts(self, hashtag: HashtagInfo, as_of: int) -> list[Post]:
        """Visible posts carrying the tag, ranked by views and recency, at most MAX_RESULT_DEPTH."""
        key = ("#", hashtag.name, as_of)
        cached = self._rankings.lookup(key)
        if cached is not None:
            return cached
        scored = []
        creators = [c for niche in hashtag.niches for c in self._by_niche[niche]]
        brand = self.brands.get(hashtag.name) if hashtag.name in self._brand_niche else None
        if brand is not None:
            # Only a brand's own tag lists its posts, so other feeds stay what they were.
            creators.append(brand)
        for creator in creators:
            for post in self.posts(creator, as_of):
                if (
                    hashtag.name in post.tags
                    or (post.sponsor_tags and hashtag.name in post.sponsor_tags)
                    or (post.brand_tags and hashtag.name in post.brand_tags)
                ):
                    scored.append((_popularity(post, as_of), post.aweme_id, post))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return self._rankings.store(key, [post for _, _, post in scored[:MAX_RESULT_DEPTH]])

    # -- search ---------------------------------------------------------------------------------

    def search(
        self, keyword: str, as_of: int, sort_type: str = "0", publish_days: int = 0
    ) -> list[Post]:
        """Ranked videos for a keyword as of a moment, at most MAX_RESULT_DEPTH.

        ``sort_type`` "0" ranks by relevance (match score, then views and recency), "1" by likes;
        ``publish_days`` > 0 keeps posts of the last that many days.
        """
        tokens = tuple(dict.fromkeys(query_tokens(keyword)))
        brands = self.brands_named(keyword)
        key = ("?", tokens, brands, as_of, sort_type, publish_days)
        cached = self._rankings.lookup(key)
        if cached is not None:
            return cached
        niches = [
            name for name, terms in self._niche_terms.items() if _matches_niche(tokens, terms)
        ]
        creators = [c for niche in niches for c in self._by_niche[niche]]
        if brands:
            # A keyword naming a brand also reaches its niche's mentions and its own posts.
            for niche in dict.fromkeys(self._brand_niche[b] for b in brands):
                if niche not in niches:
                    creators += self._by_niche[niche]
            creators += [self.brands[b] for b in brands]
        oldest = as_of - publish_days * DAY if publish_days else None
        scored = []
        for creator in creators:
            for post in self.posts(creator, as_of):
                if oldest is not None and post.create_time < oldest:
                    break
                score = _match_score(post, tokens)
                if brands and post.mentions and any(b in post.mentions for b in brands):
                    score += BRAND_MATCH_SCORE
                if score:
                    if sort_type == "1":
                        rank = float(post.counts(as_of)[1])
                    else:
                        rank = score + _popularity(post, as_of)
                    scored.append((rank, post.aweme_id, post))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return self._rankings.store(key, [post for _, _, post in scored[:MAX_RESULT_DEPTH]])


def _popularity(post: Post, as_of: int) -> float:
    views = post.counts(as_of)[0]
    age_days = (as_of - post.create_time) / DAY
    return 0.5 * math.log10(views + 10) + 1.5 * math.exp(-age_days / 10)


def _match_score(post: Post, tokens: tuple[str, ...]) -> int:
    score = 0
    hits = 0
    words, tag_text = post.terms
    for token in tokens:
        if token in words:
            score += 3
            hits += 1
        elif len(token) >= 3 and token in tag_text:
            score += 1
    if hits > 1 and hits == len(tokens):
        score += 3
    return score


def _niche_terms(niche: Niche) -> tuple[frozenset[str], str]:
    words: set[str] = set(query_tokens(niche.name))
    for phrase, tags in niche.phrases:
        words.update(query_tokens(phrase))
        words.update(tags)
    words.update(niche.tags)
    words.update(_stem(t) for t in niche.tags)
    all_tags = (
        " ".join(tag for _, tags in niche.phrases for tag in tags) + " " + " ".join(niche.tags)
    )
    return frozenset(words), all_tags


def _matches_niche(tokens: tuple[str, ...], terms: tuple[frozenset[str], str]) -> bool:
    words, tag_text = terms
    return any(token in words or (len(token) >= 4 and token in tag_text) for token in tokens)


def _build_hashtags() -> dict[str, HashtagInfo]:
    owners: dict[str, list[str]] = {}
    for niche in NICHES:
        for tag in (*niche.tags, *(t for _, tags in niche.phrases for t in tags)):
            if niche.name not in owners.setdefault(tag, []):
                owners[tag].append(niche.name)
    for tag in (*GENERIC_TAGS, *SPONSOR_TAG_NAMES):
        owners[tag] = [n.name for n in NICHES]
    for niche_name, handles in BRANDS.items():
        for handle in handles:
            owners.setdefault(handle, [niche_name])
    hashtags = {}
    for tag, niches in owners.items():
        # Hashtags are world-level facts, not part of the seeded population: same ids for every seed.
        rng = Random(f"hashtag:{tag}")
        generic = tag in GENERIC_TAGS or tag in SPONSOR_TAG_NAMES
        if rng.random() < 0.35:
            cid = str(rng.randrange(1_000, 99_999_999))
        else:
            cid = str(rng.randrange(6_800_000_000_000_000_000, 7_400_000_000_000_000_000))
        desc = "" if rng.random() < 0.3 else f"Share your #{tag} moments with the world."
        hashtags[tag] = HashtagInfo(
            name=tag,
            cid=cid,
            niches=tuple(niches),
            desc=desc,
            stats_place=_stable_int(tag) % 3,
            base_videos=10 ** rng.uniform(8.0, 9.3) if generic else 10 ** rng.uniform(4.3, 7.3),
            views_per_video=10 ** rng.uniform(3.6, 4.8),
            growth=rng.uniform(0.0003, 0.002),
        )
    return hashtags


def suggested_queries() -> list[tuple[str, str]]:
    """Keyword and hashtag queries worth tracking: two of each per niche, as (query, type).

    Hashtag queries are given without the ``#``.
    """
    keywords: list[str] = []
    hashtags: list[str] = []
    for niche in NICHES:
        keywords.extend(phrase for phrase, _ in niche.phrases[:2])
        hashtags.extend(niche.tags[:2])
    return [(q, "keyword") for q in keywords] + [(h, "hashtag") for h in dict.fromkeys(hashtags)]


def parse_day(text: str) -> date:
    """Parse ``YYYY-MM-DD`` strictly; raises ValueError otherwise."""
    if len(text) != 10:
        raise ValueError(f"expected a date as YYYY-MM-DD, got {text!r}")
    return date.fromisoformat(text)
