"""Payload parsing: tolerant where the contract says fields vary, strict on required fields."""

import contextlib
import json
from datetime import UTC, datetime

import pytest
from tiktok_engagement.scavio.errors import PayloadValidationError
from tiktok_engagement.scavio.records import (
    Hashtag,
    Profile,
    RejectedItem,
    Video,
    item_id_of,
    raw_json,
)

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
        "create_time": 1136073600,
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


def _stats(**changes):
    return {**ITEM, "statistics": {**ITEM["statistics"], **changes}}


@pytest.mark.parametrize(
    ("item", "field", "problem"),
    [
        (
            {**ITEM, "create_time": 1_000_000_000_000},
            "create_time",
            "from 2006-01-01 to 2100-01-01",
        ),
        ({**ITEM, "create_time": 1_136_073_599}, "create_time", "from 2006-01-01"),
        ({**ITEM, "create_time": 4_102_444_800}, "create_time", "to 2100-01-01"),
        ({**ITEM, "create_time": 1711494099.5}, "create_time", "must be an integer"),
        ({**ITEM, "create_time": {"t": 1}}, "create_time", "must be an integer"),
        ({**ITEM, "create_time": True}, "create_time", "boolean"),
        (_stats(play_count=2**64 + 5), "statistics.play_count", "at most 9223372036854775807"),
        (_stats(play_count=2**63), "statistics.play_count", "at most 9223372036854775807"),
        (_stats(play_count=1e30), "statistics.play_count", "at most 9223372036854775807"),
        (_stats(digg_count=-3), "statistics.digg_count", "must not be negative, got -3"),
        (_stats(comment_count="-1"), "statistics.comment_count", "must not be negative"),
        (
            _stats(share_count={"n": 1}),
            "statistics.share_count",
            "must be an integer, got {'n': 1}",
        ),
        (_stats(share_count=[1]), "statistics.share_count", "must be an integer"),
        (_stats(share_count=True), "statistics.share_count", "boolean"),
        (_stats(share_count="1_000"), "statistics.share_count", "must be an integer"),
        (_stats(share_count=float("inf")), "statistics.share_count", "must be an integer"),
        (_stats(share_count=float("nan")), "statistics.share_count", "must be an integer"),
        (_stats(collect_count=-1), "statistics.collect_count", "must not be negative"),
        (_stats(download_count=2**70), "statistics.download_count", "at most"),
        ({**ITEM, "aweme_id": ""}, "aweme_id", "is missing"),
        ({**ITEM, "aweme_id": "   "}, "aweme_id", "is empty"),
        ({**ITEM, "aweme_id": {"id": 1}}, "aweme_id", "string or integer id"),
        ({**ITEM, "aweme_id": True}, "aweme_id", "string or integer id"),
        ({**ITEM, "video": {"duration": -5}}, "video.duration", "must not be negative"),
        ({**ITEM, "desc": {"text": "x"}}, "desc", "must be a string"),
        ({**ITEM, "author": {"unique_id": ["a"]}}, "author.unique_id", "must be a string"),
        ({**ITEM, "is_ads": {"x": 1}}, "is_ads", "must be a boolean"),
        ({**ITEM, "cha_list": 5}, "cha_list", "must be a list"),
        ({**ITEM, "cha_list": [{"cha_name": {"x": 1}}]}, "cha_list[0].cha_name", "string"),
    ],
)
def test_invalid_values_are_rejected_naming_the_field(item, field, problem):
    with pytest.raises(PayloadValidationError) as info:
        Video.from_payload(item)
    assert info.value.field == field
    assert problem in info.value.problem


def test_the_bounds_themselves_are_valid():
    video = Video.from_payload(
        {**_stats(play_count=2**63 - 1, digg_count=0), "create_time": 4_102_444_799}
    )
    assert video.play_count == 2**63 - 1 and video.digg_count == 0
    assert video.created_at == datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)
    early = Video.from_payload({**ITEM, "create_time": "1136073600"})
    assert early.created_at == datetime(2006, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("true", True),
        ("0", False),
        (None, None),
    ],
)
def test_is_ads_spellings(raw, expected):
    assert Video.from_payload({**ITEM, "is_ads": raw}).is_ads is expected


_WEIRD_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    2**64,
    -(2**64),
    1.5,
    1e300,
    float("nan"),
    "",
    " ",
    "x",
    "-",
    "9" * 30,
    "\n\u202e",
    {},
    {"a": {"b": []}},
    [],
    [None],
    [{}],
]
_VIDEO_PATHS = [
    "aweme_id",
    "create_time",
    "statistics",
    "statistics.play_count",
    "statistics.collect_count",
    "author",
    "author.nickname",
    "desc",
    "video",
    "video.duration",
    "music",
    "music.title",
    "cha_list",
    "is_ads",
    "region",
]


