"""The comment sampling policy: pure functions over landed rows, and its settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from tiktok_engagement.comments.sampling import (
    SOURCE_CREATOR_POSTS,
    SOURCE_SEARCH_RESULTS,
    CommentPolicy,
    DueVideo,
    as_of,
    candidate_videos,
    comment_credits,
    fair_order,
    posting_rate,
    sampled_video_ids,
    select_due,
    steady_daily_credits,
)
from tiktok_engagement.config import ConfigError, Settings

D = date(2026, 11, 10)
NOON = datetime(2026, 11, 10, 12, tzinfo=UTC)
CAPTURED = datetime(2026, 11, 10, 12, 5, tzinfo=UTC)


def post(video_id: str, age: timedelta, *, creator: str = "maya", comments: int = 10, **extra):
    return {
        "creator_username": creator,
        "video_id": video_id,
        "author_unique_id": creator,
        "created_at": NOON - age,
        "comment_count": comments,
        "captured_at": CAPTURED,
        "load_id": "load-1",
        **extra,
    }


def result(video_id: str, query: str, shares: int, age: timedelta = timedelta(days=3)):
    return {
        "query": query,
        "query_type": "keyword",
        "video_id": video_id,
        "author_unique_id": "someone",
        "created_at": NOON - age,
        "comment_count": 5,
        "share_count": shares,
        "captured_at": CAPTURED,
        "load_id": "load-1",
    }


def ids(videos) -> list[str]:
    return [v.video_id for v in videos]


def test_the_as_of_instant_is_noon_utc_of_the_date():
    assert as_of(D) == NOON


def test_the_age_window_is_inclusive_at_both_ends():
    policy = CommentPolicy()
    posts = [
        post("too-young", timedelta(hours=47, minutes=59)),
        post("just-old-enough", timedelta(hours=48)),
        post("mid", timedelta(days=5)),
        post("oldest-allowed", timedelta(days=14)),
        post("too-old", timedelta(days=14, seconds=1)),
    ]
    assert ids(candidate_videos(posts, [], policy, D)) == [
        "just-old-enough",
        "mid",
        "oldest-allowed",
    ]
    narrow = CommentPolicy(min_age_hours=0, max_age_days=2)
    assert ids(candidate_videos(posts, [], narrow, D)) == ["just-old-enough", "too-young"]


def test_a_video_without_comments_waits_and_the_latest_capture_counts():
    policy = CommentPolicy()
    later = CAPTURED + timedelta(hours=1)
    posts = [
        post("silent", timedelta(days=3), comments=0),
        # Captured twice on the date: the later capture (1 comment) decides.
        post("woke-up", timedelta(days=3), comments=0),
        post("woke-up", timedelta(days=3), comments=1, captured_at=later, load_id="load-2"),
    ]
    assert ids(candidate_videos(posts, [], policy, D)) == ["woke-up"]


def test_only_the_selected_creators_are_candidates():
    posts = [
        post("a1", timedelta(days=3), creator="Maya"),
        post("b1", timedelta(days=3), creator="bob"),
    ]
    found = candidate_videos(posts, [], CommentPolicy(), D, creators=["maya"])
    assert ids(found) == ["a1"] and found[0].creator_username == "Maya"
    assert found[0].sample_source == SOURCE_CREATOR_POSTS


def test_top_query_videos_by_shares_when_on_and_creator_posts_win_a_tie():
    results = [
        result("q1", "home workout", 50),
        result("q2", "home workout", 90),
        result("q3", "home workout", 70),
        result("shared", "gym", 99),
        result("g2", "gym", 10),
        result("young", "gym", 500, age=timedelta(hours=3)),
    ]
    posts = [post("shared", timedelta(days=2, hours=1))]
    assert ids(candidate_videos(posts, results, CommentPolicy(), D)) == ["shared"]  # off by default
    policy = CommentPolicy(top_query_videos=2)
    found = {v.video_id: v for v in candidate_videos(posts, results, policy, D)}
    # home workout: q2 and q3, its most shared. gym: "young" is too young (it waits) and "shared"
    # is the creator's video (sampled as the creator's), so gym's pick is g2: a query's top N
    # are taken among the videos the rules leave open.
    assert sorted(found) == ["g2", "q2", "q3", "shared"]
    assert found["shared"].sample_source == SOURCE_CREATOR_POSTS
    assert found["q2"].sample_source == SOURCE_SEARCH_RESULTS
    assert (found["q2"].query, found["q2"].creator_username) == ("home workout", None)
    # A query video sampled before makes room for the next most shared one.
    again = candidate_videos(posts, results, policy, D, sampled={"q2"})
    assert ids(again) == ["g2", "q1", "q3", "shared"]


def test_a_video_sampled_before_is_never_due_again():
    loads = [
        {"kind": "comments", "items_done": ["video:done-empty", "video:gone"]},
        {"kind": "creators", "items_done": ["creator:video:x"]},
    ]
    assert sampled_video_ids(["with-rows"], loads) == {"with-rows", "done-empty", "gone"}
    candidates = candidate_videos(
        [post(v, timedelta(days=3)) for v in ("with-rows", "done-empty", "new")],
        [],
        CommentPolicy(),
        D,
    )
    selection = select_due(candidates, sampled_video_ids(["with-rows"], loads), CommentPolicy())
    assert ids(selection.due) == ["new"] and selection.sampled_before == 2
    assert selection.deferred == []


def test_the_history_covers_every_date_a_video_in_the_window_can_have_been_sampled():
    policy = CommentPolicy(max_age_days=3)
    assert policy.history_dates(D) == [
        date(2026, 11, 6),
        date(2026, 11, 7),
        date(2026, 11, 8),
        date(2026, 11, 9),
    ]


def test_a_daily_credit_cap_takes_each_creators_oldest_first_and_defers_the_rest():
    posts = [
        post("m-old", timedelta(days=10), creator="maya"),
        post("m-mid", timedelta(days=6), creator="maya"),
        post("m-new", timedelta(days=3), creator="maya"),
        post("b-only", timedelta(days=4), creator="bob"),
    ]
    assert ids(fair_order(candidate_videos(posts, [], CommentPolicy(), D))) == [
        "b-only",
        "m-old",
        "m-mid",
        "m-new",
    ]
    policy = CommentPolicy(pages=2, daily_credits=5)  # 5 credits: two videos of two pages
    selection = select_due(candidate_videos(posts, [], policy, D), set(), policy)
    assert ids(selection.due) == ["b-only", "m-old"]
    assert ids(selection.deferred) == ["m-mid", "m-new"]
    assert selection.credits(policy) == comment_credits(selection.due, policy) == 4
    nothing = CommentPolicy(daily_credits=0)
    assert select_due(candidate_videos(posts, [], nothing, D), set(), nothing).due == []


def test_a_due_video_survives_xcom():
    video = DueVideo("7350810998023949599", SOURCE_SEARCH_RESULTS, NOON, 3, None, "x", "gym")
    assert DueVideo.from_dict(video.to_dict()) == video
    assert video.item == "video:7350810998023949599"


def test_the_steady_day_is_one_sample_per_new_post():
    # maya posts daily (the feed reaches past the window), bob posted twice in the last 7 days
    # and his feed holds nothing older: his rate is 2 over those 7 days.
    posts = [post(f"m{n}", timedelta(days=n, hours=1), creator="maya") for n in range(20)]
    posts += [post("b1", timedelta(days=7)), post("b2", timedelta(days=1))]
    for row in posts[-2:]:
        row["creator_username"] = "bob"
    rate = posting_rate(posts, D, 14)
    assert rate == pytest.approx(14 / 14 + 2 / 7)
    assert steady_daily_credits(posts, D, CommentPolicy(pages=2)) == pytest.approx(2 * rate)
    with_queries = steady_daily_credits(posts, D, CommentPolicy(top_query_videos=3), queries=4)
    assert with_queries == pytest.approx(rate + 12)
    assert steady_daily_credits(posts, D, CommentPolicy(daily_credits=1)) == 1


@pytest.mark.parametrize(
    ("env", "named"),
    [
        (
            {"TIKTOK_COMMENTS_MIN_AGE_HOURS": "-1"},
            "TIKTOK_COMMENTS_MIN_AGE_HOURS='-1' must be at least 0",
        ),
        (
            {"TIKTOK_COMMENTS_MAX_AGE_DAYS": "0"},
            "TIKTOK_COMMENTS_MAX_AGE_DAYS='0' must be at least 1",
        ),
        ({"TIKTOK_COMMENT_PAGES": "two"}, "TIKTOK_COMMENT_PAGES='two' is not a whole number"),
        ({"TIKTOK_COMMENT_PAGES": "21"}, "TIKTOK_COMMENT_PAGES='21' must be at most 20"),
        ({"TIKTOK_COMMENTS_TOP_QUERY_VIDEOS": "1.5"}, "TIKTOK_COMMENTS_TOP_QUERY_VIDEOS='1.5'"),
        (
            {"TIKTOK_COMMENTS_DAILY_CREDITS": "-5"},
            "TIKTOK_COMMENTS_DAILY_CREDITS='-5' must be at least 0",
        ),
        (
            {"TIKTOK_COMMENTS_MIN_AGE_HOURS": "48", "TIKTOK_COMMENTS_MAX_AGE_DAYS": "2"},
            "TIKTOK_COMMENTS_MIN_AGE_HOURS=48 must be below TIKTOK_COMMENTS_MAX_AGE_DAYS=2 x 24",
        ),
    ],
)
def test_bad_comment_settings_fail_at_start_naming_the_variable(env, named):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert named in str(caught.value)


def test_comment_settings_defaults_and_overrides():
    policy = CommentPolicy.from_settings(Settings.from_env({}))
    assert policy == CommentPolicy(48, 14, 1, 0, None)
    env = {
        "TIKTOK_COMMENTS_MIN_AGE_HOURS": "24",
        "TIKTOK_COMMENTS_MAX_AGE_DAYS": "7",
        "TIKTOK_COMMENT_PAGES": "3",
        "TIKTOK_COMMENTS_TOP_QUERY_VIDEOS": "5",
        "TIKTOK_COMMENTS_DAILY_CREDITS": "300",
    }
    assert CommentPolicy.from_settings(Settings.from_env(env)) == CommentPolicy(24, 7, 3, 5, 300)
