"""Who follows whom: the creators' following lists (``user/followings``), built on first use.

Accounts of the graph (:class:`Account`): the population's creators, hub accounts (per niche and
a few global ones, with 10K to 60M followers), the brands' accounts
(``comment_vocabulary.BRANDS``, the handles sponsored posts name) and ordinary accounts (a pool of
:data:`REGULAR_POOL` people with a few hundred followers, drawn by index). Only creators have a
following list; the other accounts only appear in lists.

A creator's list, from :data:`DYNAMIC_START` on, holds 50-600 accounts:

* **Base follows** (before :data:`DYNAMIC_START`): creators of the same niche (a pair of them
  follows each other with probability :data:`MUTUAL_ODDS`, otherwise one follows the other with
  odds rising with the followed one's tier), a few creators of other niches, the niche's hubs
  (each hub has a pull: the share of the niche's creators following it) and the global hubs, a
  brand of the niche now and then, and ordinary accounts to make up the creator's size. A pod
  creator (``Creator.is_pod``) and the creators of its pod follow each other.
* **Ambassadors** follow the brands they were paid by: a creator with a sponsored post for
  ``Post.brand`` follows that brand's account from 0-36 hours after the first such post on, and
  never unfollows it.
* **Churn**: every week from :data:`DYNAMIC_START` a creator follows a few accounts (Poisson,
  mean :data:`ADDS_PER_WEEK`: ordinary accounts, niche creators, hubs) and unfollows a few
  (mean :data:`REMOVALS_PER_WEEK`, never a brand), so an edge present on day D may be gone on
  D+30, and page 1 of the list changes week to week.

The list is ordered most recent follow first (ties by account ``uid``). Everything comes from
hashes of (seed, ids) and ``Random`` streams seeded with strings, so two processes with the same
seed serve the same lists; a week's churn depends only on the weeks before it.
"""

from __future__ import annotations

import base64
import bisect
import math
from dataclasses import dataclass, field
from random import Random
from typing import TYPE_CHECKING

from .comment_vocabulary import BRANDS
from .population import DAY, REFERENCE_TS, TIERS, WEEK, Creator, _mix64, _poisson
from .vocabulary import FIRST_NAMES, LAST_NAMES, NICHES

if TYPE_CHECKING:
    from .population import Population

DYNAMIC_START = REFERENCE_TS - 26 * WEEK
"""Weekly churn starts here (about 2026-05-03); base follows are older."""
BASE_SPAN_S = 700 * DAY
"""Base follows are spread over this span before :data:`DYNAMIC_START`."""
MIN_FOLLOWING = 50
MAX_FOLLOWING = 600
MUTUAL_ODDS = 0.12
ADDS_PER_WEEK = 2.2
REMOVALS_PER_WEEK = 1.3
CIRCLE = 60
CROSS_NICHE_FOLLOWS = 5.0
NICHE_HUBS = 8
GLOBAL_HUBS = 8
REGULAR_POOL = 40_000
_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_HUB_SUFFIXES = ("hq", "daily", "club", "tv", "world", "official", "nation", "central")
# The first four are entertainment giants; the others accounts creators follow for the craft,
# inside the 10K-2M band agencies scout in.
_GLOBAL_HUBS = (
    "trendingnow",
    "viralclips.tv",
    "dailymemes.hq",
    "popculture.now",
    "creatorhub",
    "creatortips.daily",
    "growwithsam",
    "foryoupicks",
)


def _unit(*parts: int) -> float:
    """A uniform draw in [0, 1) from a hash of integers."""
    value = 0x51ED
    for part in parts:
        value = _mix64(value ^ (part & 0xFFFFFFFFFFFFFFFF))
    return (value & 0xFFFFFFFF) / 2**32


def _sec_uid(rng: Random) -> str:
    return "MS4wLjABAAAA" + "".join(rng.choice(_B64URL) for _ in range(52))


@dataclass(frozen=True, slots=True, eq=False)
class Account:
    """An account that can be followed. ``creator`` is set for the population's creators."""

    uid: str
    unique_id: str
    sec_uid: str
    nickname: str
    kind: str
    """``creator``, ``hub``, ``brand`` or ``regular``."""
    niche: str | None
    base_followers: int
    """Followers at the reference date (accounts other than creators)."""
    growth: float
    following_count: int
    verification_type: int
    creator: Creator | None = None

    @property
    def key(self) -> int:
        return int(self.uid)


