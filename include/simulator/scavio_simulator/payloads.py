"""JSON shapes of the simulated API, built from the population as of a moment.

Shapes follow the contract (docs: /work/shared/scavio-api.md): TikTok's own snake_case app JSON for
videos and profiles, camelCase ``challengeInfo`` for hashtags, ids as strings.
"""

from __future__ import annotations

from typing import Any

from .comments import Comment
from .graph import Follow, FollowGraph
from .population import HashtagInfo, Population, Post

COVER_HOST = "https://sim.invalid"
"""Covers and avatars point at a reserved, never-resolving host: the simulator serves no media."""


def aweme(population: Population, post: Post, as_of: int) -> dict[str, Any]:
    """A video item ("aweme") with its counts as of ``as_of``."""
    creator = post.creator
    views, likes, comments, shares, saves, downloads = post.counts(as_of)
    statistics: dict[str, Any] = {
        "aweme_id": post.aweme_id,
        "play_count": views,
        "digg_count": likes,
        "comment_count": comments,
        "share_count": shares,
        "collect_count": saves,
    }
    if creator.shows_downloads:
        statistics["download_count"] = downloads
    author: dict[str, Any] = {
        "uid": creator.uid,
        "unique_id": creator.username,
        "nickname": creator.nickname,
    }
    if post.shows_sec_uid:
        author["sec_uid"] = creator.sec_uid
    cha_list = []
    text_extra = []
    offset = len(post.caption)
    for tag in post.all_tags:
        info = population.hashtag(tag)
        cid = info.cid if info else ""
        cha_list.append({"cid": cid, "cha_name": tag})
        start = offset + 1
        offset = start + 1 + len(tag)
        text_extra.append(
            {"type": 1, "hashtag_name": tag, "hashtag_id": cid, "start": start, "end": offset}
        )
    item: dict[str, Any] = {
        "aweme_id": post.aweme_id,
        "desc": post.desc,
        "create_time": post.create_time,
        "author": author,
        "music": {"id": post.music[2], "title": post.music[0], "author": post.music[1]},
        "video": {
            "duration": post.duration_ms,
            "width": 1080,
            "height": 1920,
            "cover": {"url_list": [f"{COVER_HOST}/cover/{post.aweme_id}.jpeg"]},
        },
        "statistics": statistics,
        # TikTok sends null, not [], for a video without hashtags.
        "cha_list": cha_list or None,
        "text_extra": text_extra,
        "region": post.region,
        "share_url": f"https://www.tiktok.com/@{creator.username}/video/{post.aweme_id}",
    }
    if post.is_ads or creator.index % 2 == 0:
        item["is_ads"] = post.is_ads
    return item


def profile_user(population: Population, username: str, as_of: int) -> dict[str, Any]:
    """``data.user`` of the profile endpoint as of ``as_of`` (counts from the visible posts)."""
    creator = population[username]
    posts = population.posts(creator, as_of)
    total_likes = sum(post.counts(as_of)[1] for post in posts)
    return {
        "uid": creator.uid,
        "unique_id": creator.username,
        "nickname": creator.nickname,
        "sec_uid": creator.sec_uid,
        "signature": creator.signature,
        "bio_url": creator.bio_url,
        "avatar_thumb": {"url_list": [f"{COVER_HOST}/avatar/{creator.uid}.jpeg"]},
        "follower_count": population.followers_at(creator, as_of),
        "following_count": creator.following_count,
        "aweme_count": len(posts),
        "total_favorited": total_likes,
        "verification_type": creator.verification_type,
        "region": creator.region,
        "is_private": False,
    }


def following_item(graph: FollowGraph, follow: Follow, as_of: int) -> dict[str, Any]:
    """An account of ``user/followings`` as of ``as_of`` (TikTok's user object, snake_case)."""
    account = follow.account
    return {
        "uid": account.uid,
        "unique_id": account.unique_id,
        "sec_uid": account.sec_uid,
        "nickname": account.nickname,
        "follower_count": graph.followers_at(account, as_of),
        "following_count": account.following_count,
        "verification_type": account.verification_type,
        "avatar_thumb": {"url_list": [f"{COVER_HOST}/avatar/{account.uid}.jpeg"]},
    }


def comment_item(comment: Comment, as_of: int) -> dict[str, Any]:
    """A comment or reply of ``video/comments`` and ``video/comments/replies`` as of ``as_of``.

    ``reply_id`` is the parent comment's ``cid`` on a reply and ``"0"`` on a top-level comment,
    as in TikTok's own payloads; ``reply_comment_total`` counts the replies existing by then.
    """
    parent = comment.parent
    return {
        "cid": comment.cid,
        "text": comment.text,
        "create_time": comment.create_time,
        "digg_count": comment.likes(as_of),
        "reply_comment_total": comment.replies_at(as_of),
        "aweme_id": comment.post.aweme_id,
        "reply_id": parent.cid if parent is not None else "0",
        "reply_to_reply_id": "0",
        "user": {"unique_id": comment.unique_id, "nickname": comment.nickname},
    }


def challenge_info(hashtag: HashtagInfo, as_of: int) -> dict[str, Any]:
    """``data.challengeInfo``; the counts sit in one of three places depending on the hashtag."""
    videos, views = hashtag.counts(as_of)
    challenge: dict[str, Any] = {
        "id": hashtag.cid,
        "title": hashtag.name,
        "desc": hashtag.desc,
        "coverLarger": "",
        "isCommerce": False,
    }
    info: dict[str, Any] = {"challenge": challenge}
    if hashtag.stats_place == 0:
        info["statsV2"] = {"videoCount": str(videos), "viewCount": str(views)}
    elif hashtag.stats_place == 1:
        info["stats"] = {"videoCount": videos, "viewCount": views}
    else:
        challenge["stats"] = {"videoCount": videos, "viewCount": views}
    return info


BAD_CREATE_TIME = 1_000_000_000_000
"""``create_time`` of a ``future_time`` bad item: Unix seconds in the year 33658."""
BAD_PLAY_COUNT = 2**64 + 5
"""``play_count`` of a ``huge_count`` bad item: beyond any 64-bit integer, signed or not."""
BAD_DIGG_COUNT = -3
"""``digg_count`` of a ``negative_count`` bad item."""
BAD_SHARE_COUNT: dict[str, int] = {"n": 1}
"""``share_count`` of a ``wrong_type`` bad item: an object where a number belongs."""


def corrupt_aweme(item: dict[str, Any], kinds: tuple[str, ...]) -> None:
    """Make a video item invalid in place, one way per kind (``SimulatorConfig.bad_items``)."""
    statistics = item["statistics"]
    for kind in kinds:
        if kind == "future_time":
            item["create_time"] = BAD_CREATE_TIME
        elif kind == "huge_count":
            statistics["play_count"] = BAD_PLAY_COUNT
        elif kind == "negative_count":
            statistics["digg_count"] = BAD_DIGG_COUNT
        elif kind == "missing_id":
            item.pop("aweme_id", None)
            statistics.pop("aweme_id", None)
        elif kind == "wrong_type":
            statistics["share_count"] = dict(BAD_SHARE_COUNT)
        else:
            raise ValueError(f"unknown bad item kind {kind!r}")
