"""Where the warehouse keeps its files.

``<data>/warehouse/``
    ``tiktok.duckdb``        the read-only serving file readers open (replaced atomically)
    ``work/work.duckdb``     working database: staging views and the intermediate history
    ``work/marts_build.duckdb``  working marts database (schema ``marts``), copied on publish
    ``work/dbt/``            dbt target and logs of this warehouse (not the shared checkout's)
    ``work/tmp/``            DuckDB's spill directory during a build (TIKTOK_DUCKDB_TEMP_DIR)
    ``work/.build.lock``     serialises builds of this warehouse
    ``work/.unpublished``    a build started and has not published (yet, or it failed)
    ``work/.published``      the working marts file as the last publish exported it
``<data>/exports/marts/<table>/<YYYY-MM-DD>.parquet``  date-keyed marts as Parquet, a file per date
``<data>/exports/marts/<table>.parquet``  the other marts (each file replaced atomically)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DBT_PROJECT_DIR = Path(
    os.environ.get("TIKTOK_DBT_PROJECT_DIR", Path(__file__).resolve().parents[2] / "dbt")
)
SERVING_FILE_NAME = "tiktok.duckdb"


@dataclass(frozen=True)
class WarehousePaths:
    """The files of one warehouse directory."""

    warehouse_dir: Path

    @property
    def serving_db(self) -> Path:
        return self.warehouse_dir / SERVING_FILE_NAME

    @property
    def work_dir(self) -> Path:
        return self.warehouse_dir / "work"

    @property
    def work_db(self) -> Path:
        return self.work_dir / "work.duckdb"

    @property
    def marts_db(self) -> Path:
        return self.work_dir / "marts_build.duckdb"

    @property
    def dbt_target_dir(self) -> Path:
        return self.work_dir / "dbt" / "target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.work_dir / "dbt" / "logs"

    @property
    def lock_file(self) -> Path:
        return self.work_dir / ".build.lock"

    @property
    def publish_stamp(self) -> Path:
        """The working marts file as the last publish exported it (see publish.exports_match_working_marts)."""
        return self.work_dir / ".published"

    @property
    def unpublished_marker(self) -> Path:
        """Present while a build runs; left behind when it fails, so the next one tests everything."""
        return self.work_dir / ".unpublished"


def data_dir_from_env() -> Path:
    """The data root as the storage settings read it (``$TIKTOK_DATA_DIR`` or ``./data``)."""
    from ..config import StorageSettings

    return StorageSettings.from_env().data_dir


def exports_marts_dir(exports_dir: Path) -> Path:
    """The directory of the marts' Parquet exports below an exports directory."""
    return exports_dir / "marts"
