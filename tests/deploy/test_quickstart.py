"""The README's "Quick start with plain Airflow", run exactly as written in a fresh clone.

The lines between the ``<!-- quickstart -->`` markers run in one bash, in a ``git clone`` of this
repository, with the already-installed ``.venv/bin`` first on PATH (as after ``make install`` and
activating it) and no Airflow, Scavio or TIKTOK variable from the outer environment. Two variables
are added only so that the run cannot meet another simulator on the shared machine: the simulator's
port (``SCAVIO_SIM_PORT``) and the matching ``SCAVIO_BASE_URL``; the lines themselves are not
changed. The DAG run must succeed in the clone's metadata database and land Parquet for the date.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from .harness import free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MARKERS = re.compile(r"<!-- quickstart -->\s*```bash\n(.*?)```\s*<!-- /quickstart -->", re.S)


def quickstart_lines(readme: Path) -> list[str]:
    """The shell lines between the README's quick-start markers."""
    found = MARKERS.search(readme.read_text(encoding="utf-8"))
    assert found, f"{readme}: no <!-- quickstart --> ... <!-- /quickstart --> bash block"
    return [line for line in found.group(1).splitlines() if line.strip()]


def run_quickstart(checkout: Path, lines: list[str], port: int) -> subprocess.CompletedProcess:
    """Run ``lines`` in ``checkout`` as a new user's shell would; ends what they left running."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW", "SCAVIO_", "TIKTOK_", "PYTHONPATH", "VIRTUAL_ENV"))
    }
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        SCAVIO_SIM_PORT=str(port),
        SCAVIO_BASE_URL=f"http://127.0.0.1:{port}",
        DO_NOT_TRACK="1",
    )
    # Output to a file, not a pipe: the background simulator keeps its copy open, so waiting for
    # a pipe's end would wait for the simulator. Its own session, so that the simulator is ended
    # with the shell (by this group's id).
    log = checkout / "quickstart.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", "\n".join(lines)],
            cwd=checkout,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            process.wait(timeout=600)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    text = log.read_text(encoding="utf-8", errors="replace")
    return subprocess.CompletedProcess(process.args, process.returncode, text, "")


def check_the_run(checkout: Path, day: str, result: subprocess.CompletedProcess) -> None:
    """The DAG run of ``day`` succeeded, and the day's search results landed in the clone."""
    assert result.returncode == 0, result.stdout[-6000:]
    with sqlite3.connect(checkout / ".airflow" / "airflow.db") as db:
        runs = db.execute(
            "select state from dag_run where dag_id = 'tiktok_search_trends'"
        ).fetchall()
    assert runs == [("success",)], result.stdout[-6000:]
    landed = checkout / "data" / "landing" / "search_results" / f"snapshot_date={day}"
    assert list(landed.glob("*.parquet")), f"nothing landed under {landed}"


def test_the_readme_quick_start_runs_in_a_fresh_clone(tmp_path):
    checkout = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(checkout)], check=True, timeout=300)
    lines = quickstart_lines(checkout / "README.md")
    assert len(lines) == 3, lines
    day = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    check_the_run(checkout, day, run_quickstart(checkout, lines, free_port()))
