# The two commands of the README: `make demo` and `make test`. Everything installs from uv.lock.
SHELL := /bin/bash
VENV := .venv/bin
export DO_NOT_TRACK := 1
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False

.PHONY: install demo test lint format simulator bench bench-extract clean

install:
	@scripts/bootstrap.sh

demo: install
	$(VENV)/python -m tiktok_engagement.demo

test: install lint
	$(VENV)/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

format: install
	$(VENV)/ruff format .
	$(VENV)/ruff check --fix .

simulator: install
	$(VENV)/python -m tiktok_engagement.simulator

# Benchmarks write their figures into BENCHMARKS.md; timing never gates a test.
bench: bench-extract

bench-extract: install
	$(VENV)/python bench/extract_bench.py --runs 3

clean:
	rm -rf data .pytest_cache .ruff_cache