def _with(payload, path, value):
    copy = json.loads(json.dumps(payload))
    target = copy
    *parents, last = path.split(".")
    for part in parents:
        target = target[part]
    target[last] = value
    return copy


@pytest.mark.parametrize("path", _VIDEO_PATHS)
def test_no_value_anywhere_raises_anything_but_a_validation_error(path):
    for value in _WEIRD_VALUES:
        with contextlib.suppress(PayloadValidationError):
            Video.from_payload(_with(ITEM, path, value))


PROFILE = {
    "unique_id": "tiktok",
    "sec_uid": "MS4wLjABAAAAv7iS",
    "uid": "107955",
    "follower_count": 9,
    "following_count": 1,
    "verification_type": 1,
}


@pytest.mark.parametrize(
    "path",
    [
        "unique_id",
        "sec_uid",
        "uid",
        "nickname",
        "follower_count",
        "following_count",
        "aweme_count",
        "total_favorited",
        "verification_type",
    ],
)
def test_no_profile_value_raises_anything_but_a_validation_error(path):
    for value in _WEIRD_VALUES:
        with contextlib.suppress(PayloadValidationError):
            Profile.from_payload({**PROFILE, path: value})


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"follower_count": -1}, "follower_count", "must not be negative, got -1"),
        ({"following_count": 2**64}, "following_count", "at most"),
        ({"verification_type": 2**40}, "verification_type", "must be from"),
        ({"unique_id": {"a": 1}}, "unique_id", "string or integer id"),
        ({"nickname": ["a"]}, "nickname", "must be a string"),
    ],
)
def test_invalid_profile_values_are_rejected(change, field, problem):
    with pytest.raises(PayloadValidationError) as info:
        Profile.from_payload({**PROFILE, **change})
    assert info.value.field == field and problem in info.value.problem


def test_invalid_hashtag_values_are_rejected():
    info = {"challenge": {"id": "7", "title": "gym"}, "stats": {"videoCount": -2}}
    with pytest.raises(PayloadValidationError, match="stats.videoCount"):
        Hashtag.from_payload(info)
    with pytest.raises(PayloadValidationError, match="challenge.title"):
        Hashtag.from_payload({"challenge": {"id": "7", "title": {"t": 1}}})
    for value in _WEIRD_VALUES:
        for path in ("challenge.id", "challenge.title", "statsV2.viewCount", "challenge.desc"):
            with contextlib.suppress(PayloadValidationError):
                Hashtag.from_payload(
                    _with({"challenge": {"id": "7", "title": "x"}, "statsV2": {}}, path, value)
                )


def test_lineage_fields_are_filled_and_not_part_of_equality():
    at = datetime(2025, 3, 1, 12, tzinfo=UTC)
    video = Video.from_payload(ITEM, request_seq=7, captured_at=at)
    assert (video.request_seq, video.captured_at) == (7, at)
    assert video == Video.from_payload(ITEM)
    profile = Profile.from_payload(PROFILE, request_seq=3, captured_at=at)
    assert (profile.request_seq, profile.captured_at) == (3, at)
    hashtag = Hashtag.from_payload({"challenge": {"id": "7", "title": "x"}}, request_seq=4)
    assert (hashtag.request_seq, hashtag.captured_at) == (4, None)


def test_validation_messages_are_cleaned_and_bounded():
    with pytest.raises(PayloadValidationError) as info:
        Video.from_payload(_stats(play_count="lots\nFAKE LOG LINE\u202e" + "x" * 5000))
    message = str(info.value)
    assert "\n" not in message and "\u202e" not in message
    assert len(info.value.problem) <= 300


def test_rejected_item_from_an_error():
    at = datetime(2025, 3, 1, tzinfo=UTC)
    item = _stats(play_count=2**64 + 5)
    with pytest.raises(PayloadValidationError) as info:
        Video.from_payload(item)
    rejected = RejectedItem.from_error(
        info.value,
        item,
        endpoint="user/posts",
        item_key="alice",
        request_seq=5,
        captured_at=at,
        where="user/posts page 1 item 4",
    )
    assert rejected.reason == (
        "statistics.play_count must be at most 9223372036854775807 (user/posts page 1 item 4)"
    )
    assert rejected.raw_json == raw_json(item)
    assert rejected.item_id == "7350810998023949599"
    assert (rejected.endpoint, rejected.item_key, rejected.request_seq) == (
        "user/posts",
        "alice",
        5,
    )
    assert item_id_of({"unique_id": "bob"}) == "bob"
    assert item_id_of({"challenge": {"id": 7}}) == "7"
    assert item_id_of(["x"]) is None and item_id_of({"aweme_id": {"x": 1}}) is None


def test_raw_json_writes_integers_beyond_64_bits():
    assert raw_json({"b": 2**64 + 5, "a": 1}) == b'{"a":1,"b":18446744073709551621}'
