"""Configuration: settings from the environment, and the roster and query files.

Every setting has an environment variable; the defaults run the project offline against the
bundled simulator with its demo key, so a new user needs nothing to try it. Against the real API,
set ``SCAVIO_BASE_URL=https://api.scavio.dev`` and ``SCAVIO_API_KEY``.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PACKAGE_DIR = Path(__file__).resolve().parent
INCLUDE_DIR = PACKAGE_DIR.parent
DEFAULT_CREATORS_FILE = INCLUDE_DIR / "creators.csv"
DEFAULT_QUERIES_FILE = INCLUDE_DIR / "queries.csv"
DEFAULT_BRANDS_FILE = INCLUDE_DIR / "brands.csv"

SIMULATOR_BASE_URL = "http://127.0.0.1:8765"
SIMULATOR_DEMO_KEY = "sim-demo-key"
QUERY_TYPES = ("keyword", "hashtag")

# TikTok handles: letters, digits, underscores and periods, 2 to 24 characters.
_HANDLE = re.compile(r"[A-Za-z0-9_.]{2,24}")
_HANDLE_HAS_ALNUM = re.compile(r"[A-Za-z0-9]")
_HASHTAG = re.compile(r"^\w{1,100}$")
# A comment line is "#" followed by a space or nothing, so "#gym,hashtag" stays a query row.
_COMMENT = re.compile(r"^\s*#(\s|$)")
_NICHE = re.compile(r"^[a-z0-9][a-z0-9_ -]{0,39}$")

# No roster or query field needs more (handles are at most 24, keywords 500); a longer one is a
# pasted blob or a broken quote, and the csv module's own limit would fail without a line number.
MAX_FIELD_CHARS = 1000
# Characters that render invisibly or reorder the text around them, so a handle or keyword can look
# like another one in review ("Trojan source"); rejected along with every Cc/Cf/Zl/Zp character.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class ConfigError(ValueError):
    """A setting, roster row or query row is invalid; the message names it."""


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in {"localhost", "::1"} or host.startswith("127.")


@dataclass(frozen=True)
class _Rule:
    """How one setting is read and what it may be: its variable, type, bounds and unit."""

    env: str
    kind: type
    unit: str = ""
    minimum: int | float | None = None  # inclusive
    above: int | float | None = None  # exclusive
    maximum: int | float | None = None  # inclusive
    maximum_why: str | None = None


_RULES: dict[str, _Rule] = {
    "max_in_flight": _Rule("SCAVIO_MAX_IN_FLIGHT", int, "requests in flight", minimum=1),
    "requests_per_second": _Rule(
        "SCAVIO_REQUESTS_PER_SECOND", float, "requests per second", above=0
    ),
    "requests_per_minute": _Rule(
        "SCAVIO_REQUESTS_PER_MINUTE", float, "requests per minute", above=0
    ),
    "timeout_s": _Rule("SCAVIO_TIMEOUT", float, "seconds per request", above=0),
    "max_attempts": _Rule(
        "SCAVIO_MAX_ATTEMPTS", int, "attempts per request", minimum=1, maximum=10
    ),
    "credit_budget": _Rule(
        "SCAVIO_CREDIT_BUDGET", int, "credits per run; 0 spends nothing", minimum=0
    ),
    "daily_credit_budget": _Rule(
        "SCAVIO_DAILY_CREDIT_BUDGET",
        int,
        "credits per snapshot date, across runs; 0 spends nothing",
        minimum=0,
    ),
    "credit_reserve": _Rule(
        "SCAVIO_CREDIT_RESERVE", int, "credits to leave on the account", minimum=0
    ),
    "price_per_credit": _Rule("SCAVIO_PRICE_PER_CREDIT", float, "USD per credit", above=0),
    "profile_refresh_days": _Rule(
        "TIKTOK_PROFILE_REFRESH_DAYS", int, "days between profile refreshes", minimum=1
    ),
    "posts_per_creator": _Rule(
        "TIKTOK_POSTS_PER_CREATOR",
        int,
        "posts per creator",
        minimum=1,
        maximum=30,
        maximum_why="the API's maximum for user/posts count",
    ),
    "search_pages": _Rule("TIKTOK_SEARCH_PAGES", int, "pages per search", minimum=1, maximum=10),
    "comments_min_age_hours": _Rule(
        "TIKTOK_COMMENTS_MIN_AGE_HOURS", int, "hours a video must be old to be sampled", minimum=0
    ),
    "comments_max_age_days": _Rule(
        "TIKTOK_COMMENTS_MAX_AGE_DAYS",
        int,
        "days a video may be old to be sampled",
        minimum=1,
        maximum=365,
    ),
    "comment_pages": _Rule(
        "TIKTOK_COMMENT_PAGES", int, "comment pages of 50 per sampled video", minimum=1, maximum=20
    ),
    "comments_top_query_videos": _Rule(
        "TIKTOK_COMMENTS_TOP_QUERY_VIDEOS",
        int,
        "most-shared videos per query to sample; 0 is off",
        minimum=0,
        maximum=100,
    ),
    "comments_daily_credits": _Rule(
        "TIKTOK_COMMENTS_DAILY_CREDITS",
        int,
        "comment credits a snapshot date's plan may use; 0 samples nothing",
        minimum=0,
    ),
    "followings_max_pages": _Rule(
        "TIKTOK_FOLLOWINGS_MAX_PAGES",
        int,
        "pages of 20 followed accounts a creator's backfill may fetch",
        minimum=1,
        maximum=500,
    ),
    "followings_refresh_days": _Rule(
        "TIKTOK_FOLLOWINGS_REFRESH_DAYS",
        int,
        "days between refreshes of a creator's latest follows",
        minimum=1,
        maximum=365,
    ),
    "duckdb_threads": _Rule(
        "TIKTOK_DUCKDB_THREADS", int, "DuckDB threads of a warehouse build", minimum=1
    ),
    "sim_clock_header": _Rule("SCAVIO_SIM_CLOCK_HEADER", bool),
    "fresh_capture": _Rule("TIKTOK_FRESH_CAPTURE", bool),
}

# The environment variable of every validated setting, by field name (for messages and docs).
SETTING_ENV: Mapping[str, str] = {name: rule.env for name, rule in _RULES.items()}

_INTEGER = re.compile(r"[+-]?[0-9]+")


def validate_setting(name: str, value: Any, *, label: str | None = None) -> Any:
    """Check one setting and return it as its field's type.

    ``name`` is the :class:`Settings` field (``"max_in_flight"``); ``value`` is the text of an
    environment variable or a typed value. Raises :class:`ConfigError` naming the setting as
    ``label`` (by default its environment variable, e.g. ``SCAVIO_MAX_IN_FLIGHT``) and the bad
    value, e.g. ``SCAVIO_PRICE_PER_CREDIT='0' must be greater than 0 (USD per credit)``. Raises
    ``KeyError`` for a field that has no rule.
    """
    rule = _RULES[name]
    label = label or rule.env
    text = value.strip() if isinstance(value, str) else str(value)
    # An option is shown as typed ("--budget -1"), a variable as an assignment with its raw text.
    if label.startswith("-"):
        shown = f"{label} {text}"
    else:
        shown = f"{label}={text!r}" if isinstance(value, str) else f"{label}={value!r}"
    unit = f" ({rule.unit})" if rule.unit else ""

    if rule.kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise ConfigError(f"{shown} must be one of true/false, yes/no, on/off, 1/0")

    number: int | float
    if rule.kind is int:
        if isinstance(value, str) and _INTEGER.fullmatch(text):
            number = int(text)
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            raise ConfigError(f"{shown} is not a whole number{unit}")
    else:
        try:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise ValueError
            number = float(text if isinstance(value, str) else value)
        except (ValueError, OverflowError):
            raise ConfigError(f"{shown} is not a number{unit}") from None
        if not math.isfinite(number):
            raise ConfigError(f"{shown} must be a finite number{unit}")

    if rule.minimum is not None and number < rule.minimum:
        raise ConfigError(f"{shown} must be at least {rule.minimum}{unit}")
    if rule.above is not None and number <= rule.above:
        raise ConfigError(f"{shown} must be greater than {rule.above}{unit}")
    if rule.maximum is not None and number > rule.maximum:
        why = f" ({rule.maximum_why})" if rule.maximum_why else unit
        raise ConfigError(f"{shown} must be at most {rule.maximum}{why}")
    return number


# DuckDB's memory_limit syntax: a number and a unit ("2GB", "1.5GiB", "800MB") or a percentage.
_MEMORY_LIMIT = re.compile(r"\s*\d+(\.\d+)?\s*([KMGT]i?B|%)\s*", re.IGNORECASE)
DEFAULT_PRICE_PER_CREDIT = 0.005
# Two of the machine's cores and 2 GB leave room for the extract tasks and Airflow beside a build;
# DuckDB spills to the temporary directory past the limit instead of growing.
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"
DEFAULT_DUCKDB_THREADS = 2
_STORAGE_FIELDS = (
    "data_dir",
    "landing_uri",
    "price_per_credit",
    "duckdb_memory_limit",
    "duckdb_threads",
    "duckdb_temp_dir",
)


def _check_memory_limit(value: str, label: str) -> str:
    if not _MEMORY_LIMIT.fullmatch(value):
        raise ConfigError(
            f"{label}={value!r} is not a DuckDB memory limit (a size such as 2GB or 1.5GiB, or a "
            "percentage such as 50%)"
        )
    return value.strip()


@dataclass(frozen=True)
class StorageSettings:
    """Where the data lives and how the warehouse builds it; nothing about the Scavio API.

    The warehouse, its DAG and the report read these alone, so they never need the API's
    connection. ``warehouse_root`` and ``exports_root`` replace the directories below
    ``data_dir`` for a caller that keeps them elsewhere; no environment variable sets them.
    """

    data_dir: Path = Path("data")
    landing_uri: str | None = None
    price_per_credit: float = DEFAULT_PRICE_PER_CREDIT
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    duckdb_threads: int = DEFAULT_DUCKDB_THREADS
    duckdb_temp_dir: Path | None = None
    warehouse_root: Path | None = None
    exports_root: Path | None = None

    def __post_init__(self) -> None:
        validate_setting(
            "price_per_credit", self.price_per_credit, label="StorageSettings.price_per_credit"
        )
        validate_setting(
            "duckdb_threads", self.duckdb_threads, label="StorageSettings.duckdb_threads"
        )
        _check_memory_limit(self.duckdb_memory_limit, "StorageSettings.duckdb_memory_limit")

    @property
    def landing_root(self) -> str:
        """Local path or object-store URI of the landing zone."""
        return self.landing_uri or str(self.data_dir / "landing")

    @property
    def warehouse_dir(self) -> Path:
        return self.warehouse_root or self.data_dir / "warehouse"

    @property
    def exports_dir(self) -> Path:
        return self.exports_root or self.data_dir / "exports"

    @property
    def report_dir(self) -> Path:
        return self.data_dir / "report"

    @property
    def state_dir(self) -> Path:
        """Credit register and request journals of this host's loads."""
        return self.data_dir / "state"

    @property
    def duckdb_temp_directory(self) -> Path:
        """Where DuckDB spills past its memory limit (default ``<warehouse>/work/tmp``)."""
        return self.duckdb_temp_dir or self.warehouse_dir / "work" / "tmp"

    @property
    def duckdb_config(self) -> dict[str, str]:
        """DuckDB's limits for every connection of a build (dbt's and publishing's alike).

        Given when a connection opens: DuckDB refuses to move ``temp_directory`` once a query has
        spilled to it.
        """
        return {
            "memory_limit": self.duckdb_memory_limit,
            "threads": str(self.duckdb_threads),
            "temp_directory": str(self.duckdb_temp_directory),
        }

    def resolved(self) -> StorageSettings:
        """The same settings with absolute local paths, for processes with another working dir."""
        landing = self.landing_uri
        if landing is not None and "://" not in landing:
            landing = str(Path(landing).resolve())

        def absolute(path: Path | None) -> Path | None:
            return None if path is None else path.resolve()

        return replace(
            self,
            data_dir=self.data_dir.resolve(),
            landing_uri=landing,
            duckdb_temp_dir=absolute(self.duckdb_temp_dir),
            warehouse_root=absolute(self.warehouse_root),
            exports_root=absolute(self.exports_root),
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StorageSettings:
        """Read the storage settings from environment variables (``os.environ`` by default).

        - ``TIKTOK_DATA_DIR``: data root (default ``data``); landing, warehouse, exports, report
          and state below it. The one place this variable is read.
        - ``TIKTOK_LANDING_URI``: landing zone path or object-store URI (default
          ``$TIKTOK_DATA_DIR/landing``).
        - ``SCAVIO_PRICE_PER_CREDIT``: USD per credit for estimates and usage, > 0 (default 0.005).
        - ``TIKTOK_DUCKDB_MEMORY_LIMIT``: DuckDB's memory limit in a build (default ``2GB``).
        - ``TIKTOK_DUCKDB_THREADS``: DuckDB's threads, and dbt's, in a build, >= 1 (default 2).
        - ``TIKTOK_DUCKDB_TEMP_DIR``: where DuckDB spills (default ``<warehouse>/work/tmp``).
        """
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        checked: dict[str, Any] = {}
        for name in ("price_per_credit", "duckdb_threads"):
            raw = get(_RULES[name].env)
            if raw is not None:
                checked[name] = validate_setting(name, raw)
        memory = get("TIKTOK_DUCKDB_MEMORY_LIMIT")
        if memory is not None:
            checked["duckdb_memory_limit"] = _check_memory_limit(
                memory, "TIKTOK_DUCKDB_MEMORY_LIMIT"
            )
        temp_dir = get("TIKTOK_DUCKDB_TEMP_DIR")
        return cls(
            data_dir=Path(get("TIKTOK_DATA_DIR") or "data"),
            landing_uri=get("TIKTOK_LANDING_URI"),
            duckdb_temp_dir=Path(temp_dir) if temp_dir else None,
            **checked,
        )


@dataclass(frozen=True)
class Settings:
    """Everything a run needs, resolved once; see :meth:`from_env` for the variables.

    The API settings and the storage settings (:attr:`storage`, a :class:`StorageSettings`) in
    one flat object, so ``Settings(data_dir=...)`` and ``settings.landing_root`` keep working.
    Every numeric and boolean field is validated on construction, so no code path (the
    environment, the CLI, an Airflow connection, a test) can build settings a run would misuse.
    """

    base_url: str = SIMULATOR_BASE_URL
    api_key: str = field(default=SIMULATOR_DEMO_KEY, repr=False)
    data_dir: Path = Path("data")
    landing_uri: str | None = None
    creators_file: Path = DEFAULT_CREATORS_FILE
    queries_file: Path = DEFAULT_QUERIES_FILE
    # None: no brands are tracked (see from_env for when the bundled file applies).
    brands_file: Path | None = DEFAULT_BRANDS_FILE
    max_in_flight: int = 5
    requests_per_second: float | None = None
    requests_per_minute: float | None = None
    timeout_s: float = 30.0
    max_attempts: int = 4
    credit_budget: int | None = None
    price_per_credit: float = DEFAULT_PRICE_PER_CREDIT
    profile_refresh_days: int = 7
    posts_per_creator: int = 20
    search_pages: int = 2
    sim_clock_header: bool = True
    daily_credit_budget: int | None = None
    credit_reserve: int | None = None
    fresh_capture: bool = False
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    duckdb_threads: int = DEFAULT_DUCKDB_THREADS
    duckdb_temp_dir: Path | None = None
    comments_min_age_hours: int = 48
    comments_max_age_days: int = 14
    comment_pages: int = 1
    comments_top_query_videos: int = 0
    comments_daily_credits: int | None = None
    followings_max_pages: int = 25
    followings_refresh_days: int = 7

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in _RULES and value is not None:
                validate_setting(item.name, value, label=f"Settings.{item.name}")
        _check_memory_limit(self.duckdb_memory_limit, "Settings.duckdb_memory_limit")
        if self.comments_min_age_hours >= self.comments_max_age_days * 24:
            # An empty window would sample nothing, ever, without saying so.
            raise ConfigError(
                f"TIKTOK_COMMENTS_MIN_AGE_HOURS={self.comments_min_age_hours} must be below "
                f"TIKTOK_COMMENTS_MAX_AGE_DAYS={self.comments_max_age_days} x 24 hours, or no "
                "video is ever old enough and young enough to have its comments sampled"
            )

    @property
    def storage(self) -> StorageSettings:
        """The storage part of these settings."""
        return StorageSettings(**{name: getattr(self, name) for name in _STORAGE_FIELDS})

    @property
    def landing_root(self) -> str:
        """Local path or object-store URI of the landing zone."""
        return self.storage.landing_root

    @property
    def warehouse_dir(self) -> Path:
        return self.storage.warehouse_dir

    @property
    def exports_dir(self) -> Path:
        return self.storage.exports_dir

    @property
    def report_dir(self) -> Path:
        return self.storage.report_dir

    @property
    def state_dir(self) -> Path:
        return self.storage.state_dir

    @property
    def uses_simulator(self) -> bool:
        return _is_loopback(self.base_url)

    def with_overrides(
        self, *, labels: Mapping[str, str] | None = None, **changes: Any
    ) -> Settings:
        """A copy with ``changes`` applied; a change of ``None`` leaves the field unchanged.

        Each change is validated by :func:`validate_setting`; ``labels`` maps a field to the name
        the user typed it under (``{"max_in_flight": "--max-in-flight"}``) so the error names
        that, rather than the environment variable.
        """
        labels = labels or {}
        checked = {}
        for name, value in changes.items():
            if value is None:
                continue
            if name in _RULES:
                value = validate_setting(name, value, label=labels.get(name))
            checked[name] = value
        return replace(self, **checked)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from environment variables (``os.environ`` by default).

        A variable that is missing or empty takes its default; one that is set is validated and
        never silently replaced: a bad value raises :class:`ConfigError` naming the variable.

        Endpoint and files:

        - ``SCAVIO_BASE_URL``: the API (default the local simulator, ``http://127.0.0.1:8765``).
        - ``SCAVIO_API_KEY``: the bearer key; required unless the base URL is loopback, where the
          simulator's demo key is the default.
        - Storage: ``TIKTOK_DATA_DIR``, ``TIKTOK_LANDING_URI``, ``SCAVIO_PRICE_PER_CREDIT`` and
          the DuckDB settings, read by :meth:`StorageSettings.from_env`.
        - ``TIKTOK_CREATORS_FILE``, ``TIKTOK_QUERIES_FILE``: roster and query CSVs (default the
          bundled ``include/creators.csv`` and ``include/queries.csv``).
        - ``TIKTOK_BRANDS_FILE``: the brands CSV (:mod:`tiktok_engagement.brands`). Unset: the
          bundled ``include/brands.csv``, but only while the roster and the query list are the
          bundled ones too (its brands are the bundled world's; a roster or query file of your
          own never gets them mixed in) and only if that file is there. Set but empty: no
          brands. A path: that file, which must exist.

        Client:

        - ``SCAVIO_MAX_IN_FLIGHT``: concurrent requests, a whole number >= 1 (default 5).
        - ``SCAVIO_REQUESTS_PER_SECOND``, ``SCAVIO_REQUESTS_PER_MINUTE``: rate limits, numbers
          > 0 (default none).
        - ``SCAVIO_TIMEOUT``: seconds per request, > 0 (default 30).
        - ``SCAVIO_MAX_ATTEMPTS``: attempts per request including the first, 1-10 (default 4).
        - ``SCAVIO_SIM_CLOCK_HEADER``: send ``X-Sim-Date`` (true/false, yes/no, on/off, 1/0;
          default true on loopback, false elsewhere).

        Credits:

        - ``SCAVIO_CREDIT_BUDGET``: credits one run may spend, >= 0; 0 spends nothing (default
          no cap).
        - ``SCAVIO_DAILY_CREDIT_BUDGET``: credits all runs of one snapshot date may spend
          together, >= 0 (default no cap).
        - ``SCAVIO_CREDIT_RESERVE``: stop before the account's ``credits_remaining`` would fall
          below this, >= 0 (default none).

        Extraction:

        - ``TIKTOK_PROFILE_REFRESH_DAYS``: days between profile refreshes, >= 1 (default 7).
        - ``TIKTOK_POSTS_PER_CREATOR``: latest posts per creator, 1-30, the API's maximum
          (default 20).
        - ``TIKTOK_SEARCH_PAGES``: result pages per search without a ``pages`` column, 1-10
          (default 2).
        - ``TIKTOK_FRESH_CAPTURE``: fetch everything again even where an earlier attempt of the
          date landed it (true/false, yes/no, on/off, 1/0; default false).

        Comments (the sampling policy, :mod:`tiktok_engagement.comments.sampling`):

        - ``TIKTOK_COMMENTS_MIN_AGE_HOURS``: a video is sampled once it is this old, >= 0
          (default 48).
        - ``TIKTOK_COMMENTS_MAX_AGE_DAYS``: and no older than this, 1-365 (default 14); the
          window must not be empty.
        - ``TIKTOK_COMMENT_PAGES``: pages of 50 comments per sampled video, 1-20 (default 1).
        - ``TIKTOK_COMMENTS_TOP_QUERY_VIDEOS``: also the N most-shared videos of each query's
          results, 0-100 (default 0, off).
        - ``TIKTOK_COMMENTS_DAILY_CREDITS``: comment credits a date's plan may use, >= 0
          (default no cap); the videos left out stay due for the next days.

        The creator graph (the followings policy, :mod:`tiktok_engagement.graph.sampling`):

        - ``TIKTOK_FOLLOWINGS_MAX_PAGES``: pages of 20 followed accounts a roster creator's
          one-time backfill may fetch, 1-500 (default 25).
        - ``TIKTOK_FOLLOWINGS_REFRESH_DAYS``: after it, page 1 (the latest follows) is fetched
          again every this many days, 1-365 (default 7).

        Numbers must be finite: ``nan`` and ``inf`` are rejected everywhere.
        """
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        base_url = (get("SCAVIO_BASE_URL") or SIMULATOR_BASE_URL).rstrip("/")
        api_key = get("SCAVIO_API_KEY")
        if api_key is None:
            if not _is_loopback(base_url):
                raise ConfigError(
                    f"SCAVIO_API_KEY is not set, and SCAVIO_BASE_URL ({base_url}) is not the local "
                    "simulator: set the key (or the Airflow connection scavio_default)"
                )
            api_key = SIMULATOR_DEMO_KEY
        storage = StorageSettings.from_env(env)
        checked: dict[str, Any] = {"sim_clock_header": _is_loopback(base_url)}
        for name, rule in _RULES.items():
            raw = get(rule.env)
            if raw is not None and name not in _STORAGE_FIELDS:
                checked[name] = validate_setting(name, raw)
        creators_file = Path(get("TIKTOK_CREATORS_FILE") or DEFAULT_CREATORS_FILE)
        queries_file = Path(get("TIKTOK_QUERIES_FILE") or DEFAULT_QUERIES_FILE)
        brands_file = brands_file_from_env(env)
        return cls(
            base_url=base_url,
            api_key=api_key,
            **{name: getattr(storage, name) for name in _STORAGE_FIELDS},
            creators_file=creators_file,
            queries_file=queries_file,
            brands_file=brands_file,
            **checked,
        )


def brands_file_from_env(env: Mapping[str, str] | None = None) -> Path | None:
    """The brands file of :meth:`Settings.from_env` (``TIKTOK_BRANDS_FILE``; None: no brands).

    On its own so that the warehouse build, which reads no API settings, tracks the same brands
    as the extraction: unset, the bundled file while the roster and the query list are the
    bundled ones; set but empty, none; a path, that file.
    """
    env = os.environ if env is None else env

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    if "TIKTOK_BRANDS_FILE" in env:
        brands = get("TIKTOK_BRANDS_FILE")
        return Path(brands) if brands else None
    creators_file = Path(get("TIKTOK_CREATORS_FILE") or DEFAULT_CREATORS_FILE)
    queries_file = Path(get("TIKTOK_QUERIES_FILE") or DEFAULT_QUERIES_FILE)
    if _same_file(creators_file, DEFAULT_CREATORS_FILE) and _same_file(
        queries_file, DEFAULT_QUERIES_FILE
    ):
        return DEFAULT_BRANDS_FILE
    return None


def _same_file(path: Path, bundled: Path) -> bool:
    """Whether ``path`` names the bundled file (as given, or resolved from the working dir)."""
    return path == bundled or path.resolve() == bundled.resolve()


@dataclass(frozen=True)
class Creator:
    """A tracked creator: the roster handle (without @) and its niche."""

    username: str
    niche: str


@dataclass(frozen=True)
class Query:
    """A tracked search: a keyword, or a hashtag name (without #)."""

    query: str
    query_type: str
    pages: int | None = None


def _decode(path: Path, data: bytes) -> str:
    """The file's text without a leading BOM; any other encoding fails naming its first bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError(f"{path} line 1: the file is UTF-16, not UTF-8; save the file as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        # Everything before the first bad byte decodes, so the column counts characters.
        column = len(data[line_start : exc.start].decode("utf-8-sig")) + 1
        raise ConfigError(
            f"{path} line {line}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at column "
            f"{column}); save the file as UTF-8"
        ) from None


def _check_fields(where: str, values: list[str], names: list[str] | None) -> None:
    """Reject a field that is over the length limit or holds a control or bidi character."""
    for index, value in enumerate(values):
        column = f"column {index + 1}"
        if names is not None and index < len(names):
            column += f" ({names[index]})"
        if len(value) > MAX_FIELD_CHARS:
            raise ConfigError(
                f"{where}, {column}: the field is {len(value)} characters long, more than the "
                f"limit of {MAX_FIELD_CHARS}"
            )
        for char in value:
            if char in _BIDI_CONTROLS or unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
                name = unicodedata.name(char, "")
                described = f"U+{ord(char):04X}" + (f" {name}" if name else "")
                if char in _BIDI_CONTROLS:
                    kind, why = "bidirectional-control", "it can make the text display reordered"
                else:
                    kind, why = "control", "fields must be plain, printable text"
                raise ConfigError(f"{where}, {column}: {kind} character {described} ({why})")


def read_rows(
    path: Path, required: tuple[str, ...], allowed: tuple[str, ...] | None = None
) -> list[tuple[int, dict[str, str]]]:
    """CSV rows with their 1-based line numbers; header checked; blank and comment lines skipped.

    Each row must sit on one line: a quoted field may hold commas but not a line break, so every
    error can name the line a reader sees in an editor. With ``allowed``, a header column outside
    ``required`` and ``allowed`` is an error too.
    """
    if not path.is_file():
        raise ConfigError(f"{path}: file not found")
    text = _decode(path, path.read_bytes())
    header: list[str] | None = None
    rows = []
    # newline="" splits on \n, \r\n and \r only, as open() does, never on U+2028 and the like.
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if not line.strip() or _COMMENT.match(line):
            continue
        where = f"{path} line {number}"
        if not line.endswith(("\n", "\r")):
            line += "\n"  # so a quote left open on the last line shows as one, too
        try:
            values = next(csv.reader([line]))
        except csv.Error as exc:
            # The csv module's own field limit is far above ours, so a line that long broke ours.
            if len(line) > MAX_FIELD_CHARS:
                raise ConfigError(
                    f"{where}: a field is longer than the limit of {MAX_FIELD_CHARS} characters"
                ) from None
            raise ConfigError(f"{where}: not a valid CSV row ({exc})") from None
        if any("\n" in value or "\r" in value for value in values):
            raise ConfigError(
                f"{where}: multi-line quoted field (a quote opened on this line is not closed on "
                "it); keep each row on one line and close every quote"
            )
        _check_fields(where, values, header)
        if header is None:
            header = [h.strip().lower() for h in values]
            missing = [c for c in required if c not in header]
            if missing:
                raise ConfigError(
                    f"{where}: header lacks column(s) {', '.join(missing)}; got {header}"
                )
            repeated = sorted({h for h in header if h and header.count(h) > 1})
            if repeated:
                raise ConfigError(f"{where}: header repeats column(s) {', '.join(repeated)}")
            if allowed is not None:
                known = (*required, *allowed)
                unknown = [h for h in header if h not in known]
                if unknown:
                    raise ConfigError(
                        f"{where}: unknown column(s) {', '.join(map(repr, unknown))}; the "
                        f"columns are {', '.join(known)}"
                    )
            continue
        if len(values) > len(header):
            raise ConfigError(
                f"{where}: {len(values)} fields, header has {len(header)} (quote values that "
                "contain commas)"
            )
        rows.append(
            (
                number,
                {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)},
            )
        )
    if header is None:
        raise ConfigError(f"{path}: the file is empty (expected a header: {','.join(required)})")
    return rows


def check_handle(where: str, handle: str, what: str = "username") -> None:
    """Raise :class:`ConfigError` at ``where`` unless ``handle`` (without @) is one TikTok allows."""
    if not _HANDLE.fullmatch(handle):
        raise ConfigError(
            f"{where}: {what} {handle!r} is not a TikTok handle "
            "(2-24 characters: letters, digits, '_' and '.')"
        )
    if not _HANDLE_HAS_ALNUM.search(handle):
        raise ConfigError(
            f"{where}: {what} {handle!r} is not a TikTok handle "
            "(it needs at least one letter or digit)"
        )
    if handle.endswith("."):
        raise ConfigError(
            f"{where}: {what} {handle!r} is not a TikTok handle (it may not end with '.')"
        )


def load_roster(path: Path) -> list[Creator]:
    """Read and validate the roster CSV (``username,niche``).

    Raises :class:`ConfigError` naming the file and line of the first bad row: an empty roster, a
    missing field, a handle TikTok would not allow (quotes, slashes, SQL, spaces, no letter or
    digit, a final '.'...), a bad niche, or a duplicate handle; and for a file that is not UTF-8,
    a multi-line quoted field, an overlong field or a control or bidirectional character.
    """
    creators: list[Creator] = []
    seen: dict[str, int] = {}
    for number, row in read_rows(path, ("username", "niche")):
        where = f"{path} line {number}"
        username = row["username"].removeprefix("@")
        if not username:
            raise ConfigError(f"{where}: username is empty")
        check_handle(where, username)
        niche = row["niche"].lower()
        if not _NICHE.match(niche):
            raise ConfigError(
                f"{where}: niche {row['niche']!r} must be 1-40 characters of letters, digits, "
                "spaces, '_' or '-'"
            )
        key = username.lower()
        if key in seen:
            raise ConfigError(f"{where}: username {username!r} already appears on line {seen[key]}")
        seen[key] = number
        creators.append(Creator(username=username, niche=niche))
    if not creators:
        raise ConfigError(f"{path}: the roster has no creators")
    return creators


def load_queries(path: Path) -> list[Query]:
    """Read and validate the query CSV (``query,type`` and an optional ``pages`` column).

    Raises :class:`ConfigError` naming the file and line, as :func:`load_roster` does for the file
    itself, and for an unknown type, a bad hashtag or keyword, bad pages or a duplicate query.
    """
    queries: list[Query] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in read_rows(path, ("query", "type")):
        where = f"{path} line {number}"
        query_type = row["type"].lower()
        if query_type not in QUERY_TYPES:
            raise ConfigError(
                f"{where}: type {row['type']!r} is not one of {', '.join(QUERY_TYPES)}"
            )
        text = row["query"]
        if query_type == "hashtag":
            text = text.removeprefix("#")
            if not _HASHTAG.match(text):
                raise ConfigError(
                    f"{where}: hashtag {row['query']!r} must be letters, digits or '_' only"
                )
        elif not 1 <= len(text) <= 500 or any(ord(c) < 32 for c in text):
            raise ConfigError(f"{where}: keyword must be 1-500 printable characters")
        pages = None
        if row.get("pages"):
            try:
                pages = int(row["pages"])
            except ValueError:
                raise ConfigError(
                    f"{where}: pages {row['pages']!r} is not a whole number"
                ) from None
            if not 1 <= pages <= 10:
                raise ConfigError(f"{where}: pages must be between 1 and 10")
        key = (text.lower(), query_type)
        if key in seen:
            raise ConfigError(f"{where}: {query_type} {text!r} already appears on line {seen[key]}")
        seen[key] = number
        queries.append(Query(query=text, query_type=query_type, pages=pages))
    if not queries:
        raise ConfigError(f"{path}: the query list has no queries")
    return queries
