"""The warehouse: landing Parquet -> dbt-duckdb marts -> a read-only serving file and exports.

    from tiktok_engagement.warehouse import build, publish
    result = build("data/landing", Path("data/warehouse"), Path("data/exports"), date(2024, 5, 1))

``build`` runs ``dbt build`` for one snapshot date and publishes only when every model and test
passed; ``publish`` alone republishes the working marts (e.g. after Cosmos ran the models).
The dbt project (``include/dbt``) also runs standalone with the dbt CLI, see docs/warehouse.md.
"""

from .build import BuildResult, WarehouseBuildError, build
from .dbt_runner import DbtInvocation, run_dbt
from .freshness import DatasetFreshness, freshness
from .paths import DBT_PROJECT_DIR, WarehousePaths
from .publish import CONTRACT_TABLES, PublishError, PublishResult, publish

__all__ = [
    "CONTRACT_TABLES",
    "DBT_PROJECT_DIR",
    "BuildResult",
    "DatasetFreshness",
    "DbtInvocation",
    "PublishError",
    "PublishResult",
    "WarehouseBuildError",
    "WarehousePaths",
    "build",
    "freshness",
    "publish",
    "run_dbt",
]
