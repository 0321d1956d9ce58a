"""What the comments and followings extraction tests share: settings and a roster from the
simulator, and a run of ``tiktok-extract`` as a subprocess against it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from tiktok_engagement.config import Creator, Settings


def roster_of(simulator, count: int) -> list[Creator]:
    """The simulator's balanced roster of ``count`` creators."""
    return [Creator(r["username"], r["niche"]) for r in simulator.roster(count)]


def settings_for(simulator, tmp_path: Path, **overrides) -> Settings:
    """Settings against ``simulator``, landing under ``tmp_path``."""
    return Settings(
        base_url=simulator.base_url,
        api_key=simulator.api_key,
        data_dir=tmp_path,
        timeout_s=5.0,
        **overrides,
    )


def run_extract_cli(
    simulator, data: Path, day: date, *args: str, creators: int, **env: str
) -> subprocess.CompletedProcess:
    """``tiktok-extract --date day *args`` against ``simulator``, landing under ``data``; the
    roster file beside it is written once, with the simulator's first ``creators``."""
    roster = data.parent / "creators.csv"
    if not roster.exists():
        rows = simulator.roster(creators)
        roster.write_text(
            "username,niche\n" + "".join(f"{r['username']},{r['niche']}\n" for r in rows)
        )
    environment = {
        **os.environ,
        "SCAVIO_BASE_URL": simulator.base_url,
        "SCAVIO_API_KEY": simulator.api_key,
        "TIKTOK_DATA_DIR": str(data),
        "TIKTOK_CREATORS_FILE": str(roster),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "tiktok_engagement.cli", "--date", day.isoformat(), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
