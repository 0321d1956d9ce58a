"""``require_service``: a missing service skips the test on a laptop and fails it under CI."""

from __future__ import annotations

import pytest

from tests.conftest import require_service


def missing() -> None:
    raise ConnectionRefusedError("connection refused")


def test_a_present_service_gives_the_checks_result(monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert require_service("the thing", lambda: "/usr/bin/thing") == "/usr/bin/thing"


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_a_missing_service_skips_outside_ci(monkeypatch, ci: str | None) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="Redis is not available: connection refused"):
        require_service("Redis", missing)


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_a_missing_service_fails_under_ci(monkeypatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="Redis is not available: connection refused"):
        require_service("Redis", missing)
