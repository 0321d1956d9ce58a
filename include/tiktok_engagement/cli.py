"""``tiktok-extract``: run a day's extraction without Airflow.

    tiktok-extract                                   # creators and searches for today (UTC)
    tiktok-extract --dry-run                         # what it would cost, spending nothing
    tiktok-extract --only creators --creator maya.lifts
    tiktok-extract --only comments                   # sample the due videos' comments, score them
    tiktok-extract --only followings                 # the creator graph: backfill once, then page 1
    tiktok-extract --fresh                           # capture again what today already landed
    tiktok-extract --date 2026-11-01                 # a past date: the simulator only

A run is one run id; its two halves (creators, searches) are loads of it, and every load lands
files of its own beside earlier ones. Comments are not part of a default run: they sample the
date's landed creator posts, so ``--only comments`` runs after the creators of the date (as the
``tiktok_comments`` DAG runs after the extract DAGs), then scores what it landed; a default run
neither spends comment credits nobody asked for nor changes its cost, and its dry run prints
what the comments would add. Followings (``--only followings``, the ``tiktok_creator_graph`` DAG)
are likewise a run of their own: each roster creator's following list is backfilled once, then
its page 1 refreshed every ``TIKTOK_FOLLOWINGS_REFRESH_DAYS`` (``tiktok_engagement.graph``).
Brands (``TIKTOK_BRANDS_FILE``, ``tiktok_engagement.brands``) add their accounts to the creators
half and their keywords and hashtags to the searches half; ``--creator`` and ``--query`` select
them as they select the roster's, and the dry run prints what each brand adds. Comments and
followings stay the roster's: a brand's own account is neither sampled nor graphed. Items
an earlier run of the date already landed are skipped
unless ``--fresh``. A past ``--date`` is refused against an API that does not confirm it can answer
as of that date (the live API serves only current counts). ``--creator`` and ``--query`` select as
the DAGs' ``creators`` and ``queries`` params do (``tiktok_engagement.selection``): case-insensitive,
and a name that matches nothing exits 2 naming it. Planning, part names and the credit estimate are
``tiktok_engagement.plan``'s, shared with the DAGs.

Exit status: 0 done; 2 bad configuration; 3 the API rejected the key; 4 spending stopped (out of
credits or a credit cap) after landing what was fetched; 5 some items failed, the rest landed;
6 refused: a past date against an API that serves only today's counts.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path

from .brands import BrandTracking, brands_for, tracking
from .config import ConfigError, Settings, load_queries, load_roster
from .extract import (
    ExtractionIncomplete,
    ExtractionRefused,
    ExtractionReport,
    ExtractionStopped,
    estimate_credits,
    extract_comments,
    extract_creators,
    extract_followings,
    extract_searches,
    score_comments,
    today_utc,
)
from .graph.sampling import FollowingsPolicy, steady_daily_credits
from .landing import Load
from .plan import (
    landed_backfill_pages,
    needs_probe,
    plan_brand_days,
    plan_comment_day,
    plan_creator_day,
    plan_following_day,
    plan_search_day,
    steady_comment_credits,
)
from .scavio.errors import AuthenticationError
from .selection import select_creators, select_queries


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tiktok-extract", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--date",
        type=_parse_date,
        default=None,
        help="snapshot date (default: today, UTC); a past date needs the simulator",
    )
    parser.add_argument(
        "--only",
        choices=("creators", "searches", "comments", "followings"),
        help="run one half only; comments (the due videos' comments, then scoring) and "
        "followings (the creator graph) run only this way",
    )
    parser.add_argument("--creator", action="append", help="only this roster handle (repeatable)")
    parser.add_argument(
        "--query", action="append", help="only this query: text, #tag or type:text (repeatable)"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        default=None,
        help="capture again items an earlier run of the date already landed (TIKTOK_FRESH_CAPTURE)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the credits the run would cost"
    )
    parser.add_argument("--data-dir", help="overrides TIKTOK_DATA_DIR")
    parser.add_argument("--max-in-flight", type=int, help="overrides SCAVIO_MAX_IN_FLIGHT")
    parser.add_argument(
        "--budget", type=int, help="credit cap of this run (overrides SCAVIO_CREDIT_BUDGET)"
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


def _comment_lines(
    settings: Settings, day: date, roster: list, queries: list, fresh: bool, in_run: bool
) -> tuple[int, list[str]]:
    """The comment part of a dry run: (credits of this run, lines)."""
    price = settings.price_per_credit
    comments = plan_comment_day(settings, day, roster, fresh=fresh)
    queries_sampled = len(queries) if settings.comments_top_query_videos else 0
    steady = steady_comment_credits(settings, day, roster, queries_sampled)
    where = "" if in_run else " (not in this run: --only comments, or the tiktok_comments DAG)"
    if comments.posts_landed:
        today = (
            f"{len(comments.todo)} videos due, at most {comments.credits} credits "
            f"(${comments.credits * price:.3f})"
        )
        if comments.skipped:
            today += f", {comments.skipped} already sampled for {day} skipped"
        if comments.selection.deferred:
            today += (
                f", {len(comments.selection.deferred)} left for later by "
                f"TIKTOK_COMMENTS_DAILY_CREDITS={settings.comments_daily_credits}"
            )
    else:
        today = f"none yet: no creator posts landed for {day}; extract the creators first"
    lines = [f"  comments{where}: {today}"]
    if steady is None:
        steady_text = (
            "unknown until a day of creator posts has landed (each new post once, "
            f"{settings.comment_pages} page(s) of 50)"
        )
    else:
        steady_text = (
            f"about {steady:.0f} credits (${steady * price:.2f}); 30 days: about "
            f"{30 * steady:.0f} credits (${30 * steady * price:.2f})"
        )
    lines.append(f"  comments on a steady day: {steady_text}")
    return (comments.credits if in_run else 0), lines


def _following_lines(
    settings: Settings, day: date, roster: list, fresh: bool, in_run: bool
) -> tuple[int, list[str]]:
    """The followings part of a dry run: (credits of this run, lines)."""
    price = settings.price_per_credit
    planned = plan_following_day(settings, day, roster, fresh=fresh)
    selection = planned.selection
    policy = FollowingsPolicy.from_settings(settings)
    where = (
        "" if in_run else " (not in this run: --only followings, or the tiktok_creator_graph DAG)"
    )
    backfills = sum(c.mode == "backfill" for c in planned.todo)
    today = (
        f"{backfills} backfills (up to {policy.max_pages} pages of 20 each) and "
        f"{len(planned.todo) - backfills} refreshes (page 1), at most {planned.credits} credits "
        f"(${planned.credits * price:.3f})"
    )
    if planned.skipped:
        today += f", {planned.skipped} already landed for {day} skipped"
    if selection.not_due:
        today += f", {len(selection.not_due)} not due"
    if selection.unresolved:
        today += (
            f", {len(selection.unresolved)} without a landed profile (extract the creators first)"
        )
    lines = [f"  followings{where}: {today}"]
    measured = landed_backfill_pages(settings, day)
    first = f"at most {policy.max_pages * len(roster)} credits for the roster's backfill"
    if measured:
        mean = sum(measured) / len(measured)
        first += (
            f"; the {len(measured)} backfills landed so far cost {mean:.1f} credits each, so about "
            f"{mean * len(roster):.0f} credits (${mean * len(roster) * price:.2f})"
        )
    lines.append(f"  followings, first week (each creator backfilled once): {first}")
    steady = steady_daily_credits(len(roster), policy)
    lines.append(
        f"  followings on a steady day: about {steady:.1f} credits (${steady * price:.3f}; "
        f"page 1 of each creator every {policy.refresh_days} days); 30 days: about "
        f"{30 * steady:.0f} credits (${30 * steady * price:.2f})"
    )
    return (planned.credits if in_run else 0), lines


def _dry_run(
    settings: Settings,
    day: date,
    roster: list,
    queries: list,
    do_creators: bool,
    do_searches: bool,
    fresh: bool,
    do_comments: bool = False,
    do_followings: bool = False,
    brands: BrandTracking | None = None,
) -> str:
    creators = roster if do_creators else []
    searches = queries if do_searches else []
    creator_day = plan_creator_day(settings, day, creators, fresh=fresh)
    search_day = plan_search_day(settings, day, searches, fresh=fresh)
    todo_c, todo_q = creator_day.todo, search_day.todo
    comment_credits, comment_lines = _comment_lines(
        settings, day, roster, queries, fresh, in_run=do_comments
    )
    following_credits, following_lines = _following_lines(
        settings, day, roster, fresh, in_run=do_followings
    )
    brand_days = plan_brand_days(settings, day, brands, fresh=fresh) if brands else []
    brand_credits = sum(b.credits for b in brand_days)
    credits = (
        creator_day.credits
        + search_day.credits
        + comment_credits
        + following_credits
        + brand_credits
    )
    price = settings.price_per_credit
    profiles = sum(p.refresh_profile for p in creator_day.plans)
    # A steady day: one posts request per creator, a profile every N days, every query's pages.
    daily = len(creators) * (1 + 1 / settings.profile_refresh_days) + estimate_credits(
        (), searches, settings.search_pages
    )
    if do_comments:
        what = "comments of the due videos"
    elif do_followings:
        what = "following lists of the due creators"
    else:
        what = f"{len(todo_c)} creators ({profiles} profile requests), {len(todo_q)} queries"
        if brand_days:
            accounts = sum(len(b.accounts.todo) for b in brand_days)
            brand_profiles = sum(p.refresh_profile for b in brand_days for p in b.accounts.plans)
            what += (
                f" and {len(brand_days)} brands ({accounts} accounts, {brand_profiles} profile "
                f"requests; {sum(len(b.searches.todo) for b in brand_days)} queries)"
            )
    lines = [
        f"dry run for {day}: at most {credits} credits (${credits * price:.3f}) — "
        f"{what}; nothing was spent",
    ]
    skipped = (len(creators) - len(todo_c)) + (len(searches) - len(todo_q))
    skipped += sum(b.accounts.skipped + b.searches.skipped for b in brand_days)
    if skipped:
        lines.append(f"  {skipped} item(s) already landed for {day} are skipped (--fresh: again)")
    if not do_comments and not do_followings:
        lines.append(
            f"  a steady day for this roster and query list: about {daily:.0f} credits "
            f"(${daily * price:.2f}); 30 days: about {30 * daily:.0f} credits "
            f"(${30 * daily * price:.2f})"
        )
    if brand_days:
        steady = sum(b.steady_credits for b in brand_days)
        sets = sorted({b.brand.competitive_set for b in brand_days})
        lines.append(
            f"  brands from {settings.brands_file} ({len(brand_days)}; competitive sets: "
            f"{', '.join(sets)}): at most {brand_credits} credits of this run "
            f"(${brand_credits * price:.3f}); a steady day about {steady:.1f} credits more "
            f"(${steady * price:.2f}); 30 days: about {30 * steady:.0f} credits "
            f"(${30 * steady * price:.2f})"
        )
        lines += [f"    {b.summary(settings)}" for b in brand_days]
    lines += comment_lines
    lines += following_lines
    if settings.comments_daily_credits is not None:
        lines.append(
            f"  TIKTOK_COMMENTS_DAILY_CREDITS={settings.comments_daily_credits} limits the "
            "comment pages a date plans; SCAVIO_DAILY_CREDIT_BUDGET caps everything of the date"
        )
    caps = [
        f"{name}={value}"
        for name, value in (
            ("SCAVIO_CREDIT_BUDGET", settings.credit_budget),
            ("SCAVIO_DAILY_CREDIT_BUDGET", settings.daily_credit_budget),
            ("SCAVIO_CREDIT_RESERVE", settings.credit_reserve),
        )
        if value is not None
    ]
    lines.append(f"  caps: {', '.join(caps) if caps else 'none set'}")
    if needs_probe(day):
        lines.append(
            f"  {day} is not today ({today_utc()} UTC): only an API that confirms it answers as of "
            "that date (the simulator) is used; the live API's answer would be refused"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings.from_env()
        if args.data_dir:
            settings = settings.with_overrides(data_dir=Path(args.data_dir))
        settings = settings.with_overrides(
            labels={"max_in_flight": "--max-in-flight", "credit_budget": "--budget"},
            max_in_flight=args.max_in_flight,
            credit_budget=args.budget,
            fresh_capture=args.fresh,
        )
        full_roster = load_roster(settings.creators_file)
        full_queries = load_queries(settings.queries_file)
        brands = tracking(brands_for(settings), full_roster, full_queries)
        # A brand's account and searches are selected like the roster's and the query file's.
        creators = select_creators(
            full_roster + brands.all_accounts, args.creator or [], what="--creator"
        )
        searches = select_queries(
            full_queries + brands.all_queries, args.query or [], what="--query"
        )
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    day = args.date or today_utc()
    do_creators = args.only in (None, "creators")
    do_searches = args.only in (None, "searches")
    do_comments = args.only == "comments"
    do_followings = args.only == "followings"
    brand_accounts = {c.username.lower() for c in brands.all_accounts}
    brand_queries = set(brands.all_queries)
    roster = [c for c in creators if c.username.lower() not in brand_accounts]
    queries = [q for q in searches if q not in brand_queries]
    selected_brands = brands.restricted(
        creators if do_creators else [], searches if do_searches else []
    )

    if args.dry_run:
        print(
            _dry_run(
                settings,
                day,
                roster,
                queries,
                do_creators,
                do_searches,
                settings.fresh_capture,
                do_comments,
                do_followings,
                selected_brands,
            )
        )
        return 0

    # One run id for both halves, so the run's credit cap covers them together.
    run_id = f"cli__{Load.new().load_id}"
    status = 0
    steps = []
    if do_creators:
        steps.append(lambda: extract_creators(settings, day, creators, run_id=run_id))
    if do_searches:
        steps.append(lambda: extract_searches(settings, day, searches, run_id=run_id))
    if do_comments:
        steps.append(lambda: _comments(settings, day, roster, run_id))
    if do_followings:
        steps.append(lambda: _followings(settings, day, roster, run_id))
    for step in steps:
        try:
            print(step().summary())
        except AuthenticationError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 3
        except ExtractionRefused as exc:
            print(f"refused: {exc}", file=sys.stderr)
            return 6
        except ExtractionStopped as exc:
            print(exc.report.summary(), file=sys.stderr)
            return 4
        except ExtractionIncomplete as exc:
            print(exc.report.summary(), file=sys.stderr)
            status = 5
    return status


def _comments(settings: Settings, day: date, roster: list, run_id: str) -> ExtractionReport:
    """Sample the due videos' comments, then score the date's comments as a step of its own."""
    planned = plan_comment_day(settings, day, roster, run_id=run_id)
    if not planned.posts_landed:
        print(planned.summary(settings), file=sys.stderr)

    def score() -> None:
        scored = score_comments(settings, day, run_id=run_id)
        print(f"scored {scored} comment(s) of {day} into comment_scores")

    try:
        report = extract_comments(settings, day, planned.due, run_id=run_id)
    except (ExtractionIncomplete, ExtractionStopped):
        score()  # what did land is scored all the same
        raise
    score()
    return report


def _followings(settings: Settings, day: date, roster: list, run_id: str) -> ExtractionReport:
    """The creator graph of the date: the due creators' following lists."""
    planned = plan_following_day(settings, day, roster, run_id=run_id)
    print(planned.summary(settings), file=sys.stderr)
    return extract_followings(settings, day, planned.due, run_id=run_id)


if __name__ == "__main__":
    sys.exit(main())
