"""Durable history through Airflow: whole DAG runs (``dag.test``) against the simulator over HTTP.

What the extract DAGs must hold, beyond the library's own tests (tests/extract):

- a past date against an API that does not echo ``X-Sim-Date`` is refused by the planning task,
  after at most one billed request, before any mapped task starts, and nothing lands under it;
- ``SCAVIO_CREDIT_BUDGET`` caps the whole DAG run: every mapped batch and every retry of one;
- ``SCAVIO_DAILY_CREDIT_BUDGET`` caps every run of a date together;
- a subset run keeps every video and profile of the date, a second full run fetches nothing, and
  ``fresh_capture`` fetches again;
- a cap or a refusal fails its task with ``AirflowFailException`` (no retry), naming the cap.

Retries under ``dag.test``: it does retry a failed task, once the task's ``retry_delay`` has passed
(it loops until then). The DAGs wait minutes between tries, so :func:`fast_retries` sets the delay
of the test's DAG to zero for the test; everything else (try numbers, state) is Airflow's own.

The simulator bills only 200s (and never an injected 5xx), so its ``credits_used`` counter is the
spend the caps must bound.
"""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow.compute as pc
import pytest
from test_dag_runs import D, landed, new_files, run, run_dag, use_simulator
from tiktok_engagement.extract import today_utc
from tiktok_engagement.landing import DATASETS, Landing

pytestmark = pytest.mark.slow

PLANNING = {"tiktok_creator_posts": "roster", "tiktok_search_trends": "queries"}
MAPPED = {"tiktok_creator_posts": "extract_batch", "tiktok_search_trends": "extract_query"}


def fast_retries(monkeypatch, dagbag, dag_id: str) -> None:
    """Retry at once, for this test only (the DAG object is shared by the session)."""
    for task in dagbag.dags[dag_id].tasks:
        monkeypatch.setattr(task, "retry_delay", timedelta(0))
        monkeypatch.setattr(task, "retry_exponential_backoff", 0)


def landing_of(data) -> Landing:
    return Landing(str(data / "landing"))


def ledger_credits(landing: Landing, day: date) -> int:
    return pc.sum(landing.read("request_ledger", day)["credits_used"]).as_py() or 0


def loads_of(landing: Landing, day: date, run_id: str) -> list[dict]:
    return [r for r in landing.read("loads", day).to_pylist() if r["run_id"] == run_id]


def log_text(capfd) -> str:
    output = capfd.readouterr()
    return output.out + output.err


# ---- past dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dag_id", ["tiktok_creator_posts", "tiktok_search_trends"])
def test_a_past_date_is_refused_by_the_planning_task_without_retry(
    dagbag, airflow_db, simulator_factory, tiktok_env, tmp_path, monkeypatch, capfd, dag_id
):
    live_like = simulator_factory(echo_date=False)
    use_simulator(monkeypatch, live_like, tmp_path, creators=6)
    assert today_utc() != D, "D must be a past date"
    capfd.readouterr()
    state, tis = run(dagbag, dag_id)

    assert state == "failed", tis
    assert tis[PLANNING[dag_id]] == ("failed", 1), tis
    # No mapped task ran: the mapped task was never expanded.
    assert tis[MAPPED[dag_id]][0] == "upstream_failed", tis
    assert not [k for k in tis if k.startswith(f"{MAPPED[dag_id]}[")], tis
    assert tis["finalize"][0] == "upstream_failed"
    text = log_text(capfd)
    assert "AirflowFailException" in text and "serves only current counts" in text

    landing = landing_of(tiktok_env)
    assert all(not landing.files(ds, D) for ds in DATASETS), "something landed for the date"
    billed = live_like.stats()["credits_used"]
    assert billed <= 1
    # The one billed request is on record, under the day it was made.
    assert ledger_credits(landing, today_utc()) == billed
    assert [r["outcome"] for r in landing.read("loads", today_utc()).to_pylist()] == ["refused"]


