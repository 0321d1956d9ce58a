"""Credit caps that cap: refills from a shared register, the reserve, and the stop they cause."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from client_fakes import Recorder, aweme, body_of, make_client, ok, run_with_client
from tiktok_engagement.scavio.errors import (
    BudgetExceededError,
    CreditReserveReachedError,
    NotFoundError,
)
from tiktok_engagement.scavio.ledger import CreditBudget

POSTS = {"aweme_list": [aweme(1)], "has_more": 0}


class Register:
    """A stand-in for the run's shared credit register: grants from a pool, records each ask."""

    def __init__(self, pool: int, *, raise_when_empty: bool = False) -> None:
        self.pool = pool
        self.asks: list[int] = []
        self.raise_when_empty = raise_when_empty

    def __call__(self, wanted: int) -> int:
        self.asks.append(wanted)
        granted = min(wanted, self.pool)
        self.pool -= granted
        if not granted and self.raise_when_empty:
            raise BudgetExceededError(
                "the date's daily cap (SCAVIO_DAILY_CREDIT_BUDGET=4) is spent",
                setting="SCAVIO_DAILY_CREDIT_BUDGET",
            )
        return granted


async def _sequential(client, n):
    results = []
    for i in range(n):
        try:
            results.append(await client.user_posts(f"s{i}"))
        except BudgetExceededError as exc:
            results.append(exc)
    return results


def test_refill_raises_the_cap_until_the_register_refuses():
    register = Register(3)
    budget = CreditBudget(2, refill=register)
    recorder = Recorder(lambda r: ok(POSTS))
    client, results = run_with_client(recorder, lambda c: _sequential(c, 7), budget=budget)
    assert [isinstance(r, list) for r in results] == [True] * 5 + [False] * 2
    assert len(recorder.requests) == 5
    assert register.asks == [1, 1, 1, 1]  # three grants, then the refusal
    assert (budget.cap, budget.granted, budget.spent) == (5, 3, 5)
    refused = results[5]
    assert type(refused) is BudgetExceededError and refused.setting == "SCAVIO_CREDIT_BUDGET"
    assert "SCAVIO_CREDIT_BUDGET=5, 3 of them granted by the shared register" in str(refused)
    assert "nothing was sent" in str(refused)
    assert client.stopped is refused


def test_refill_may_raise_its_own_stop_reason():
    register = Register(1, raise_when_empty=True)
    budget = CreditBudget(1, refill=register)
    recorder = Recorder(lambda r: ok(POSTS))
    client, results = run_with_client(recorder, lambda c: _sequential(c, 4), budget=budget)
    assert len(recorder.requests) == 2
    stop, *later = results[2:]
    assert stop.setting == "SCAVIO_DAILY_CREDIT_BUDGET" and "SCAVIO_DAILY_CREDIT_BUDGET=4" in str(
        stop
    )
    assert client.stopped is stop
    # Later calls fail the same way without asking the register again.
    assert all(type(e) is BudgetExceededError and str(e) == str(stop) for e in later)
    assert later[0].setting == "SCAVIO_DAILY_CREDIT_BUDGET" and later[0].__cause__ is stop
    assert len(register.asks) == 2


def test_without_a_cap_refill_is_never_asked():
    register = Register(0)
    run_with_client(
        Recorder(lambda r: ok(POSTS)),
        lambda c: _sequential(c, 3),
        budget=CreditBudget(None, refill=register),
    )
    assert register.asks == []


def test_the_reserve_stops_before_the_balance_would_fall_below_it():
    balance = {"left": 13}

    def handler(request):
        balance["left"] -= 1
        return ok(POSTS, credits_remaining=balance["left"])

    recorder = Recorder(handler)
    budget = CreditBudget(None, reserve_floor=10)
    client, results = run_with_client(recorder, lambda c: _sequential(c, 5), budget=budget)
    # 12 left after the first, 11, 10: a fourth would take the account to 9, below the reserve.
    assert len(recorder.requests) == 3
    assert budget.last_known_remaining == 10
    stop = results[3]
    assert isinstance(stop, CreditReserveReachedError) and isinstance(stop, BudgetExceededError)
    assert stop.setting == "SCAVIO_CREDIT_RESERVE"
    assert "SCAVIO_CREDIT_RESERVE=10: the account has 10 credits left" in str(stop)
    assert isinstance(results[4], CreditReserveReachedError)
    assert isinstance(client.stopped, CreditReserveReachedError)


