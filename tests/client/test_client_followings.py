"""user/followings: the client against the simulator over real HTTP (page_token and min_time,
``has_more`` false, an empty page, retries, the ledger, the date echo), and what the simulator
never sends (a bad account, ``has_more`` as 0/1) on ``httpx.MockTransport``."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import httpx
import pytest
from client_fakes import Recorder, body_of, ok, run_with_client
from scavio_simulator import Population, as_of_timestamp
from tiktok_engagement.scavio import ScavioClient
from tiktok_engagement.scavio.errors import DateNotHonouredError
from tiktok_engagement.scavio.paginators import FollowingsPaginator

DAY = date(2026, 11, 20)
AS_OF = as_of_timestamp(DAY)


def _client(sim, **kwargs) -> ScavioClient:
    options = {
        "base_url": sim.base_url,
        "api_key": sim.api_key,
        "max_in_flight": 4,
        "backoff_base": 0.001,
        "backoff_max": 0.005,
        "retry_after_cap": 0.01,
        "extra_headers": {"X-Sim-Date": DAY.isoformat()},
        "expect_date_echo": DAY.isoformat(),
        **kwargs,
    }
    return ScavioClient(**options)


@pytest.fixture(scope="module")
def world() -> Population:
    return Population(seed=42, size=600)


def _fetch(sim, sec_uid: str, **kwargs):
    options = {k: kwargs.pop(k) for k in list(kwargs) if k in ("count", "max_pages")}

    async def main():
        async with _client(sim, **kwargs) as client:
            return await client.user_followings(sec_uid, **options), client

    return asyncio.run(main())


def test_pages_with_page_token_and_min_time_until_has_more_is_false(simulator, world):
    creator = world.roster(60)[2]
    expected = [f.account.unique_id for f in world.follow_graph.followings(creator, AS_OF)]
    simulator.reset_stats()
    listed, client = _fetch(simulator, creator.sec_uid, max_pages=100)
    assert [p.following.unique_id for p in listed] == expected
    assert [p.position for p in listed] == list(range(1, len(expected) + 1))
    assert [p.page for p in listed] == [i // 20 + 1 for i in range(len(expected))]
    pages = -(-len(expected) // 20) + (len(expected) % 20 == 0)
    assert simulator.stats()["credits_used"] == pages == len(client.ledger.entries)
    bodies = [json.loads(e.params_json) for e in client.ledger.entries]
    assert "page_token" not in bodies[0] and "min_time" not in bodies[0]
    for body in bodies[1:]:
        assert body["page_token"] and isinstance(body["min_time"], int)
    # Each page's min_time is the follow time of the last account of the page before.
    graph = {f.account.unique_id: f for f in world.follow_graph.followings(creator, AS_OF)}
    for body, page_end in zip(bodies[1:], listed[19::20], strict=False):
        assert body["min_time"] == graph[page_end.following.unique_id].followed_at
    first = listed[0].following
    assert first.sec_uid and first.nickname and first.follower_count is not None
    assert listed[0].following.request_seq == client.ledger.entries[0].request_seq


def test_max_pages_caps_a_backfill(simulator, world):
    creator = world.roster(60)[3]
    listed, client = _fetch(simulator, creator.sec_uid, max_pages=2, count=15)
    assert len(listed) == 30 and {p.page for p in listed} == {1, 2}
    assert len(client.ledger.entries) == 2


def test_an_empty_page_at_a_page_boundary_stops_the_paging(simulator, world):
    graph = world.follow_graph
    for creator in world.roster(60):
        size = len(graph.followings(creator, AS_OF))
        count = next((c for c in range(20, 9, -1) if size % c == 0), None)
        if count is not None:
            break
    else:
        raise AssertionError("no list of a multiple of 10-20 accounts")
    listed, client = _fetch(simulator, creator.sec_uid, count=count, max_pages=100)
    assert len(listed) == size
    # The last full page says has_more; the empty page after it ends the paging.
    assert len(client.ledger.entries) == size // count + 1
    # That empty page is how TikTok ends such a list, not a suspect answer.
    assert not any(entry.suspect_empty for entry in client.ledger.entries)


def test_an_injected_empty_first_page_is_suspect_and_ends_the_paging(simulator_factory, world):
    sim = simulator_factory(empty_rate=1.0)
    listed, client = _fetch(sim, world.roster(60)[0].sec_uid, max_pages=25)
    assert listed == [] and len(client.ledger.entries) == 1
    assert client.ledger.entries[0].suspect_empty


def test_server_errors_are_retried_and_garbled_pages_fetched_again(simulator_factory, world):
    creator = world.roster(60)[4]
    expected = [f.account.unique_id for f in world.follow_graph.followings(creator, AS_OF)]
    sim = simulator_factory(error_rate=0.3, malformed_rate=0.2, fault_seed=7)
    listed, client = _fetch(sim, creator.sec_uid, max_pages=100, max_attempts=10)
    assert [p.following.unique_id for p in listed] == expected
    assert any(not e.ok for e in client.ledger.entries)
    billed = sum(e.credits_used for e in client.ledger.entries)
    assert billed == sim.stats()["credits_used"]


def test_an_api_that_does_not_echo_the_date_stops_after_one_request(simulator_factory, world):
    sim = simulator_factory(echo_date=False)
    with pytest.raises(DateNotHonouredError):
        _fetch(sim, world.roster(60)[0].sec_uid, max_pages=5)
    assert sim.stats()["requests"] == 1


def _account(n: int, **changes) -> dict:
    item = {
        "uid": str(7_000_000_000_000_000_000 + n),
        "unique_id": f"account{n}",
        "sec_uid": f"MS4wLjABAAAA{n:052d}",
        "nickname": f"Account {n}",
        "follower_count": 1000 + n,
    }
    item.update(changes)
    return item


def test_a_bad_account_is_rejected_and_has_more_may_come_as_0_or_1():
    pages = {
        None: {
            "followings": [_account(1), _account(2, follower_count=-5), _account(3)],
            "has_more": 1,
            "next_page_token": "t2",
            "min_time": "1790000000",
        },
        "t2": {"followings": [_account(4)], "has_more": 0, "next_page_token": "", "min_time": 17},
    }

    def answer(request: httpx.Request) -> httpx.Response:
        return ok(pages[body_of(request).get("page_token")])

    recorder = Recorder(answer)
    client, listed = run_with_client(
        recorder, lambda c: c.user_followings("MS4wLjABAAAAx", max_pages=5), payload_attempts=2
    )
    assert [(p.page, p.position, p.following.unique_id) for p in listed] == [
        (1, 1, "account1"),
        (1, 3, "account3"),
        (2, 4, "account4"),
    ]
    # Page 1 was fetched again for its bad account, then page 2 with the token and min_time.
    assert recorder.bodies[-1] == {
        "sec_user_id": "MS4wLjABAAAAx",
        "count": 20,
        "page_token": "t2",
        "min_time": 1790000000,
    }
    assert len(recorder.requests) == 3
    (rejected,) = client.rejected
    assert rejected.endpoint == "user/followings" and rejected.item_id == "account2"
    assert "follower_count must not be negative" in rejected.reason


def test_a_missing_unique_id_is_rejected_and_a_bad_min_time_refetched():
    answers = iter(
        [
            {"followings": [_account(1)], "has_more": True, "next_page_token": "t", "min_time": -3},
            {
                "followings": [_account(1, unique_id=None), _account(2)],
                "has_more": False,
                "next_page_token": "",
                "min_time": 5,
            },
        ]
    )
    client, listed = run_with_client(
        lambda request: ok(next(answers)),
        lambda c: c.user_followings("s", max_pages=3),
        payload_attempts=2,
    )
    assert [p.following.unique_id for p in listed] == ["account2"]
    (rejected,) = client.rejected
    assert "unique_id is missing" in rejected.reason and rejected.item_id.startswith("MS4w")


def test_count_is_checked_against_the_followings_maximum():
    async def main():
        async with ScavioClient(base_url="http://127.0.0.1:9", api_key="k") as client:
            with pytest.raises(ValueError, match="from 1 to 20"):
                await client.user_followings("s", count=21)

    asyncio.run(main())
    paginator = FollowingsPaginator(max_pages=2)
    assert paginator.update_request({"sec_user_id": "s"}) == {"sec_user_id": "s"}
