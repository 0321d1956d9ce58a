"""The command line: roster and queries CSVs, and serving configured from SCAVIO_SIM_* variables."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from scavio_simulator import Population

MODULE = [sys.executable, "-m", "scavio_simulator"]


def _run(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [*MODULE, *args], capture_output=True, text=True, timeout=60, env=env, check=True
    )
    return done.stdout


def test_roster_prints_a_balanced_csv_of_real_creators():
    rows = list(csv.DictReader(io.StringIO(_run("roster", "--count", "60", "--seed", "42"))))
    assert len(rows) == 60 and set(rows[0]) == {"username", "niche"}
    world = Population(seed=42, size=600)
    assert [r["username"] for r in rows] == [c.username for c in world.roster(60)]
    for row in rows:
        assert world.get(row["username"]).niche == row["niche"]
    assert len({r["niche"] for r in rows}) == 10


def test_queries_prints_keyword_and_hashtag_queries():
    rows = list(csv.DictReader(io.StringIO(_run("queries"))))
    assert {r["type"] for r in rows} == {"keyword", "hashtag"}
    assert {"query": "home workout", "type": "keyword"} in rows
    assert {"query": "gym", "type": "hashtag"} in rows


def test_serve_reads_its_settings_from_the_environment(tmp_path: Path):
    ready = tmp_path / "port"
    env = {
        **os.environ,
        "SCAVIO_SIM_CREATORS": "40",
        "SCAVIO_SIM_SEED": "7",
        "SCAVIO_SIM_API_KEYS": "env-key-1,env-key-2",
        "SCAVIO_SIM_IN_FLIGHT_CAP": "4",
        "SCAVIO_SIM_LATENCY_MS": "5",
        "SCAVIO_SIM_CREDIT_BALANCE": "",
        "SCAVIO_SIM_ECHO_DATE": "false",
        "SCAVIO_SIM_BAD_PROFILE": "zoe.adeyemi,reza.santos",
        "SCAVIO_SIM_BAD_ITEMS": "negative_count:zoe.adeyemi",
    }
    world = [c.username for c in Population(seed=7, size=40).creators[:3]]
    assert world == ["zoe.adeyemi", "thefatimacooks", "reza.santos"]
    command = [*MODULE, "--port", "0", "--ready-file", str(ready), "--per-minute", "9"]
    command += ["--bad-item", "future_time:thefatimacooks", "--bad-item", "missing_id:reza.santos"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        base = f"http://127.0.0.1:{ready.read_text().strip()}"
        for _ in range(100):
            try:
                config = httpx.get(f"{base}/_sim/config").json()
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert config["creators"] == 40 and config["seed"] == 7
        assert config["api_keys"] == ["env-key-1", "env-key-2"]
        assert config["in_flight_cap"] == 4 and config["latency_ms"] == 5.0
        assert config["per_minute"] == 9, "a flag beats the environment"
        assert config["credit_balance"] is None
        assert config["echo_date"] is False
        assert config["bad_profile"] == ["zoe.adeyemi", "reza.santos"]
        assert config["bad_items"] == ["future_time:thefatimacooks", "missing_id:reza.santos"], (
            "repeated flags replace the variable's list"
        )
        health = httpx.get(f"{base}/_sim/health").json()
        assert health == {"status": "ok", "seed": 7, "creators": 40, "pid": process.pid}
        csv_roster = httpx.get(f"{base}/_sim/roster", params={"count": 5, "format": "csv"}).text
        assert csv_roster.splitlines()[0] == "username,niche" and len(csv_roster.splitlines()) == 6
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_simulator_never_imports_airflow():
    code = (
        "import sys, scavio_simulator, scavio_simulator.server, "
        "scavio_simulator.__main__; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'airflow'], 'airflow imported'; "
        "assert 'starlette' not in sys.modules or 'scavio_simulator.server' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    light = "import sys, scavio_simulator; assert 'starlette' not in sys.modules"
    subprocess.run([sys.executable, "-c", light], check=True, timeout=60)
