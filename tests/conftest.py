"""Fixtures shared by the whole test suite.

``simulator`` is one Scavio simulator (default world: seed 42, 600 creators, no faults, no limits)
for the whole session, started in a subprocess. Treat it as read-only: send ``X-Sim-Date`` to pick
a date rather than setting its clock, and start your own through ``simulator_factory`` to change
faults, limits, keys or the clock.

``require_service`` is how a test says it needs PostgreSQL, Redis, Chromium or the like: on a laptop
the test skips with the reason, under CI (``CI=true``) it fails, so a broken end-to-end test cannot
pass unseen.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from scavio_simulator import SimulatorConfig, SimulatorProcess
from tiktok_engagement.config import Settings

T = TypeVar("T")


def under_ci() -> bool:
    """Whether the suite runs in CI (``CI`` set to true, as CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require_service(name: str, check: Callable[[], T]) -> T:
    """``check()``'s result, or the test skipped (laptop) or failed (CI) when it raises.

    ``check`` probes the service and raises, saying why, when it is not there; any exception
    counts, since a probe fails in the service's own way (a driver error, a refused socket,
    a missing binary).
    """
    try:
        return check()
    except Exception as exc:  # the probe's failure is the answer, reported either way below
        reason = f"{name} is not available: {exc}"
        if under_ci():
            pytest.fail(
                f"{reason} (CI=true: the services of the suite must be there)", pytrace=False
            )
        pytest.skip(reason)


@pytest.fixture
def simulator_factory() -> Iterator[Callable[..., SimulatorProcess]]:
    """``start(**config_overrides)`` starts a simulator with those settings; all stop after the test."""
    started: list[SimulatorProcess] = []

    def start(**config_overrides: Any) -> SimulatorProcess:
        process = SimulatorProcess(SimulatorConfig(**config_overrides))
        started.append(process)
        return process.start()

    yield start
    for process in started:
        process.stop()


@pytest.fixture(scope="session")
def simulator() -> Iterator[SimulatorProcess]:
    """A default simulator shared by the session (read-only by convention, see the module docstring)."""
    with SimulatorProcess(SimulatorConfig()) as process:
        yield process


def sim_settings(simulator: SimulatorProcess, data_dir: Path, **overrides: Any) -> Settings:
    """Extraction settings against ``simulator`` with data under ``data_dir`` (a short timeout)."""
    return Settings(
        base_url=simulator.base_url,
        api_key=simulator.api_key,
        data_dir=data_dir,
        timeout_s=5.0,
        **overrides,
    )
