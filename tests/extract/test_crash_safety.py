"""SIGKILL of a process in the middle of landing: every earlier file stays whole and readable, no
final file is ever partial, and what the killed writer leaves behind is a temporary file that no
reader takes for data and that ``remove_stale_temporaries`` removes.

A real child Python process lands big tables through ``Landing.write`` in a loop and reports on a
pipe where it is. The parent kills it when it reports being inside a write: right after the marker
it prints before a write (where the kill lands is then up to the scheduler), or at a point the
child holds still until it is killed (half the Parquet bytes written; the whole temporary written
but not yet linked; linked but the directory not yet fsynced). No kill waits on a timer.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from tiktok_engagement.landing import Landing

pytestmark = pytest.mark.slow

ROWS_PER_FILE = 20_000
WHOLE_WRITES_FIRST = 2

# The child: lands WHOLE_WRITES_FIRST files, then one more, during which it is killed. With a
# stop point it holds still there (reading stdin, which the parent never writes) until the kill.
CHILD = r"""
import json, os, sys
from datetime import UTC, date, datetime
import pyarrow as pa
import pyarrow.parquet as pq
from tiktok_engagement import landing as landing_module
from tiktok_engagement.landing import SCHEMAS, Landing, Load

root, stop_at = sys.argv[1], sys.argv[3]
round_no, rows, whole_first = int(sys.argv[2]), int(sys.argv[4]), int(sys.argv[5])
day = date(2026, 11, 1)
now = datetime.now(UTC)

def say(*words):
    sys.stdout.write(" ".join(str(w) for w in words) + "\n")
    sys.stdout.flush()

def hold_still(where):
    say("holding", where)
    sys.stdin.readline()
    say("released", where)  # never reached: the parent kills first
    sys.exit(3)

columns = {}
for f in SCHEMAS["creator_posts"]:
    if f.nullable:
        columns[f.name] = pa.nulls(rows, type=f.type)
columns.update(
    snapshot_date=pa.array([day] * rows, pa.date32()),
    creator_username=pa.array(["crash.test"] * rows),
    sec_uid=pa.array(["S1"] * rows),
    feed_position=pa.array(range(rows), pa.int32()),
    video_id=pa.array([f"{round_no}-{i}" for i in range(rows)]),
    created_at=pa.array([now] * rows, SCHEMAS["creator_posts"].field("created_at").type),
    play_count=pa.array(range(rows), pa.int64()),
    digg_count=pa.array(range(rows), pa.int64()),
    comment_count=pa.array(range(rows), pa.int64()),
    share_count=pa.array(range(rows), pa.int64()),
    # Incompressible text, so each file takes a while to write.
    raw_json=pa.array([json.dumps({"n": i, "blob": os.urandom(96).hex()}) for i in range(rows)]),
)
table = pa.table({f.name: columns[f.name] for f in SCHEMAS["creator_posts"] if f.name in columns})
landing = Landing(root)

def land(n):
    load = Load.new(run_id=f"crash__{round_no}", run_attempt=1)
    return landing.write("creator_posts", day, load.file_name(f"posts{n}"), table, load=load)

for n in range(whole_first):
    say("landed", land(n))

real_write_table, real_link = pq.write_table, os.link

def half_then_hold(data, where, **kwargs):
    sink = pa.BufferOutputStream()
    real_write_table(data, sink, **kwargs)
    body = sink.getvalue().to_pybytes()
    where.write(body[: len(body) // 2])
    where.flush()
    hold_still("serialising")

if stop_at == "serialising":
    pq.write_table = half_then_hold
elif stop_at == "before-link":
    os.link = lambda *a, **k: hold_still("before-link")
elif stop_at == "before-dir-fsync":
    landing_module.fsync_dir = lambda *a, **k: hold_still("before-dir-fsync")

# A hold point the write no longer passes through would let the loop run on for ever: stop instead.
budget = whole_first + 1 if stop_at in ("serialising", "before-link", "before-dir-fsync") else 10**9

n = whole_first
while True:
    if n >= budget:
        say("missed", stop_at)
        sys.exit(4)
    say("writing", n)
    say("landed", land(n))
    n += 1
"""

STOP_POINTS = ["marker", "serialising", "before-link", "before-dir-fsync", "marker"]


def kill_mid_write(root: Path, round_no: int, stop_at: str) -> list[str]:
    """Run a child until it is inside a write, then SIGKILL it; returns the files it landed."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            str(root),
            str(round_no),
            stop_at,
            str(ROWS_PER_FILE),
            str(WHOLE_WRITES_FIRST),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    landed: list[str] = []
    try:
        while True:
            line = child.stdout.readline()
            if not line:
                pytest.fail(f"child exited ({child.wait()}) before a kill: {child.stderr.read()}")
            word, _, rest = line.strip().partition(" ")
            if word == "landed":
                landed.append(rest)
            if word == "missed":
                pytest.fail(f"the child's write never passed the hold point {rest!r}")
            # The marker is printed just before a write starts; the holding points are inside one.
            if (
                stop_at == "marker" and word == "writing" and len(landed) >= WHOLE_WRITES_FIRST
            ) or (word == "holding"):
                child.send_signal(signal.SIGKILL)
                break
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdin.close()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    return landed


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_sigkill_while_landing_leaves_whole_files_and_only_removable_temporaries(tmp_path):
    root = tmp_path / "landing"
    landing = Landing(str(root))
    finals_so_far: set[str] = set()
    for round_no, stop_at in enumerate(STOP_POINTS):
        landed = kill_mid_write(root, round_no, stop_at)
        assert len(landed) >= WHOLE_WRITES_FIRST

        finals = landing.files("creator_posts")
        temporaries = [p for p in all_files(root) if str(p) not in finals]
        # Every file the child reported, and every file of earlier rounds, is still there.
        assert set(landed) | finals_so_far <= set(finals)
        for path in finals:
            assert not Path(path).name.startswith(".")
            table = pq.read_table(path)  # a partial final file would fail here
            assert table.num_rows == ROWS_PER_FILE
        # What else is on disk is a temporary: a dot-name no reader lists and no glob matches.
        for path in temporaries:
            assert path.name.startswith(".") and ".tmp-" in path.name, path
        if stop_at != "marker":
            assert temporaries, f"killed at {stop_at}, the child's temporary should remain"
        pattern = f"{root}/creator_posts/snapshot_date=*/*.parquet"
        con = duckdb.connect()
        try:
            seen = con.execute("select count(*) from glob(?)", [pattern]).fetchone()[0]
            rows = con.execute("select count(*) from read_parquet(?)", [pattern]).fetchone()[0]
        finally:
            con.close()
        assert (seen, rows) == (len(finals), len(finals) * ROWS_PER_FILE)
        assert landing.read("creator_posts").num_rows == len(finals) * ROWS_PER_FILE

        removed = landing.remove_stale_temporaries(older_than_s=0)
        assert sorted(removed) == sorted(str(p) for p in temporaries)
        assert [str(p) for p in all_files(root)] == finals
        for path in finals:
            assert pq.read_table(path).num_rows == ROWS_PER_FILE
        finals_so_far |= set(finals)
    # A killed "before the directory fsync" write had already linked its final name: it stays.
    assert len(finals_so_far) >= WHOLE_WRITES_FIRST * len(STOP_POINTS) + 1
    assert sorted(finals_so_far) == landing.files("creator_posts")
