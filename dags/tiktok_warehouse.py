"""
### TikTok warehouse: dbt marts, publishing and the engagement report

Runs when both extract DAGs have landed a day (assets `tiktok://landing/creator_posts` and
`tiktok://landing/search_results`), or by hand for a date (param `snapshot_date`).

- **plan**: the snapshot date (param, else the date in the triggering asset events, else the
  logical date); other dates announced by the events are queued as runs of their own
  (**queue_other_dates**).
- **load**: check the day's landing partitions exist (dbt's staging views read them directly).
- **dbt** (Cosmos task group): one task per model, a `dbt build` of that model (the model, then
  its tests; a failing test stops what depends on it and the publish), with
  `--vars {snapshot_date: ...}`, profile `include/dbt/profiles.yml` (DuckDB).
- **publish**: copy the marts to the read-only serving database; asset `tiktok://warehouse/serving`.
- **report**: write `$TIKTOK_DATA_DIR/report/index.html` (shown in the UI: Browse > TikTok
  engagement report); asset `tiktok://report/index.html`.

Re-running a date replaces that date. Create the pool once:
`airflow pools set tiktok_warehouse 1 "DuckDB: one writer"`.
"""

from __future__ import annotations

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import dag, task
from tiktok_airflow import tasks
from tiktok_airflow import wiring as w
from tiktok_airflow.cosmos_config import dbt_task_group


@dag(
    dag_id="tiktok_warehouse",
    schedule=w.CREATOR_POSTS & w.SEARCH_RESULTS,
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
def tiktok_warehouse():
    @task
    def plan(**context) -> dict:
        return tasks.warehouse_plan(context)

    @task
    def other_dates(plan: dict) -> list[dict]:
        return plan["other_dates"]

    @task
    def load(plan: dict, **context) -> dict:
        return tasks.warehouse_load(plan, context)

    @task(outlets=[w.SERVING_MARTS])
    def publish(loaded: dict, **context) -> dict:
        return tasks.warehouse_publish(loaded, context, w.SERVING_MARTS)

    @task(outlets=[w.REPORT])
    def report(published: dict, **context) -> str:
        return tasks.warehouse_report(published, context, w.REPORT)

    planned = plan()
    TriggerDagRunOperator.partial(
        task_id="queue_other_dates",
        trigger_dag_id="tiktok_warehouse",
        logical_date=None,
        skip_when_already_exists=True,
        pool="default_pool",
    ).expand_kwargs(other_dates(planned))
    loaded = load(planned)
    published = publish(loaded)
    loaded >> dbt_task_group() >> published
    report(published)


tiktok_warehouse()
