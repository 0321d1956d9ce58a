"""The date echo and the billing counter per date, over real HTTP.

Every answer on an API path carries ``X-Sim-Date`` with the date it was given as of, so a client can
tell a server that honours past dates from one that serves only current counts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from scavio_simulator import Population, SimulatorConfig, as_of_timestamp, payloads
from sim_helpers import DAY

CLOCK = date(2026, 6, 1)
"""The simulated clock of these tests' simulators: what an answer without X-Sim-Date is as of."""

CREATORS = 40


@pytest.fixture(scope="module")
def small_world() -> Population:
    """The world of a ``creators=40`` simulator, built in-process."""
    return Population(seed=42, size=CREATORS)


def _headers(sim, day: date | None, *, key: bool = True) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {sim.api_key}"} if key else {}
    if day is not None:
        headers["X-Sim-Date"] = day.isoformat()
    return headers


def _post(client: httpx.Client, sim, endpoint: str, body: dict, day: date | None, **kw):
    return client.post(f"/api/v1/tiktok/{endpoint}", json=body, headers=_headers(sim, day, **kw))


def _answers(sim, creator, day: date | None) -> list[tuple[str, int, httpx.Headers]]:
    """One answer of every kind the simulator gives, as (case, status, headers)."""
    seen: list[tuple[str, int, httpx.Headers]] = []
    profile = {"username": creator.username}

    with httpx.Client(base_url=sim.base_url, timeout=15) as client:

        def record(case: str, response: httpx.Response) -> None:
            seen.append((case, response.status_code, response.headers))

        record("ok", _post(client, sim, "profile", profile, day))
        record("not found", _post(client, sim, "profile", {"username": "no.such.user"}, day))
        record("bad request", _post(client, sim, "user/posts", {}, day))
        record("no key", _post(client, sim, "profile", profile, day, key=False))
        record("wrong method", client.get("/api/v1/tiktok/profile", headers=_headers(sim, day)))

        sim.configure(per_minute=1)
        sim.reset_stats()  # starts a fresh per-minute window
        _post(client, sim, "profile", profile, day)
        record("per-minute 429", _post(client, sim, "profile", profile, day))
        sim.configure(per_minute=0)

        sim.configure(credit_balance=0)
        record("402", _post(client, sim, "profile", profile, day))
        sim.configure(credit_balance=None)

        sim.configure(error_rate=1.0)
        for _ in range(4):
            record("5xx", _post(client, sim, "profile", profile, day))
        sim.configure(error_rate=0.0, timeout_rate=1.0, timeout_hold_s=0.0, timeout_action="504")
        record("timeout 504", _post(client, sim, "profile", profile, day))
        sim.configure(timeout_action="drop")
        with client.stream(
            "POST", "/api/v1/tiktok/profile", json=profile, headers=_headers(sim, day)
        ) as dropped:
            # The body is cut short on purpose; the status line and headers arrive whole.
            seen.append(("timeout drop", dropped.status_code, dropped.headers))
        sim.configure(timeout_rate=0.0, malformed_rate=1.0, fault_seed=1)
        posts = {"sec_user_id": creator.sec_uid, "count": 5}
        for _ in range(8):
            record("malformed", _post(client, sim, "user/posts", posts, day))
        sim.configure(malformed_rate=0.0, empty_rate=1.0)
        record("empty", _post(client, sim, "user/posts", posts, day))
        sim.configure(empty_rate=0.0)
    return seen


def test_every_api_answer_echoes_the_requested_date(simulator_factory, small_world):
    sim = simulator_factory(creators=CREATORS, clock=CLOCK.isoformat())
    answers = _answers(sim, small_world.creators[3], DAY)
    statuses = {status for _, status, _ in answers}
    assert {200, 400, 401, 402, 404, 405, 429, 504} <= statuses
    assert statuses & {500, 502, 503}, "no injected 5xx other than 504"
    for case, status, headers in answers:
        assert headers.get("X-Sim-Date") == DAY.isoformat(), (case, status)


def test_without_the_request_header_the_echo_is_the_clock(simulator_factory, small_world):
    sim = simulator_factory(creators=CREATORS, clock=CLOCK.isoformat())
    for case, status, headers in _answers(sim, small_world.creators[3], None):
        assert headers.get("X-Sim-Date") == CLOCK.isoformat(), (case, status)


