"""Building one snapshot date: load the day's landing partitions, run ``dbt build``, publish.

``dbt build`` runs the models and their data tests in DAG order; a failing test skips everything
downstream of it and the build is reported as failed. The dbt unit tests are left out
(``BUILD_EXCLUDES``): they check the models' SQL against fixed inputs, not the landed data, so their
outcome is the same on every build of one version of the project; the test suite runs them
(tests/warehouse/test_dbt_unit_tests.py), as dbt recommends for unit tests. Only a build whose
every node passed is published, so the serving file and the exports always hold the last good
build. A failed build leaves the working files half-updated for that date; the next build of the
same date replaces its rows again (every model replaces whole snapshot dates), and the publish
after a passing build carries the repaired data.

Data tests check the dates a build replaced; after a build that did not publish, the next one
tests whole tables (``BuildResult.full_tests``). Publishing rewrites the export files of the
rebuilt dates only, unless the working marts changed since the last publish in some other way
(then every date's files are rewritten).

Backfills in any order are handled in the dbt project (``int_rebuild_dates``): building day D
also recomputes the later, already-loaded dates whose look-back columns depend on D.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from ..config import StorageSettings
from .dbt_runner import DbtInvocation, dbt_args, dbt_environment, run_dbt
from .paths import WarehousePaths
from .publish import PublishResult, exports_match_working_marts, new_build_id, publish

# dbt build's options of every warehouse build: no unit tests (see the module's docstring).
BUILD_EXCLUDES = ("--exclude-resource-type", "unit_test")


class WarehouseBuildError(RuntimeError):
    """dbt reported an error or a failing test; nothing was published. ``result`` has the details."""

    def __init__(self, result: BuildResult) -> None:
        self.result = result
        super().__init__(
            f"warehouse build for {result.snapshot_date} failed; nothing was published:\n"
            f"{result.dbt.describe_failures()}"
        )


@dataclass(frozen=True)
class BuildResult:
    """What one build did: dbt's node results, what was published, and where the time went."""

    snapshot_date: date
    build_id: str
    dbt: DbtInvocation
    published: bool
    serving_db: Path
    exports: dict[str, Path] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    rebuilt_dates: tuple[date, ...] = ()
    full_tests: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        """dbt passed and the marts were published."""
        return self.dbt.success and self.published

    def summary(self, slowest: int = 5) -> dict[str, Any]:
        """A small, JSON-able account of the build (for a log line or an Airflow XCom)."""
        nodes = self.dbt.nodes
        ranked = sorted(nodes, key=lambda n: n.execution_time, reverse=True)[:slowest]
        return {
            "snapshot_date": self.snapshot_date.isoformat(),
            "build_id": self.build_id,
            "published": self.published,
            "serving": str(self.serving_db),
            "models": sum(n.resource_type == "model" for n in nodes),
            "tests": sum(n.resource_type in ("test", "unit_test") for n in nodes),
            "failures": len(self.dbt.failures),
            "full_tests": self.full_tests,
            "rebuilt_dates": [d.isoformat() for d in self.rebuilt_dates],
            "row_counts": dict(self.row_counts),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "slowest": [
                {"node": n.unique_id, "seconds": round(n.execution_time, 3)} for n in ranked
            ],
        }


@contextlib.contextmanager
def build_lock(paths: WarehousePaths) -> Iterator[None]:
    """One build at a time per warehouse (a second one waits): DuckDB allows a single writer."""
    paths.work_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.lock_file, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def rebuilt_dates(paths: WarehousePaths) -> tuple[date, ...]:
    """The dates the last build (re)computed, from the working database.

    ``int_signal_rebuild_dates``: the dates of ``int_rebuild_dates`` plus those the comment and
    content-signal marts recomputed (a superset), so publishing rewrites every changed export.
    """
    con = duckdb.connect(str(paths.work_db), read_only=True)
    try:
        rows = con.execute(
            "select snapshot_date from intermediate.int_signal_rebuild_dates order by 1"
        ).fetchall()
    finally:
        con.close()
    return tuple(d for (d,) in rows)


