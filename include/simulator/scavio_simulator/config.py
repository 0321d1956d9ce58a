"""The simulator's settings: one dataclass, readable from CLI flags, ``SCAVIO_SIM_*`` variables and JSON.

Every field except ``seed`` and ``creators`` (which define the world) can also be changed while the
server runs, through ``POST /_sim/config``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_API_KEY = "sim-demo-key"

PLAN_BY_CAP: dict[int, str] = {
    1: "free",
    5: "project",
    10: "bootstrap",
    15: "startup",
    50: "growth",
}
TIMEOUT_ACTIONS = ("504", "drop", "mixed")
BAD_ITEM_KINDS = ("future_time", "huge_count", "negative_count", "missing_id", "wrong_type")
"""How ``bad_items`` corrupts a video item: see the field's help."""


def _meta(help_text: str, *, runtime: bool = True) -> dict[str, Any]:
    return {"help": help_text, "runtime": runtime}


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything the simulator can be told. Defaults: a 600-creator world, no faults, no limits.

    ``None`` means "no limit" for ``in_flight_cap``, ``per_minute`` and ``credit_balance``.
    Rates are probabilities per request in [0, 1].
    """

    seed: int = field(
        default=42, metadata=_meta("world seed: same seed, same creators and posts", runtime=False)
    )
    creators: int = field(
        default=600, metadata=_meta("number of creators in the world", runtime=False)
    )
    api_keys: tuple[str, ...] = field(
        default=(DEFAULT_API_KEY,), metadata=_meta("accepted bearer keys")
    )
    latency_ms: float = field(
        default=0.0, metadata=_meta("added latency per admitted request (ms)")
    )
    latency_jitter_ms: float = field(
        default=0.0, metadata=_meta("uniform +/- jitter on the latency (ms)")
    )
    in_flight_cap: int | None = field(
        default=None, metadata=_meta("max requests in flight; more get 429")
    )
    per_minute: int | None = field(
        default=None, metadata=_meta("max requests per key per minute; more get 429")
    )
    plan: str | None = field(
        default=None, metadata=_meta("plan name reported in 429 bodies (derived from the cap)")
    )
    error_rate: float = field(
        default=0.0, metadata=_meta("share of requests answered 500/502/503/504")
    )
    timeout_rate: float = field(
        default=0.0, metadata=_meta("share of requests held past timeout_hold_s")
    )
    timeout_hold_s: float = field(
        default=35.0, metadata=_meta("how long a timed-out request is held (s)")
    )
    timeout_action: str = field(
        default="mixed", metadata=_meta("after the hold: 504, drop, or mixed")
    )
    malformed_rate: float = field(
        default=0.0, metadata=_meta("share of successes with a malformed body")
    )
    empty_rate: float = field(default=0.0, metadata=_meta("share of list successes returned empty"))
    credit_balance: int | None = field(
        default=None, metadata=_meta("credits available; 402 when spent")
    )
    charge_not_found: bool = field(default=False, metadata=_meta("bill 1 credit for a 404"))
    fault_seed: int = field(default=0, metadata=_meta("seed of the fault and latency draws"))
    clock: str | None = field(
        default=None, metadata=_meta("simulated date YYYY-MM-DD (default: real today)")
    )
    max_pages: int = field(default=5, metadata=_meta("depth of search and hashtag feeds, in pages"))
    echo_date: bool = field(
        default=True,
        metadata=_meta(
            "echo X-Sim-Date: D (the date answered as of) on every API answer; false stands in "
            "for an API that serves only current counts (it still answers as of the date)"
        ),
    )
    bad_items: tuple[str, ...] = field(
        default=(),
        metadata=_meta(
            "permanently bad video items, as KIND:USERNAME: the creator's second-newest video is "
            "corrupted in every user/posts, search, hashtag and video answer that holds it. "
            "KIND: future_time (create_time 1e12 s, the year 33658), huge_count (play_count "
            "2**64+5), negative_count (digg_count -3), missing_id (no aweme_id), wrong_type "
            '(share_count {"n": 1})'
        ),
    )
    bad_profile: tuple[str, ...] = field(
        default=(),
        metadata=_meta("usernames whose profile answer has follower_count -1"),
    )

    def __post_init__(self) -> None:
        # Normalise the "unlimited" spellings so the server only ever tests for None.
        for name in ("in_flight_cap", "per_minute"):
            if getattr(self, name) is not None and getattr(self, name) <= 0:
                object.__setattr__(self, name, None)
        for name in _TUPLES:
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))
        self.validate()

    def validate(self) -> None:
        """Raise ValueError naming the first setting that is out of range."""
        if self.creators < 1:
            raise ValueError("creators must be at least 1")
        if not self.api_keys or any(not isinstance(k, str) or not k for k in self.api_keys):
            raise ValueError("api_keys must hold at least one non-empty key")
        for name in ("error_rate", "timeout_rate", "malformed_rate", "empty_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {value}")
        if self.error_rate + self.timeout_rate > 1.0:
            raise ValueError("error_rate + timeout_rate must not exceed 1")
        for name in ("latency_ms", "latency_jitter_ms", "timeout_hold_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.timeout_action not in TIMEOUT_ACTIONS:
            raise ValueError(f"timeout_action must be one of {', '.join(TIMEOUT_ACTIONS)}")
        if self.credit_balance is not None and self.credit_balance < 0:
            raise ValueError("credit_balance must not be negative")
        if self.max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        if self.clock is not None:
            from .population import parse_day

            parse_day(self.clock)
        self.bad_item_specs()
        if any(not isinstance(name, str) or not name for name in self.bad_profile):
            raise ValueError("bad_profile must hold usernames")

    def bad_item_specs(self) -> list[tuple[str, str]]:
        """``bad_items`` as (kind, username) pairs; raises ValueError for a malformed entry."""
        specs = []
        for spec in self.bad_items:
            kind, _, username = spec.partition(":") if isinstance(spec, str) else ("", "", "")
            if kind not in BAD_ITEM_KINDS or not username:
                raise ValueError(
                    f"bad_items entries must be KIND:USERNAME with KIND one of "
                    f"{', '.join(BAD_ITEM_KINDS)}, got {spec!r}"
                )
            specs.append((kind, username))
        return specs

    @property
    def plan_name(self) -> str:
        """The plan reported in 429 bodies: explicit, or the vendor plan whose cap matches."""
        if self.plan:
            return self.plan
        if self.in_flight_cap is None:
            return "enterprise"
        return PLAN_BY_CAP.get(self.in_flight_cap, "custom")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict of every setting."""
        data = dataclasses.asdict(self)
        for name in _TUPLES:
            data[name] = list(getattr(self, name))
        return data

    def replace(self, **changes: Any) -> SimulatorConfig:
        """A copy with some settings changed (validated)."""
        return dataclasses.replace(self, **coerce_settings(changes))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SimulatorConfig:
        """Build from a mapping of settings; unknown names raise ValueError."""
        return cls(**coerce_settings(data))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SimulatorConfig:
        """Defaults overridden by ``SCAVIO_SIM_<SETTING>`` variables (lists comma-separated)."""
        return cls(**env_settings(environ))


