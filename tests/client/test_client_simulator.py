"""The client against the simulator over real HTTP: bad items, garbled answers and the date echo."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from scavio_simulator import Population
from tiktok_engagement.scavio import ScavioClient
from tiktok_engagement.scavio.errors import DateNotHonouredError

DAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def world() -> Population:
    return Population(seed=42, size=600)


def _client(sim, **kwargs) -> ScavioClient:
    options = {
        "base_url": sim.base_url,
        "api_key": sim.api_key,
        "max_in_flight": 4,
        "backoff_base": 0.001,
        "backoff_max": 0.005,
        "extra_headers": {"X-Sim-Date": DAY.isoformat()},
        "expect_date_echo": DAY.isoformat(),
        **kwargs,
    }
    return ScavioClient(**options)


def test_bad_items_are_rejected_and_garbled_answers_fetched_again(simulator_factory, world):
    creators = world.creators[:12]
    sim = simulator_factory(
        bad_items=(f"huge_count:{creators[0].username}", f"future_time:{creators[1].username}"),
        malformed_rate=0.2,
        fault_seed=11,
    )

    async def main():
        # Enough attempts that no garbled answer survives them all, whatever the draws.
        async with _client(sim, payload_attempts=6, max_attempts=8) as client:
            posts = await asyncio.gather(
                *(client.user_posts(c.sec_uid, item_key=c.username) for c in creators)
            )
            return client, posts

    client, posts = asyncio.run(main())
    rejected = {(r.item_key, r.reason.split(" (")[0]) for r in client.rejected}
    assert rejected == {
        (creators[0].username, "statistics.play_count must be at most 9223372036854775807"),
        (
            creators[1].username,
            "create_time must be Unix seconds from 2006-01-01 to 2100-01-01 UTC, got 1000000000000",
        ),
    }
    assert all(r.reason.endswith("(user/posts page 1 item 2)") for r in client.rejected)
    assert all(len(videos) == 20 for videos in posts[2:])  # every other answer is whole
    assert len(posts[0]) == len(posts[1]) == 19
    # A garbled 200 is billed: the ledger counts it as the one credit every endpoint costs.
    assert client.budget.spent == sim.stats()["credits_used"]
    assert client.ledger.credits_used == sim.stats()["credits_used"]
    assert any(e.status == 200 and e.error_class for e in client.ledger.entries)
    assert all(v.captured_at is not None and v.request_seq for page in posts for v in page)


def test_an_api_that_does_not_echo_the_date_costs_one_request(simulator_factory, world):
    sim = simulator_factory(echo_date=False)

    async def main():
        async with _client(sim) as client:
            results = await asyncio.gather(
                *(client.profile(username=c.username) for c in world.creators[:5]),
                return_exceptions=True,
            )
            return client, results

    client, results = asyncio.run(main())
    assert all(isinstance(r, DateNotHonouredError) for r in results)
    assert len(client.ledger.entries) <= 4  # at most the attempts already in flight
    assert sim.stats()["credits_used"] == client.ledger.credits_used >= 1


def test_the_echo_of_the_simulator_is_accepted(simulator):
    async def main():
        async with _client(simulator, max_in_flight=1) as client:
            return await client.hashtag(hashtag_name="fyp"), client

    hashtag, client = asyncio.run(main())
    assert hashtag.request_seq == 1 and client.stopped is None
