"""A build under a memory cap small enough that DuckDB spills to its temp_directory completes.

dbt-duckdb runs `SET` for each `settings` key on every cursor it opens, and DuckDB refuses to set
temp_directory again once a query has spilled ("Cannot switch temporary directory after the current
one has been used"): the first model after a spill failed the whole build. The profile gives the
limits when the database opens instead. A real build over generated landing data, capped low.
Publishing opens the working marts itself, under the same limits: its partitioned export of the
dated marts holds every date's rows at once, and took twice the cap's memory without them.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pytest
from tiktok_engagement.warehouse.build import build

from .conftest import GENERATED_START

pytestmark = pytest.mark.slow  # a real dbt build


def test_a_build_that_spills_past_the_memory_cap_completes(
    generator: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = 14
    generator.generate(
        tmp_path / "landing",
        generator.GeneratorConfig(creators=400, days=days, start=GENERATED_START),
    )
    spill = tmp_path / "spill"
    monkeypatch.setenv("TIKTOK_DUCKDB_MEMORY_LIMIT", "64MB")
    monkeypatch.setenv("TIKTOK_DUCKDB_THREADS", "1")
    monkeypatch.setenv("TIKTOK_DUCKDB_TEMP_DIR", str(spill))
    # Watch the connections this process opens on the working marts (publishing's: dbt's are in
    # its child process); they are the real ones, opened with the arguments given.
    opened: list[dict[str, Any]] = []
    real_connect = duckdb.connect

    def connect(database: str, **kwargs: Any) -> duckdb.DuckDBPyConnection:
        if Path(database).name == "marts_build.duckdb":
            opened.append(kwargs.get("config") or {})
        return real_connect(database, **kwargs)

    monkeypatch.setattr(duckdb, "connect", connect)
    last = GENERATED_START + timedelta(days=days - 1)
    built = build(
        str(tmp_path / "landing"), tmp_path / "warehouse", tmp_path / "exports", GENERATED_START,
        through=last, quiet=True,
    )  # fmt: skip
    assert built.published and spill.is_dir()
    monkeypatch.undo()
    limits = {"memory_limit": "64MB", "threads": "1", "temp_directory": str(spill)}
    assert len(opened) >= 2  # the marts' row counts and build_info, then the exports
    assert all(config == limits for config in opened), opened
    con = duckdb.connect(str(built.serving_db), read_only=True)
    try:
        (snapshots,) = con.execute("select count(*) from marts.fct_video_snapshots").fetchone()
    finally:
        con.close()
    assert snapshots >= 400 * 20 * days
