"""Fixtures shared by the whole test suite.

``simulator`` is one Scavio simulator (default world: seed 42, 600 creators, no faults, no limits)
for the whole session, started in a subprocess. Treat it as read-only: send ``X-Sim-Date`` to pick
a date rather than setting its clock, and start your own through ``simulator_factory`` to change
faults, limits, keys or the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from scavio_simulator import SimulatorConfig, SimulatorProcess


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
