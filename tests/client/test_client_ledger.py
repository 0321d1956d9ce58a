"""The request ledger: one entry per attempt, rows that fit the landed schema, suspect empties."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date

import httpx
import pytest
from client_fakes import Recorder, aweme, ok, run_with_client
from tiktok_engagement.landing import SCHEMAS, to_table
from tiktok_engagement.scavio.errors import NotFoundError
from tiktok_engagement.scavio.ledger import is_secret_name, params_json, redact_params


def _mixed_run():
    answers = iter(
        [
            httpx.Response(503, json={"error": "busy"}),
            ok({"aweme_list": [aweme(1)], "has_more": 0}),
            ok({"aweme_list": [], "has_more": 0}),
            httpx.Response(404, json={"error": {"code": "not_found", "message": "gone"}}),
        ]
    )
    recorder = Recorder(lambda r: next(answers))

    async def scenario(client):
        await client.user_posts("sec1", item_key="alice")
        await client.user_posts("sec2", item_key="bob")
        with pytest.raises(NotFoundError):
            await client.user_posts("sec3", item_key="carol")

    client, _ = run_with_client(recorder, scenario)
    return client.ledger


LEDGER_COLUMNS = {
    "snapshot_date",
    "run_id",
    "request_seq",
    "endpoint",
    "params_json",
    "item_key",
    "attempt",
    "status",
    "error_class",
    "error_message",
    "credits_used",
    "credits_remaining",
    "latency_ms",
    "started_at",
    "suspect_empty",
    "load_id",
    "run_attempt",
    "captured_at",
}


def test_rows_fit_the_request_ledger_schema():
    ledger = _mixed_run()
    rows = ledger.rows(date(2025, 3, 1), run_id="run-1", run_attempt=2, load_id="load-1")
    assert set(rows[0]) == LEDGER_COLUMNS
    # Every column the landed schema has is given (it may not list the lineage columns yet).
    assert set(SCHEMAS["request_ledger"].names) <= LEDGER_COLUMNS
    table = to_table("request_ledger", rows)
    assert table.schema.equals(SCHEMAS["request_ledger"])
    assert [(r["request_seq"], r["attempt"], r["status"]) for r in rows] == [
        (1, 1, 503),
        (1, 2, 200),
        (2, 1, 200),
        (3, 1, 404),
    ]
    first = rows[0]
    assert first["snapshot_date"] == date(2025, 3, 1) and first["run_id"] == "run-1"
    assert (first["run_attempt"], first["load_id"]) == (2, "load-1")
    assert all(r["started_at"] <= r["captured_at"] for r in rows)
    assert first["endpoint"] == "user/posts" and first["item_key"] == "alice"
    assert json.loads(first["params_json"]) == {
        "sec_user_id": "sec1",
        "count": 20,
        "sort_type": "0",
        "cursor": "0",
    }
    assert first["started_at"].tzinfo is UTC
    assert all(r["latency_ms"] >= 0 for r in rows)
    assert rows[3]["error_class"] == "NotFoundError" and "gone" in rows[3]["error_message"]


def test_summary_counts():
    summary = _mixed_run().summary()
    assert summary["requests"] == 3
    assert summary["attempts"] == 4
    assert summary["retries"] == 1
    assert summary["credits_used"] == 2
    assert summary["failures_by_class"] == {"NotFoundError": 1}
    assert summary["errors_by_class"] == {"ServerError": 1, "NotFoundError": 1}
    assert summary["suspect_empty"] == 1
    assert summary["suspect_empty_items"] == ["bob"]


@pytest.mark.parametrize(
    ("data", "call"),
    [
        ({"aweme_list": [], "has_more": 0}, lambda c: c.user_posts("sec", item_key="bob")),
        ({"aweme_list": None, "has_more": 0}, lambda c: c.user_posts("sec", item_key="bob")),
        ({"has_more": 0}, lambda c: c.hashtag_videos("1", item_key="bob")),
        ({"search_item_list": [], "has_more": 0}, lambda c: c.search_videos("bob")),
    ],
    ids=["empty-list", "null-list", "missing-list", "empty-search"],
)
def test_suspect_empty_is_warned_flagged_and_returned_empty(caplog, data, call):
    caplog.set_level(logging.WARNING, logger="tiktok_engagement")
    client, result = run_with_client(Recorder(lambda r: ok(data)), call)
    assert result == []
    (entry,) = client.ledger.entries
    assert entry.suspect_empty is True and entry.error_class is None
    assert any("suspect empty response" in m and "bob" in m for m in caplog.messages)


def test_request_without_items_path_is_never_suspect():
    client, data = run_with_client(
        Recorder(lambda r: ok({"aweme_list": []})),
        lambda c: c.request("user/posts", {"sec_user_id": "s"}),
    )
    assert data == {"aweme_list": []}
    assert client.ledger.entries[0].suspect_empty is False


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("api_key", True),
        ("apiKey", True),
        ("x-api-key", True),
        ("token", True),
        ("access_token", True),
        ("authToken", True),
        ("Authorization", True),
        ("client_secret", True),
        ("password", True),
        ("keyword", False),
        ("sec_user_id", False),
        ("hashtag_name", False),
        ("cursor", False),
        ("sort_type", False),
    ],
)
def test_is_secret_name(name, secret):
    assert is_secret_name(name) is secret


def test_params_json_redacts_credential_fields_and_secret_values():
    body = {
        "keyword": "cats",
        "api_key": "abc",
        "nested": {"Authorization": "Bearer abc", "list": ["x", "has sk-123 inside"]},
        "count": 20,
    }
    text = params_json(body, ("sk-123",))
    assert json.loads(text) == {
        "keyword": "cats",
        "api_key": "***",
        "nested": {"Authorization": "***", "list": ["x", "has *** inside"]},
        "count": 20,
    }
    assert redact_params(body) is not body and body["api_key"] == "abc"  # the body is not mutated
