"""The followings policy as pure functions: a backfill once, then page 1 every few days, decided
from earlier dates' loads and the landed profiles' sec_uids."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tiktok_engagement.config import ConfigError, Creator, Settings
from tiktok_engagement.graph.sampling import (
    BACKFILL,
    REFRESH,
    DueCreator,
    FollowingsPolicy,
    backfill_pages,
    following_item,
    graph_history,
    latest_sec_uids,
    parse_item,
    select_due,
    steady_daily_credits,
)

D = date(2026, 11, 10)
ROSTER = [
    Creator("Maya.Lifts", "fitness"),
    Creator("chef.tomas", "food"),
    Creator("new.one", "tech"),
]
SEC = {"maya.lifts": "MS4w-maya", "chef.tomas": "MS4w-tomas", "new.one": "MS4w-new"}
POLICY = FollowingsPolicy(max_pages=25, refresh_days=7)


def load(day: date, *items: str, kind: str = "followings") -> dict:
    return {"snapshot_date": day, "kind": kind, "items_done": list(items)}


def plan(loads: list[dict], day: date = D, sec_uids: dict | None = None, policy=POLICY):
    return select_due(
        ROSTER, graph_history(loads, day), SEC if sec_uids is None else sec_uids, policy, day
    )


def modes(selection) -> dict[str, str]:
    return {c.username: c.mode for c in selection.due}


def test_nothing_landed_backfills_everyone_at_the_maximum_pages():
    selection = plan([])
    assert modes(selection) == dict.fromkeys(["Maya.Lifts", "chef.tomas", "new.one"], BACKFILL)
    assert {c.pages for c in selection.due} == {25}
    assert selection.credits == 75
    assert selection.due[0] == DueCreator("Maya.Lifts", "MS4w-maya", BACKFILL, 25)
    assert selection.due[0].item == "followings-backfill:maya.lifts"


def test_a_backfill_happens_once_then_page_1_every_refresh_days():
    backfilled = [load(D - timedelta(days=3), following_item(BACKFILL, "maya.lifts"))]
    # Three days after the backfill: not due yet; the others are still to backfill.
    selection = plan(backfilled)
    assert modes(selection) == {"chef.tomas": BACKFILL, "new.one": BACKFILL}
    assert selection.not_due == ["Maya.Lifts"]
    # Seven days after it: page 1 only.
    selection = plan(backfilled, day=D + timedelta(days=4))
    assert modes(selection)["Maya.Lifts"] == REFRESH
    refresh = next(c for c in selection.due if c.mode == REFRESH)
    assert refresh.pages == 1 and refresh.item == "followings-refresh:maya.lifts"
    # After a refresh the clock starts again from it, and the backfill is never repeated.
    refreshed = [*backfilled, load(D + timedelta(days=4), following_item(REFRESH, "maya.lifts"))]
    assert "Maya.Lifts" not in modes(plan(refreshed, day=D + timedelta(days=10)))
    assert modes(plan(refreshed, day=D + timedelta(days=11)))["Maya.Lifts"] == REFRESH


@pytest.mark.parametrize("refresh_days", [1, 3, 14])
def test_the_refresh_cadence_follows_the_setting(refresh_days):
    policy = FollowingsPolicy(max_pages=5, refresh_days=refresh_days)
    loads = [load(D, following_item(BACKFILL, "chef.tomas"))]
    due_on = [
        n
        for n in range(1, 30)
        if modes(plan(loads, day=D + timedelta(days=n), policy=policy)).get("chef.tomas") == REFRESH
    ]
    assert due_on[0] == refresh_days


def test_the_dates_own_loads_and_other_kinds_do_not_decide():
    # A backfill landed on the date itself: a re-run of the date selects it again (the load's
    # items_done then skips it), so the date's selection is the same on every run.
    same_day = [load(D, following_item(BACKFILL, "maya.lifts"))]
    assert modes(plan(same_day))["Maya.Lifts"] == BACKFILL
    later = [load(D + timedelta(days=1), following_item(BACKFILL, "maya.lifts"))]
    assert modes(plan(later))["Maya.Lifts"] == BACKFILL
    other_kind = [load(D - timedelta(days=2), "creator:maya.lifts", kind="creators")]
    assert modes(plan(other_kind))["Maya.Lifts"] == BACKFILL
    # A refresh without a finished backfill (never happens, but must not count as one).
    odd = [load(D - timedelta(days=30), following_item(REFRESH, "maya.lifts"))]
    assert modes(plan(odd))["Maya.Lifts"] == BACKFILL


def test_a_stopped_backfill_is_not_done_and_a_creator_without_a_profile_waits():
    # A load stopped by a cap lists what it finished; the creator it did not finish is backfilled
    # again on the next date.
    stopped = [load(D - timedelta(days=1), following_item(BACKFILL, "chef.tomas"))]
    selection = plan(stopped, sec_uids={"maya.lifts": "MS4w-maya", "chef.tomas": "MS4w-tomas"})
    assert modes(selection) == {"Maya.Lifts": BACKFILL}
    assert selection.unresolved == ["new.one"]
    assert selection.not_due == ["chef.tomas"]


def test_sec_uids_come_from_the_latest_profile_on_or_before_the_date():
    profiles = [
        {
            "snapshot_date": D - timedelta(days=9),
            "creator_username": "Maya.Lifts",
            "sec_uid": "old",
        },
        {
            "snapshot_date": D - timedelta(days=2),
            "creator_username": "maya.lifts",
            "sec_uid": "new",
        },
        {"snapshot_date": D + timedelta(days=1), "creator_username": "maya.lifts", "sec_uid": "x"},
        {"snapshot_date": D, "creator_username": "chef.tomas", "sec_uid": "today"},
        {"snapshot_date": D, "creator_username": "nobody", "sec_uid": None},
    ]
    assert latest_sec_uids(profiles, D) == {"maya.lifts": "new", "chef.tomas": "today"}


def test_item_keys_round_trip_and_costs():
    assert parse_item(following_item(REFRESH, "Chef.Tomas")) == (REFRESH, "chef.tomas")
    assert parse_item("creator:maya") is None and parse_item("video:1") is None
    assert parse_item("followings-other:maya") is None
    with pytest.raises(ValueError):
        following_item("sometimes", "maya")
    assert DueCreator.from_dict(DueCreator("a", "s", REFRESH, 1).to_dict()) == DueCreator(
        "a", "s", REFRESH, 1
    )
    # A backfill costs the pages of the list, the last one partial or empty, at most max_pages.
    assert [backfill_pages(n, POLICY) for n in (0, 19, 20, 21, 239, 240, 600)] == [
        1, 1, 2, 2, 12, 13, 25,
    ]  # fmt: skip
    assert steady_daily_credits(60, POLICY) == pytest.approx(60 / 7)


def test_settings_fail_at_start_for_bad_values():
    settings = Settings.from_env(
        {"TIKTOK_FOLLOWINGS_MAX_PAGES": "3", "TIKTOK_FOLLOWINGS_REFRESH_DAYS": "14"}
    )
    assert FollowingsPolicy.from_settings(settings) == FollowingsPolicy(3, 14)
    assert FollowingsPolicy.from_settings(Settings()) == FollowingsPolicy(25, 7)
    for env, message in [
        (
            {"TIKTOK_FOLLOWINGS_MAX_PAGES": "0"},
            "TIKTOK_FOLLOWINGS_MAX_PAGES='0' must be at least 1",
        ),
        ({"TIKTOK_FOLLOWINGS_MAX_PAGES": "2.5"}, "TIKTOK_FOLLOWINGS_MAX_PAGES"),
        ({"TIKTOK_FOLLOWINGS_REFRESH_DAYS": "0"}, "TIKTOK_FOLLOWINGS_REFRESH_DAYS='0'"),
        ({"TIKTOK_FOLLOWINGS_REFRESH_DAYS": "366"}, "must be at most 365"),
    ]:
        with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
            Settings.from_env(env)
    with pytest.raises(ConfigError, match="followings_max_pages"):
        Settings(followings_max_pages=0)
