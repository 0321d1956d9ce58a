"""Credit caps across processes (the file-locked register) and recovery of a killed load's journal.

Two ``CreditRegister`` objects on one state directory stand for two processes: they share nothing
but the files. The journal tests run a real child process and kill it with SIGKILL.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from tiktok_engagement.credits import (
    Caps,
    CreditRegister,
    journal_paths,
    landed_spend,
    recover_journals,
    start_journal,
)
from tiktok_engagement.landing import Landing, Load
from tiktok_engagement.scavio.errors import BudgetExceededError
from tiktok_engagement.scavio.ledger import LedgerEntry, RequestLedger

D = date(2026, 11, 1)


def entry(seq: int, credits: int | None = 1) -> LedgerEntry:
    at = datetime(2026, 11, 1, 6, 0, seq, tzinfo=UTC)
    return LedgerEntry(
        request_seq=seq,
        endpoint="user/posts",
        params_json='{"cursor":"0"}',
        item_key=f"creator{seq}",
        attempt=1,
        status=200,
        error_class=None,
        error_message=None,
        credits_used=credits,
        credits_remaining=1000 - seq,
        latency_ms=5.0,
        started_at=at,
        captured_at=at,
    )


def land_spend(landing: Landing, run_id: str, credits: int, day: date = D) -> Load:
    """A finished load of ``run_id`` whose landed ledger holds ``credits`` one-credit requests."""
    load = Load.new(run_id)
    ledger = RequestLedger()
    for seq in range(1, credits + 1):
        ledger.record(entry(seq))
    rows = ledger.rows(day, run_id=run_id, run_attempt=1, load_id=load.load_id)
    landing.write("request_ledger", day, load.file_name("creators"), rows)
    return load


@pytest.fixture
def landing(tmp_path) -> Landing:
    return Landing(str(tmp_path / "landing"))


@pytest.fixture
def state(tmp_path) -> Path:
    return tmp_path / "state"


def test_two_registers_on_one_directory_share_the_run_cap(state, landing):
    first_process = CreditRegister(state, landing, D, Caps(run=10))
    second_process = CreditRegister(state, landing, D, Caps(run=10))
    a, b = Load.new("run-1"), Load.new("run-1")
    assert first_process.open(a, 6) == 6
    assert second_process.open(b, 6) == 4  # what the other process's lease leaves
    with pytest.raises(BudgetExceededError) as refused:
        first_process.refill(a, 5)
    assert refused.value.setting == "SCAVIO_CREDIT_BUDGET"
    assert "SCAVIO_CREDIT_BUDGET=10 reached" in str(refused.value)
    assert "run run-1" in str(refused.value)

    # Another run is not held back by run-1's cap.
    assert second_process.open(Load.new("run-2"), 8) == 8
    # Once b is done, its lease is free for a.
    second_process.close(b.load_id)
    assert first_process.refill(a, 3) == 3
    assert first_process.refill(a, 5) == 1
    with pytest.raises(BudgetExceededError):
        first_process.refill(a, 1)


def test_the_landed_ledger_counts_against_the_caps(state, landing):
    land_spend(landing, "run-1", 4)
    register = CreditRegister(state, landing, D, Caps(run=10))
    assert register.open(Load.new("run-1"), 100) == 6
    assert register.open(Load.new("run-2"), 100) == 10
    # Another date's ledger is not this date's spend.
    next_day = CreditRegister(state, landing, D + timedelta(days=1), Caps(run=10))
    assert next_day.open(Load.new("run-1"), 100) == 10


def test_the_daily_cap_counts_every_run_and_names_itself(state, landing):
    land_spend(landing, "run-1", 4)
    land_spend(landing, "run-2", 6)
    register = CreditRegister(state, landing, D, Caps(run=10, daily=15))
    load = Load.new("run-1")
    # The run cap leaves 6, the daily cap 5: the smaller one holds.
    assert register.open(load, 100) == 5
    with pytest.raises(BudgetExceededError) as refused:
        register.refill(load, 1)
    assert refused.value.setting == "SCAVIO_DAILY_CREDIT_BUDGET"
    assert "SCAVIO_DAILY_CREDIT_BUDGET=15 reached" in str(refused.value)
    assert f"snapshot date {D}" in str(refused.value)
    # Every lease of the date counts against the daily cap, whatever its run.
    assert register.open(Load.new("run-3"), 100) == 0


def test_the_run_cap_names_itself_when_it_is_the_tighter_one(state, landing):
    land_spend(landing, "run-1", 9)
    register = CreditRegister(state, landing, D, Caps(run=10, daily=1000))
    load = Load.new("run-1")
    assert register.open(load, 5) == 1
    with pytest.raises(BudgetExceededError) as refused:
        register.refill(load, 1)
    assert refused.value.setting == "SCAVIO_CREDIT_BUDGET"


def test_rows_landed_twice_by_an_interrupted_compaction_are_counted_once(landing):
    load = land_spend(landing, "run-1", 3)
    copy = landing.read("request_ledger", D)
    landing.write("request_ledger", D, "compacted__interrupted", copy)
    assert landing.read("request_ledger", D).num_rows == 6
    assert landed_spend(landing, D) == landed_spend(landing, D, load.run_id) == 3
    assert landed_spend(landing, D, "run-other") == 0


def test_without_caps_nothing_is_leased_or_written(state, landing):
    register = CreditRegister(state, landing, D, Caps())
    load = Load.new("run-1")
    assert register.open(load, 50) is None
    register.close(load.load_id)
    assert not register.path.exists() and not register.lock.exists()


def test_a_refill_without_a_lease_is_a_bug_not_a_grant(state, landing):
    register = CreditRegister(state, landing, D, Caps(run=10))
    with pytest.raises(RuntimeError, match="holds no lease"):
        register.refill(Load.new("run-1"), 1)


def test_close_drops_only_that_lease_and_is_harmless_twice(state, landing):
    register = CreditRegister(state, landing, D, Caps(daily=10))
    a, b = Load.new("run-1"), Load.new("run-2")
    register.open(a, 4)
    register.open(b, 4)
    register.close(a.load_id)
    register.close(a.load_id)
    register.close("never-opened")
    leases = json.loads(register.path.read_text())
    assert set(leases) == {b.load_id}
    assert leases[b.load_id]["lease"] == 4 and leases[b.load_id]["run_id"] == "run-2"
    assert register.open(Load.new("run-3"), 100) == 6


def test_concurrent_openers_never_grant_more_than_the_cap(state, landing):
    # Each thread opens the lock file itself, so flock serialises them as it would processes.
    start = threading.Barrier(8)
    granted: list[int] = []

    def take() -> None:
        register = CreditRegister(state, landing, D, Caps(run=10))
        start.wait()
        amount = register.open(Load.new("run-1"), 3)
        assert amount is not None
        granted.append(amount)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 8 and sum(granted) == 10


# ---- the journal of a killed process ----------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, date
    from pathlib import Path
    from tiktok_engagement.credits import Caps, CreditRegister, start_journal
    from tiktok_engagement.landing import Landing, Load
    from tiktok_engagement.scavio.ledger import LedgerEntry, RequestLedger

    state, root, day = Path(sys.argv[1]), sys.argv[2], date.fromisoformat(sys.argv[3])
    load = Load.new("scheduled__killed", run_attempt=2)
    CreditRegister(state, Landing(root), day, Caps(run=50)).open(load, 20)
    ledger = RequestLedger(journal=start_journal(state, load, day, "creators-001"))
    for seq in (1, 2, 3):
        at = datetime.now(UTC)
        ledger.record(
            LedgerEntry(seq, "user/posts", "{}", f"c{seq}", 1, 200, None, None, 1, 99, 5.0, at, at)
        )
    print(load.load_id, flush=True)
    sys.stdin.read()  # hold the journal open until killed
    """
)


