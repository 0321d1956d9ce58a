"""The dbt unit tests: each model's SQL against the fixed rows of the ``*_unit_tests.yml`` files.

Warehouse builds leave them out (``warehouse.build.BUILD_EXCLUDES``): what they check is the
project's SQL, not the landed data, so they belong to the test suite. They run here with the same
dbt environment a build uses, over a warehouse one real build created (a unit test takes the
column types of its inputs from its parents' relations).
"""

from __future__ import annotations

import json

import pytest
from tiktok_engagement.warehouse.build import storage_for
from tiktok_engagement.warehouse.dbt_runner import dbt_args, dbt_environment, run_dbt
from tiktok_engagement.warehouse.paths import WarehousePaths

from .conftest import generated_dates, new_warehouse

pytestmark = pytest.mark.slow  # a real dbt build, then dbt's unit tests


def test_builds_leave_unit_tests_out_and_every_unit_test_passes(
    tmp_path_factory: pytest.TempPathFactory, generated_landing
) -> None:
    warehouse = new_warehouse(tmp_path_factory, "unit-tests", generated_landing)
    day = generated_dates()[0]
    built = warehouse.build(day)
    assert built.success
    assert built.dbt.nodes, "the build ran no dbt node"
    assert not [n.unique_id for n in built.dbt.nodes if n.resource_type == "unit_test"]

    storage = storage_for(
        str(warehouse.landing), warehouse.warehouse_dir, warehouse.exports_dir
    ).resolved()
    paths = WarehousePaths(storage.warehouse_dir)
    invocation = run_dbt(
        dbt_args("test", paths, ("--select", "test_type:unit")),
        dbt_environment(storage, snapshot_date=day),
        quiet=True,
    )

    assert invocation.success, invocation.describe_failures()
    assert not invocation.failures, invocation.describe_failures()
    manifest = json.loads((paths.dbt_target_dir / "manifest.json").read_text())
    declared = set(manifest["unit_tests"])
    ran = {n.unique_id for n in invocation.nodes if n.resource_type == "unit_test"}
    assert declared, "the project declares no unit test"
    assert ran == declared
    assert {n.status for n in invocation.nodes} == {"pass"}
