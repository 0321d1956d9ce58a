# The two commands of the README: `make demo` and `make test`. Everything installs from uv.lock.
SHELL := /bin/bash
VENV := .venv/bin
export DO_NOT_TRACK := 1

.PHONY: install demo test test-fast test-slow lint format simulator bench bench-extract bench-warehouse bench-demo bench-landing bench-credits bench-sentiment clean airflow-ui

install:
	@scripts/bootstrap.sh

demo: install
	$(VENV)/python -m tiktok_engagement.demo

# `make test` is the whole suite; CI runs the same tests as two tiers, fast first. Slow tests
# (marked `slow`) run dbt builds, Airflow schedulers and clusters, or whole pipelines.
PYTEST := $(VENV)/pytest -q -p no:cacheprovider

test: install lint
	$(PYTEST) $(PYTEST_ARGS)

# The fast tier spreads over every core (pytest-xdist), a test file to a worker so that its module
# fixtures are built once; each test still has its own tmp_path, simulator port and AIRFLOW_HOME.
# FAST_WORKERS=0 runs it in one process.
FAST_WORKERS ?= auto
test-fast: install
	$(PYTEST) -m "not slow" -n $(FAST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test-slow: install
	$(PYTEST) -m slow $(PYTEST_ARGS)

lint: install
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy
	$(VENV)/python scripts/lint_sql.py lint include/dbt/models

format: install
	$(VENV)/ruff format .
	$(VENV)/ruff check --fix .

simulator: install
	$(VENV)/python -m scavio_simulator

# Benchmarks write their figures into BENCHMARKS.md; timing never gates a test.
bench: bench-extract bench-warehouse bench-demo bench-landing bench-credits bench-sentiment

bench-extract: install
	$(VENV)/python bench/extract_bench.py --runs 3

bench-warehouse: install
	$(VENV)/python bench/warehouse_bench.py --runs 3 --big-runs 2

bench-demo: install
	$(VENV)/python bench/demo_bench.py --runs 2

bench-credits: install
	$(VENV)/python bench/feature_credits.py --days 15

bench-landing: install
	$(VENV)/python bench/landing_growth.py --days 30 --creators 50

bench-sentiment: install
	$(VENV)/python bench/sentiment_bench.py

# The Airflow UI over the demo's Airflow home (<data>/airflow, SQLite): its runs, logs and the report
# (Browse > TikTok engagement report). Log in as admin with the password airflow standalone prints.
# PATH: standalone starts its scheduler, API server etc. as `airflow ...` looked up on PATH.
DEMO_DATA := $(abspath $(or $(TIKTOK_DATA_DIR),data))
airflow-ui: install
	AIRFLOW_HOME=$(DEMO_DATA)/airflow \
	AIRFLOW__CORE__DAGS_FOLDER=$(CURDIR)/dags \
	AIRFLOW__CORE__PLUGINS_FOLDER=$(CURDIR)/plugins \
	AIRFLOW__CORE__LOAD_EXAMPLES=False \
	AIRFLOW__CORE__EXECUTOR=LocalExecutor \
	AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sqlite:///$(DEMO_DATA)/airflow/airflow.db \
	AIRFLOW__LOGGING__BASE_LOG_FOLDER=$(DEMO_DATA)/airflow/logs \
	TIKTOK_DATA_DIR=$(DEMO_DATA) \
	PYTHONPATH=$(CURDIR)/plugins \
	PATH=$(CURDIR)/$(VENV):$$PATH \
	$(VENV)/airflow standalone

clean:
	rm -rf data .pytest_cache .ruff_cache
