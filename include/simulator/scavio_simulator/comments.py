"""Comments and replies of the simulated videos, generated lazily, only when asked for.

A video's comments are a fixed sequence drawn from ``Random(f"{seed}:c:{aweme_id}")``; comment
``k`` is the same whatever date it is looked at. What a date changes is which of them exist and
how many likes and replies they have:

* **Sampling**: the world does not write every comment of a video with 80,000 of them. Listed
  comment ``k`` stands for the video's ``floor(k * stride)``-th comment, where ``stride`` spreads
  :data:`COMMENT_CAP` (200) listed comments over the comments the video has 30 days after
  posting (``stride`` is 1 for a video with fewer). A listed comment exists from the second the
  video's ``comment_count`` (:meth:`Post.counts`) reaches its position, so comments come only
  after the video is posted and its review delay, and a later date lists the same comments plus
  new ones until the cap.
* **Order**: by likes as of the date, most liked first (ties by ``cid``), as TikTok's top comments
  are. Likes of a comment grow towards their final number over its first days.
* **Text** (see ``comment_vocabulary``): mostly English and short, emoji-heavy and slangy, in the
  creator's region's language for about 40% of comments when it has one, with questions,
  purchase intent, brand mentions, tags of friends, sarcasm and mixed feelings; the creator's
  ``negativity`` sets the share of negative comments (controversial creators: about half).
* **Pods**: on a pod creator's video (``Creator.is_pod``) each of the ``pod_members`` leaves,
  with probability 0.85 and within the first comments, a generic praise or emoji-only text from
  a small list (bots repeat their favourite one); pod comments get a few dozen likes from the pod.
  Honest creators' commenters are mostly distinct accounts, with a handful of fans who come back.

Ids: a ``cid`` is ``create_time << 32 | creator_index << 12 | (aweme_id & 0xF) << 8 | k``, so a
comment id leads back to its creator, and with a short search to its video.

Replies: a comment's replies (at most :data:`REPLY_CAP`) arrive after it over hours to days;
``reply_comment_total`` counts those that exist by the date. A reply has the comment's shape with
``reply_id`` set to its parent's ``cid`` (``"0"`` on a top-level comment) and
``reply_to_reply_id`` ``"0"``; some are the creator's own answers.
"""

from __future__ import annotations

import math
from random import Random
from typing import TYPE_CHECKING

from . import comment_vocabulary as vocab
from .population import DAY, REFERENCE_TS, BoundedCache, Creator, Post, _mix64
from .vocabulary import FIRST_NAMES, NICHE_BY_NAME

if TYPE_CHECKING:
    from .population import Population

COMMENT_CAP = 200
"""At most this many comments are listed per video."""
REPLY_CAP = 30
"""At most this many replies are listed per comment."""
SAMPLE_SPAN_DAYS = 30
"""Listed comments are spread over the comments of a video's first 30 days."""
LIKE_RISE_S = 1.5 * DAY
POD_ODDS = 0.85
FAN_ODDS = 0.06

_KIND_BASE: tuple[tuple[str, float], ...] = (
    ("praise", 0.30),
    ("emoji", 0.11),
    ("relatable", 0.12),
    ("question", 0.10),
    ("purchase", 0.05),
    ("brand", 0.03),
    ("tag", 0.07),
    ("mixed", 0.04),
    ("generic", 0.04),
)
_EN_LINES: dict[str, tuple[vocab.Line, ...]] = {
    "praise": vocab.PRAISE,
    "emoji": vocab.EMOJI_ONLY,
    "relatable": vocab.RELATABLE,
    "question": vocab.QUESTION,
    "purchase": vocab.PURCHASE,
    "brand": vocab.BRAND,
    "tag": vocab.TAG,
    "mixed": vocab.MIXED,
    "negative": vocab.NEGATIVE_LINES,
    "complaint": vocab.COMPLAINT,
    "sarcasm": vocab.SARCASM,
}
# Which foreign-language list stands in for an English kind.
_FOREIGN_KIND: dict[str, str] = {
    "praise": "praise",
    "relatable": "relatable",
    "mixed": "relatable",
    "question": "question",
    "purchase": "purchase",
    "negative": "negative",
    "complaint": "negative",
    "sarcasm": "negative",
}
_LANGUAGE_FREE = frozenset({"emoji", "tag", "generic", "brand"})
_SHOPPING_NICHES = frozenset({"beauty", "fashion", "tech", "fitness"})
_TAIL_EMOJI = ("😭", "🔥", "😂", "💀", "😍", "🙏", "✨", "❤️")