def test_the_probe_checks_an_item_the_run_would_fetch_not_one_landed_already(
    dagbag, airflow_db, simulator_factory, tiktok_env, tmp_path, monkeypatch, capfd
):
    # The roster's first creator is landed for D (by a run against the simulator); then the date
    # is run again against an API that does not echo it, as when a failed old run is cleared.
    sim = simulator_factory()
    handles = use_simulator(monkeypatch, sim, tmp_path, creators=6)
    assert run(dagbag, "tiktok_creator_posts", conf={"creators": handles[:1]})[0] == "success"
    live_like = simulator_factory(echo_date=False)
    use_simulator(monkeypatch, live_like, tmp_path, creators=6)
    files = landed(tiktok_env)
    capfd.readouterr()
    state, tis = run(dagbag, "tiktok_creator_posts", conf={"batch_size": 2})

    assert state == "failed" and tis["roster"] == ("failed", 1), tis
    assert not [k for k in tis if k.startswith("extract_batch[")], tis
    assert "serves only current counts" in log_text(capfd)
    # One request showed it, not one per batch; nothing new under the date.
    assert live_like.stats()["credits_used"] <= 1
    assert landed(tiktok_env) == files


# ---- caps ---------------------------------------------------------------------------------------


def test_the_run_cap_holds_across_mapped_batches_and_their_retries(
    dagbag, airflow_db, simulator_factory, tiktok_env, tmp_path, monkeypatch, capfd
):
    budget = 15
    # 20 new creators need 40 credits (profile + posts each). One attempt per request: an injected
    # 5xx fails its creator, so the batch ends incomplete and Airflow retries it. The n-th request
    # draws the n-th fault of a seeded sequence, so the run meets the same faults every time.
    sim = simulator_factory(error_rate=0.3, fault_seed=7)
    use_simulator(monkeypatch, sim, tmp_path, creators=20)
    monkeypatch.setenv("SCAVIO_CREDIT_BUDGET", str(budget))
    monkeypatch.setenv("SCAVIO_MAX_ATTEMPTS", "1")
    fast_retries(monkeypatch, dagbag, "tiktok_creator_posts")
    capfd.readouterr()
    state, tis, run_id = run_dag(dagbag, "tiktok_creator_posts", conf={"batch_size": 4})

    assert state == "failed", tis
    batches = {k: v for k, v in tis.items() if k.startswith("extract_batch[")}
    assert len(batches) == 5, tis
    assert any(tries > 1 for _, tries in tis.values()), f"no task was retried: {tis}"
    stats = sim.stats()
    assert stats["faults"], stats
    assert 0 < stats["credits_used"] <= budget, stats

    landing = landing_of(tiktok_env)
    # Every billed credit is in the landed ledger, retries included.
    assert ledger_credits(landing, D) == stats["credits_by_date"][D.isoformat()]
    loads = loads_of(landing, D, run_id)
    assert len({r["run_attempt"] for r in loads}) > 1, "no retry landed a load"
    stopped = [r for r in loads if r["outcome"] == "stopped"]
    assert stopped, loads
    for load in stopped:
        assert "SCAVIO_CREDIT_BUDGET" in load["stop_reason"], load
        # The stopped try was the task's last: a cap is not retried.
        if load["part"].startswith("creators-part-"):
            index = int(load["part"].rsplit("-", 1)[1])
            assert batches[f"extract_batch[{index}]"] == ("failed", load["run_attempt"]), tis
    text = log_text(capfd)
    assert "AirflowFailException" in text and f"SCAVIO_CREDIT_BUDGET={budget} reached" in text


