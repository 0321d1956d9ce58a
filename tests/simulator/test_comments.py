"""``video/comments`` and ``video/comments/replies``: shapes, paging, time, errors, and the world's
comments (languages, questions, purchase intent, pods, controversial creators)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from scavio_simulator import Population, as_of_timestamp
from scavio_simulator.comments import COMMENT_CAP
from sim_helpers import DAY

AS_OF = as_of_timestamp(DAY)
COMMENT_KEYS = {
    "cid", "text", "create_time", "digg_count", "reply_comment_total", "aweme_id", "reply_id",
    "reply_to_reply_id", "user",
}  # fmt: skip


def _post_with_comments(world: Population, least: int, most: int = 10**9):
    """The newest post of the roster, at least two days old, with a comment count in range."""
    for creator in world.roster(60):
        for post in world.posts(creator, AS_OF):
            if post.create_time < AS_OF - 2 * 86_400 and least <= post.counts(AS_OF)[2] <= most:
                return post
    raise AssertionError("no such post")


def _walk(api, body: dict, **kwargs) -> tuple[list[dict], list[dict]]:
    items: list[dict] = []
    pages: list[dict] = []
    cursor = "0"
    while True:
        data = api.data("video/comments", {**body, "cursor": cursor}, **kwargs)
        pages.append(data)
        items.extend(data["comments"])
        if not data["has_more"]:
            return items, pages
        cursor = str(data["cursor"])


def test_comment_page_shape_and_billing(api, simulator, world):
    post = _post_with_comments(world, 60)
    before = simulator.stats()["credits_used"]
    response = api.post("video/comments", {"video_id": post.aweme_id, "count": 50})
    assert response.status_code == 200 and response.headers["x-sim-date"] == DAY.isoformat()
    body = response.json()
    assert body["credits_used"] == 1 and simulator.stats()["credits_used"] == before + 1
    data = body["data"]
    assert set(data) == {"comments", "cursor", "has_more", "total", "status_code"}
    assert data["total"] == post.counts(AS_OF)[2] and data["has_more"] == 1
    assert data["cursor"] == 50 and len(data["comments"]) == 50
    for item in data["comments"]:
        assert set(item) == COMMENT_KEYS
        assert re.fullmatch(r"\d{19}", item["cid"]) and item["aweme_id"] == post.aweme_id
        assert isinstance(item["text"], str) and item["text"]
        assert post.create_time < item["create_time"] <= AS_OF
        assert isinstance(item["digg_count"], int) and item["digg_count"] >= 0
        assert isinstance(item["reply_comment_total"], int) and item["reply_comment_total"] >= 0
        assert item["reply_id"] == "0" and item["reply_to_reply_id"] == "0"
        assert item["user"]["unique_id"] and item["user"]["nickname"]
    likes = [item["digg_count"] for item in data["comments"]]
    assert likes == sorted(likes, reverse=True), "top comments first"


def test_pages_walk_the_listed_comments_once_each(api, world):
    post = _post_with_comments(world, 300)
    items, pages = _walk(api, {"video_id": post.aweme_id, "count": 37})
    cids = [item["cid"] for item in items]
    assert len(cids) == len(set(cids)) == COMMENT_CAP
    assert all(len(page["comments"]) == 37 for page in pages[:-1])
    assert pages[-1]["has_more"] == 0 and pages[-1]["cursor"] == COMMENT_CAP
    expected = world.comment_book.comments(post, AS_OF)
    assert cids == [c.cid for c in expected]
    # cursor and count also arrive as numbers.
    again = api.data("video/comments", {"video_id": int(post.aweme_id), "cursor": 37, "count": 5})
    assert [c["cid"] for c in again["comments"]] == cids[37:42]


def test_a_small_video_lists_every_comment_it_counts(api, world):
    post = _post_with_comments(world, 3, 40)
    items, _ = _walk(api, {"video_id": post.aweme_id, "count": 50})
    assert len(items) == post.counts(AS_OF)[2]


def test_a_later_date_keeps_the_comments_and_adds_new_ones(api, world):
    fresh = next(
        post
        for creator in world.roster(60)[20:]
        for post in world.posts(creator, AS_OF)
        if AS_OF - 86_400 < post.create_time < AS_OF - 3 * 3600 and post.counts(AS_OF)[2] >= 5
    )
    later = DAY + timedelta(days=4)
    now, _ = _walk(api, {"video_id": fresh.aweme_id, "count": 50})
    then, _ = _walk(api, {"video_id": fresh.aweme_id, "count": 50}, day=later)
    first = {c["cid"]: c for c in now}
    second = {c["cid"]: c for c in then}
    assert set(first) < set(second)
    for cid, comment in first.items():
        assert second[cid]["text"] == comment["text"]
        assert second[cid]["create_time"] == comment["create_time"]
        assert second[cid]["digg_count"] >= comment["digg_count"]
    assert all(c["create_time"] > AS_OF for cid, c in second.items() if cid not in first)
    before_posting = DAY - timedelta(days=2)
    response = api.post("video/comments", {"video_id": fresh.aweme_id}, day=before_posting)
    assert response.status_code == 404


def test_bad_requests_and_unknown_videos(api, world):
    post = _post_with_comments(world, 1)
    assert api.post("video/comments", {}).status_code == 400
    for count in (0, 51, "x", 2.5):
        response = api.post("video/comments", {"video_id": post.aweme_id, "count": count})
        assert response.status_code == 400, count
    assert api.post("video/comments", {"video_id": post.aweme_id, "cursor": -1}).status_code == 400
    assert api.post("video/comments", {"video_id": post.aweme_id, "count": 50}).status_code == 200
    unknown = str(int(post.aweme_id) + 1)
    comments = api.post("video/comments", {"video_id": unknown})
    video = api.post("video", {"video_id": unknown})
    assert comments.status_code == video.status_code == 404
    assert unknown in comments.text and "not found" in comments.text


def test_replies_shape_paging_and_errors(api, world):
    book = world.comment_book
    parent = next(
        comment
        for creator in world.roster(60)
        for post in world.posts(creator, AS_OF)[5:15]
        for comment in book.comments(post, AS_OF)
        if comment.replies_at(AS_OF) >= 3
    )
    listed = api.data("video/comments", {"video_id": parent.post.aweme_id, "count": 50})
    total = next(c for c in listed["comments"] if c["cid"] == parent.cid)["reply_comment_total"]
    assert total == parent.replies_at(AS_OF)
    page = api.data("video/comments/replies", {"comment_id": parent.cid, "count": 2})
    assert page["total"] == total and page["has_more"] == 1 and page["cursor"] == 2
    rest = api.data("video/comments/replies", {"comment_id": parent.cid, "cursor": "2"})
    replies = page["comments"] + rest["comments"]
    assert len(replies) == total and rest["has_more"] == 0
    for reply in replies:
        assert set(reply) == COMMENT_KEYS and re.fullmatch(r"\d{19}", reply["cid"])
        assert reply["reply_id"] == parent.cid and reply["aweme_id"] == parent.post.aweme_id
        assert parent.create_time < reply["create_time"] <= AS_OF
    with_video = api.data(
        "video/comments/replies",
        {"comment_id": parent.cid, "video_id": parent.post.aweme_id, "count": 50},
    )
    assert with_video["comments"] == replies
    assert api.post("video/comments/replies", {}).status_code == 400
    forged = str(int(parent.cid) + 1)
    assert api.post("video/comments/replies", {"comment_id": forged}).status_code == 404
    other = next(p for p in world.posts(world.roster(60)[30], AS_OF) if p.counts(AS_OF)[2])
    response = api.post(
        "video/comments/replies", {"comment_id": parent.cid, "video_id": other.aweme_id}
    )
    assert other.creator is not parent.post.creator and response.status_code == 404


def test_same_seed_same_comments():
    ours = Population(seed=42, size=60)
    theirs = Population(seed=42, size=60)
    creator = ours.creators[7]
    post = next(p for p in ours.posts(creator, AS_OF) if p.counts(AS_OF)[2] >= 10)
    twin = theirs.find_post(post.aweme_id)
    assert twin is not None

    def view(world, p):
        comments = world.comment_book.comments(p, AS_OF)
        return [(c.cid, c.text, c.unique_id, c.likes(AS_OF)) for c in comments]

    assert view(ours, post) == view(theirs, twin) and view(ours, post)
    # The order a world is asked in does not matter: a comment looked up by id is the same one.
    comment = ours.comment_book.comments(post, AS_OF)[3]
    fresh = Population(seed=42, size=60)
    found = fresh.comment_book.find(comment.cid)
    assert found is not None and (found.text, found.unique_id) == (comment.text, comment.unique_id)


@pytest.fixture(scope="module")
def roster_comments(world: Population) -> dict[str, list[list]]:
    """Per roster creator, the listed comments of its 12 latest posts older than two days."""
    book = world.comment_book
    out = {}
    for creator in world.roster(60):
        posts = [p for p in world.posts(creator, AS_OF) if p.create_time < AS_OF - 2 * 86_400]
        out[creator.username] = [book.comments(p, AS_OF)[:50] for p in posts[:12]]
    return out


def test_comments_read_like_tiktok(roster_comments):
    comments = [c for posts in roster_comments.values() for page in posts for c in page]
    assert len(comments) > 5000
    texts = [c.text for c in comments]
    languages = Counter(c.language for c in comments)
    assert languages.most_common(1)[0][0] == "en"
    assert {"es", "de", "pt", "fr", "id"} <= set(languages)
    assert sum(len(t) <= 30 for t in texts) / len(texts) > 0.7, "mostly short"
    emoji = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]")
    assert sum(bool(emoji.search(t)) for t in texts) / len(texts) > 0.25, "emoji-heavy"
    assert sum(t.endswith("?") or t.endswith("??") for t in texts) > 100
    assert any(t in ("link?", "where can I buy this", "wo kann man das kaufen") for t in texts)
    assert any(t.startswith("donde lo compro") for t in texts)
    assert sum("@" in t for t in texts) > 100, "brand and friend mentions"
    kinds = Counter(c.kind for c in comments)
    assert {"sarcasm", "mixed", "question", "purchase", "brand", "emoji"} <= set(kinds)
    sentiments = Counter(c.sentiment for c in comments)
    assert sentiments["positive"] > sentiments["negative"] > 0 and sentiments["neutral"] > 0


def _negative_share(pages: list[list]) -> float:
    comments = [c for page in pages for c in page if not c.is_pod]
    return sum(c.sentiment == "negative" for c in comments) / len(comments)


def test_controversial_creators_draw_negative_comments(world, roster_comments):
    roster = world.roster(60)
    hostile = [c for c in roster if c.is_controversial]
    assert len(hostile) >= 2
    for creator in hostile:
        assert _negative_share(roster_comments[creator.username]) > 0.35, creator
    honest = [
        _negative_share(roster_comments[c.username])
        for c in roster
        if not c.is_controversial and roster_comments[c.username]
    ]
    assert sorted(honest)[len(honest) // 2] < 0.15


def _repeat_commenter_rate(pages: list[list]) -> float:
    """Commenters on at least half of the videos, over distinct commenters (as the issue defines)."""
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({c.unique_id for c in page})
    return sum(n >= len(pages) / 2 for n in seen.values()) / len(seen)


def test_pod_creators_get_the_same_generic_praise_from_the_same_accounts(world, roster_comments):
    roster = world.roster(60)
    pods = [c for c in roster if c.is_pod]
    assert len(pods) >= 2 and all(c.tier in ("nano", "micro", "mid") for c in pods)
    for creator in pods:
        pages = [p for p in roster_comments[creator.username] if p]
        members = {handle for handle, _ in creator.pod_members}
        on_posts = [len(members & {c.unique_id for c in page}) for page in pages]
        assert sorted(on_posts)[len(on_posts) // 2] >= 6, (creator, on_posts)
        comments = [c for page in pages for c in page]
        texts = Counter(c.text for c in comments)
        assert texts.most_common(1)[0][1] >= 5, "duplicated texts"
        assert _repeat_commenter_rate(pages) > 0.05
    honest_rates = [
        _repeat_commenter_rate(pages)
        for c in roster
        if not c.is_pod
        and (pages := [p for p in roster_comments[c.username] if p])
        and len(pages) >= 3
    ]
    assert len(honest_rates) > 40 and max(honest_rates) < 0.02


def test_comment_pages_see_the_same_faults_as_the_other_lists(simulator_factory, make_api):
    sim = simulator_factory(creators=60, empty_rate=1.0)
    world = Population(seed=42, size=60)
    post = next(p for p in world.posts(world.creators[3], AS_OF) if p.counts(AS_OF)[2] >= 5)
    api = make_api(sim)
    data = api.data("video/comments", {"video_id": post.aweme_id})
    assert data["comments"] == [] and data["has_more"] == 0
    sim.configure(empty_rate=0.0, malformed_rate=1.0)
    kinds = set()
    for _ in range(12):
        response = api.post("video/comments", {"video_id": post.aweme_id})
        assert response.status_code == 200
        kinds.add(response.headers["content-type"].split(";")[0])
    assert kinds == {"application/json", "text/html"}
    stats = sim.stats()
    assert stats["by_endpoint"]["video/comments"] == 13 and stats["credits_used"] == 13