def _make_account(
    rng: Random, handle: str, nickname: str, kind: str, niche: str | None, followers: int
) -> Account:
    return Account(
        uid=str(rng.randrange(6_600_000_000_000_000_000, 7_400_000_000_000_000_000)),
        unique_id=handle,
        sec_uid=_sec_uid(rng),
        nickname=nickname,
        kind=kind,
        niche=niche,
        base_followers=followers,
        growth=rng.uniform(-0.0003, 0.0015),
        following_count=rng.randint(0, 300),
        verification_type=1 if kind != "regular" and rng.random() < 0.6 else 0,
    )


def brand_account(seed: int, niche: str, handle: str) -> Account:
    """The account of a brand of ``comment_vocabulary.BRANDS``: the same one whether the graph
    lists it or the brand's own profile and posts are asked for (:meth:`Population.brand`)."""
    rng = Random(f"{seed}:brand:{handle}")
    followers = int(math.exp(rng.uniform(math.log(20_000), math.log(900_000))))
    return _make_account(rng, handle, handle.capitalize(), "brand", niche, followers)


def account_followers(account: Account, as_of: int) -> int:
    """The follower count of an account that is not one of the population's creators."""
    days = (as_of - REFERENCE_TS) / DAY
    wobble = _unit(account.key, as_of // DAY) * 0.003 - 0.0015
    return max(0, int(account.base_followers * math.exp(account.growth * days) * (1 + wobble)))


@dataclass(slots=True)
class Follow:
    """One edge of a creator's list: whom, since when, until when (None: still followed)."""

    account: Account
    followed_at: int
    unfollowed_at: int | None = None
    permanent: bool = False

    def present_at(self, as_of: int) -> bool:
        return self.followed_at <= as_of and (
            self.unfollowed_at is None or self.unfollowed_at > as_of
        )


@dataclass(slots=True)
class _State:
    """A creator's edges as simulated up to the end of ``week`` (churn applied week by week)."""

    edges: list[Follow]
    week: int
    active: dict[int, Follow] = field(default_factory=dict)


class FollowGraph:
    """The following lists of one :class:`Population` (see the module docstring)."""

    def __init__(self, population: Population) -> None:
        self.population = population
        self.seed = population.seed
        taken = {c.username for c in population.creators}
        self._creator_accounts = {
            c.index: Account(
                uid=c.uid,
                unique_id=c.username,
                sec_uid=c.sec_uid,
                nickname=c.nickname,
                kind="creator",
                niche=c.niche,
                base_followers=c.follower_count,
                growth=c.growth,
                following_count=c.following_count,
                verification_type=c.verification_type,
                creator=c,
            )
            for c in population.creators
        }
        self.niche_hubs: dict[str, list[tuple[Account, float]]] = {}
        for niche in NICHES:
            rng = Random(f"{self.seed}:hubs:{niche.name}")
            hubs = []
            for j in range(NICHE_HUBS):
                handle = self._unique(
                    taken,
                    f"{rng.choice(niche.topics)}{_HUB_SUFFIXES[j % len(_HUB_SUFFIXES)]}",
                )
                # Most hubs sit in the 10K-2M band agencies scout in; a few are bigger.
                low, high = (10_000, 2_000_000) if j < 6 else (2_000_000, 9_000_000)
                followers = int(math.exp(rng.uniform(math.log(low), math.log(high))))
                label = rng.choice(niche.labels)
                account = self._account(
                    rng, handle, f"{handle.split('.')[0]} | {label}", "hub", niche.name, followers
                )
                # The niche's first hub is the one nearly everyone in the niche follows.
                hubs.append((account, rng.uniform(0.7, 0.95) if j == 0 else rng.uniform(0.2, 0.7)))
            self.niche_hubs[niche.name] = hubs
        rng = Random(f"{self.seed}:hubs:global")
        self.global_hubs: list[tuple[Account, float]] = []
        for j, name in enumerate(_GLOBAL_HUBS[:GLOBAL_HUBS]):
            low, high = (5_000_000, 60_000_000) if j < 4 else (50_000, 1_800_000)
            account = self._account(
                rng,
                self._unique(taken, name),
                name.split(".")[0].capitalize(),
                "hub",
                None,
                int(math.exp(rng.uniform(math.log(low), math.log(high)))),
            )
            self.global_hubs.append((account, rng.uniform(0.15, 0.45)))
        self.brands: dict[str, Account] = {
            handle: brand_account(self.seed, niche_name, handle)
            for niche_name, handles in BRANDS.items()
            for handle in handles
        }
        self._taken = taken
        self._regulars: dict[int, Account] = {}
        self._pods: dict[int, list[Creator]] = {}
        for creator in population.creators:
            if creator.is_pod:
                for name, _ in creator.pod_members:
                    member = population.get(name)
                    if member is not None:
                        self._pods.setdefault(member.index, []).append(creator)
                        self._pods.setdefault(creator.index, []).append(member)
        self._states: dict[int, _State] = {}

    # -- accounts -------------------------------------------------------------------------------

    @staticmethod
    def _unique(taken: set[str], handle: str) -> str:
        handle = handle[:24]
        candidate, n = handle, 1
        while candidate in taken:
            n += 1
            candidate = f"{handle[:21]}{n:02d}"
        taken.add(candidate)
        return candidate

    def _account(
        self, rng: Random, handle: str, nickname: str, kind: str, niche: str | None, followers: int
    ) -> Account:
        return _make_account(rng, handle, nickname, kind, niche, followers)

    def creator_account(self, creator: Creator) -> Account:
        return self._creator_accounts[creator.index]

    def regular(self, k: int) -> Account:
        """Ordinary account ``k`` of the pool (built on first use)."""
        account = self._regulars.get(k)
        if account is None:
            rng = Random(f"{self.seed}:regular:{k}")
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            # The pool index is part of every handle, so handles are unique whatever order the
            # accounts are first built in (a process serves requests in any order).
            handle = (
                f"{first}.{last}{k}",
                f"{first}{last[:3]}.{k}",
                f"user{6_000_000_000 + k * 104_729}",
                f"{first}_{k}",
            )[rng.randrange(4)]
            if handle in self._taken:
                handle = f"{handle}.x"
            followers = int(min(50_000, max(3, rng.lognormvariate(math.log(250), 1.2))))
            account = self._account(rng, handle, first.capitalize(), "regular", None, followers)
            self._regulars[k] = account
        return account

    def followers_at(self, account: Account, as_of: int) -> int:
        """The follower count an account shows at ``as_of``: a creator's is its profile's."""
        if account.creator is not None:
            return self.population.followers_at(account.creator, as_of)
        return account_followers(account, as_of)

    # -- lists ----------------------------------------------------------------------------------

    def followings(self, creator: Creator, as_of: int) -> list[Follow]:
        """The creator's list at ``as_of``: most recent follow first, ties by account uid."""
        state = self._state(creator, as_of)
        present: dict[int, Follow] = {}
        for edge in state.edges:
            if edge.present_at(as_of):
                known = present.get(edge.account.key)
                if known is None or edge.followed_at < known.followed_at:
                    present[edge.account.key] = edge
        for edge in self._ambassador_edges(creator, as_of):
            known = present.get(edge.account.key)
            if known is None or edge.followed_at < known.followed_at:
                present[edge.account.key] = edge
        return sorted(present.values(), key=lambda e: (-e.followed_at, -e.account.key))

    def _ambassador_edges(self, creator: Creator, as_of: int) -> list[Follow]:
        first: dict[str, int] = {}
        for post in self.population.history(creator, as_of):
            if post.brand is not None and post.brand not in first:
                first[post.brand] = post.create_time
        edges = []
        for brand, posted in first.items():
            account = self.brands.get(brand)
            delay = int(_unit(creator.index, account.key if account else 0, 7) * 36 * 3600)
            if account is not None and posted + delay <= as_of:
                edges.append(Follow(account, posted + delay, None, permanent=True))
        return edges

    def _state(self, creator: Creator, as_of: int) -> _State:
        state = self._states.get(creator.index)
        if state is None:
            edges = self._base_edges(creator)
            state = _State(edges, DYNAMIC_START // WEEK - 1)
            state.active = {e.account.key: e for e in edges}
            self._states[creator.index] = state
        last_week = as_of // WEEK
        for week in range(state.week + 1, last_week + 1):
            self._churn(creator, state, week)
            state.week = week
        return state

    def _circle(self, creator: Creator) -> list[Creator]:
        """The niche peers a creator's base follows are drawn from: the creators of its niche in
        the same block of :data:`CIRCLE` (the whole niche in the default world), so the cost
        stays flat in a large world and a pair's draw is seen from both sides."""
        peers = self.population.in_niche(creator.niche)
        position = peers.index(creator)
        start = position - position % CIRCLE
        return [c for c in peers[start : start + CIRCLE] if c is not creator]

    def _base_edges(self, creator: Creator) -> list[Follow]:
        rng = Random(f"{self.seed}:{creator.username}:follows")
        size = int(
            math.exp(rng.uniform(math.log(MIN_FOLLOWING + 10), math.log(MAX_FOLLOWING - 80)))
        )
        pop = self.population
        i = creator.index
        targets: list[Account] = []
        for other in self._circle(creator):
            j = other.index
            pair = _unit(self.seed, 1, min(i, j), max(i, j))
            odds = 0.1 + 0.2 * TIERS.index(other.tier) / (len(TIERS) - 1)
            if pair < MUTUAL_ODDS or _unit(self.seed, 2, i, j) < odds:
                targets.append(self._creator_accounts[j])
        for member in self._pods.get(i, ()):
            targets.append(self._creator_accounts[member.index])
        for _ in range(_poisson(rng, CROSS_NICHE_FOLLOWS)):
            other = pop.creators[int(rng.random() * len(pop))]
            if other.niche != creator.niche:
                targets.append(self._creator_accounts[other.index])
        for account, pull in self.niche_hubs[creator.niche]:
            if _unit(self.seed, 4, i, account.key) < pull:
                targets.append(account)
        for account, pull in self.global_hubs:
            if _unit(self.seed, 5, i, account.key) < pull:
                targets.append(account)
        for handle in BRANDS[creator.niche]:
            if _unit(self.seed, 6, i, self.brands[handle].key) < 0.06:
                targets.append(self.brands[handle])
        chosen = dict.fromkeys(targets)
        while len(chosen) < max(size, len(targets) + 10):
            chosen.setdefault(self.regular(rng.randrange(REGULAR_POOL)))
        edges = []
        used: set[int] = set()
        for account in chosen:
            moment = DYNAMIC_START - 1 - int(rng.random() * BASE_SPAN_S)
            while moment in used:  # distinct follow times keep the time cursor exact
                moment -= 1
            used.add(moment)
            edges.append(Follow(account, moment, None, permanent=account.kind == "brand"))
        return edges

    def _churn(self, creator: Creator, state: _State, week: int) -> None:
        rng = Random(f"{self.seed}:{creator.username}:fw{week}")
        start = week * WEEK
        removals = _poisson(rng, REMOVALS_PER_WEEK)
        additions = _poisson(rng, ADDS_PER_WEEK)
        active = state.active
        if len(active) - removals < MIN_FOLLOWING:
            removals = max(0, len(active) - MIN_FOLLOWING)
        candidates = sorted(
            (e for e in active.values() if not e.permanent and e.followed_at < start),
            key=lambda e: e.account.key,
        )
        for edge in rng.sample(candidates, min(removals, len(candidates))):
            edge.unfollowed_at = start + int(rng.random() * WEEK)
            del active[edge.account.key]
        niche_peers = self._circle(creator)
        for _ in range(additions):
            if len(active) >= MAX_FOLLOWING - len(BRANDS[creator.niche]):
                break
            pick = rng.random()
            if pick < 0.5:
                account = self.regular(rng.randrange(REGULAR_POOL))
            elif pick < 0.8:
                other = niche_peers[int(rng.random() * len(niche_peers))]
                account = self._creator_accounts[other.index]
            elif pick < 0.9:
                other = self.population.creators[int(rng.random() * len(self.population))]
                account = self._creator_accounts[other.index]
            else:
                account = self.niche_hubs[creator.niche][int(rng.random() * NICHE_HUBS)][0]
            if account.creator is creator or account.key in active:
                continue
            edge = Follow(account, start + int(rng.random() * WEEK))
            state.edges.append(edge)
            active[account.key] = edge


PAGE_CURSOR_PREFIX = "fl1:"


def page_token(follow: Follow) -> str:
    """The opaque token of the page after the one ending with ``follow``."""
    raw = f"{PAGE_CURSOR_PREFIX}{follow.followed_at}:{follow.account.uid}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_page_token(token: str) -> tuple[int, int] | None:
    """(follow time, account uid) of a page token, or None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not raw.startswith(PAGE_CURSOR_PREFIX):
        return None
    parts = raw[len(PAGE_CURSOR_PREFIX) :].split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def page_start(listing: list[Follow], after: tuple[int, int] | None) -> int:
    """Index of the first follow strictly older than ``after`` (time, uid) in a list ordered
    most recent first; 0 without a token."""
    if after is None:
        return 0
    keys = [(-e.followed_at, -e.account.key) for e in listing]
    return bisect.bisect_right(keys, (-after[0], -after[1]))


__all__ = [
    "DYNAMIC_START",
    "MAX_FOLLOWING",
    "MIN_FOLLOWING",
    "Account",
    "Follow",
    "FollowGraph",
    "account_followers",
    "brand_account",
    "page_start",
    "page_token",
    "read_page_token",
]
