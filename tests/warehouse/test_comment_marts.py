"""The comment marts (fct_comments, video_comment_summary, creator_audience) and overall_score,
pinned with values computed by hand from a hand-written landing with the real landing schemas.

Three days. Roster creators (feeds every day, posts created before the first day):

- ``honest``: h1, h2, h3 sampled on D1, D2, D3; per video three fans (one of them negative, one
  asking where to buy) and ``bestie``, who leaves "😍" on all three;
- ``pod``: p1, p2, p3 sampled on D1, D2, D3; the same four accounts on each, generic praise whose
  texts differ only in case, spaces and repeated characters;
- ``pair``: two sampled videos (too few for a repeat-commenter rate);
- ``alerts``: four videos sampled on D3 around the negative-alert boundaries (10 vs 9 scored
  comments, 40 vs 39 negative of 100);
- ``multi``: m1 sampled twice on D2 (a re-run: the later capture wins whole) and again on D3 (the
  first sampled date is kept), its comments scored from both loads and re-scored.

Plus a landing without any comment partition, which must build with empty comment marts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from tiktok_engagement.landing import Landing, Load

from .conftest import Warehouse, new_warehouse
from .landing_rows import comment, comment_score, load, post, profile

pytestmark = pytest.mark.slow  # real dbt builds

D1, D2, D3 = date(2024, 4, 1), date(2024, 4, 2), date(2024, 4, 3)
DAYS = (D1, D2, D3)
approx = pytest.approx


def noon(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


FEED_LOADS = {day: load(f"feeds-{day}", noon(day, 6)) for day in DAYS}
COMMENT_LOADS = {day: load(f"comments-{day}", noon(day, 10)) for day in DAYS}
SCORE_LOADS = {day: load(f"scores-{day}", noon(day, 11)) for day in DAYS}
MULTI_RERUN = load(f"comments-rerun-{D2}", noon(D2, 14))  # a re-run of D2's sampling, later
RESCORE = load(f"rescore-{D2}", noon(D2, 16))

VIDEOS = {
    "honest": ["h1", "h2", "h3"],
    "pod": ["p1", "p2", "p3"],
    "pair": ["q1", "q2"],
    "alerts": ["a10", "a9", "a40", "a39"],
    "multi": ["m1"],
}
SAMPLED_ON = {"h1": D1, "h2": D2, "h3": D3, "p1": D1, "p2": D2, "p3": D3, "q1": D1, "q2": D2}

# Per day, per dataset: rows of each load.
Rows = dict[tuple[date, Load], list[dict]]


def honest_rows(comments: Rows, scores: Rows) -> None:
    for video in VIDEOS["honest"]:
        day = SAMPLED_ON[video]
        loaded, scoring = COMMENT_LOADS[day], (day, SCORE_LOADS[day])
        cases = [
            (
                f"{video}-fan1",
                f"love the shade on you ({video})",
                "positive",
                {"terms": ["shade", "love"]},
            ),
            (
                f"{video}-fan2",
                f"where can i buy this shade? ({video})",
                "positive",
                {"terms": ["shade"], "question": True, "purchase": True},
            ),
            (f"{video}-fan3", f"looks patchy tbh ({video})", "negative", {"terms": ["patchy"]}),
            ("bestie", "😍", "positive", {"generic": True}),
        ]
        for rank, (commenter, text, label, flags) in enumerate(cases, start=1):
            cid = f"{video}-c{rank}"
            comments.setdefault((day, loaded), []).append(
                comment(day, video, cid, text, commenter, creator="honest", rank=rank)
            )
            scores.setdefault(scoring, []).append(
                comment_score(day, video, cid, loaded, label, **flags)
            )


def pod_rows(comments: Rows, scores: Rows) -> None:
    texts = {
        "p1": ["nice 🔥", "love this", "🔥🔥🔥", "so cute"],
        "p2": ["Nice 🔥🔥", "LOVE   this", "🔥", "omg"],
        "p3": ["niiice 🔥", "love thiss", "🔥🔥", "wow"],
    }
    for video, video_texts in texts.items():
        day = SAMPLED_ON[video]
        loaded = COMMENT_LOADS[day]
        for rank, text in enumerate(video_texts, start=1):
            cid = f"{video}-c{rank}"
            comments.setdefault((day, loaded), []).append(
                comment(day, video, cid, text, f"pod{rank}", creator="pod", rank=rank)
            )
            scores.setdefault((day, SCORE_LOADS[day]), []).append(
                comment_score(day, video, cid, loaded, "positive", generic=True)
            )


def pair_rows(comments: Rows, scores: Rows) -> None:
    for video, commenters in (("q1", ["fanA", "fanB"]), ("q2", ["fanA"])):
        day = SAMPLED_ON[video]
        loaded = COMMENT_LOADS[day]
        for rank, commenter in enumerate(commenters, start=1):
            cid = f"{video}-c{rank}"
            comments.setdefault((day, loaded), []).append(
                comment(day, video, cid, f"{commenter} on {video}", commenter, creator="pair")
            )
            scores.setdefault((day, SCORE_LOADS[day]), []).append(
                comment_score(day, video, cid, loaded, "neutral")
            )


ALERT_LABELS = {
    # video: (positive, negative, unscored)
    "a10": (6, 4, 0),
    "a9": (5, 4, 3),
    "a40": (60, 40, 0),
    "a39": (61, 39, 0),
}


def alert_rows(comments: Rows, scores: Rows) -> None:
    loaded = COMMENT_LOADS[D3]
    for video, (positive, negative, unscored) in ALERT_LABELS.items():
        labels = ["positive"] * positive + ["negative"] * negative + ["unscored"] * unscored
        for rank, label in enumerate(labels, start=1):
            cid = f"{video}-c{rank:03d}"
            comments.setdefault((D3, loaded), []).append(
                comment(D3, video, cid, f"{label} {cid}", f"u-{cid}", creator="alerts", rank=rank)
            )
            scores.setdefault((D3, SCORE_LOADS[D3]), []).append(
                comment_score(
                    D3, video, cid, loaded, label, language=None if label == "unscored" else "en"
                )
            )


def multi_rows(comments: Rows, scores: Rows) -> None:
    first, rerun, later = COMMENT_LOADS[D2], MULTI_RERUN, COMMENT_LOADS[D3]

    def m1(day: date, cid: str, rank: int) -> dict:
        return comment(day, "m1", cid, f"text of {cid}", f"fan-{cid}", creator="multi", rank=rank)

    comments.setdefault((D2, first), []).extend(
        [m1(D2, "m1-c1", 1), m1(D2, "m1-c2", 2), m1(D2, "m1-gone", 3)]
    )
    # The re-run, later the same day: c1, c2 and a new c3; m1-gone is no longer there.
    comments.setdefault((D2, rerun), []).extend(
        [m1(D2, "m1-c1", 1), m1(D2, "m1-c2", 2), m1(D2, "m1-c3", 3)]
    )
    comments.setdefault((D3, later), []).extend([m1(D3, "m1-c1", 1), m1(D3, "m1-new", 2)])
    d2_scores = (D2, SCORE_LOADS[D2])
    scores.setdefault(d2_scores, []).extend(
        [
            # c1 scored from both captures: the re-run's wins; then re-scored later (v2) wins.
            comment_score(D2, "m1", "m1-c1", first, "negative"),
            comment_score(D2, "m1", "m1-c1", rerun, "positive", scored_at=noon(D2, 15)),
            # c2 only from the first capture: that score is used.
            comment_score(D2, "m1", "m1-c2", first, "negative"),
            # c3 has no score at all.
        ]
    )
    scores.setdefault((D2, RESCORE), []).append(
        comment_score(D2, "m1", "m1-c1", rerun, "neutral", version="test-2", scored_at=noon(D2, 16))
    )
    scores.setdefault((D3, SCORE_LOADS[D3]), []).append(
        comment_score(D3, "m1", "m1-new", later, "negative")
    )


def write_comment_landing(root: str, *, with_comments: bool = True) -> None:
    landing = Landing(root)
    for day in DAYS:
        feed = []
        for creator, videos in VIDEOS.items():
            for position, video in enumerate(videos, start=1):
                feed.append(
                    post(
                        day,
                        creator,
                        "beauty",
                        position,
                        video,
                        10_000,
                        500,
                        20,
                        30,
                        created=f"2024-03-{20 + position:02d}T10:00:00",
                    )
                )
        landing.write(
            "creator_posts",
            day,
            FEED_LOADS[day].file_name("part-0000"),
            feed,
            load=FEED_LOADS[day],
        )
    landing.write(
        "profiles",
        D1,
        FEED_LOADS[D1].file_name("part-0000"),
        [profile(D1, creator, "beauty", 50_000) for creator in VIDEOS],
        load=FEED_LOADS[D1],
    )
    if not with_comments:
        return
    comments: Rows = {}
    scores: Rows = {}
    for add in (honest_rows, pod_rows, pair_rows, alert_rows, multi_rows):
        add(comments, scores)
    for dataset, rows_by_load in (("comments", comments), ("comment_scores", scores)):
        for (day, of), rows in rows_by_load.items():
            landing.write(dataset, day, of.file_name("part-0000"), rows, load=of)


@pytest.fixture(scope="module")
def comments_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    warehouse = new_warehouse(
        tmp_path_factory, "comments", tmp_path_factory.mktemp("comments-landing")
    )
    write_comment_landing(str(warehouse.landing))
    warehouse.build(D1, through=D3)
    return warehouse


def one(warehouse: Warehouse, sql: str, params: list) -> dict:
    con_rows = warehouse.query(sql, params)
    assert len(con_rows) == 1, con_rows
    names = [
        part.strip().split(" ")[-1]
        for part in sql.split(" from ")[0].removeprefix("select ").split(",")
    ]
    return dict(zip(names, con_rows[0], strict=True))


def summary(warehouse: Warehouse, video: str) -> dict:
    return one(
        warehouse,
        "select snapshot_date, creator_username, comments_analyzed, scored_share, positive_share, "
        "neutral_share, negative_share, net_sentiment, generic_comment_share, "
        "duplicate_comment_share, question_share, purchase_intent_share, top_terms, negative_alert "
        "from marts.video_comment_summary where video_id = ?",
        [video],
    )


def audience(warehouse: Warehouse, creator: str, day: date) -> dict:
    return one(
        warehouse,
        "select videos_with_comments, comments_analyzed, net_sentiment, negative_alert_videos, "
        "repeat_commenter_rate, generic_comment_share, duplicate_comment_share, "
        "comment_authenticity, top_terms from marts.creator_audience "
        "where creator_username = ? and snapshot_date = ?",
        [creator, day],
    )


# ---------------------------------------------------------------------------------------------
# fct_comments


def test_is_duplicate_text_ignores_case_spaces_and_repeated_characters(
    comments_warehouse: Warehouse,
) -> None:
    flags = dict(
        comments_warehouse.query(
            "select comment_id, is_duplicate_text from marts.fct_comments "
            "where creator_username = 'pod'"
        )
    )
    # p1 (D1) is the first sampled: nothing before it. On p2 and p3, "Nice 🔥🔥" / "niiice 🔥",
    # "LOVE   this" / "love thiss" and "🔥" / "🔥🔥" repeat p1's texts; omg and wow do not.
    assert flags == {
        **{f"p1-c{i}": False for i in range(1, 5)},
        **{f"p{v}-c{i}": i < 4 for v in (2, 3) for i in range(1, 5)},
    }
    # honest's bestie "😍" repeats on h2 and h3; distinct texts are not duplicates.
    honest = dict(
        comments_warehouse.query(
            "select comment_id, is_duplicate_text from marts.fct_comments "
            "where creator_username = 'honest' and is_duplicate_text"
        )
    )
    assert honest == {"h2-c4": True, "h3-c4": True}


def test_latest_capture_of_the_first_sampled_date_with_its_score(
    comments_warehouse: Warehouse,
) -> None:
    rows = comments_warehouse.query(
        "select comment_id, snapshot_date, sentiment_label, sentiment_score, scorer_version, "
        "load_id from marts.fct_comments where video_id = 'm1' order by comment_id"
    )
    rerun = MULTI_RERUN.load_id
    assert rows == [
        # the re-run's capture (whole: m1-gone is not kept), on D2 (D3's sample does not replace
        # it: m1-new is not kept); c1's score: the re-run's, re-scored by test-2 (neutral)
        ("m1-c1", D2, "neutral", 0.0, "test-2", rerun),
        # no score of the re-run's c2: the score of the first capture's c2 is used
        ("m1-c2", D2, "negative", -0.5, "test-1", rerun),
        # never scored: NULL until the scoring step runs
        ("m1-c3", D2, None, None, None, rerun),
    ]


def test_fct_comments_columns(comments_warehouse: Warehouse) -> None:
    row = one(
        comments_warehouse,
        "select video_id, creator_username, commenter_username, language, sentiment_label, "
        "is_generic, is_duplicate_text, is_question, purchase_intent, snapshot_date "
        "from marts.fct_comments where comment_id = ?",
        ["h1-c2"],
    )
    assert row == {
        "video_id": "h1",
        "creator_username": "honest",
        "commenter_username": "h1-fan2",
        "language": "en",
        "sentiment_label": "positive",
        "is_generic": False,
        "is_duplicate_text": False,
        "is_question": True,
        "purchase_intent": True,
        "snapshot_date": D1,
    }
    # 12 honest + 12 pod + 3 pair + (10 + 12 + 100 + 100) alerts + 3 multi
    assert comments_warehouse.query("select count(*) from marts.fct_comments") == [(252,)]


# ---------------------------------------------------------------------------------------------
# video_comment_summary


def test_negative_alert_needs_10_scored_comments_and_40_percent(
    comments_warehouse: Warehouse,
) -> None:
    alerts = dict(
        comments_warehouse.query(
            "select video_id, negative_alert from marts.video_comment_summary "
            "where creator_username = 'alerts'"
        )
    )
    # a10: 4 of 10 scored (0.40); a9: 4 of 9 (0.44, but 9 scored); a40: 40 of 100; a39: 39 of 100
    assert alerts == {"a10": True, "a9": False, "a40": True, "a39": False}
    a9 = summary(comments_warehouse, "a9")
    assert a9["comments_analyzed"] == 12
    assert a9["scored_share"] == approx(9 / 12)  # three unscored
    assert a9["negative_share"] == approx(4 / 9)
    assert a9["net_sentiment"] == approx(1 / 9)  # (5 - 4) / 9
    assert summary(comments_warehouse, "a39")["negative_share"] == approx(0.39)


def test_video_summary_shares_and_top_terms(comments_warehouse: Warehouse) -> None:
    # h1: fan1 positive (shade, love), fan2 positive question with purchase intent (shade),
    # fan3 negative (patchy), bestie positive generic
    assert summary(comments_warehouse, "h1") == {
        "snapshot_date": D1,
        "creator_username": "honest",
        "comments_analyzed": 4,
        "scored_share": approx(1.0),
        "positive_share": approx(0.75),
        "neutral_share": approx(0.0),
        "negative_share": approx(0.25),
        "net_sentiment": approx(0.5),
        "generic_comment_share": approx(0.25),
        "duplicate_comment_share": approx(0.0),
        "question_share": approx(0.25),
        "purchase_intent_share": approx(0.25),
        "top_terms": ["shade", "love", "patchy"],  # shade in 2 comments; ties alphabetical
        "negative_alert": False,
    }
    assert summary(comments_warehouse, "h2")["duplicate_comment_share"] == approx(0.25)
    # m1: c1 neutral, c2 negative, c3 awaiting a score
    m1 = summary(comments_warehouse, "m1")
    assert (m1["snapshot_date"], m1["comments_analyzed"], m1["scored_share"]) == (
        D2,
        3,
        approx(2 / 3),
    )
    assert (m1["negative_share"], m1["net_sentiment"]) == (approx(0.5), approx(-0.5))
    assert m1["generic_comment_share"] == approx(0.0)  # over the two comments with a score row


# ---------------------------------------------------------------------------------------------
# creator_audience


def test_repeat_commenter_rate_needs_three_sampled_videos(comments_warehouse: Warehouse) -> None:
    # honest on D2: two sampled videos (h1, h2): no rate; on D3 three: bestie is on 3 of 3
    # (>= half) among 10 distinct commenters (9 fans and bestie)
    assert audience(comments_warehouse, "honest", D2)["repeat_commenter_rate"] is None
    assert audience(comments_warehouse, "honest", D3)["repeat_commenter_rate"] == approx(0.1)
    # pair has two sampled videos on every date
    assert audience(comments_warehouse, "pair", D3)["repeat_commenter_rate"] is None
    assert audience(comments_warehouse, "pod", D3)["repeat_commenter_rate"] == approx(1.0)
    # D1: only the videos sampled on or before the date count
    assert audience(comments_warehouse, "honest", D1)["videos_with_comments"] == 1


def test_comment_authenticity_pod_below_honest(comments_warehouse: Warehouse) -> None:
    honest = audience(comments_warehouse, "honest", D3)
    pod = audience(comments_warehouse, "pod", D3)
    # honest: generic 3/12, duplicates 2/12, repeat 0.1:
    # 100 * (1 - (0.4 * 0.25 + 0.3 * 1/6 + 0.3 * 0.1)) = 82
    assert honest == {
        "videos_with_comments": 3,
        "comments_analyzed": 12,
        "net_sentiment": approx(0.5),  # (9 positive - 3 negative) / 12
        "negative_alert_videos": 0,
        "repeat_commenter_rate": approx(0.1),
        "generic_comment_share": approx(0.25),
        "duplicate_comment_share": approx(2 / 12),
        "comment_authenticity": approx(82.0),
        "top_terms": ["shade", "love", "patchy"],
    }
    # pod: generic 12/12, duplicates 6/12, repeat 4/4: 100 * (1 - (0.4 + 0.15 + 0.3)) = 15
    assert pod["comment_authenticity"] == approx(15.0)
    assert pod["net_sentiment"] == approx(1.0)
    assert pod["comment_authenticity"] < honest["comment_authenticity"] - 50
    # pair: no generic, no duplicates, no repeat rate (2 videos): renormalized over two shares
    assert audience(comments_warehouse, "pair", D3)["comment_authenticity"] == approx(100.0)
    alerts = audience(comments_warehouse, "alerts", D3)
    assert (alerts["videos_with_comments"], alerts["negative_alert_videos"]) == (4, 2)


def test_pod_ranks_below_honest_on_overall_score(comments_warehouse: Warehouse) -> None:
    scores = dict(
        comments_warehouse.query(
            "select creator_username, overall_score from marts.creator_scorecard "
            "where snapshot_date = ? and creator_username in ('honest', 'pod')",
            [D3],
        )
    )
    vetting = dict(
        comments_warehouse.query(
            "select creator_username, vetting_score from marts.creator_scorecard "
            "where snapshot_date = ? and creator_username in ('honest', 'pod')",
            [D3],
        )
    )
    # identical feeds (same engagement, cadence, growth), so the same vetting_score
    assert vetting["honest"] == vetting["pod"]
    assert scores["pod"] < scores["honest"]


# ---------------------------------------------------------------------------------------------
# a landing zone without comments


@pytest.fixture(scope="module")
def no_comments_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    warehouse = new_warehouse(
        tmp_path_factory, "no-comments", tmp_path_factory.mktemp("no-comments-landing")
    )
    write_comment_landing(str(warehouse.landing), with_comments=False)
    warehouse.build(D1, through=D3)
    return warehouse


def test_a_landing_without_comments_builds_empty_comment_marts(
    no_comments_warehouse: Warehouse,
) -> None:
    for table in ("fct_comments", "video_comment_summary", "creator_audience"):
        assert no_comments_warehouse.query(f"select count(*) from marts.{table}") == [(0,)]
    # the scorecard still scores, without the comment parts
    rows = no_comments_warehouse.query(
        "select count(*), count(overall_score), count(sentiment_part), count(authenticity_part) "
        "from marts.creator_scorecard"
    )
    assert rows == [(15, 15, 0, 0)]
