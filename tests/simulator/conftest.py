"""Fixtures of the simulator tests: the in-process world and raw HTTP callers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from scavio_simulator import Population, SimulatorProcess
from sim_helpers import Api


@pytest.fixture(scope="session")
def world() -> Population:
    """The same world the default simulator serves (seed 42, 600 creators), built in-process."""
    return Population(seed=42, size=600)


@pytest.fixture(scope="session")
def api(simulator: SimulatorProcess) -> Iterator[Api]:
    """Raw calls to the shared default simulator, as of ``sim_helpers.DAY``."""
    caller = Api(simulator)
    yield caller
    caller.close()


@pytest.fixture
def make_api() -> Iterator[Callable[[SimulatorProcess], Api]]:
    """``make_api(sim)``: raw calls to another simulator (closed after the test)."""
    callers: list[Api] = []

    def make(sim: SimulatorProcess) -> Api:
        callers.append(Api(sim))
        return callers[-1]

    yield make
    for caller in callers:
        caller.close()