def test_the_daily_cap_holds_across_dag_runs_of_the_date(
    dagbag, airflow_db, simulator_factory, tiktok_env, tmp_path, monkeypatch, capfd
):
    daily = 24
    sim = simulator_factory()
    use_simulator(monkeypatch, sim, tmp_path, creators=8)
    monkeypatch.setenv("SCAVIO_DAILY_CREDIT_BUDGET", str(daily))
    # 8 creators: 16 credits, within the cap.
    state, tis, first_run = run_dag(dagbag, "tiktok_creator_posts", conf={"batch_size": 3})
    assert state == "success", tis
    spent = sim.stats()["credits_by_date"][D.isoformat()]
    assert spent == 16

    # Another run of the date (another run id): a fresh capture wants 16 more, the date allows 8.
    capfd.readouterr()
    conf = {"batch_size": 3, "fresh_capture": True}
    state, tis, second_run = run_dag(dagbag, "tiktok_creator_posts", conf=conf)
    assert second_run != first_run
    assert state == "failed", tis
    assert sim.stats()["credits_by_date"][D.isoformat()] <= daily
    failed = {k: v for k, v in tis.items() if v[0] == "failed"}
    assert failed and all(tries == 1 for _, tries in failed.values()), tis
    text = log_text(capfd)
    assert "AirflowFailException" in text and f"SCAVIO_DAILY_CREDIT_BUDGET={daily} reached" in text

    # The other extract DAG shares the date's cap: it is stopped by its planning task's probe.
    before = sim.stats()["credits_used"]
    state, tis = run(dagbag, "tiktok_search_trends")
    assert state == "failed" and tis["queries"] == ("failed", 1), tis
    assert sim.stats()["credits_used"] == before
    # Another date has a cap of its own.
    assert run(dagbag, "tiktok_search_trends", D + timedelta(days=1))[0] == "success"

    landing = landing_of(tiktok_env)
    assert ledger_credits(landing, D) == sim.stats()["credits_by_date"][D.isoformat()]
    assert {r["outcome"] for r in loads_of(landing, D, second_run)} >= {"stopped"}


# ---- what a run fetches -------------------------------------------------------------------------


def observations(landing: Landing, day: date) -> tuple[set, set]:
    posts = landing.read("creator_posts", day)
    videos = set(zip(posts["creator_username"].to_pylist(), posts["video_id"].to_pylist()))
    return videos, set(landing.read("profiles", day)["creator_username"].to_pylist())


def test_subset_then_full_runs_keep_the_date_and_fetch_only_what_is_asked(
    dagbag, airflow_db, simulator_factory, tiktok_env, tmp_path, monkeypatch
):
    sim = simulator_factory()
    handles = use_simulator(monkeypatch, sim, tmp_path, creators=6)
    landing = landing_of(tiktok_env)
    assert run(dagbag, "tiktok_creator_posts", conf={"batch_size": 2})[0] == "success"
    videos, profiles = observations(landing, D)
    assert profiles == set(handles) and len(videos) > 6
    files = landed(tiktok_env)

    # A subset run, fresh (else it would fetch nothing): it adds its own files, loses nothing.
    conf = {"creators": handles[2:4], "fresh_capture": True}
    assert run(dagbag, "tiktok_creator_posts", conf=conf)[0] == "success"
    files_after_subset = landed(tiktok_env)
    added = new_files(files, files_after_subset)
    assert any("creators-subset-" in k for k in added), added
    assert observations(landing, D) == (videos, profiles)

    # A second full run of the date fetches nothing: every creator is landed, the probe's too.
    requests = sim.stats()["requests"]
    state, tis = run(dagbag, "tiktok_creator_posts", conf={"batch_size": 2})
    assert state == "success", tis
    assert sim.stats()["requests"] == requests
    assert landed(tiktok_env) == files_after_subset

    # fresh_capture fetches every creator again (a profile and the posts each), into new files.
    state, _ = run(dagbag, "tiktok_creator_posts", conf={"batch_size": 2, "fresh_capture": True})
    assert state == "success"
    assert sim.stats()["requests"] >= requests + 2 * len(handles)
    added = new_files(files_after_subset, landed(tiktok_env))
    assert {k.split("/")[1] for k in added} >= {"creator_posts", "profiles", "request_ledger"}
    assert observations(landing, D) == (videos, profiles)
    # Each profile now observed by at least two captures, none replaced.
    per_creator = landing.read("profiles", D)["creator_username"].to_pylist()
    assert all(per_creator.count(h) >= 2 for h in handles), per_creator