FIELDS: dict[str, dataclasses.Field] = {f.name: f for f in dataclasses.fields(SimulatorConfig)}
RUNTIME_FIELDS = frozenset(name for name, f in FIELDS.items() if f.metadata["runtime"])

_OPTIONAL_INTS = {"in_flight_cap", "per_minute", "credit_balance"}
_INTS = {"seed", "creators", "fault_seed", "max_pages"}
_FLOATS = {
    "latency_ms", "latency_jitter_ms", "error_rate", "timeout_rate", "timeout_hold_s",
    "malformed_rate", "empty_rate",
}  # fmt: skip
_OPTIONAL_STRS = {"plan", "clock"}
_BOOLS = {"charge_not_found", "echo_date"}
_TRUE_WORDS = ("1", "true", "yes", "on")
_FALSE_WORDS = ("0", "false", "no", "off")
_TUPLES = ("api_keys", "bad_items", "bad_profile")


def _convert(name: str, value: Any) -> Any:
    if name in _TUPLES:
        if isinstance(value, str):
            return tuple(k.strip() for k in value.split(",") if k.strip())
        return tuple(value)
    if name in _OPTIONAL_INTS:
        if value is None or (
            isinstance(value, str) and value.strip().lower() in ("", "none", "unlimited")
        ):
            return None
        return int(value)
    if name in _INTS:
        return int(value)
    if name in _FLOATS:
        return float(value)
    if name in _BOOLS:
        if isinstance(value, str):
            # Strict: a typo must not quietly turn echo_date off and hide the date check.
            text = value.strip().lower()
            if text not in _TRUE_WORDS + _FALSE_WORDS:
                raise ValueError(f"{name} must be true or false, got {value!r}")
            return text in _TRUE_WORDS
        return bool(value)
    if name in _OPTIONAL_STRS:
        return None if value in (None, "") else str(value)
    return str(value)


def coerce_settings(data: Mapping[str, Any]) -> dict[str, Any]:
    """Convert setting values from JSON, env or CLI text to their field types."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown simulator setting(s): {', '.join(unknown)}")
    try:
        return {name: _convert(name, value) for name, value in data.items()}
    except (TypeError, ValueError) as exc:
        raise ValueError(f"invalid simulator setting: {exc}") from exc


def env_name(setting: str) -> str:
    """The environment variable of a setting (``latency_ms`` -> ``SCAVIO_SIM_LATENCY_MS``)."""
    return f"SCAVIO_SIM_{setting.upper()}"


def env_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Settings found in ``SCAVIO_SIM_*`` variables (``SCAVIO_SIM_API_KEY`` is accepted too)."""
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    for name in FIELDS:
        if env_name(name) in environ:
            raw[name] = environ[env_name(name)]
    if "api_keys" not in raw and "SCAVIO_SIM_API_KEY" in environ:
        raw["api_keys"] = environ["SCAVIO_SIM_API_KEY"]
    return coerce_settings(raw)
