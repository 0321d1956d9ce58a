"""Limits, billing, injected faults and the stats that report them, over real HTTP."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import date

import httpx
import psutil
import pytest
from scavio_simulator import SimulatorError
from sim_helpers import DAY, error_form
from tiktok_engagement.scavio.errors import PayloadValidationError
from tiktok_engagement.scavio.records import Video

PATH = "/api/v1/tiktok/"


def _headers(sim, day: date = DAY) -> dict[str, str]:
    return {"Authorization": f"Bearer {sim.api_key}", "X-Sim-Date": day.isoformat()}


def _burst(sim, bodies: list[tuple[str, dict]]) -> list[httpx.Response]:
    """Send all requests at once, each on its own connection."""

    async def run() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(bodies))
        async with httpx.AsyncClient(base_url=sim.base_url, limits=limits, timeout=15) as client:
            return await asyncio.gather(
                *(client.post(PATH + ep, json=body, headers=_headers(sim)) for ep, body in bodies)
            )

    return asyncio.run(run())


def _workers(sim, jobs: list[tuple[str, dict]], workers: int) -> tuple[list[httpx.Response], float]:
    """``workers`` coroutines, each sending its next request only after reading the previous answer."""

    async def run() -> list[httpx.Response]:
        queue = list(reversed(jobs))
        responses: list[httpx.Response] = []
        limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
        async with httpx.AsyncClient(base_url=sim.base_url, limits=limits, timeout=15) as client:

            async def worker() -> None:
                while queue:
                    endpoint, body = queue.pop()
                    responses.append(
                        await client.post(PATH + endpoint, json=body, headers=_headers(sim))
                    )

            await asyncio.gather(*(worker() for _ in range(workers)))
        return responses

    started = time.perf_counter()
    responses = asyncio.run(run())
    return responses, time.perf_counter() - started


def _profile_jobs(world, count: int, offset: int = 0) -> list[tuple[str, dict]]:
    return [("profile", {"username": c.username}) for c in world.creators[offset : offset + count]]


def test_beyond_the_in_flight_cap_is_429_with_retry_after_and_body(simulator_factory, world):
    sim = simulator_factory(creators=60, in_flight_cap=5, latency_ms=800)
    responses = _burst(sim, _profile_jobs(world, 8))
    assert Counter(r.status_code for r in responses) == {200: 5, 429: 3}
    for response in (r for r in responses if r.status_code == 429):
        assert response.headers["Retry-After"] == "1"
        body = response.json()
        error_form(body)
        assert body["plan"] == "project" and body["concurrency"] == 5
        assert body["in_flight"] == 5 and body["retry_after"] == 1
    stats = sim.stats()
    assert stats["rate_limited"] == stats["rate_limited_in_flight"] == 3
    assert stats["by_status"] == {"200": 5, "429": 3}
    assert stats["credits_used"] == 5, "a 429 is free"
    assert stats["max_in_flight"] == 6, "the refused arrival shows the client overshot"
    assert stats["in_flight"] == 0


def test_a_client_at_the_cap_that_waits_for_answers_is_never_refused(simulator_factory, world):
    sim = simulator_factory(creators=200, in_flight_cap=10, latency_ms=15)
    responses, _ = _workers(sim, _profile_jobs(world, 200), workers=10)
    assert Counter(r.status_code for r in responses) == {200: 200}
    stats = sim.stats()
    assert 5 <= stats["max_in_flight"] <= 10 and stats["rate_limited"] == 0
    one = simulator_factory(creators=20, in_flight_cap=1)
    with httpx.Client(base_url=one.base_url, headers=_headers(one)) as client:
        codes = {
            client.post(PATH + "profile", json=body).status_code
            for _, body in _profile_jobs(world, 20) * 3
        }
    assert codes == {200}


def test_stats_count_requests_statuses_and_max_in_flight(simulator_factory, world, make_api):
    sim = simulator_factory(creators=60, latency_ms=800)
    responses = _burst(sim, _profile_jobs(world, 7))
    assert {r.status_code for r in responses} == {200}
    api = make_api(sim)
    api.post("video", {"video_id": "1"})
    stats = sim.stats()
    assert stats["requests"] == 8 and stats["max_in_flight"] == 7 and stats["in_flight"] == 0
    assert stats["by_endpoint"] == {"profile": 7, "video": 1}
    assert stats["by_status"] == {"200": 7, "404": 1}
    assert stats["credits_used"] == 7 and stats["credits_remaining"] is None
    fresh = sim.reset_stats()
    assert fresh["requests"] == 0 and fresh["max_in_flight"] == 0 and fresh["credits_used"] == 0


def test_per_minute_limit_is_429_with_rate_limit_headers(simulator_factory, world, make_api):
    sim = simulator_factory(creators=20, per_minute=5, api_keys=("k1", "k2"))
    api = make_api(sim)
    username = world.creators[0].username
    remaining = []
    for _ in range(5):
        response = api.post("profile", {"username": username}, key="k1")
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "5"
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))
        assert int(response.headers["X-RateLimit-Reset"]) >= time.time()
    assert remaining == [4, 3, 2, 1, 0]
    refused = api.post("profile", {"username": username}, key="k1")
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    body = refused.json()
    assert body["limit"] == 5 and body["retry_after"] >= 1 and "plan" in body
    assert api.post("profile", {"username": username}, key="k2").status_code == 200, "per key"
    stats = sim.stats()
    assert stats["rate_limited_per_minute"] == 1 and stats["credits_used"] == 6


def test_balance_runs_out_with_402_and_only_successes_cost(simulator_factory, world, make_api):
    sim = simulator_factory(creators=20, credit_balance=3)
    api = make_api(sim)
    username = world.creators[1].username
    assert api.post("profile", {}).status_code == 400
    assert api.post("profile", {"username": "ghost.account"}).status_code == 404
    assert api.post("profile", {"username": username}, key="bad").status_code == 401
    remaining = [
        api.data("profile", {"username": username}) and sim.stats()["credits_remaining"]
        for _ in range(3)
    ]
    assert remaining == [2, 1, 0]
    refused = api.post("profile", {"username": username})
    assert refused.status_code == 402
    body = refused.json()
    assert (
        body["credit_balance"] == 0
        and body["message"]
        and body["billing_url"].startswith("https://")
    )
    stats = sim.stats()
    assert stats["credits_used"] == 3 and stats["credits_remaining"] == 0
    assert stats["by_status"]["402"] == 1
    sim.configure(credit_balance=1)
    envelope = api.post("profile", {"username": username}).json()
    assert envelope["credits_remaining"] == 0
    assert api.post("profile", {"username": username}).status_code == 402


def test_concurrent_requests_never_overspend_the_balance(simulator_factory, world):
    sim = simulator_factory(creators=20, credit_balance=3, latency_ms=300)
    responses = _burst(sim, _profile_jobs(world, 6))
    assert Counter(r.status_code for r in responses) == {200: 3, 402: 3}
    assert sim.stats()["credits_remaining"] == 0

    # A straggler arriving while earlier requests are charged but not yet answered still gets
    # the last credit: a spent credit is not also counted as held.
    sim.configure(credit_balance=3)

    async def staggered() -> list[int]:
        async with httpx.AsyncClient(base_url=sim.base_url, timeout=15) as client:

            async def call(delay: float, username: str) -> int:
                await asyncio.sleep(delay)
                body = {"username": username}
                response = await client.post(PATH + "profile", json=body, headers=_headers(sim))
                return response.status_code

            names = [c.username for c in world.creators[:4]]
            return await asyncio.gather(
                call(0, names[0]), call(0, names[1]), call(0.1, names[2]), call(0.15, names[3])
            )

    assert asyncio.run(staggered()) == [200, 200, 200, 402]


def test_not_found_can_be_billed(simulator_factory, make_api):
    sim = simulator_factory(creators=20, credit_balance=10, charge_not_found=True)
    api = make_api(sim)
    assert api.post("profile", {"username": "ghost.account"}).status_code == 404
    assert sim.stats()["credits_used"] == 1


def test_injected_server_errors_follow_the_rate_and_the_fault_seed(simulator_factory, world):
    sim = simulator_factory(creators=40, error_rate=0.25, fault_seed=1)
    jobs = _profile_jobs(world, 40) * 10
    with httpx.Client(base_url=sim.base_url, headers=_headers(sim)) as client:

        def statuses(n: int) -> list[int]:
            return [client.post(PATH + ep, json=body).status_code for ep, body in jobs[:n]]

        codes = statuses(400)
        sim.configure(fault_seed=1)
        replay = statuses(60)
    errors = [c for c in codes if c >= 500]
    assert 0.17 <= len(errors) / len(codes) <= 0.33
    assert set(errors) == {500, 502, 503, 504}
    assert set(codes) - {500, 502, 503, 504} == {200}
    assert replay == codes[:60], "same fault_seed, same sequence"
    assert sim.stats()["faults"]["error"] == len(errors) + replay.count(500) + sum(
        c in (502, 503, 504) for c in replay
    )


def _malformed_kind(response: httpx.Response) -> str | None:
    if response.headers["content-type"].startswith("text/html"):
        return "html"
    try:
        body = response.json()
    except ValueError:
        return "truncated"
    if "data" not in body:
        return "no_data"
    try:
        for item in body["data"]["aweme_list"]:
            Video.from_payload(item)
    except PayloadValidationError as exc:
        assert exc.field == "statistics.play_count"
        return "missing_field"
    return None


def test_malformed_bodies_come_in_every_kind_at_the_configured_rate(simulator_factory, world):
    sim = simulator_factory(creators=30, malformed_rate=0.4, fault_seed=5)
    jobs = [("user/posts", {"sec_user_id": c.sec_uid, "count": 5}) for c in world.creators[:30]] * 8
    with httpx.Client(base_url=sim.base_url, headers=_headers(sim)) as client:
        responses = [client.post(PATH + ep, json=body) for ep, body in jobs]
    assert {r.status_code for r in responses} == {200}
    kinds = Counter(_malformed_kind(r) for r in responses)
    malformed = len(responses) - kinds[None]
    assert 0.3 <= malformed / len(responses) <= 0.5
    assert set(kinds) == {None, "html", "truncated", "no_data", "missing_field"}
    assert sim.stats()["faults"]["malformed"] == malformed


def test_empty_lists_at_the_configured_rate_only_on_list_endpoints(
    simulator_factory, world, make_api
):
    sim = simulator_factory(creators=30, empty_rate=0.5, fault_seed=2)
    api = make_api(sim)
    empty = 0
    for creator in world.creators[:30] * 2:
        data = api.data("user/posts", {"sec_user_id": creator.sec_uid, "count": 5})
        if not data["aweme_list"]:
            empty += 1
            assert data["has_more"] == 0
        assert api.data("profile", {"username": creator.username})["user"]["unique_id"]
    assert 18 <= empty <= 42
    search = [api.data("search/videos", {"keyword": "gym", "count": 5}) for _ in range(20)]
    assert any(not s["search_item_list"] for s in search) and any(
        s["search_item_list"] for s in search
    )


def test_timeouts_hold_then_answer_504_or_drop(simulator_factory, make_api, world):
    sim = simulator_factory(creators=20, timeout_rate=1.0, timeout_hold_s=0.3, timeout_action="504")
    api = make_api(sim)
    body = {"username": world.creators[0].username}
    started = time.perf_counter()
    response = api.post("profile", body)
    assert response.status_code == 504 and time.perf_counter() - started >= 0.3
    sim.configure(timeout_action="drop")
    with pytest.raises(httpx.TransportError):
        api.post("profile", body)
    sim.configure(timeout_hold_s=30)
    with pytest.raises(httpx.ReadTimeout):
        api.client.post(
            "profile", json=body, headers={"Authorization": f"Bearer {sim.api_key}"}, timeout=0.3
        )
    deadline = time.monotonic() + 3
    while sim.stats()["in_flight"] and time.monotonic() < deadline:
        time.sleep(0.05)
    stats = sim.stats()
    assert stats["in_flight"] == 0, "a client that gave up no longer counts in flight"
    assert stats["faults"]["timeout"] == 3 and stats["faults"]["client_disconnected"] == 1
    assert stats["faults"]["dropped"] == 1 and stats["credits_used"] == 0


def test_latency_is_added_and_reported(simulator_factory, make_api, world):
    sim = simulator_factory(creators=20, latency_ms=120, latency_jitter_ms=20)
    api = make_api(sim)
    for creator in world.creators[:5]:
        started = time.perf_counter()
        body = api.post("profile", {"username": creator.username}).json()
        assert time.perf_counter() - started >= 0.1
        assert 95 <= body["response_time"] <= 400


def test_run_time_configuration_is_validated(simulator_factory):
    sim = simulator_factory(creators=20)
    assert sim.configure(error_rate=0.5, in_flight_cap=3).in_flight_cap == 3
    assert sim.stats()["requests"] == 0
    for bad in ({"error_rate": 2}, {"seed": 7}, {"nonsense": 1}, {"clock": "yesterday"}):
        with pytest.raises(SimulatorError):
            sim.configure(**bad)
    assert sim.configure(in_flight_cap=0).in_flight_cap is None


def _cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def test_ten_workers_at_cap_ten_are_never_refused_and_each_answer_is_cheap(simulator_factory):
    """The server side of throughput, without timing anything: ten workers at an in-flight cap of
    ten are never refused, and an answer costs the server little CPU (requests/s against the
    ceiling is measured by `make bench-extract`, not asserted here)."""
    sim = simulator_factory(creators=1000, in_flight_cap=10, latency_ms=100)
    chunk = sim.roster(150)
    jobs = [("profile", {"username": c["username"]}) for c in chunk]
    jobs += [("user/posts", {"sec_user_id": c["sec_uid"], "count": 30}) for c in chunk]
    cpu_before = _cpu_seconds(sim.pid)
    responses, _ = _workers(sim, jobs, workers=10)
    cpu_per_request = (_cpu_seconds(sim.pid) - cpu_before) / len(jobs)
    assert Counter(r.status_code for r in responses) == {200: 300}
    assert sim.stats()["max_in_flight"] <= 10 and sim.stats()["rate_limited"] == 0
    # CPU seconds the server spent per request, world-building included: immune to other load.
    assert cpu_per_request < 0.004, f"{cpu_per_request * 1000:.2f} ms CPU per request"
