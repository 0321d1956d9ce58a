"""The landing zone on object storage: extract to ``s3://`` and build the warehouse from it.

An S3-compatible server (moto in server mode) runs on a free loopback port in a subprocess; the
landing and the dbt build reach it only through the AWS variables, as Celery workers on other
hosts would reach a shared bucket. DuckDB reads it without the httpfs extension (see
``tiktok_engagement.warehouse.duckdb_landing_plugin``).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import boto3
import duckdb
import httpx
import pytest
from tiktok_engagement import warehouse
from tiktok_engagement.config import Creator, Query, Settings
from tiktok_engagement.extract import extract_creators, extract_searches
from tiktok_engagement.landing import DATASETS, LandedFileExistsError, Landing

pytestmark = pytest.mark.slow

D = date(2026, 11, 1)
BUCKET = "tiktok-landing"
LANDING_URI = f"s3://{BUCKET}/landing"
# Distinctive values, so that finding them in a landed object is unambiguous.
ACCESS_KEY = "AKIAS3LANDINGTESTKEY"
SECRET_KEY = "s3-landing-test-secret-d41d8cd98f00"
QUERIES = [Query("home workout", "keyword"), Query("gym", "hashtag")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3 server on loopback, torn down whatever the tests did."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"moto server exited with code {process.returncode}; see {log.name}")
            try:
                httpx.get(f"{endpoint}/moto-api/", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail(f"moto server did not answer on {endpoint} within 30 s")
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def aws_env(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The standard AWS variables pointing at the loopback server, and its bucket created."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if BUCKET not in existing:
        client.create_bucket(Bucket=BUCKET)
    return s3_endpoint


def _objects(endpoint: str) -> dict[str, bytes]:
    client = boto3.client("s3", endpoint_url=endpoint)
    keys = [
        item["Key"]
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        for item in page.get("Contents", [])
    ]
    objects = {key: client.get_object(Bucket=BUCKET, Key=key)["Body"].read() for key in keys}
    # pyarrow keeps a deleted file's "directory" alive with an empty marker object ("dir/"); it
    # holds nothing and no reader's *.parquet glob matches it.
    markers = [key for key in objects if key.endswith("/")]
    assert all(objects.pop(key) == b"" for key in markers)
    return objects


def _data_rows(landing: Landing) -> dict[str, list[dict]]:
    """Every dataset's rows for D, read back through the landing."""
    rows = {}
    for dataset in DATASETS:
        table = landing.read(dataset, D)
        if dataset == "request_ledger":
            # A log in arrival order with timings and credit balances: compare what was asked.
            table = table.select(["endpoint", "params_json", "status", "item_key"])
        rows[dataset] = sorted(table.to_pylist(), key=repr)
    return rows


def _extract_day(settings: Settings, roster: list[Creator], *, fresh: bool = False) -> None:
    extract_creators(settings, D, roster, fresh=fresh)
    extract_searches(settings, D, QUERIES, fresh=fresh)


def test_extract_to_s3_then_build_the_warehouse_from_it(aws_env, simulator, tmp_path: Path):
    listed = httpx.get(f"{simulator.base_url}/_sim/roster", params={"count": 6}).json()
    roster = [Creator(r["username"], r["niche"]) for r in listed["creators"]]
    settings = Settings(
        base_url=simulator.base_url,
        api_key=simulator.api_key,
        data_dir=tmp_path / "unused",
        landing_uri=LANDING_URI,
        timeout_s=5.0,
    )

    _extract_day(settings, roster)
    first = _objects(aws_env)
    landing = Landing(LANDING_URI)
    first_rows = _data_rows(landing)

    # Whole objects under their final keys: no temporary objects, no directory markers.
    assert first, "nothing landed in the bucket"
    for key in first:
        dataset, partition, name = key.removeprefix("landing/").split("/")
        assert dataset in DATASETS and partition == f"snapshot_date={D.isoformat()}", key
        assert name.endswith(".parquet") and not name.startswith("."), key
    # Every dataset of a creators-and-searches run but ``rejected``: the simulator's default world
    # has no invalid item (comments and followings are runs of their own).
    assert {key.split("/")[1] for key in first} == set(DATASETS) - {
        "rejected",
        "comments",
        "comment_scores",
        "followings",
    }
    assert len(first_rows["profiles"]) == len(roster)
    assert {r["creator_username"] for r in first_rows["creator_posts"]} == {
        c.username for c in roster
    }
    # Neither the AWS credentials nor the API key are landed.
    for key, body in first.items():
        for secret in (ACCESS_KEY, SECRET_KEY, simulator.api_key):
            assert secret.encode() not in body, f"{key} contains a credential"

    # Re-running the landed day fetches nothing and writes nothing.
    requests = simulator.stats()["requests"]
    _extract_day(settings, roster)
    assert _objects(aws_env) == first
    assert simulator.stats()["requests"] == requests

    # A fresh capture adds objects of its own beside the earlier ones, which stay byte for byte.
    _extract_day(settings, roster, fresh=True)
    second = _objects(aws_env)
    assert {key: second.get(key) for key in first} == first
    added = sorted(set(second) - set(first))
    assert {key.split("/")[1] for key in added} >= {"creator_posts", "profiles", "request_ledger"}
    both_rows = _data_rows(landing)
    for dataset in ("profiles", "creator_posts", "search_results", "hashtags"):
        assert len(both_rows[dataset]) == 2 * len(first_rows[dataset]), dataset

    # No object is ever replaced: a write under a landed key is refused and changes nothing.
    landed_key = next(k for k in first if k.startswith("landing/hashtags/"))
    with pytest.raises(LandedFileExistsError):
        landing.write("hashtags", D, landed_key.rsplit("/", 1)[-1].removesuffix(".parquet"), [])
    assert _objects(aws_env) == second

    result = warehouse.build(
        landing_root=LANDING_URI,
        warehouse_dir=tmp_path / "warehouse",
        exports_dir=tmp_path / "exports",
        snapshot_date=D,
        quiet=True,
    )
    assert result.published
    assert result.rebuilt_dates == (D,)
    con = duckdb.connect(str(result.serving_db), read_only=True)
    try:
        creators = con.execute(
            "select count(distinct creator_username) from marts.creator_scorecard "
            "where snapshot_date = ?",
            [D],
        ).fetchone()[0]
        videos = con.execute(
            "select count(*) from marts.fct_video_snapshots where snapshot_date = ?", [D]
        ).fetchone()[0]
        queries = con.execute(
            "select count(distinct query) from marts.query_trends where snapshot_date = ?", [D]
        ).fetchone()[0]
    finally:
        con.close()
    assert creators == len(roster)
    # One row per video and date although the raw layer holds two captures of each.
    assert videos == len(
        {r["video_id"] for r in first_rows["creator_posts"]}
        | {r["video_id"] for r in first_rows["search_results"]}
    )
    assert queries == len(QUERIES)
    assert result.row_counts["fct_video_snapshots"] >= videos


def test_credentials_in_the_landing_uri_are_refused_without_echoing_them():
    with pytest.raises(ValueError) as raised:
        Landing(f"s3://{ACCESS_KEY}:{SECRET_KEY}@{BUCKET}/landing")
    assert SECRET_KEY not in str(raised.value)
    assert ACCESS_KEY not in str(raised.value)
