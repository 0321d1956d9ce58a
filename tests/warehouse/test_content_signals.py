"""creator_content_signals and the new fct_video_snapshots columns, pinned with values computed
by hand from a hand-written landing (real schemas, real dbt, one range build of 36 days).

D is 2024-06-30 (the end of the day: 2024-07-01 00:00 UTC). Creators:

- ``steady``: nine posts (every two days from 06-17 to 06-29, one on 05-20, one on 03-01), one of
  them (06-21) at ten times the views of the posts of its age, one disclosed (#ad) and one
  likely (thanks to @panco) sponsored post; weekly profiles growing by 100 a week;
- ``spiky``: daily profiles for the last week with a jump of 10 000 on 06-29 and no outlier video;
- ``viral``: the same jump, but an outlier video on 06-27 (two days before) explains it;
- ``young``: profiles on 06-27 and 06-30 only: no growth can be computed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from tiktok_engagement.landing import Landing

from .conftest import Warehouse, new_warehouse
from .landing_rows import load, post, profile

pytestmark = pytest.mark.slow  # real dbt builds

D = date(2024, 6, 30)
FIRST = D - timedelta(days=35)
approx = pytest.approx


def feed_row(
    day: date,
    creator: str,
    position: int,
    video: str,
    created: str,
    views: int,
    likes: int,
    description: str | None = None,
) -> dict:
    row = post(day, creator, "food", position, video, views, likes, 0, 0, created=created)
    if description is not None:
        row["description"] = description
    return row


STEADY = [
    # video, created, views, likes, description
    ("s0629", "2024-06-29T12:00:00", 1000, 60, None),
    ("s0627", "2024-06-27T12:00:00", 1000, 20, "#ad new spatula"),
    ("s0625", "2024-06-25T12:00:00", 1000, 60, None),
    ("s0623", "2024-06-23T12:00:00", 1000, 40, "thanks to @panco for the pan"),
    ("s0621", "2024-06-21T12:00:00", 10000, 600, None),
    ("s0619", "2024-06-19T12:00:00", 1000, 60, None),
    ("s0617", "2024-06-17T12:00:00", 1000, 60, None),
    ("s0520", "2024-05-20T12:00:00", 1000, 60, None),
    ("s0301", "2024-03-01T12:00:00", 1000, 60, None),
]
VIRAL = [
    ("v1", "2024-06-23T00:00:00", 50000, 500),
    ("o1", "2024-06-24T00:00:00", 1000, 10),
    ("o2", "2024-06-22T00:00:00", 1000, 10),
    ("o3", "2024-06-21T00:00:00", 1000, 10),
]
JUMP = [20_000, 20_010, 20_020, 20_030, 20_040, 30_040, 30_050]  # 06-24 .. 06-30


def write_signals_landing(root: str) -> None:
    landing = Landing(root)
    rows: dict[str, dict[date, list[dict]]] = {"creator_posts": {}, "profiles": {}}

    def add(dataset: str, day: date, row: dict) -> None:
        rows[dataset].setdefault(day, []).append(row)

    for position, (video, created, views, likes, description) in enumerate(STEADY, start=1):
        row = feed_row(D, "steady", position, video, created, views, likes, description)
        add("creator_posts", D, row)
    for day in (D - timedelta(days=3), D):
        for position, (video, created, views, likes) in enumerate(VIRAL, start=1):
            add(
                "creator_posts", day, feed_row(day, "viral", position, video, created, views, likes)
            )
    add("creator_posts", D, feed_row(D, "spiky", 1, "k1", "2024-06-28T12:00:00", 1000, 50))
    add("creator_posts", D, feed_row(D, "young", 1, "y1", "2024-06-28T12:00:00", 1000, 50))

    for weeks_before in range(6):  # 05-26 .. 06-30: 10 000, 10 100, ..., 10 500
        day = D - timedelta(days=7 * weeks_before)
        add("profiles", day, profile(day, "steady", "food", 10_500 - 100 * weeks_before))
    for offset, followers in enumerate(JUMP):
        day = D - timedelta(days=6 - offset)
        add("profiles", day, profile(day, "spiky", "food", followers))
        add("profiles", day, profile(day, "viral", "food", followers))
    add("profiles", D - timedelta(days=3), profile(D - timedelta(days=3), "young", "food", 5000))
    add("profiles", D, profile(D, "young", "food", 5100))

    for dataset, by_day in rows.items():
        for day, day_rows in by_day.items():
            of = load(f"run-{day}", datetime(day.year, day.month, day.day, 6, tzinfo=UTC))
            landing.write(dataset, day, of.file_name("part-0000"), day_rows, load=of)


@pytest.fixture(scope="module")
def signals_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    warehouse = new_warehouse(
        tmp_path_factory, "signals", tmp_path_factory.mktemp("signals-landing")
    )
    write_signals_landing(str(warehouse.landing))
    warehouse.build(FIRST, through=D)
    return warehouse


SIGNAL_COLUMNS = (
    "posts_per_week_30d, days_since_last_post, max_gap_days_90d, median_views_recent, "
    "outlier_videos_30d, sponsored_share_30d, sponsored_engagement_lift, follower_growth_7d, "
    "follower_growth_30d, has_follower_spike"
)


def signals(warehouse: Warehouse, creator: str, day: date = D) -> dict:
    rows = warehouse.query(
        f"select {SIGNAL_COLUMNS} from marts.creator_content_signals "  # noqa: S608
        "where creator_username = ? and snapshot_date = ?",
        [creator, day],
    )
    assert len(rows) == 1, rows
    return dict(zip([c.strip() for c in SIGNAL_COLUMNS.split(",")], rows[0], strict=True))


def test_cadence_reach_and_sponsorship(signals_warehouse: Warehouse) -> None:
    assert signals(signals_warehouse, "steady") == {
        # 7 posts created after 06-01 00:00 (30 days before 07-01 00:00): 7 * 7 / 30 a week
        "posts_per_week_30d": approx(49 / 30),
        "days_since_last_post": 1,  # 06-30 - 06-29
        # in the 90 days (after 04-02): 05-20 -> 06-17 is the longest stretch (28 days); the
        # newest post to the end of the day is 1.5; 03-01 is outside the window
        "max_gap_days_90d": approx(28.0),
        "median_views_recent": approx(1000.0),  # eight posts at 1000, one at 10 000
        "outlier_videos_30d": 1,  # s0621
        "sponsored_share_30d": approx(2 / 7),  # s0627 disclosed, s0623 likely
        # sponsored engagement 0.02 and 0.04 (median 0.03) over the organic posts' 0.06
        "sponsored_engagement_lift": approx(0.5),
        # weekly profiles: 10 500 now, 10 400 on 06-23, 10 000 on 05-26 (35 days before)
        "follower_growth_7d": approx(100 / 10_400),
        "follower_growth_30d": approx(0.05),
        "has_follower_spike": False,
    }


def test_views_vs_creator_median_and_outliers(signals_warehouse: Warehouse) -> None:
    rows = dict(
        (video, (ratio, outlier, posts))
        for video, ratio, outlier, posts in signals_warehouse.query(
            "select video_id, views_vs_creator_median, is_outlier, similar_age_posts "
            "from marts.fct_video_snapshots where creator_username = 'steady' and snapshot_date = ?",
            [D],
        )
    )
    # ages at the end of the day: s0621 is 9.5 days old; 4.75 to 19 days: s0625, s0623, s0619,
    # s0617, all at 1000 views: 10 000 / 1000
    assert rows["s0621"] == (approx(10.0), True, 4)
    # s0625 (5.5 days: 2.75 to 11): s0627, s0623, s0621: median of 1000, 1000, 10 000
    assert rows["s0625"] == (approx(1.0), False, 3)
    # s0627 (3.5 days: 1.75 to 7) has only s0625 beside it; s0629 (1.5 days) none
    assert rows["s0627"] == (None, False, 1)
    assert rows["s0629"] == (None, False, 0)
    sponsored = dict(
        signals_warehouse.query(
            "select video_id, sponsored_signal from marts.fct_video_snapshots "
            "where creator_username = 'steady' and snapshot_date = ? and sponsored_signal <> 'none'",
            [D],
        )
    )
    assert sponsored == {"s0627": "disclosed", "s0623": "likely"}


def test_follower_growth_needs_a_profile_7_days_before(signals_warehouse: Warehouse) -> None:
    young = signals(signals_warehouse, "young")
    # profiles on 06-27 and 06-30 only: nothing 7 (or 30) days before the latest
    assert (young["follower_growth_7d"], young["follower_growth_30d"]) == (None, None)
    assert young["has_follower_spike"] is False
    # spiky: 30 050 now, 20 000 on 06-24 is not 7 days before; nothing on or before 06-23
    assert signals(signals_warehouse, "spiky")["follower_growth_7d"] is None


def test_follower_spike_unless_an_outlier_video_explains_it(signals_warehouse: Warehouse) -> None:
    # daily gains 10, 10, 10, 10, 10 000, 10: median 10, MAD 0 (taken as 1): 10 000 > 15
    assert signals(signals_warehouse, "spiky")["has_follower_spike"] is True
    # viral's v1 was an outlier on 06-27 (5 days old, 50 000 views against 1000 for o1, o2, o3),
    # within the 3 days before the jump of 06-29
    assert signals_warehouse.query(
        "select is_outlier from marts.fct_video_snapshots where video_id = 'v1' and snapshot_date = ?",
        [D - timedelta(days=3)],
    ) == [(True,)]
    assert signals(signals_warehouse, "viral")["has_follower_spike"] is False


def test_spike_zeroes_growth_in_overall_score(signals_warehouse: Warehouse) -> None:
    parts = dict(
        (creator, (growth, overall))
        for creator, growth, overall in signals_warehouse.query(
            "select creator_username, growth_part, overall_score from marts.creator_scorecard "
            "where snapshot_date = ?",
            [D],
        )
    )
    assert parts["spiky"][0] == 0.0  # a spike: no credit for the growth
    assert parts["steady"][0] == approx(1.0)  # 0.5 + 10 * 0.05
    assert parts["young"][0] is None  # unknown: left out
    assert all(0 <= overall <= 100 for _, overall in parts.values())
