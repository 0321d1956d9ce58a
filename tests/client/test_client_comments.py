"""video/comments and video/comments/replies: the client against the simulator over real HTTP,
and a bad comment item on ``httpx.MockTransport`` (the simulator has no permanently bad comment)."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import httpx
import orjson
import pytest
from tiktok_engagement.scavio import ScavioClient
from tiktok_engagement.scavio.errors import DateNotHonouredError

DAY = date(2026, 11, 20)


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


def _videos_with_comments(sim, low: int, high: int, wanted: int = 1) -> list[str]:
    """Video ids of the simulated world with ``low``-``high`` comments on DAY (raw HTTP)."""
    headers = {"Authorization": f"Bearer {sim.api_key}", "X-Sim-Date": DAY.isoformat()}
    url = f"{sim.base_url}/api/v1/tiktok"
    found: list[str] = []
    for row in sim.roster(40):
        user = httpx.post(f"{url}/profile", json={"username": row["username"]}, headers=headers)
        posts = httpx.post(
            f"{url}/user/posts",
            json={"sec_user_id": user.json()["data"]["user"]["sec_uid"], "count": 20},
            headers=headers,
        ).json()["data"]["aweme_list"]
        for item in posts:
            listed = httpx.post(
                f"{url}/video/comments",
                json={"video_id": item["aweme_id"], "count": 50, "cursor": "0"},
                headers=headers,
            ).json()["data"]
            if low <= listed["total"] <= high and len(listed["comments"]) == min(50, low):
                found.append(item["aweme_id"])
                if len(found) == wanted:
                    return found
    raise AssertionError(f"no video with {low}-{high} comments in the first creators")


@pytest.fixture(scope="module")
def long_thread(simulator) -> str:
    """A video with more than two pages of comments (and fewer than four)."""
    return _videos_with_comments(simulator, 101, 149)[0]


def test_comments_page_with_the_cursor_until_has_more_is_zero(simulator, long_thread):
    simulator.reset_stats()

    async def main():
        async with _client(simulator) as client:
            return await client.video_comments(long_thread, max_pages=5), client

    comments, client = asyncio.run(main())
    assert [c.rank for c in comments] == list(range(1, len(comments) + 1))
    assert 100 < len(comments) < 150
    assert [c.page for c in comments] == [n // 50 + 1 for n in range(len(comments))]
    assert len({c.comment.comment_id for c in comments}) == len(comments)
    assert all(c.comment.video_id == long_thread for c in comments)
    assert all(isinstance(c.comment.comment_id, str) for c in comments)
    assert all(c.comment.parent_comment_id is None for c in comments)  # reply_id "0"
    # Three pages, three requests, three credits, each with the cursor the last answer gave.
    entries = client.ledger.entries
    assert [json.loads(e.params_json)["cursor"] for e in entries] == ["0", "50", "100"]
    assert {e.endpoint for e in entries} == {"video/comments"}
    assert all(e.status == 200 and e.credits_used == 1 for e in entries)
    assert client.ledger.credits_used == client.budget.spent == simulator.stats()["credits_used"]
    assert all(c.comment.request_seq == entries[c.page - 1].request_seq for c in comments)
    assert all(c.comment.captured_at is not None for c in comments)


def test_max_pages_stops_paging_and_replies_name_their_parent(simulator, long_thread):
    async def main():
        async with _client(simulator) as client:
            first = await client.video_comments(long_thread, max_pages=1)
            parent = next(c.comment for c in first if c.comment.reply_count)
            replies = await client.comment_replies(long_thread, parent.comment_id)
            return first, parent, replies, client

    first, parent, replies, client = asyncio.run(main())
    assert len(first) == 50
    assert len(replies) == parent.reply_count
    assert {r.comment.parent_comment_id for r in replies} == {parent.comment_id}
    assert client.ledger.entries[-1].endpoint == "video/comments/replies"
    assert client.ledger.credits_used == 2


def test_429s_and_server_errors_are_retried_and_only_answers_are_billed(
    simulator, simulator_factory, long_thread
):
    async def fetch(sim, **kwargs):
        async with _client(sim, **kwargs) as client:
            listed = await asyncio.gather(
                *(client.video_comments(long_thread, max_pages=3) for _ in range(4))
            )
            return listed, client

    clean, _ = asyncio.run(fetch(simulator))
    # Answers held 20 ms, so the client's two requests in flight overlap and the plan's cap of
    # one refuses the second; Retry-After is cut to 50 ms so a refused request comes back after
    # the holder is done. Attempts are plenty, so no request runs out of them whatever the order.
    faulty = simulator_factory(in_flight_cap=1, error_rate=0.3, fault_seed=5, latency_ms=20)
    listed, client = asyncio.run(
        fetch(faulty, max_in_flight=2, max_attempts=40, retry_after_cap=0.05)
    )
    texts = [[c.comment.text for c in page] for page in listed]
    assert texts == [[c.comment.text for c in page] for page in clean]
    statuses = [e.status for e in client.ledger.entries]
    assert 429 in statuses and any(s in (500, 502, 503, 504) for s in statuses), statuses
    assert client.ledger.summary()["retries"] > 0
    # 12 pages answered; refusals and failures are recorded and not billed.
    assert statuses.count(200) == 12
    assert client.ledger.credits_used == faulty.stats()["credits_used"] == 12


def test_garbled_comment_answers_are_fetched_again(simulator, simulator_factory, long_thread):
    async def fetch(sim, **kwargs):
        async with _client(sim, **kwargs) as client:
            listed = await asyncio.gather(
                *(client.video_comments(long_thread, max_pages=3) for _ in range(4))
            )
            return listed, client

    clean, _ = asyncio.run(fetch(simulator))
    garbled = simulator_factory(malformed_rate=0.5, fault_seed=3)
    listed, client = asyncio.run(fetch(garbled, payload_attempts=10, max_attempts=10))
    assert [[c.comment for c in page] for page in listed] == [
        [c.comment for c in page] for page in clean
    ]
    assert client.rejected == []
    assert len(client.ledger.entries) > 12  # some answers were garbled and bought again
    # A garbled 200 is billed too: the ledger adds up to what the API billed.
    assert client.ledger.credits_used == garbled.stats()["credits_used"] > 12


def test_an_api_that_does_not_echo_the_date_stops_after_one_request(simulator_factory):
    sim = simulator_factory(echo_date=False)

    async def main():
        async with _client(sim, max_in_flight=1) as client:
            with pytest.raises(DateNotHonouredError):
                await client.video_comments("7350810998023949599")
            return client

    client = asyncio.run(main())
    assert len(client.ledger.entries) == 1


# ---- a comment that stays bad (MockTransport) ---------------------------------------------------


def _comment(cid, **changes):
    item = {
        "cid": cid,
        "text": f"comment {cid}",
        "create_time": 1_790_000_000,
        "digg_count": 3,
        "reply_comment_total": 0,
        "aweme_id": "7350810998023949599",
        "reply_id": "0",
        "user": {"unique_id": f"fan_{cid}", "nickname": "Fan"},
    }
    item.update(changes)
    return item


PAGE = [
    _comment("1"),
    _comment("2", create_time=10**12),  # the year 33658
    _comment("3", digg_count=-1),
    _comment("4", digg_count=2**63),  # beyond int64
    _comment(5, text=""),  # an integer cid, a sticker comment without text: both fine
    {k: v for k, v in _comment("6").items() if k != "cid"},
    _comment("7", text={"rich": "text"}),
]


def test_a_comment_that_stays_bad_is_rejected_and_the_rest_kept():
    requests: list[dict] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(json.loads(request.content))
        data = {"comments": PAGE, "cursor": 7, "has_more": 0, "total": 7}
        return httpx.Response(200, content=orjson.dumps({"data": data, "credits_used": 1}))

    async def main():
        async with ScavioClient(
            base_url="https://api.example.test",
            api_key="sk_test_comments",
            transport=httpx.MockTransport(answer),
            payload_attempts=2,
        ) as client:
            return await client.video_comments("7350810998023949599", count=50), client

    comments, client = asyncio.run(main())
    # The page was fetched again once (2 payload attempts), then the bad items were rejected.
    assert requests == [{"video_id": "7350810998023949599", "count": 50, "cursor": "0"}] * 2
    assert [(c.rank, c.comment.comment_id) for c in comments] == [(1, "1"), (5, "5")]
    assert comments[1].comment.text == ""
    reasons = {r.item_id: r.reason for r in client.rejected}
    assert reasons == {
        "2": "create_time must be Unix seconds from 2006-01-01 to 2100-01-01 UTC, got "
        "1000000000000 (video/comments page 1 item 2)",
        "3": "digg_count must not be negative, got -1 (video/comments page 1 item 3)",
        "4": "digg_count must be at most 9223372036854775807 (video/comments page 1 item 4)",
        # No cid: the item id falls back to the video's.
        "7350810998023949599": "cid is missing (video/comments page 1 item 6)",
        "7": "text must be a string, got dict (video/comments page 1 item 7)",
    }
    assert all(r.endpoint == "video/comments" for r in client.rejected)
    assert all(
        b'"cid"' in r.raw_json or r.item_id == "7350810998023949599" for r in client.rejected
    )
    assert client.ledger.credits_used == 2


def test_count_is_checked_against_the_comment_maximum():
    async def main():
        async with ScavioClient(
            base_url="https://api.example.test",
            api_key="sk_test_comments",
            transport=httpx.MockTransport(lambda r: httpx.Response(500)),
        ) as client:
            for bad in (0, 51, True):
                with pytest.raises(ValueError, match="count must be an integer from 1 to 50"):
                    await client.video_comments("1", count=bad)

    asyncio.run(main())