def test_without_header_or_clock_the_echo_is_today(simulator_factory, make_api, small_world):
    sim = simulator_factory(creators=CREATORS)
    api = make_api(sim)
    before = datetime.now(UTC).date()
    ok = api.post("profile", {"username": small_world.creators[0].username}, day=None)
    missing = api.post("profile", {"username": "no.such.user"}, day=None)
    after = datetime.now(UTC).date()
    assert ok.status_code == 200 and missing.status_code == 404
    for response in (ok, missing):
        assert response.headers["X-Sim-Date"] in {before.isoformat(), after.isoformat()}


def test_an_unparseable_date_is_400_and_answered_as_of_no_date(simulator_factory, make_api):
    api = make_api(simulator_factory(creators=CREATORS))
    response = api.post("profile", {"username": "whoever"}, day="20-11-2026")
    assert response.status_code == 400
    assert "X-Sim-Date" not in response.headers


def test_echo_date_false_sends_no_header_yet_answers_as_of_the_date(
    simulator_factory, make_api, small_world
):
    sim = simulator_factory(creators=CREATORS, echo_date=False, clock=CLOCK.isoformat())
    creator = small_world.creators[5]
    for case, status, headers in [
        *_answers(sim, creator, DAY),
        *_answers(sim, creator, None),
    ]:
        assert "X-Sim-Date" not in headers, (case, status)

    # The danger a client must detect: without the echo, the counts are still those of the date.
    api = make_api(sim)
    earlier = DAY - timedelta(days=60)
    for day in (DAY, earlier):
        user = api.data("profile", {"username": creator.username}, day=day)["user"]
        expected = payloads.profile_user(small_world, creator.username, as_of_timestamp(day))
        assert user["follower_count"] == expected["follower_count"]
    assert (
        expected["follower_count"]
        != payloads.profile_user(small_world, creator.username, as_of_timestamp(DAY))[
            "follower_count"
        ]
    ), "the two dates must differ for this check to mean anything"

    sim.configure(echo_date=True)
    response = api.post("profile", {"username": creator.username})
    assert response.headers["X-Sim-Date"] == DAY.isoformat(), "echo_date is runtime-changeable"


def test_credits_by_date_counts_each_billed_answer_under_its_date(
    simulator_factory, make_api, small_world
):
    sim = simulator_factory(creators=CREATORS, clock=CLOCK.isoformat())
    api = make_api(sim)
    creator = small_world.creators[2]
    profile = {"username": creator.username}
    later = DAY + timedelta(days=1)
    for _ in range(3):
        api.data("profile", profile, day=DAY)
    for _ in range(2):
        api.data("user/posts", {"sec_user_id": creator.sec_uid}, day=later)
    api.data("profile", profile, day=None)  # as of the clock
    assert api.post("profile", {"username": "no.such.user"}, day=DAY).status_code == 404
    assert api.post("profile", profile, day=DAY, key="wrong").status_code == 401
    sim.configure(malformed_rate=1.0)
    assert api.post("profile", profile, day=later).status_code == 200  # billed, though malformed
    sim.configure(malformed_rate=0.0, charge_not_found=True)
    assert api.post("profile", {"username": "no.such.user"}, day=later).status_code == 404
    sim.configure(charge_not_found=False, credit_balance=0)
    assert api.post("profile", profile, day=DAY).status_code == 402

    stats = sim.stats()
    assert stats["credits_by_date"] == {
        CLOCK.isoformat(): 1,
        DAY.isoformat(): 3,
        later.isoformat(): 4,
    }
    assert stats["credits_used"] == sum(stats["credits_by_date"].values()) == 8

    fresh = sim.reset_stats()
    assert fresh["credits_by_date"] == {} and fresh["credits_used"] == 0
    sim.configure(credit_balance=None)
    api.data("profile", profile, day=DAY)
    assert sim.stats()["credits_by_date"] == {DAY.isoformat(): 1}


def test_echo_date_is_read_from_env_json_and_text():
    assert SimulatorConfig().echo_date is True
    assert SimulatorConfig.from_env({"SCAVIO_SIM_ECHO_DATE": "false"}).echo_date is False
    assert SimulatorConfig.from_env({"SCAVIO_SIM_ECHO_DATE": "1"}).echo_date is True
    assert SimulatorConfig.from_dict({"echo_date": False}).to_dict()["echo_date"] is False
    with pytest.raises(ValueError, match="echo_date must be true or false"):
        SimulatorConfig.from_env({"SCAVIO_SIM_ECHO_DATE": "ture"})
