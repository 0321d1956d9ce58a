"""Payload parsing: tolerant where the contract says fields vary, strict on required fields."""

from datetime import UTC, datetime

import pytest
from tiktok_engagement.scavio.errors import PayloadValidationError
from tiktok_engagement.scavio.records import Hashtag, Profile, Video, raw_json

ITEM = {
    "aweme_id": "7350810998023949599",
    "desc": "caption #tag",
    "create_time": 1711494099,
    "statistics": {
        "play_count": 12171757,
        "digg_count": 2002382,
        "comment_count": 8119,
        "share_count": 274978,
        "collect_count": 211332,
    },
    "author": {"unique_id": "handle", "nickname": "Name"},
    "music": {"title": "song", "author": "artist"},
    "video": {"duration": 15000, "cover": {"url_list": ["u"]}},
    "cha_list": [{"cid": "123", "cha_name": "tag"}],
    "text_extra": [],
}


def test_video_from_the_contract_example():
    video = Video.from_payload(ITEM)
    assert video.video_id == "7350810998023949599"
    assert video.created_at == datetime(2024, 3, 26, 23, 1, 39, tzinfo=UTC)
    assert (video.play_count, video.digg_count, video.comment_count, video.share_count) == (
        12171757,
        2002382,
        8119,
        274978,
    )
    assert video.collect_count == 211332
    assert video.download_count is None
    assert video.author_unique_id == "handle"
    assert video.duration_ms == 15000
    assert video.hashtags == ("tag",)


def test_ids_as_numbers_and_counts_as_strings_are_accepted():
    item = {
        **ITEM,
        "aweme_id": 7350810998023949599,
        "statistics": {**ITEM["statistics"], "play_count": "42"},
    }
    video = Video.from_payload(item)
    assert video.video_id == "7350810998023949599"
    assert video.play_count == 42


def test_optional_fields_may_be_missing_or_empty():
    item = {
        "aweme_id": "1",
        "create_time": 0,
        "statistics": {"play_count": 0, "digg_count": 0, "comment_count": 0, "share_count": 0},
        "desc": "",
    }
    video = Video.from_payload(item)
    assert video.description is None
    assert video.author_unique_id is None
    assert video.hashtags == ()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("aweme_id", "field 'aweme_id' is missing"),
        ("create_time", "field 'create_time' is missing in video 7350810998023949599"),
        ("statistics.share_count", "field 'statistics.share_count' is missing"),
    ],
)
def test_missing_required_field_is_named(path, message):
    item = {**ITEM, "statistics": dict(ITEM["statistics"])}
    if "." in path:
        del item["statistics"][path.split(".")[1]]
    else:
        del item[path]
    with pytest.raises(PayloadValidationError, match=message) as info:
        Video.from_payload(item)
    assert info.value.field == path


def test_wrong_types_are_rejected():
    with pytest.raises(PayloadValidationError, match="statistics.play_count' must be an integer"):
        Video.from_payload({**ITEM, "statistics": {**ITEM["statistics"], "play_count": "lots"}})
    with pytest.raises(PayloadValidationError, match="aweme"):
        Video.from_payload(["not", "an", "object"])


def test_profile_and_verification():
    user = {
        "unique_id": "tiktok",
        "nickname": "TikTok",
        "sec_uid": "MS4wLjABAAAAv7iS",
        "uid": 107955,
        "follower_count": 94066595,
        "following_count": 1,
        "aweme_count": 1511,
        "total_favorited": "458010199",
        "verification_type": 1,
    }
    profile = Profile.from_payload(user)
    assert profile.uid == "107955"
    assert profile.total_favorited == 458010199
    assert profile.is_verified
    assert not Profile.from_payload({**user, "verification_type": 0}).is_verified
    with pytest.raises(PayloadValidationError, match="'sec_uid' is missing in profile tiktok"):
        Profile.from_payload({k: v for k, v in user.items() if k != "sec_uid"})


@pytest.mark.parametrize(
    "info",
    [
        {
            "challenge": {"id": "7", "title": "gym"},
            "statsV2": {"videoCount": "12", "viewCount": "3400"},
        },
        {"challenge": {"id": "7", "title": "gym"}, "stats": {"videoCount": 12, "viewCount": 3400}},
        {"challenge": {"id": 7, "title": "gym", "stats": {"videoCount": 12, "viewCount": 3400}}},
    ],
)
def test_hashtag_counts_from_any_of_three_places(info):
    hashtag = Hashtag.from_payload(info)
    assert (hashtag.hashtag_id, hashtag.video_count, hashtag.view_count) == ("7", 12, 3400)


def test_raw_json_is_canonical():
    assert raw_json({"b": 1, "a": "é"}).decode() == '{"a":"é","b":1}'
