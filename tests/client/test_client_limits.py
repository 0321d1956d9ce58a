"""Concurrency cap, rate limiting, the credit budget, and 1,000 creators at once."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import httpx
import pytest
from client_fakes import Recorder, aweme, body_of, make_client, ok, run_with_client
from tiktok_engagement.scavio import client as client_module
from tiktok_engagement.scavio.client import RateLimiter, ScavioClient
from tiktok_engagement.scavio.errors import BudgetExceededError, ServerError
from tiktok_engagement.scavio.ledger import CreditBudget

POSTS = {"aweme_list": [aweme(1)], "has_more": 0}


class InFlightCounter:
    """An async handler that measures how many requests it serves at the same time."""

    def __init__(self, delay: float = 0.005, response=None) -> None:
        self.delay = delay
        self.response = response or (lambda request: ok(POSTS))
        self.current = 0
        self.peak = 0
        self.calls = 0

    async def __call__(self, request):
        self.calls += 1
        self.current += 1
        self.peak = max(self.peak, self.current)
        try:
            await asyncio.sleep(self.delay)
            return self.response(request)
        finally:
            self.current -= 1


@pytest.mark.parametrize("max_in_flight", [1, 5])
def test_in_flight_never_exceeds_max_in_flight(max_in_flight):
    counter = InFlightCounter()

    async def scenario(client):
        return await asyncio.gather(*(client.user_posts(f"s{i}") for i in range(30)))

    run_with_client(counter, scenario, max_in_flight=max_in_flight)
    assert counter.calls == 30
    assert counter.peak == max_in_flight


def test_in_flight_cap_holds_with_retries():
    state = {"n": 0}

    def flaky(request):
        state["n"] += 1
        if state["n"] % 3 == 0:
            return httpx.Response(503, json={"error": "busy"})
        return ok(POSTS)

    counter = InFlightCounter(response=flaky)

    async def scenario(client):
        return await asyncio.gather(*(client.user_posts(f"s{i}") for i in range(40)))

    client, results = run_with_client(counter, scenario, max_in_flight=4)
    assert len(results) == 40
    assert counter.peak <= 4
    assert client.ledger.retries > 0


def test_one_thousand_creators_concurrently():
    counter = InFlightCounter(delay=0.0)

    async def scenario(client):
        return await asyncio.gather(
            *(client.user_posts(f"sec{i}", item_key=f"c{i}") for i in range(1000))
        )

    started = time.monotonic()
    client, results = run_with_client(counter, scenario, max_in_flight=50)
    assert time.monotonic() - started < 30
    assert len(results) == 1000 and all(len(videos) == 1 for videos in results)
    assert counter.peak <= 50
    assert client.ledger.requests == 1000
    assert len({e.request_seq for e in client.ledger.entries}) == 1000
    assert client.budget.spent == 1000


def test_budget_cap_is_never_exceeded_under_concurrency():
    counter = InFlightCounter(delay=0.01)
    budget = CreditBudget(7)

    async def scenario(client):
        return await asyncio.gather(
            *(client.user_posts(f"s{i}") for i in range(25)), return_exceptions=True
        )

    client, results = run_with_client(counter, scenario, max_in_flight=5, budget=budget)
    assert counter.calls == 7
    assert sum(isinstance(r, list) for r in results) == 7
    assert sum(isinstance(r, BudgetExceededError) for r in results) == 18
    assert budget.spent == 7 and budget.reserved == 0 and budget.remaining == 0
    assert client.ledger.credits_used == 7
    assert "nothing was sent" in str(next(r for r in results if isinstance(r, Exception)))


def test_unbilled_errors_give_their_reservation_back():
    answers = iter([httpx.Response(503, json={"error": "x"}), ok(POSTS), ok(POSTS)])
    recorder = Recorder(lambda r: next(answers))
    budget = CreditBudget(2)

    async def scenario(client):
        first = await client.user_posts("a")  # 503 (0 credits), then 200 (1 credit)
        second = await client.user_posts("b")
        with pytest.raises(BudgetExceededError):
            await client.user_posts("c")
        return first, second

    run_with_client(recorder, scenario, budget=budget)
    assert len(recorder.requests) == 3
    assert budget.spent == 2


def test_budget_settles_with_the_credits_the_envelope_reports():
    recorder = Recorder(lambda r: ok(POSTS, credits_used=3, credits_remaining=10))
    budget = CreditBudget(None)
    client, _ = run_with_client(recorder, lambda c: c.user_posts("a"), budget=budget)
    assert budget.spent == 3 and budget.remaining is None
    assert client.ledger.entries[0].credits_remaining == 10


def test_budget_refusal_mid_retry_raises_without_sending():
    recorder = Recorder(lambda r: httpx.Response(500, json={"error": "x"}, headers={}))
    budget = CreditBudget(0)
    with pytest.raises(BudgetExceededError):
        run_with_client(recorder, lambda c: c.user_posts("a"), budget=budget)
    assert recorder.requests == []
    # A 500 that bills a credit (body says so) uses the budget up between attempts.
    billed = Recorder(lambda r: httpx.Response(500, json={"error": "x", "credits_used": 1}))
    with pytest.raises(BudgetExceededError):
        run_with_client(billed, lambda c: c.user_posts("a"), budget=CreditBudget(2))
    assert len(billed.requests) == 2
    with pytest.raises(ServerError):
        run_with_client(
            billed, lambda c: c.user_posts("a"), budget=CreditBudget(None), max_attempts=1
        )


def test_credit_budget_accounting():
    budget = CreditBudget(3)
    budget.reserve()
    budget.reserve()
    assert (budget.spent, budget.reserved, budget.remaining) == (0, 2, 1)
    budget.settle(1, 1)
    budget.settle(1, 0)
    assert (budget.spent, budget.reserved, budget.remaining) == (1, 0, 2)
    budget.reserve(2)
    with pytest.raises(BudgetExceededError):
        budget.reserve()
    with pytest.raises(ValueError):
        CreditBudget(-1)
    assert "cap=3" in repr(budget)


@pytest.mark.parametrize(
    "limits",
    [{"requests_per_second": 20}, {"requests_per_minute": 1200}],
    ids=["per-second", "per-minute"],
)
def test_rate_limiter_spaces_request_starts(limits, monkeypatch):
    """Every request waits for a start slot of its own, one interval after the one before.

    The limiter runs on a virtual clock here: the schedule is what the limiter decides, so the
    test does not depend on how late a loaded machine wakes the sleeping tasks.
    """
    clock = [1000.0]
    monkeypatch.setattr(
        client_module,
        "time",
        SimpleNamespace(monotonic=lambda: clock[0], perf_counter=time.perf_counter),
    )
    slots: list[float] = []
    seen = []

    async def virtual_sleep(seconds: float) -> None:
        slots.append(clock[0] + seconds)
        await asyncio.sleep(0)

    def handler(request):
        seen.append(body_of(request)["sec_user_id"])
        return ok(POSTS)

    async def scenario(client):
        client._sleep = virtual_sleep
        return await asyncio.gather(*(client.user_posts(f"s{i}") for i in range(6)))

    run_with_client(handler, scenario, max_in_flight=6, **limits)
    assert sorted(seen) == [f"s{i}" for i in range(6)]
    # The first request starts at once; each of the other five waits for its own slot.
    starts = [clock[0], *sorted(slots)]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert gaps == pytest.approx([0.05] * 5)


def test_rate_limiter_takes_the_slower_of_two_limits():
    assert RateLimiter(requests_per_second=10, requests_per_minute=60).interval == 1.0
    assert RateLimiter(requests_per_second=0.5).interval == 2.0
    with pytest.raises(ValueError):
        RateLimiter()
    with pytest.raises(ValueError):
        RateLimiter(requests_per_second=0)


def test_pool_limits_and_timeouts_are_explicit():
    client = ScavioClient(
        base_url="https://api.scavio.dev", api_key="k", max_in_flight=37, timeout=12.5
    )
    try:
        pool = client._http._transport._pool
        assert pool._max_connections >= 37
        assert client._http.timeout.read == 12.5
        assert client._http.timeout.connect <= 12.5
    finally:
        asyncio.run(client.aclose())


def test_extra_headers_and_json_body_are_sent():
    recorder = Recorder(lambda r: ok(POSTS))
    run_with_client(
        recorder, lambda c: c.user_posts("sec"), extra_headers={"X-Sim-Date": "2025-03-01"}
    )
    (request,) = recorder.requests
    assert request.headers["X-Sim-Date"] == "2025-03-01"
    assert request.headers["Authorization"].startswith("Bearer ")
    assert request.headers["Content-Type"] == "application/json"
    assert body_of(request)["sec_user_id"] == "sec"
    assert str(request.url) == "https://api.scavio.test/api/v1/tiktok/user/posts"


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.scavio.test",
        "https://api.scavio.test/",
        "https://api.scavio.test/api/v1/tiktok",
    ],
)
def test_base_url_forms(base_url):
    recorder = Recorder(lambda r: ok(POSTS))
    run_with_client(recorder, lambda c: c.user_posts("sec"), base_url=base_url)
    assert recorder.requests[0].url.path == "/api/v1/tiktok/user/posts"


def test_constructor_validates_configuration():
    for kwargs in (
        {"api_key": ""},
        {"base_url": "api.scavio.dev"},
        {"max_in_flight": 0},
        {"max_attempts": 0},
        {"timeout": 0},
    ):
        options = {"base_url": "https://api.scavio.dev", "api_key": "k", **kwargs}
        with pytest.raises(ValueError):
            ScavioClient(**options)


def test_request_accepts_an_endpoint_with_or_without_the_prefix():
    recorder = Recorder(lambda r: ok({"aweme_detail": aweme(1)}))

    async def scenario(client):
        await client.request("/api/v1/tiktok/video", {"video_id": "1"})
        return await client.request("video", {"video_id": "1"})

    client, data = run_with_client(recorder, scenario)
    assert data == {"aweme_detail": aweme(1)}
    assert {r.url.path for r in recorder.requests} == {"/api/v1/tiktok/video"}
    assert {e.endpoint for e in client.ledger.entries} == {"video"}


def test_client_works_without_context_manager_and_closes():
    async def main():
        client = make_client(lambda r: ok(POSTS))
        videos = await client.user_posts("sec")
        await client.aclose()
        return videos

    assert len(asyncio.run(main())) == 1


def test_a_cancelled_attempt_is_recorded_and_its_credit_counted():
    async def handler(request):
        await asyncio.sleep(10)

    async def main():
        async with make_client(handler, budget=CreditBudget(5)) as client:
            task = asyncio.create_task(client.user_posts("a"))
            await asyncio.sleep(0.05)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return client

    client = asyncio.run(main())
    (entry,) = client.ledger.entries
    assert (entry.status, entry.error_class) == (None, "CancelledError")
    # The request may have reached the server, so its credit stays spent.
    assert (client.budget.spent, client.budget.reserved) == (1, 0)


def test_a_429_that_reports_a_smaller_plan_cap_lowers_the_in_flight_cap(simulator_factory):
    # Configured at 6 against a plan that allows 2: after the first burst's 429s the client sends
    # at most 2 at once, so the 429s stop and no retry budget goes on them.
    simulator = simulator_factory(in_flight_cap=2, latency_ms=20)
    sec_uids = [r["sec_uid"] for r in simulator.roster(30)]

    async def scenario() -> tuple[ScavioClient, list]:
        async with ScavioClient(
            base_url=simulator.base_url, api_key=simulator.api_key, max_in_flight=6, max_attempts=3
        ) as client:
            results = await asyncio.gather(*(client.user_posts(s) for s in sec_uids))
            return client, results

    client, results = asyncio.run(scenario())
    assert all(results) and len(results) == 30
    assert client.in_flight_cap == 2
    stats = simulator.stats()
    assert stats["by_status"]["200"] == 30
    # Only attempts sent before the first 429 was read can meet one: at most the 4 over the cap.
    assert 1 <= stats["by_status"].get("429", 0) <= 4


def test_in_flight_gate_lowered_while_held_and_cancelled_waiters_hand_their_turn_on():
    from tiktok_engagement.scavio.client import InFlightGate

    async def scenario() -> list[str]:
        gate = InFlightGate(3)
        order: list[str] = []
        release = {name: asyncio.Event() for name in "abcde"}

        async def hold(name: str) -> None:
            async with gate:
                order.append(name)
                await release[name].wait()

        tasks = {name: asyncio.create_task(hold(name)) for name in "abc"}
        await asyncio.sleep(0)
        assert (gate.out, order) == (3, ["a", "b", "c"])
        gate.lower(1)
        tasks |= {name: asyncio.create_task(hold(name)) for name in "de"}
        await asyncio.sleep(0)
        tasks["d"].cancel()  # waiting: its turn passes to e
        release["a"].set()
        release["b"].set()
        await asyncio.gather(tasks["a"], tasks["b"])
        assert gate.out == 1 and order == ["a", "b", "c"]  # c alone is out: the limit is 1
        release["c"].set()
        await tasks["c"]
        await asyncio.sleep(0)
        assert order == ["a", "b", "c", "e"] and gate.out == 1
        release["e"].set()
        await tasks["e"]
        assert gate.out == 0 and tasks["d"].cancelled()
        return order

    asyncio.run(scenario())
