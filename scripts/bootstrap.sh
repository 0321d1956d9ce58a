#!/usr/bin/env bash
# Install the project from the lockfile into .venv, getting uv first if the machine lacks it.
# Uses the machine's Python 3.11 (uv's own Python downloads are not reachable offline).
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
if ! command -v uv >/dev/null 2>&1; then
  echo "bootstrap: installing uv ${UV_VERSION} with pip" >&2
  python3 -m pip install --quiet "uv==${UV_VERSION}"
fi
PYTHON=$(command -v python3.11 || command -v python3)
uv sync --frozen --python "$PYTHON" --quiet
