"""
### TikTok warehouse: dbt marts, publishing and the engagement report

Runs when both extract DAGs have landed a day (assets `tiktok://landing/creator_posts` and
`tiktok://landing/search_results`), again when `tiktok_comments` has landed the day's comments
(asset `tiktok://landing/comments`; a paused comments DAG holds nothing back), or by hand for a
date (param `snapshot_date`).

- **plan**: the snapshot date (param, else the date in the triggering asset events, else the
  logical date); other dates announced by the events are queued as runs of their own
  (**queue_other_dates**).
- **build**: the library's warehouse build of that date, the same one
  `python -m tiktok_engagement.warehouse build` runs: `dbt build` of the whole project in a child
  process (every model, then its tests; a failing test stops what depends on it and nothing is
  published), then the read-only serving database and the Parquet exports; asset
  `tiktok://warehouse/serving`. The task log lists every dbt node with its status and time.
- **report**: write `$TIKTOK_DATA_DIR/report/index.html` (shown in the UI: Browse > TikTok
  engagement report); asset `tiktok://report/index.html`.

Re-running a date replaces that date. The pool `tiktok_warehouse` (one slot) comes from
`python -m tiktok_airflow.pools`.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import dag, task
from tiktok_airflow import warehouse
from tiktok_airflow import wiring as w


@dag(
    dag_id="tiktok_warehouse",
    schedule=w.WAREHOUSE_SCHEDULE,
    start_date=w.START_DATE,
    catchup=False,
    # One writer at a time: DuckDB allows a single writing process per database file. So one run
    # at a time, and every task in the one-slot pool: a manual run never writes beside another.
    max_active_runs=1,
    default_args={**w.DEFAULT_ARGS, "pool": w.WAREHOUSE_POOL, "queue": w.WAREHOUSE_QUEUE},
    params=w.warehouse_params(),
    tags=[*w.TAGS, "warehouse", "dbt"],
    doc_md=__doc__,
)
def tiktok_warehouse() -> None:
    @task
    def plan(**context: Any) -> dict:
        return warehouse.plan(context)

    @task
    def other_dates(plan: dict) -> list[dict]:
        return plan["other_dates"]

    @task(outlets=[w.SERVING_MARTS])
    def build(plan: dict, **context: Any) -> dict:
        return warehouse.build(plan, context, w.SERVING_MARTS)

    @task(outlets=[w.REPORT])
    def report(built: dict, **context: Any) -> str:
        return warehouse.report(built, context, w.REPORT)

    # XComArgs at DAG-definition time, the values at run time
    planned: Any = plan()
    TriggerDagRunOperator.partial(
        task_id="queue_other_dates",
        trigger_dag_id="tiktok_warehouse",
        logical_date=None,
        skip_when_already_exists=True,
        pool="default_pool",
    ).expand_kwargs(other_dates(planned))
    built: Any = build(planned)
    report(built)


tiktok_warehouse()
