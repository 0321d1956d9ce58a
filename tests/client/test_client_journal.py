"""The write-ahead journal: each recorded attempt is on disk at once, and read back after a kill."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from client_fakes import Recorder, aweme, ok, run_with_client
from tiktok_engagement.landing import SCHEMAS, to_table
from tiktok_engagement.scavio.errors import NotFoundError
from tiktok_engagement.scavio.ledger import LedgerEntry, RequestLedger, ledger_rows

RUN_FIELDS = {"snapshot_date", "run_id", "run_attempt", "load_id"}


def _entry(seq: int, attempt: int = 1) -> LedgerEntry:
    at = datetime(2025, 3, 1, 12, 0, seq, 123456, tzinfo=UTC)
    return LedgerEntry(
        request_seq=seq,
        endpoint="user/posts",
        params_json='{"cursor":"0"}',
        item_key="alice",
        attempt=attempt,
        status=200,
        error_class=None,
        error_message=None,
        credits_used=1,
        credits_remaining=99,
        latency_ms=12.5,
        started_at=at,
        captured_at=at,
    )


def test_the_client_writes_each_attempt_as_it_ends(tmp_path):
    journal = tmp_path / "ledger.jsonl"
    ledger = RequestLedger(journal=journal)
    answers = iter(
        [
            httpx.Response(503, json={"error": "busy"}),
            ok({"aweme_list": [aweme(1)], "has_more": 0}),
            httpx.Response(404, json={"error": "gone"}),
        ]
    )
    lines_seen = []

    def handler(request):
        lines_seen.append(len(journal.read_bytes().splitlines()))
        return next(answers)

    async def scenario(client):
        await client.user_posts("a")
        with pytest.raises(NotFoundError):
            await client.user_posts("b")

    client, _ = run_with_client(Recorder(handler), scenario, ledger=ledger)
    assert lines_seen == [0, 1, 2]  # each attempt was on disk before the next one was sent
    lines = journal.read_bytes().splitlines()
    assert len(lines) == 3
    first = json.loads(lines[0])
    rows = ledger.rows(date(2025, 3, 1), run_id="r", run_attempt=1, load_id="l")
    assert set(first) == set(rows[0]) - RUN_FIELDS
    assert first["started_at"].endswith("+00:00") and "T" in first["captured_at"]
    assert RequestLedger.read_journal(journal) == client.ledger.entries
    ledger.close()
    ledger.close()  # closing twice is harmless
    with pytest.raises(ValueError):
        ledger.record(_entry(9))


def test_read_journal_skips_a_torn_last_line(tmp_path, caplog):
    journal = tmp_path / "j.jsonl"
    with RequestLedger(journal=journal) as ledger:
        ledger.record(_entry(1))
        ledger.record(_entry(2))
    whole = journal.read_bytes()
    journal.write_bytes(whole + whole.splitlines()[0][:37])
    entries = RequestLedger.read_journal(journal)
    assert entries == [_entry(1), _entry(2)]
    assert "torn last line" in caplog.text
    # A complete last line that only lacks its newline is kept.
    journal.write_bytes(whole.rstrip(b"\n"))
    assert RequestLedger.read_journal(journal) == [_entry(1), _entry(2)]
    table = to_table(
        "request_ledger",
        ledger_rows(entries, date(2025, 3, 1), run_id="r", run_attempt=2, load_id="l"),
    )
    assert table.num_rows == 2 and set(SCHEMAS["request_ledger"].names) <= set(table.schema.names)


def test_a_damaged_line_before_the_last_is_an_error(tmp_path):
    journal = tmp_path / "j.jsonl"
    with RequestLedger(journal=journal) as ledger:
        for seq in (1, 2, 3):
            ledger.record(_entry(seq))
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(lines[0] + b'{"request_seq": 2}\n' + lines[2])
    with pytest.raises(ValueError, match="line 2 is not a ledger entry"):
        RequestLedger.read_journal(journal)


def test_appending_to_an_existing_journal_keeps_what_it_held(tmp_path):
    journal = tmp_path / "j.jsonl"
    with RequestLedger(journal=journal) as ledger:
        ledger.record(_entry(1))
    with RequestLedger(journal=str(journal)) as ledger:
        ledger.record(_entry(2))
    assert [e.request_seq for e in RequestLedger.read_journal(journal)] == [1, 2]


def test_entries_survive_a_sigkill(tmp_path):
    journal = tmp_path / "killed.jsonl"
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_client_journal import _entry
        from tiktok_engagement.scavio.ledger import RequestLedger
        ledger = RequestLedger(journal={str(journal)!r})
        for seq in (1, 2, 3):
            ledger.record(_entry(seq))
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()
    assert RequestLedger.read_journal(journal) == [_entry(1), _entry(2), _entry(3)]