def test_a_killed_process_journal_is_landed_once_and_a_live_one_left_alone(state, landing):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(state), landing.root, D.isoformat()],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        load_id = child.stdout.readline().strip()  # the child's journal is written by now
        assert load_id, child.stderr.read()
        lines, meta = journal_paths(state, load_id)
        assert lines.exists() and meta.exists()
        register = CreditRegister(state, landing, D, Caps(run=50))
        assert register.open(Load.new("scheduled__killed"), 50) == 30  # the child holds 20

        # Alive: its journal is its own.
        assert recover_journals(state, landing) == []
        assert lines.exists() and not landing.files("request_ledger")
        saved = state / "saved"
        saved.mkdir()
        for path in (lines, meta):
            shutil.copy2(path, saved / path.name)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        child.stdin.close()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    assert recover_journals(state, landing) == [load_id]
    (ledger_file,) = landing.files("request_ledger", D)
    assert ledger_file.endswith(f"creators-001__scheduled__killed__try2__{load_id}.parquet")
    rows = landing.read("request_ledger", D).to_pylist()
    assert [r["request_seq"] for r in rows] == [1, 2, 3]
    assert {(r["load_id"], r["run_id"], r["run_attempt"]) for r in rows} == {
        (load_id, "scheduled__killed", 2)
    }
    assert not lines.exists() and not meta.exists()
    # Its lease is gone; its 3 credits now count from the landed ledger instead.
    assert register.open(Load.new("scheduled__killed"), 50) == 50 - 3 - 30

    # Once: a second pass finds nothing, and a journal seen again (a recovery killed before it
    # removed the journal) does not land its rows a second time.
    assert recover_journals(state, landing) == []
    for name in (lines.name, meta.name):
        shutil.copy2(saved / name, lines.parent / name)
    assert recover_journals(state, landing) == [load_id]
    assert landing.files("request_ledger", D) == [ledger_file]
    assert landed_spend(landing, D) == 3


def test_a_dead_load_that_sent_nothing_drops_its_lease_and_lands_nothing(state, landing):
    load = Load.new("run-1")
    register = CreditRegister(state, landing, D, Caps(daily=10))
    register.open(load, 10)
    start_journal(state, load, D, "searches")
    _, meta = journal_paths(state, load.load_id)
    dead = json.loads(meta.read_text())
    dead["owner"]["start"] = "not-this-process"  # same host and pid, another start: it is gone
    meta.write_text(json.dumps(dead))
    assert recover_journals(state, landing) == [load.load_id]
    assert not landing.files("request_ledger") and not meta.exists()
    assert register.open(Load.new("run-2"), 10) == 10


def test_journals_of_other_hosts_and_unreadable_ones_are_left_in_place(state, landing, caplog):
    load = Load.new("run-1")
    lines = start_journal(state, load, D, "creators")
    with RequestLedger(journal=lines) as ledger:
        ledger.record(entry(1))
    _, meta = journal_paths(state, load.load_id)
    elsewhere = json.loads(meta.read_text())
    elsewhere["owner"]["host"] = "another-worker"
    meta.write_text(json.dumps(elsewhere))
    broken = state / "journal" / "broken.json"
    broken.write_text("{not json")
    assert recover_journals(state, landing) == []
    assert lines.exists() and meta.exists() and broken.exists()
    assert "unreadable" in caplog.text
    assert not landing.files("request_ledger")


def test_no_journal_directory_is_nothing_to_recover(tmp_path, landing):
    assert recover_journals(tmp_path / "nowhere", landing) == []
