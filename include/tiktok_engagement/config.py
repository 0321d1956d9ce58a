"""Configuration: settings from the environment, and the roster and query files.

Every setting has an environment variable; the defaults run the project offline against the
bundled simulator with its demo key, so a new user needs nothing to try it. Against the real API,
set ``SCAVIO_BASE_URL=https://api.scavio.dev`` and ``SCAVIO_API_KEY``.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

PACKAGE_DIR = Path(__file__).resolve().parent
INCLUDE_DIR = PACKAGE_DIR.parent
DEFAULT_CREATORS_FILE = INCLUDE_DIR / "creators.csv"
DEFAULT_QUERIES_FILE = INCLUDE_DIR / "queries.csv"

SIMULATOR_BASE_URL = "http://127.0.0.1:8765"
SIMULATOR_DEMO_KEY = "sim-demo-key"
QUERY_TYPES = ("keyword", "hashtag")

# TikTok handles: letters, digits, underscores and periods, 2 to 24 characters.
_HANDLE = re.compile(r"^[A-Za-z0-9_.]{2,24}$")
_HASHTAG = re.compile(r"^\w{1,100}$")
# A comment line is "#" followed by a space or nothing, so "#gym,hashtag" stays a query row.
_COMMENT = re.compile(r"^\s*#(\s|$)")
_NICHE = re.compile(r"^[a-z0-9][a-z0-9_ -]{0,39}$")


class ConfigError(ValueError):
    """A setting, roster row or query row is invalid; the message names it."""


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in {"localhost", "::1"} or host.startswith("127.")


@dataclass(frozen=True)
class Settings:
    """Everything a run needs, resolved once; see :meth:`from_env` for the variables."""

    base_url: str = SIMULATOR_BASE_URL
    api_key: str = field(default=SIMULATOR_DEMO_KEY, repr=False)
    data_dir: Path = Path("data")
    landing_uri: str | None = None
    creators_file: Path = DEFAULT_CREATORS_FILE
    queries_file: Path = DEFAULT_QUERIES_FILE
    max_in_flight: int = 5
    requests_per_second: float | None = None
    requests_per_minute: float | None = None
    timeout_s: float = 30.0
    max_attempts: int = 4
    credit_budget: int | None = None
    price_per_credit: float = 0.005
    profile_refresh_days: int = 7
    posts_per_creator: int = 20
    search_pages: int = 2
    sim_clock_header: bool = True

    @property
    def landing_root(self) -> str:
        """Local path or object-store URI of the landing zone."""
        return self.landing_uri or str(self.data_dir / "landing")

    @property
    def warehouse_dir(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def report_dir(self) -> Path:
        return self.data_dir / "report"

    @property
    def uses_simulator(self) -> bool:
        return _is_loopback(self.base_url)

    def with_overrides(self, **changes) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from environment variables (``os.environ`` by default).

        ``SCAVIO_BASE_URL``, ``SCAVIO_API_KEY``, ``TIKTOK_DATA_DIR``, ``TIKTOK_LANDING_URI``,
        ``TIKTOK_CREATORS_FILE``, ``TIKTOK_QUERIES_FILE``, ``SCAVIO_MAX_IN_FLIGHT``,
        ``SCAVIO_REQUESTS_PER_SECOND``, ``SCAVIO_REQUESTS_PER_MINUTE``, ``SCAVIO_TIMEOUT``,
        ``SCAVIO_MAX_ATTEMPTS``, ``SCAVIO_CREDIT_BUDGET``, ``SCAVIO_PRICE_PER_CREDIT``,
        ``TIKTOK_PROFILE_REFRESH_DAYS``, ``TIKTOK_POSTS_PER_CREATOR``, ``TIKTOK_SEARCH_PAGES``,
        ``SCAVIO_SIM_CLOCK_HEADER``.
        """
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def number(name: str, kind: type, minimum: float) -> float | int | None:
            raw = get(name)
            if raw is None:
                return None
            try:
                value = kind(raw)
            except ValueError:
                raise ConfigError(f"{name}={raw!r} is not a valid {kind.__name__}") from None
            if value < minimum:
                raise ConfigError(f"{name}={raw!r} must be at least {minimum}")
            return value

        base_url = (get("SCAVIO_BASE_URL") or SIMULATOR_BASE_URL).rstrip("/")
        api_key = get("SCAVIO_API_KEY")
        if api_key is None:
            if not _is_loopback(base_url):
                raise ConfigError(
                    f"SCAVIO_API_KEY is not set, and SCAVIO_BASE_URL ({base_url}) is not the local "
                    "simulator: set the key (or the Airflow connection scavio_default)"
                )
            api_key = SIMULATOR_DEMO_KEY
        clock_header = get("SCAVIO_SIM_CLOCK_HEADER")
        return cls(
            base_url=base_url,
            api_key=api_key,
            data_dir=Path(get("TIKTOK_DATA_DIR") or "data"),
            landing_uri=get("TIKTOK_LANDING_URI"),
            creators_file=Path(get("TIKTOK_CREATORS_FILE") or DEFAULT_CREATORS_FILE),
            queries_file=Path(get("TIKTOK_QUERIES_FILE") or DEFAULT_QUERIES_FILE),
            max_in_flight=number("SCAVIO_MAX_IN_FLIGHT", int, 1) or 5,
            requests_per_second=number("SCAVIO_REQUESTS_PER_SECOND", float, 0.001),
            requests_per_minute=number("SCAVIO_REQUESTS_PER_MINUTE", float, 0.001),
            timeout_s=number("SCAVIO_TIMEOUT", float, 0.1) or 30.0,
            max_attempts=number("SCAVIO_MAX_ATTEMPTS", int, 1) or 4,
            credit_budget=number("SCAVIO_CREDIT_BUDGET", int, 0),
            price_per_credit=number("SCAVIO_PRICE_PER_CREDIT", float, 0) or 0.005,
            profile_refresh_days=number("TIKTOK_PROFILE_REFRESH_DAYS", int, 1) or 7,
            posts_per_creator=number("TIKTOK_POSTS_PER_CREATOR", int, 1) or 20,
            search_pages=number("TIKTOK_SEARCH_PAGES", int, 1) or 2,
            sim_clock_header=(
                _is_loopback(base_url)
                if clock_header is None
                else clock_header.lower() in {"1", "true", "yes", "on"}
            ),
        )


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


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """CSV rows with their 1-based line numbers; header checked; blank and comment lines skipped."""
    if not path.is_file():
        raise ConfigError(f"{path}: file not found")
    with path.open(newline="", encoding="utf-8") as handle:
        lines = [
            (n, line)
            for n, line in enumerate(handle, start=1)
            if line.strip() and not _COMMENT.match(line)
        ]
    if not lines:
        raise ConfigError(f"{path}: the file is empty (expected a header: {','.join(required)})")
    reader = csv.reader(line for _, line in lines)
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in required if c not in header]
    if missing:
        raise ConfigError(
            f"{path} line {lines[0][0]}: header lacks column(s) {', '.join(missing)}; got {header}"
        )
    rows = []
    for (number, _), values in zip(lines[1:], reader, strict=True):
        if len(values) > len(header):
            raise ConfigError(
                f"{path} line {number}: {len(values)} fields, header has {len(header)} (quote values that contain commas)"
            )
        rows.append(
            (
                number,
                {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)},
            )
        )
    return rows


def load_roster(path: Path) -> list[Creator]:
    """Read and validate the roster CSV (``username,niche``).

    Raises :class:`ConfigError` naming the file and line of the first bad row: an empty roster, a
    missing field, a handle TikTok would not allow (quotes, slashes, SQL, spaces...), a bad niche,
    or a duplicate handle.
    """
    creators: list[Creator] = []
    seen: dict[str, int] = {}
    for number, row in _rows(path, ("username", "niche")):
        where = f"{path} line {number}"
        username = row["username"].removeprefix("@")
        if not username:
            raise ConfigError(f"{where}: username is empty")
        if not _HANDLE.match(username):
            raise ConfigError(
                f"{where}: username {username!r} is not a TikTok handle "
                "(2-24 characters: letters, digits, '_' and '.')"
            )
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
    """Read and validate the query CSV (``query,type`` and an optional ``pages`` column)."""
    queries: list[Query] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in _rows(path, ("query", "type")):
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