def build_snapshot(
    storage: StorageSettings,
    snapshot_date: date,
    *,
    through: date | None = None,
    quiet: bool = False,
) -> BuildResult:
    """Build ``snapshot_date`` from the landing zone of ``storage`` and publish if all passed.

    The one build sequence, shared by the CLI, the demo and the Airflow warehouse DAG: take the
    warehouse's build lock, decide the test scope, run ``dbt build`` in a child process with the
    environment of :func:`~tiktok_engagement.warehouse.dbt_runner.dbt_environment`, check which
    exports are current, and publish.

    ``through`` loads every day from ``snapshot_date`` to ``through`` in the same dbt run (a bulk
    backfill: one invocation instead of one per day; the result is the same as day by day).
    ``quiet`` keeps dbt's console output out of stdout (it is still in the dbt log file).

    Raises :class:`WarehouseBuildError` (with the failing nodes and their messages, e.g. a missing
    required landing column named with its file) when a model or a test fails.
    """
    storage = storage.resolved()
    paths = WarehousePaths(storage.warehouse_dir)
    exports_dir = storage.exports_dir
    build_id = new_build_id()
    timings: dict[str, float] = {}
    if through is not None and through < snapshot_date:
        raise ValueError(f"through ({through}) is before snapshot_date ({snapshot_date})")
    with build_lock(paths):
        # Data tests normally check only the dates a build replaced (include/dbt/macros/tests/
        # test_scope.sql). If the previous build did not publish, rows it left behind in the
        # working files were never accepted: test the whole tables this time.
        full_tests = paths.unpublished_marker.exists()
        env = dbt_environment(
            storage, snapshot_date=snapshot_date, through=through, full_tests=full_tests
        )
        storage.duckdb_temp_directory.mkdir(parents=True, exist_ok=True)
        # Likewise the exports: rewrite only the rebuilt dates' files when the last publish
        # exported the working marts as they are now; otherwise every date's.
        exports_current = not full_tests and exports_match_working_marts(
            paths.warehouse_dir, exports_dir
        )
        paths.unpublished_marker.touch()
        started = time.perf_counter()
        invocation = run_dbt(dbt_args("build", paths, BUILD_EXCLUDES), env, quiet=quiet)
        timings["dbt_build"] = time.perf_counter() - started
        if not invocation.success or invocation.failures:
            failed = BuildResult(
                snapshot_date=snapshot_date,
                build_id=build_id,
                dbt=invocation,
                published=False,
                serving_db=paths.serving_db,
                full_tests=full_tests,
                timings=timings,
            )
            raise WarehouseBuildError(failed)
        dates = rebuilt_dates(paths)
        started = time.perf_counter()
        published: PublishResult = publish(
            paths.warehouse_dir,
            exports_dir,
            snapshot_date=snapshot_date,
            build_id=build_id,
            dates=dates if exports_current else None,
            duckdb_config=storage.duckdb_config,
        )
        timings["publish"] = time.perf_counter() - started
        paths.unpublished_marker.unlink()
    return BuildResult(
        snapshot_date=snapshot_date,
        build_id=build_id,
        dbt=invocation,
        published=True,
        serving_db=published.serving_db,
        exports=published.exports,
        row_counts=published.row_counts,
        rebuilt_dates=dates,
        full_tests=full_tests,
        timings=timings,
    )


def storage_for(landing_root: str, warehouse_dir: Path, exports_dir: Path) -> StorageSettings:
    """The storage settings of the environment, with these landing and warehouse directories."""
    return replace(
        StorageSettings.from_env(),
        landing_uri=landing_root,
        warehouse_root=Path(warehouse_dir),
        exports_root=Path(exports_dir),
    )


def build(
    landing_root: str,
    warehouse_dir: Path,
    exports_dir: Path,
    snapshot_date: date,
    *,
    price_per_credit: float | None = None,
    through: date | None = None,
    quiet: bool = False,
) -> BuildResult:
    """:func:`build_snapshot` for explicit directories; the other settings from the environment.

    ``price_per_credit`` replaces ``SCAVIO_PRICE_PER_CREDIT`` when given.
    """
    storage = storage_for(landing_root, warehouse_dir, exports_dir)
    if price_per_credit is not None:
        storage = replace(storage, price_per_credit=price_per_credit)
    return build_snapshot(storage, snapshot_date, through=through, quiet=quiet)
