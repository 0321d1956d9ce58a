"""What comments, the creator graph and the brands add to the daily credits, default policies.

The bundled roster (include/creators.csv) and queries (include/queries.csv) against the simulator,
from an empty landing zone, over consecutive simulated days. Each day runs what production runs:
the creators and the searches, then the comments of the due videos (the default sampling policy:
one page for each post between 48 hours and 14 days old, once), then the creator graph (backfill
once, then page 1 every 7 days). The bundled brands (include/brands.csv) add their accounts to the
creator loads and their keywords and hashtags to the search loads; their credits are the ones the
ledger bills for those items. Credits are what each load's ledger billed.

    .venv/bin/python bench/feature_credits.py [--days 15]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, median, write_section  # noqa: E402
from scavio_simulator import SimulatorConfig, SimulatorProcess  # noqa: E402
from tiktok_engagement.brands import settings_tracking  # noqa: E402
from tiktok_engagement.config import Settings, load_queries, load_roster  # noqa: E402
from tiktok_engagement.extract import (  # noqa: E402
    extract_comments,
    extract_creators,
    extract_followings,
    extract_searches,
    score_comments,
)
from tiktok_engagement.plan import plan_comment_day, plan_following_day  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DAY1 = date(2026, 10, 1)
DAYS = 15


def series(days: int) -> tuple[int, int, list[dict[str, int]]]:
    """The roster size, the number of brands and, per day, the credits of each kind of load."""
    with SimulatorProcess(SimulatorConfig()) as sim, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            base_url=sim.base_url, api_key=sim.api_key, data_dir=Path(tmp), max_in_flight=10
        )
        roster = load_roster(ROOT / "include" / "creators.csv")
        queries = load_queries(ROOT / "include" / "queries.csv")
        brands = settings_tracking(settings)
        per_day = []
        for offset in range(days):
            day = DAY1 + timedelta(days=offset)
            # The brands' accounts and searches in loads of their own, so their credits are
            # theirs alone (an item costs the same in any load).
            spent = {
                "creators": extract_creators(settings, day, roster).credits_used,
                "searches": extract_searches(settings, day, queries).credits_used,
                "brands": extract_creators(settings, day, brands.all_accounts).credits_used
                + extract_searches(settings, day, brands.all_queries).credits_used,
            }
            due = plan_comment_day(settings, day, roster).due
            spent["comments"] = extract_comments(settings, day, due).credits_used
            score_comments(settings, day)
            graph = plan_following_day(settings, day, roster).due
            spent["followings"] = extract_followings(settings, day, graph).credits_used
            per_day.append(spent)
            print(f"  {day}: {spent}", flush=True)
    return len(roster), len(brands.brands), per_day


def report(creators: int, brands: int, per_day: list[dict[str, int]]) -> str:
    def per_creator(kind: str, days: list[dict[str, int]]) -> list[float]:
        return [d[kind] / creators for d in days]

    later = per_day[1:]
    comments_later = per_creator("comments", later)
    graph_week1 = sum(per_creator("followings", per_day[:7]))
    # Whole weeks after the first: a weekly refresh falls once in each.
    weeks = (len(per_day) - 7) // 7
    graph_after = per_creator("followings", per_day[7 : 7 + 7 * weeks])
    base_later = [(d["creators"] + d["searches"]) / creators for d in later]
    per_brand = [d["brands"] / brands for d in per_day]
    lines = [
        f"The bundled roster ({creators} creators) and queries against the simulator, "
        f"{len(per_day)} consecutive simulated days from {DAY1} and an empty landing zone; "
        "default policies. Credits per roster creator.",
        "",
        "| measure | credits per creator |",
        "|---|---|",
        f"| comments, day 1 (every post already 48 h to 14 days old is due at once) | "
        f"{per_creator('comments', per_day[:1])[0]:.3f} |",
        f"| comments, a day after the first: median over days 2-{len(per_day)} | "
        f"{median(comments_later):.3f} |",
        f"| comments, mean over days 2-{len(per_day)} | "
        f"{sum(comments_later) / len(comments_later):.3f} |",
        f"| creator graph, first week (the one-time backfill, up to 25 pages) | {graph_week1:.3f} |",
        f"| creator graph, a day after the first week: mean over days 8-{7 + 7 * weeks} "
        f"(page 1 every 7 days) | {sum(graph_after) / len(graph_after):.3f} |",
        f"| for comparison: creators + searches, mean over days 2-{len(per_day)} | "
        f"{sum(base_later) / len(base_later):.3f} |",
        "",
        f"Brands ({brands} in include/brands.csv: each one's account, posts and searches): "
        f"{per_brand[0]:.1f} credits per brand on day 1, {median(per_brand[1:]):.1f} a day after "
        f"(median over days 2-{len(per_day)}), {sum(per_brand) / len(per_brand):.2f} a day on "
        f"average including the weekly profile refresh.",
        "",
        "Per day (credits: creators, searches, brands, comments, followings): "
        + "; ".join(
            f"{d['creators']}, {d['searches']}, {d['brands']}, {d['comments']}, {d['followings']}"
            for d in per_day
        )
        + ".",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=DAYS)
    args = parser.parse_args()
    if args.days < 14:
        parser.error("--days must be >= 14 (a first week and a whole week after it)")
    creators, brands, per_day = series(args.days)
    body = report(creators, brands, per_day)
    print(body)
    if args.days != DAYS:
        print("reduced run: BENCHMARKS.md not written", flush=True)
        return
    write_section(
        "feature-credits",
        "\n".join(
            [
                "## Credits of comments, the creator graph and brands",
                "",
                f"Machine: {machine()}. Command: `make bench-credits` "
                f"(`.venv/bin/python bench/feature_credits.py --days {args.days}`).",
                "",
                body,
            ]
        ),
    )


if __name__ == "__main__":
    main()
