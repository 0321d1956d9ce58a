"""The warehouse: landing Parquet -> dbt-duckdb marts -> a read-only serving file and exports.

    from tiktok_engagement.config import StorageSettings
    from tiktok_engagement.warehouse import build_snapshot
    result = build_snapshot(StorageSettings.from_env(), date(2024, 5, 1))

``build_snapshot`` is the one build sequence (the CLI, the demo and the Airflow warehouse DAG call
it): ``dbt build`` for one snapshot date in a child process, published only when every model and
test passed. ``build`` is the same for explicit directories; ``publish`` alone republishes the
working marts. dbt by hand: ``python -m tiktok_engagement.warehouse dbt --date D -- <args>``.
"""

from .build import BuildResult, WarehouseBuildError, build, build_snapshot
from .dbt_runner import DbtInvocation, dbt_environment, run_dbt
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
    "build_snapshot",
    "dbt_environment",
    "freshness",
    "publish",
    "run_dbt",
]