def test_the_reserve_counts_requests_in_flight():
    budget = CreditBudget(None, reserve_floor=5)
    budget.reserve()  # the balance is unknown: not refused on its account
    budget.settle(1, 1)
    budget.observe_remaining(8)
    for _ in range(3):
        budget.reserve()  # 8 - 0/1/2 held - 1 stays at or above 5
    with pytest.raises(CreditReserveReachedError, match="requests in flight hold 3"):
        budget.reserve()
    budget.observe_remaining(9)  # an older, higher figure arriving late does not raise it
    assert budget.last_known_remaining == 8
    budget.observe_remaining(None)
    assert budget.last_known_remaining == 8
    budget.observe_remaining(6)
    budget.settle(3, 3)
    budget.reserve()
    with pytest.raises(CreditReserveReachedError):
        budget.reserve()
    with pytest.raises(ValueError):
        CreditBudget(reserve_floor=-1)


def test_error_bodies_report_the_balance_too():
    answers = iter(
        [
            httpx.Response(404, json={"error": "gone", "credits_used": 1, "credits_remaining": 3}),
            ok(POSTS, credits_remaining=2),
        ]
    )
    recorder = Recorder(lambda r: next(answers))
    budget = CreditBudget(None, reserve_floor=2)

    async def scenario(client):
        with pytest.raises(NotFoundError):
            await client.user_posts("gone")
        return await _sequential(client, 2)

    client, results = run_with_client(recorder, scenario, budget=budget)
    assert len(recorder.requests) == 2  # 3 left: one more may go; then 2 left is the reserve
    assert isinstance(results[1], CreditReserveReachedError)


class Tracker:
    """A handler that notes the order requests start and end in, and the peak in flight."""

    def __init__(self, remaining=None) -> None:
        self.events: list[str] = []
        self.current = 0
        self.peak = 0
        self.remaining = remaining

    async def __call__(self, request):
        who = body_of(request)["sec_user_id"]
        self.events.append(f"start {who}")
        self.current += 1
        self.peak = max(self.peak, self.current)
        await asyncio.sleep(0.005)
        self.current -= 1
        self.events.append(f"end {who}")
        if self.remaining is None:
            return httpx.Response(200, json={"data": POSTS, "credits_used": 1})
        return ok(POSTS, credits_remaining=self.remaining)


def test_only_one_request_is_in_flight_while_the_balance_is_unknown():
    tracker = Tracker(remaining=1000)

    async def scenario(client):
        return await asyncio.gather(*(client.user_posts(f"s{i}") for i in range(12)))

    run_with_client(tracker, scenario, max_in_flight=4, budget=CreditBudget(None, reserve_floor=10))
    assert tracker.events[1].startswith("end ")  # the first answer came before a second start
    assert tracker.peak == 4  # once the balance is known, the in-flight cap applies


def test_without_any_balance_reported_requests_stay_one_at_a_time():
    tracker = Tracker(remaining=None)

    async def scenario(client):
        return await asyncio.gather(*(client.user_posts(f"s{i}") for i in range(6)))

    _, results = run_with_client(
        tracker, scenario, max_in_flight=4, budget=CreditBudget(None, reserve_floor=10)
    )
    assert len(results) == 6 and tracker.peak == 1


def test_without_a_reserve_there_is_no_gate():
    tracker = Tracker(remaining=None)

    async def scenario(client):
        return await asyncio.gather(*(client.user_posts(f"s{i}") for i in range(8)))

    run_with_client(tracker, scenario, max_in_flight=4)
    assert tracker.peak == 4


def test_a_cap_reached_stops_concurrent_and_later_calls_without_sending():
    tracker = Tracker(remaining=None)
    budget = CreditBudget(3)

    async def scenario(client):
        results = await asyncio.gather(
            *(client.user_posts(f"s{i}") for i in range(10)), return_exceptions=True
        )
        budget.cap = 100  # even with room again, a stopped client sends nothing
        with pytest.raises(BudgetExceededError):
            await client.user_posts("later")
        return results

    client, results = run_with_client(tracker, scenario, max_in_flight=2, budget=budget)
    assert sum(isinstance(r, list) for r in results) == 3
    assert all(type(r) is BudgetExceededError for r in results if not isinstance(r, list))
    assert len([e for e in tracker.events if e.startswith("start")]) == 3
    assert isinstance(client.stopped, BudgetExceededError)


def test_a_cap_reached_wakes_a_call_backing_off():
    def handler(request):
        if body_of(request)["sec_user_id"] == "slow":
            return httpx.Response(429, headers={"Retry-After": "5"}, json={"error": "busy"})
        return ok(POSTS)

    recorder = Recorder(handler)

    async def main():
        budget = CreditBudget(1)  # the 429 is free; "other" spends the one credit
        async with make_client(
            recorder, max_in_flight=2, retry_after_cap=10.0, budget=budget
        ) as client:
            waiting = asyncio.create_task(client.user_posts("slow"))
            await asyncio.sleep(0.05)
            await client.user_posts("other")  # the second credit
            with pytest.raises(BudgetExceededError):
                await client.user_posts("third")
            started = time.monotonic()
            with pytest.raises(BudgetExceededError):
                await waiting
            return time.monotonic() - started

    assert asyncio.run(main()) < 1.0
