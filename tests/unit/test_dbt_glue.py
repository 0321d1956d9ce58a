"""The small pieces between the warehouse and dbt, without a dbt build: the child process's summary
of dbt's results, and the dbt-duckdb plugin that gives DuckDB an ``s3://`` landing."""

from __future__ import annotations

from enum import Enum
from types import SimpleNamespace

import pytest
from fsspec.implementations.arrow import ArrowFSWrapper
from tiktok_engagement.warehouse import _dbt_child
from tiktok_engagement.warehouse.duckdb_landing_plugin import Plugin


class Status(Enum):
    PASS = "pass"
    FAIL = "fail"


def node_result(unique_id: str, status: Status, failures: int | None, seconds: float | None):
    node = SimpleNamespace(unique_id=unique_id, resource_type=SimpleNamespace(value="test"))
    return SimpleNamespace(
        node=node, status=status, message=None, failures=failures, execution_time=seconds
    )


def test_the_child_summarises_each_node_as_plain_json_values() -> None:
    results = [
        node_result("test.a", Status.PASS, 0, 0.25),
        node_result("test.b", Status.FAIL, 3, None),
    ]
    dbt_result = SimpleNamespace(
        success=False, exception=None, result=SimpleNamespace(results=results)
    )
    summary = _dbt_child._summarise(dbt_result)
    assert summary["success"] is False and summary["exception"] is None
    assert summary["nodes"] == [
        {
            "unique_id": "test.a",
            "resource_type": "test",
            "status": "pass",
            "message": None,
            "failures": 0,
            "execution_time": 0.25,
        },
        {
            "unique_id": "test.b",
            "resource_type": "test",
            "status": "fail",
            "message": None,
            "failures": 3,
            "execution_time": 0.0,
        },
    ]


def test_a_dbt_error_before_any_node_is_summarised_with_its_exception() -> None:
    # dbt reports a parse error as an exception and no result at all.
    dbt_result = SimpleNamespace(success=False, exception=ValueError("bad yaml"), result=None)
    assert _dbt_child._summarise(dbt_result) == {
        "success": False,
        "exception": "bad yaml",
        "nodes": [],
    }


class Connection:
    def __init__(self) -> None:
        self.registered: list[object] = []

    def register_filesystem(self, filesystem: object) -> None:
        self.registered.append(filesystem)


def plugin(landing_root: str | None) -> Plugin:
    # BasePlugin's constructor wants dbt's plugin arguments; only initialize() matters here.
    instance = Plugin.__new__(Plugin)
    instance.initialize({"landing_root": landing_root})
    return instance


@pytest.mark.parametrize("root", ["data/landing", "/srv/landing", None])
def test_a_local_landing_root_registers_nothing(root: str | None) -> None:
    connection = Connection()
    plugin(root).configure_connection(connection)
    assert connection.registered == []


def test_an_s3_landing_root_registers_the_landings_s3_filesystem(monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    # Nothing is read: building the filesystem must not reach any network.
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
    connection = Connection()
    plugin("s3://bucket/landing").configure_connection(connection)
    [filesystem] = connection.registered
    assert isinstance(filesystem, ArrowFSWrapper)
    assert filesystem.protocol == "s3"