class Comment:
    """One listed comment or reply. ``kind``, ``sentiment`` and ``language`` are the world's truth
    (what the text was written to be), never sent in a payload."""

    __slots__ = (
        "cid", "post", "index", "create_time", "text", "unique_id", "nickname", "like_final",
        "reply_times", "kind", "sentiment", "language", "is_pod", "parent",
    )  # fmt: skip

    cid: str
    post: Post
    index: int
    create_time: int
    text: str
    unique_id: str
    nickname: str
    like_final: float
    reply_times: tuple[int, ...]
    kind: str
    sentiment: str
    language: str
    is_pod: bool
    parent: Comment | None

    def likes(self, as_of: int) -> int:
        """Likes at ``as_of``: rising towards ``like_final`` over the comment's first days."""
        age = as_of - self.create_time
        if age <= 0:
            return 0
        return int(self.like_final * (1.0 - math.exp(-age / LIKE_RISE_S)))

    def replies_at(self, as_of: int) -> int:
        """How many of its replies exist at ``as_of``."""
        return sum(1 for moment in self.reply_times if moment <= as_of)

    def __repr__(self) -> str:
        return f"Comment({self.cid}, @{self.unique_id}, {self.text!r})"


class _Thread:
    """A video's listed comments, generated in order as far as has been asked."""

    __slots__ = ("post", "rng", "stride", "comments", "pod_queue", "fans", "lo")

    def __init__(self, seed: int, post: Post) -> None:
        self.post = post
        self.rng = Random(f"{seed}:c:{post.aweme_id}")
        born = post.create_time + int(post.delay_s) + 1
        settled = post.counts(born + SAMPLE_SPAN_DAYS * DAY)[2]
        self.stride = max(1.0, settled / COMMENT_CAP)
        self.comments: list[Comment] = []
        creator = post.creator
        members = [m for m in creator.pod_members if self.rng.random() < POD_ODDS]
        self.rng.shuffle(members)
        self.pod_queue = members
        fans = Random(f"{seed}:{creator.username}:fans")
        self.fans = [_handle(fans) for _ in range(6)]
        self.lo = post.create_time

    def listed(self, as_of: int) -> int:
        """How many listed comments exist at ``as_of``."""
        total = self.post.counts(as_of)[2]
        if total <= 0:
            return 0
        n = min(COMMENT_CAP, math.ceil(total / self.stride))
        while n > 0 and int((n - 1) * self.stride) >= total:
            n -= 1
        while n < COMMENT_CAP and int(n * self.stride) < total:
            n += 1
        return n

    def next_time(self, upper: int) -> int:
        """The second the next listed comment appears: when the count first reaches its position.

        ``upper`` is any moment by which it has appeared; the answer does not depend on it.
        """
        target = int(len(self.comments) * self.stride) + 1
        post = self.post
        # The previous comment's second minus one still counts fewer comments than this one needs.
        lo = self.lo
        hi = upper
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if post.counts(mid)[2] >= target:
                hi = mid
            else:
                lo = mid
        return hi

    def grow(self, n: int, upper: int, book: CommentBook) -> list[Comment]:
        """The first ``n`` listed comments (``upper``: a moment by which all of them exist)."""
        while len(self.comments) < n:
            moment = self.next_time(upper)
            self.lo = moment - 1
            self.comments.append(book.make_comment(self, len(self.comments), moment))
        return self.comments[:n]


