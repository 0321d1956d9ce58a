"""Cosmos configuration of the warehouse DAG's dbt task group (like cosmos-demo's constants).

- **Project**: ``include/dbt``. Rendering reads a pre-built ``manifest.json``
  (``LoadMode.DBT_MANIFEST``), the one mode that runs no dbt command and touches no database
  while a DAG file is parsed. Build it whenever the dbt project changes (in CI, in the image build,
  or by hand)::

      dbt parse --project-dir include/dbt --profiles-dir include/dbt

  which writes ``include/dbt/target/manifest.json``; ``TIKTOK_DBT_MANIFEST`` points elsewhere.
- **Profile**: the project's own ``include/dbt/profiles.yml`` (dbt-duckdb; every path in it comes
  from ``TIKTOK_DATA_DIR`` / ``TIKTOK_WORK_DB`` / ``TIKTOK_MARTS_DB``), so Airflow, the command line
  and ``tiktok_engagement.warehouse`` build the same databases.
- **Execution**: local, in the worker's Python (``InvocationMode.DBT_RUNNER``), one task per model
  that builds it and then runs its tests (``TestBehavior.BUILD``: ``dbt build --select <model>``),
  so a failing test stops the models downstream of it, as in ``dbt build``. One dbt invocation
  per model rather than two (a model task and a test task) halves the run's fixed cost: each
  invocation pays dbt's start-up and Cosmos's project copy, about 1-2 s, against 0.1-0.2 s of
  work per model here.
- **Per run**: ``--vars {snapshot_date: ...}`` and the database paths (``TIKTOK_WORK_DB``,
  ``TIKTOK_MARTS_DB``, ``TIKTOK_LANDING_ROOT``: absolute, because Cosmos runs dbt from a temporary
  copy of the project) come from the ``plan`` task's XCom through templated operator arguments.
"""

from __future__ import annotations

import os
from pathlib import Path

from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior
from tiktok_engagement.config import INCLUDE_DIR  # a light import: no I/O, no heavy dependency

from tiktok_airflow.callbacks import on_task_failure
from tiktok_airflow.wiring import DBT_ENV_KEYS

DBT_PROJECT_DIR = Path(os.environ.get("TIKTOK_DBT_PROJECT_DIR") or INCLUDE_DIR / "dbt")
DBT_MANIFEST = Path(
    os.environ.get("TIKTOK_DBT_MANIFEST") or DBT_PROJECT_DIR / "target" / "manifest.json"
)
DBT_PROFILE = "tiktok_engagement"
DBT_TARGET = "local"

_PLAN = "ti.xcom_pull(task_ids='plan')"

PROJECT_CONFIG = ProjectConfig(
    dbt_project_path=DBT_PROJECT_DIR,
    manifest_path=DBT_MANIFEST,
    install_dbt_deps=False,
    # Cosmos passes these to every dbt task's `env`, a templated field: rendered per run.
    env_vars={
        **{key: "{{ " + _PLAN + f"['dbt_env']['{key}'] }}}}" for key in DBT_ENV_KEYS},
        # whole-table data tests when the previous build never published (see tasks.warehouse_load)
        "TIKTOK_FULL_TESTS": "{{ ti.xcom_pull(task_ids='load')['full_tests'] }}",
    },
)

PROFILE_CONFIG = ProfileConfig(
    profile_name=DBT_PROFILE,
    target_name=DBT_TARGET,
    profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml",
)

EXECUTION_CONFIG = ExecutionConfig(
    execution_mode=ExecutionMode.LOCAL,
    invocation_mode=InvocationMode.DBT_RUNNER,
)

RENDER_CONFIG = RenderConfig(
    load_method=LoadMode.DBT_MANIFEST,
    test_behavior=TestBehavior.BUILD,
    # A test with several parents (relationships between marts) runs once all of them are built,
    # in a task of its own, as it would in `dbt build`.
    should_detach_multiple_parents_tests=True,
    # The warehouse DAG emits its own asset (tiktok://warehouse/serving) once published; one asset
    # per model would only add noise.
    emit_datasets=False,
)

_environment_before_dbt: dict[str, str] = {}


def _remember_environment(context) -> None:
    _environment_before_dbt.clear()
    _environment_before_dbt.update(os.environ)


def _restore_environment(context, result=None) -> None:
    """Undo what the dbt task left in ``os.environ``.

    After each dbt invocation Cosmos copies the task's ``env`` (our per-run database paths) into
    ``os.environ`` for its OpenLineage artifact parser, and never removes it. A worker runs each
    task in a process of its own, but ``dag.test`` and ``airflow dags test`` run every task in one
    process, where the next run (another data directory, another test) would inherit the paths.
    """
    if not _environment_before_dbt:
        return
    for key in set(os.environ) - set(_environment_before_dbt):
        del os.environ[key]
    os.environ.update(_environment_before_dbt)


def _restore_environment_then_alert(context) -> None:
    _restore_environment(context)
    on_task_failure(context)


OPERATOR_ARGS = {
    "vars": {"snapshot_date": "{{ " + _PLAN + "['snapshot_date'] }}"},
    "append_env": True,
    "pre_execute": _remember_environment,
    "post_execute": _restore_environment,
    "on_failure_callback": _restore_environment_then_alert,
}


def dbt_task_group(group_id: str = "dbt") -> DbtTaskGroup:
    """The dbt project as a Cosmos task group (call inside a DAG context)."""
    return DbtTaskGroup(
        group_id=group_id,
        project_config=PROJECT_CONFIG,
        profile_config=PROFILE_CONFIG,
        execution_config=EXECUTION_CONFIG,
        render_config=RENDER_CONFIG,
        operator_args=OPERATOR_ARGS,
    )
