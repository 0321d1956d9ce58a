"""Lint the dbt models with sqlfluff's dbt templater, in the environment a warehouse build gives dbt.

The project's profile and macros read their paths and the snapshot date from the environment
(tiktok_engagement.warehouse.dbt_runner.dbt_environment) with no fallback, so sqlfluff, which
compiles every model through dbt, runs with that environment over a throwaway data directory.

    .venv/bin/python scripts/lint_sql.py lint include/dbt/models    # what `make lint` runs
    .venv/bin/python scripts/lint_sql.py fix include/dbt/models/marts/api_usage.sql
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from tiktok_engagement.config import StorageSettings
from tiktok_engagement.warehouse.dbt_runner import dbt_environment


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="sqlfluff-") as tmp:
        env = dbt_environment(
            StorageSettings(data_dir=Path(tmp)), snapshot_date=datetime.now(UTC).date()
        )
        # dbt opens the databases to compile (introspective macros), so their directories exist.
        for key in ("TIKTOK_WORK_DB", "TIKTOK_MARTS_DB"):
            Path(env[key]).parent.mkdir(parents=True, exist_ok=True)
        Path(env["TIKTOK_DUCKDB_TEMP_DIR"]).mkdir(parents=True, exist_ok=True)
        sqlfluff = Path(sys.executable).with_name("sqlfluff")
        return subprocess.call([str(sqlfluff), *argv], env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
