"""The Scavio simulator: a faithful fake of the Scavio TikTok API as a real HTTP server on loopback.

Python API (for tests and benchmarks)::

    from scavio_simulator import Population, SimulatorConfig, SimulatorProcess

    with SimulatorProcess(SimulatorConfig(latency_ms=100, in_flight_cap=10)) as sim:
        ...  # point a client at sim.base_url with sim.api_key; sim.stats(), sim.configure(...)

    world = Population(seed=42, size=600)   # the same world the server builds, in-process
    world.get("maya.lifts"), world.creators[0].sec_uid
    world.comment_book.comments(post, as_of)   # a video's comments, most liked first
    world.follow_graph.followings(creator, as_of)  # whom a creator follows, most recent first
    [c for c in world.roster(60) if c.is_pod]  # also is_controversial, spike_phase; Post.sponsor

The world and its signals (tiers, pods, sponsored posts, follower spikes, comments, followings)
are described in ``population``, ``comments``, ``graph`` and docs/simulator.md.

Command line: ``python -m scavio_simulator --help`` (see ``__main__``).

This package never imports Airflow; importing it does not import the server stack (Starlette and
uvicorn load only in the server process).
"""

from .config import DEFAULT_API_KEY, SimulatorConfig
from .population import (
    REFERENCE_DATE,
    TIERS,
    Creator,
    Population,
    Post,
    as_of_timestamp,
    suggested_queries,
)
from .process import SimulatorError, SimulatorProcess

__all__ = [
    "DEFAULT_API_KEY",
    "REFERENCE_DATE",
    "TIERS",
    "Creator",
    "Population",
    "Post",
    "SimulatorConfig",
    "SimulatorError",
    "SimulatorProcess",
    "as_of_timestamp",
    "suggested_queries",
]
