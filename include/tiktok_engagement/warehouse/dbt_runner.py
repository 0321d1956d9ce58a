"""Running the dbt project with dbt's programmatic entry point, ``dbtRunner``.

Each invocation runs in a child Python process (``python -m tiktok_engagement.warehouse._dbt_child``)
that calls ``dbtRunner().invoke(...)`` and writes a JSON summary of the node results. Why a child
process: dbt-duckdb keeps its DuckDB instance in a class attribute after ``invoke`` returns without
closing it, and DuckDB allows one writing process per file; publishing must open the working marts
file itself right after the build, and a caller (an Airflow worker, a test) must not inherit dbt's
global logging and flags. The child exits, so the files are closed for certain.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..config import DEFAULT_BRANDS_FILE, StorageSettings, brands_file_from_env
from .paths import DBT_PROJECT_DIR, WarehousePaths

_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])


@dataclass(frozen=True)
class NodeResult:
    """One node of a dbt run (model, test, unit test), as run_results.json reports it."""

    unique_id: str
    resource_type: str
    status: str
    message: str | None
    failures: int | None
    execution_time: float


@dataclass(frozen=True)
class DbtInvocation:
    """What one dbt command did."""

    args: tuple[str, ...]
    success: bool
    exception: str | None
    nodes: tuple[NodeResult, ...] = field(default_factory=tuple)
    returncode: int = 0

    @property
    def failures(self) -> tuple[NodeResult, ...]:
        """Nodes that errored or whose tests failed (warnings are not failures)."""
        return tuple(n for n in self.nodes if n.status in ("error", "fail", "runtime error"))

    def describe_failures(self) -> str:
        """One line per failing node, and dbt's own error if it raised."""
        lines = [f"{n.unique_id} [{n.status}]: {(n.message or '').strip()}" for n in self.failures]
        if self.exception:
            lines.append(f"dbt raised: {self.exception}")
        if not lines and not self.success:
            lines.append(f"dbt exited with code {self.returncode} without a node result")
        return "\n".join(lines)


# Every variable profiles.yml, the sources YAML and the macros read; dbt_environment sets them all.
DBT_ENV_KEYS = (
    "TIKTOK_LANDING_ROOT",
    "TIKTOK_WORK_DB",
    "TIKTOK_MARTS_DB",
    "TIKTOK_DUCKDB_MEMORY_LIMIT",
    "TIKTOK_DUCKDB_THREADS",
    "TIKTOK_DUCKDB_TEMP_DIR",
    "SCAVIO_PRICE_PER_CREDIT",
    "TIKTOK_SNAPSHOT_DATE",
    "TIKTOK_SNAPSHOT_END_DATE",
    "TIKTOK_FULL_TESTS",
    "TIKTOK_BRANDS_FILE",
)


def brands_file_setting(env: Mapping[str, str]) -> str:
    """``TIKTOK_BRANDS_FILE`` for a dbt process: the absolute path of the brands file the
    extraction tracks (:func:`~tiktok_engagement.config.brands_file_from_env`), or ``""`` for no
    brands, which is also the bundled file when it is not installed (as ``brands.brands_for``).
    The model ``int_brand_terms`` reads and validates the file."""
    path = brands_file_from_env(env)
    if path is None or (path == DEFAULT_BRANDS_FILE and not path.is_file()):
        return ""
    return str(path.resolve())


def dbt_environment(
    storage: StorageSettings,
    *,
    snapshot_date: date | None = None,
    through: date | None = None,
    full_tests: bool = False,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a dbt process for ``storage``: every path and setting the project reads.

    profiles.yml, the landing sources and the macros read only these variables (with no fallback),
    so dbt builds exactly the files these settings name. The dates go in here rather than as
    ``--vars``: the project reads them only at execution, so dbt's partial parsing survives from
    one date to the next. ``base`` (default ``os.environ``) carries the rest (AWS settings for an
    S3 landing root, PATH), and the brands: ``TIKTOK_BRANDS_FILE`` resolved from it as the
    extraction resolves it (:func:`brands_file_setting`), so the brand marts match what was
    tracked.
    """
    storage = storage.resolved()
    paths = WarehousePaths(storage.warehouse_dir)
    env = dict(os.environ if base is None else base)
    limits = storage.duckdb_config
    env.update(
        {
            "TIKTOK_LANDING_ROOT": storage.landing_root.rstrip("/"),
            "TIKTOK_WORK_DB": str(paths.work_db),
            "TIKTOK_MARTS_DB": str(paths.marts_db),
            "TIKTOK_DUCKDB_MEMORY_LIMIT": limits["memory_limit"],
            "TIKTOK_DUCKDB_THREADS": limits["threads"],
            "TIKTOK_DUCKDB_TEMP_DIR": limits["temp_directory"],
            "SCAVIO_PRICE_PER_CREDIT": repr(float(storage.price_per_credit)),
            "TIKTOK_FULL_TESTS": "1" if full_tests else "0",
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    env["TIKTOK_BRANDS_FILE"] = brands_file_setting(env)
    for key in ("TIKTOK_SNAPSHOT_DATE", "TIKTOK_SNAPSHOT_END_DATE"):
        env.pop(key, None)
    if snapshot_date is not None:
        env["TIKTOK_SNAPSHOT_DATE"] = snapshot_date.isoformat()
        env["TIKTOK_SNAPSHOT_END_DATE"] = (through or snapshot_date).isoformat()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_PARENT, env.get("PYTHONPATH")) if p)
    return env


def dbt_args(command: str, paths: WarehousePaths, extra: Sequence[str] = ()) -> list[str]:
    """A dbt command line for this warehouse: its own target and log directories."""
    return [
        command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(paths.dbt_target_dir),
        "--log-path",
        str(paths.dbt_log_dir),
        "--no-send-anonymous-usage-stats",
        *extra,
    ]


def run_dbt(args: Sequence[str], env: Mapping[str, str], *, quiet: bool = False) -> DbtInvocation:
    """Run ``dbt <args>`` through dbtRunner in a child process and return its node results."""
    with tempfile.TemporaryDirectory(prefix="tiktok-dbt-") as tmp:
        result_file = Path(tmp) / "result.json"
        command = [
            sys.executable,
            "-m",
            "tiktok_engagement.warehouse._dbt_child",
            str(result_file),
            *args,
        ]
        completed = subprocess.run(
            command,
            env=dict(env),
            check=False,
            stdout=subprocess.DEVNULL if quiet else None,
        )
        if not result_file.exists():
            return DbtInvocation(
                args=tuple(args),
                success=False,
                exception=f"dbt child process exited with code {completed.returncode} and no result",
                returncode=completed.returncode,
            )
        payload = json.loads(result_file.read_text())
    return DbtInvocation(
        args=tuple(args),
        success=payload["success"],
        exception=payload["exception"],
        nodes=tuple(NodeResult(**node) for node in payload["nodes"]),
        returncode=completed.returncode,
    )