class CommentBook:
    """Every video's comments in a world, made on first request and kept in bounded caches."""

    def __init__(self, population: Population) -> None:
        self.population = population
        self.seed = population.seed
        self._threads = BoundedCache(4096)
        self._ranked = BoundedCache(4096)
        self._replies = BoundedCache(4096)

    def _thread(self, post: Post) -> _Thread:
        thread = self._threads.lookup(post.aweme_id)
        if thread is None:
            thread = self._threads.store(post.aweme_id, _Thread(self.seed, post))
        return thread

    def comments(self, post: Post, as_of: int) -> list[Comment]:
        """The video's listed comments at ``as_of``, most liked first (shared list: do not modify)."""
        key = (post.aweme_id, as_of)
        ranked = self._ranked.lookup(key)
        if ranked is not None:
            return ranked
        thread = self._thread(post)
        existing = thread.grow(thread.listed(as_of), as_of, self)
        ranked = sorted(existing, key=lambda c: (-c.likes(as_of), c.cid))
        return self._ranked.store(key, ranked)

    def in_order(self, post: Post, as_of: int) -> list[Comment]:
        """The video's listed comments at ``as_of`` in the order they were written."""
        thread = self._thread(post)
        return thread.grow(thread.listed(as_of), as_of, self)

    def find(self, cid: str, post: Post | None = None) -> Comment | None:
        """The top-level comment with this id (of ``post`` when given), or None."""
        if not cid.isdigit() or len(cid) > 20:
            return None
        value = int(cid)
        moment = value >> 32
        creator_index = (value >> 12) & 0xFFFFF
        low = (value >> 8) & 0xF
        k = value & 0xFF
        population = self.population
        creator = population.account_by_index(creator_index) if k < COMMENT_CAP else None
        if creator is None:
            return None
        if post is not None:
            candidates = [post] if post.creator is creator else []
        else:
            # Bounds keep a forged id from making us generate years of posts.
            if moment < creator.start_ts or moment > REFERENCE_TS + 5 * 365 * DAY:
                return None
            candidates = [
                p
                for p in reversed(population.history(creator, moment))
                if int(p.aweme_id) & 0xF == low
            ]
        for candidate in candidates:
            if candidate.create_time >= moment:
                continue
            thread = self._thread(candidate)
            if thread.listed(moment) <= k:
                continue
            comments = thread.grow(k + 1, moment, self)
            if comments[k].cid == cid:
                return comments[k]
        return None

    def replies(self, comment: Comment, as_of: int) -> list[Comment]:
        """The comment's replies existing at ``as_of``, oldest first."""
        everything = self._replies.lookup(comment.cid)
        if everything is None:
            everything = self._replies.store(comment.cid, self._make_replies(comment))
        return [reply for reply in everything if reply.create_time <= as_of]

    # -- generation -------------------------------------------------------------------------------

    def make_comment(self, thread: _Thread, k: int, moment: int) -> Comment:
        rng = thread.rng
        post = thread.post
        creator = post.creator
        niche = creator.niche
        comment = Comment()
        comment.post = post
        comment.index = k
        comment.create_time = moment
        comment.parent = None
        aweme = int(post.aweme_id)
        comment.cid = str((moment << 32) | (creator.index << 12) | ((aweme & 0xF) << 8) | k)
        likes_total = post.lifetime_views * min(post.like_rate, 1.0)
        if k < len(thread.pod_queue):
            unique_id, nickname = thread.pod_queue[k]
            is_bot = unique_id.startswith("user")
            if is_bot and rng.random() < 0.7:
                # A bot leaves its favourite text on every post it is sent to.
                text = vocab.GENERIC_PRAISE[_mix64(hash_text(unique_id)) % 4]
            else:
                text = vocab.GENERIC_PRAISE[int(rng.random() * len(vocab.GENERIC_PRAISE))]
            comment.text = text
            comment.unique_id, comment.nickname = unique_id, nickname
            comment.kind, comment.sentiment, comment.language = "pod", vocab.POSITIVE, "en"
            comment.is_pod = True
            comment.like_final = 5 + rng.random() * 35
            comment.reply_times = ()
            return comment
        comment.is_pod = False
        if rng.random() < FAN_ODDS:
            comment.unique_id, comment.nickname = thread.fans[int(rng.random() * len(thread.fans))]
        else:
            comment.unique_id, comment.nickname = _handle(rng)
        kind = _kind(rng, creator, post)
        language = "en"
        if kind == "generic":
            text, sentiment = vocab.GENERIC_PRAISE[int(rng.random() * 16)], vocab.POSITIVE
        else:
            if kind not in _LANGUAGE_FREE:
                language = _language(rng, creator)
            if language == "en":
                lines = _EN_LINES[kind]
            else:
                lines = vocab.FOREIGN[language][_FOREIGN_KIND[kind]]
            text, sentiment = lines[int(rng.random() * len(lines))]
            text = _fill(rng, text, niche, post)
            if language == "en" and kind not in ("emoji", "tag") and rng.random() < 0.18:
                text = f"{text} {_TAIL_EMOJI[int(rng.random() * len(_TAIL_EMOJI))]}"
        comment.text, comment.kind, comment.sentiment = text, kind, sentiment
        comment.language = "und" if kind in ("emoji", "tag") else language
        # Early comments collect the most likes; a few become the top comment of the video.
        comment.like_final = likes_total * 0.012 * rng.random() ** 4 * math.exp(-k / 80)
        replies = 0
        if comment.like_final >= 30:
            replies = min(REPLY_CAP, 1 + int(comment.like_final / 40 * rng.random()))
        elif rng.random() < 0.15:
            replies = 1 + int(rng.random() * 3)
        times = []
        moment_r = moment
        for _ in range(replies):
            moment_r += 60 + int(rng.expovariate(1 / (6 * 3600)))
            times.append(moment_r)
        comment.reply_times = tuple(times)
        return comment

    def _make_replies(self, parent: Comment) -> list[Comment]:
        rng = Random(f"{self.seed}:r:{parent.cid}")
        post = parent.post
        creator = post.creator
        replies = []
        for r, moment in enumerate(parent.reply_times):
            reply = Comment()
            reply.post = post
            reply.index = r
            reply.create_time = moment
            reply.parent = parent
            reply.is_pod = False
            reply.reply_times = ()
            reply.cid = str(
                (moment << 32) | (creator.index << 12) | (_mix64(int(parent.cid) + r) & 0xFFF)
            )
            if rng.random() < 0.2 and parent.kind in ("question", "praise", "purchase"):
                text, sentiment = vocab.CREATOR_REPLIES[
                    int(rng.random() * len(vocab.CREATOR_REPLIES))
                ]
                reply.unique_id, reply.nickname = creator.username, creator.nickname
            else:
                text, sentiment = vocab.REPLIES[int(rng.random() * len(vocab.REPLIES))]
                reply.unique_id, reply.nickname = _handle(rng)
            reply.text, reply.sentiment, reply.kind, reply.language = text, sentiment, "reply", "en"
            reply.like_final = parent.like_final * 0.1 * rng.random() ** 2
            replies.append(reply)
        return replies


