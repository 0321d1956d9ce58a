"""Run the pipeline's DAGs for a range of dates, in date order, in one Airflow process.

For each date, oldest first: ``tiktok_creator_posts``, ``tiktok_search_trends``,
``tiktok_comments`` (which samples the comments of the posts the first landed),
``tiktok_creator_graph``, then ``tiktok_warehouse``, each with ``dag.test(logical_date=<date>)``,
which is what ``airflow dags test <dag_id> <date>`` does: a real DAG run in the metadata database
(it shows in the UI), every task through the Task SDK, each task's snapshot date resolved from the
run's logical date. Doing it in one process pays Airflow's start-up (imports, DAG parsing, the in-process
execution API: about 25 s on two cores) once instead of once per DAG run; ``airflow dags test``
per run costs 35 of them for a week. The warehouse runs come last on each date, so every build
finds every extract DAG's landing of its date, and the history is built in date order.

``tiktok_creator_graph`` is scheduled weekly, but a backfill runs it on every date like the
others and leaves the when to its policy (``tiktok_engagement.graph.sampling``): the first date
of the range backfills every roster creator whose list is not landed yet (after
``tiktok_creator_posts`` of that date resolved their ``sec_uid``), the next dates find nobody due
(the run succeeds with nothing mapped and ``finalize`` skipped) until page 1 is due again
``TIKTOK_FOLLOWINGS_REFRESH_DAYS`` (7) days later. So a range of any length gets the graph the
weekly schedule would give it, starting on its first date rather than on the next Sunday.

The caller sets Airflow's environment (``AIRFLOW_HOME``, the DAGs and plugins folders, the
``scavio_default`` connection, ``TIKTOK_DATA_DIR``) and migrates the metadata database first::

    airflow db migrate
    python -m tiktok_airflow.backfill --start 2026-11-17 --end 2026-11-23 [--progress-fd N]

Progress goes to ``--progress-fd`` (default: standard output) as one tab-separated line per event:
``start <date> <dag_id>`` and ``done <date> <dag_id> <state> <seconds> <task states>``; Airflow's
own logging goes wherever the caller sends standard output and error. Exits 1 at the first run
that does not succeed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

PIPELINE = (
    "tiktok_creator_posts",
    "tiktok_search_trends",
    "tiktok_comments",
    "tiktok_creator_graph",
    "tiktok_warehouse",
)


def _dates(start: date, end: date) -> list[date]:
    if end < start:
        raise SystemExit(f"--end {end} is before --start {start}")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def task_states(dag_id: str, run_id: str) -> Counter[str]:
    """How many of the run's task instances ended in each state."""
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(TaskInstance.state).filter_by(dag_id=dag_id, run_id=run_id).all()
    return Counter(str(getattr(state, "value", state)) for (state,) in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tiktok_airflow.backfill", description=__doc__)
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, required=True)
    parser.add_argument("--dag", action="append", choices=PIPELINE, help="default: all of them")
    parser.add_argument("--progress-fd", type=int, default=None)
    args = parser.parse_args(argv)
    dag_ids = [d for d in PIPELINE if d in (args.dag or PIPELINE)]
    dates = _dates(args.start, args.end)
    progress = os.fdopen(args.progress_fd, "w", buffering=1) if args.progress_fd else sys.stdout

    def report(*fields: object) -> None:
        progress.write("\t".join(str(f) for f in fields) + "\n")
        progress.flush()

    from airflow.dag_processing.dagbag import DagBag

    from tiktok_airflow.pools import ensure_pools

    ensure_pools()
    dagbag = DagBag(dag_folder=os.environ.get("AIRFLOW__CORE__DAGS_FOLDER"))
    if dagbag.import_errors:
        for path, error in dagbag.import_errors.items():
            report("error", Path(path).name, error.splitlines()[-1] if error else "")
        return 1
    for day in dates:
        for dag_id in dag_ids:
            report("start", day, dag_id)
            started = time.perf_counter()
            dag_run = dagbag.dags[dag_id].test(
                logical_date=datetime(day.year, day.month, day.day, tzinfo=UTC)
            )
            states = task_states(dag_id, dag_run.run_id)
            summary = ",".join(f"{state}={count}" for state, count in sorted(states.items()))
            state = str(getattr(dag_run.state, "value", dag_run.state))
            report("done", day, dag_id, state, f"{time.perf_counter() - started:.1f}", summary)
            if state != "success":
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
