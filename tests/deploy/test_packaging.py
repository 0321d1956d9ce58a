"""What ships: the production wheel and image carry the library and its Airflow adapter, never the
simulator, which is a package of its own (include/simulator)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("uv is not on PATH (scripts/bootstrap.sh installs it)")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(out), "--package", "tiktok-engagement-warehouse"],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("tiktok_engagement_warehouse-*.whl")
    return built


def test_the_production_wheel_has_the_library_and_adapter_and_no_simulator(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "tiktok_engagement/extract.py" in names
    assert "tiktok_airflow/hooks.py" in names
    assert not [n for n in names if "simulator" in n], "the simulator ships in the wheel"
    metadata = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    requires = re.findall(r"^Requires-Dist: ([A-Za-z0-9_.-]+)", text, flags=re.MULTILINE)
    assert "scavio-simulator" not in requires and "starlette" not in requires


def test_the_production_image_copies_no_simulator_code():
    dockerfile = (REPO / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[1:]
    production = stages[-1]  # the default target: the last stage
    assert production.startswith("python:3.11-slim AS airflow")
    copies = re.findall(r"^COPY (.+)$", production, flags=re.MULTILINE)
    sources = [part for line in copies for part in line.split()[:-1]]
    assert "include/" not in sources
    assert [s for s in sources if "simulator" in s] == ["include/simulator/pyproject.toml"]
    assert "--no-dev" in production


def test_the_adapter_imports_without_the_plugins_folder_on_the_path(tmp_path):
    # A fresh interpreter with neither plugins/ nor include/ on sys.path: the installed project.
    code = "import tiktok_airflow.hooks, tiktok_engagement.extract; print('ok')"
    done = subprocess.run(
        [sys.executable, "-I", "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