def hash_text(text: str) -> int:
    """A stable integer of a short text (``hash()`` changes with ``PYTHONHASHSEED``)."""
    value = 0
    for char in text:
        value = (value * 131 + ord(char)) & 0xFFFFFFFFFFFF
    return value


def _kind(rng: Random, creator: Creator, post: Post) -> str:
    negativity = creator.negativity
    weights = dict(_KIND_BASE)
    if post.sponsor is not None:
        weights["purchase"] += 0.06
        weights["brand"] += 0.05
    if creator.niche in _SHOPPING_NICHES:
        weights["purchase"] += 0.03
    scale = (1.0 - negativity) / sum(weights.values())
    pick = rng.random()
    total = 0.0
    for name, weight in weights.items():
        total += weight * scale
        if pick < total:
            return name
    # The negative share: plain dislike, complaints (mostly for controversial creators), sarcasm.
    rest = (pick - total) / max(negativity, 1e-9)
    if creator.is_controversial:
        return "complaint" if rest < 0.45 else "negative" if rest < 0.8 else "sarcasm"
    return "negative" if rest < 0.6 else "sarcasm" if rest < 0.85 else "complaint"


def _language(rng: Random, creator: Creator) -> str:
    local = vocab.REGION_LANGUAGE.get(creator.region)
    if local is not None and rng.random() < 0.4:
        return local
    pick = rng.random()
    total = 0.0
    for language, weight in vocab.LANGUAGE_MIX:
        total += weight
        if pick < total:
            return language
    return "en"


def _fill(rng: Random, text: str, niche: str, post: Post) -> str:
    if "{" not in text:
        return text
    brands = vocab.BRANDS[niche]
    products = vocab.PRODUCTS[niche]
    brand = post.brand if post.brand is not None and rng.random() < 0.7 else None
    return text.format(
        brand=brand or brands[int(rng.random() * len(brands))],
        product=products[int(rng.random() * len(products))],
        friend=_handle(rng)[0],
        friend2=_handle(rng)[0],
        emoji=NICHE_BY_NAME[niche].emojis[0],
    )


def _handle(rng: Random) -> tuple[str, str]:
    """A commenter's (unique_id, nickname): mostly name-and-word handles, some default ``user…``."""
    if rng.random() < 0.18:
        handle = f"user{int(rng.random() * 9e9) + 10**9}"
        return handle, handle
    first = FIRST_NAMES[int(rng.random() * len(FIRST_NAMES))]
    word = vocab.COMMENTER_WORDS[int(rng.random() * len(vocab.COMMENTER_WORDS))]
    digits = int(rng.random() * 10_000)
    style = int(rng.random() * 4)
    handle = (
        f"{first}{word}{digits}",
        f"{first}.{word}",
        f"{first}_{digits}",
        f"its{first}{word}",
    )[style]
    if style == 1:
        handle = f"{handle}{digits % 100:02d}"
    return handle, first.capitalize() if style != 3 else f"{first.capitalize()} ✨"
