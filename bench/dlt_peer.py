"""The peer of our load step: dlt loading the same landed data into a DuckDB file.

Two ways to feed dlt the same days of the landing zone:

- ``arrow``: each landing Parquet file as a pyarrow table (dlt's fast path: no per-row Python, the
  columns and types of the landing schemas go straight to DuckDB). Same rows and columns our load
  step reads.
- ``json``: the raw API items (each row's ``raw_json``, as an API source would yield them, plus its
  snapshot date) as Python dicts, which dlt normalizes itself (nested objects flattened into
  columns, lists into child tables). The request ledger has no raw document, so its rows go as
  dicts. This is how dlt loads a REST API's answers.

``run_peer`` builds a fresh pipeline (its working directory and DuckDB file are the caller's, so
nothing lands under ``~/.dlt``) and returns the pipeline's stage timings. dlt at its best setting
for a standalone loader: telemetry off (``RUNTIME__DLTHUB_TELEMETRY=false``) and no Airflow
secrets provider (``PROVIDERS__ENABLE_AIRFLOW_SECRETS=false``; with Airflow installed, as here,
dlt otherwise imports Airflow and probes its Variables when the pipeline is created: +4 s), both
set before dlt is imported; Parquet load files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

DATASETS = ("profiles", "creator_posts", "search_results", "hashtags", "request_ledger")
MODES = ("arrow", "json")


def landing_files(landing_root: str, dataset: str, first: date, last: date) -> list[str]:
    """The dataset's Parquet files in the partitions of ``first`` .. ``last``, in date order."""
    files = []
    for partition in sorted(Path(landing_root, dataset).glob("snapshot_date=*")):
        day = date.fromisoformat(partition.name.removeprefix("snapshot_date="))
        if first <= day <= last:
            files.extend(str(p) for p in sorted(partition.glob("*.parquet")))
    return files


def _arrow_tables(files: list[str]) -> Iterator[Any]:
    import pyarrow.parquet as pq

    for path in files:
        yield pq.read_table(path)


def _json_items(files: list[str]) -> Iterator[list[dict[str, Any]]]:
    import orjson
    import pyarrow.parquet as pq

    for path in files:
        table = pq.read_table(path)
        if "raw_json" not in table.column_names:
            yield table.to_pylist()
            continue
        days = table.column("snapshot_date").to_pylist()
        documents = table.column("raw_json").to_pylist()
        items = []
        for day, document in zip(days, documents, strict=True):
            item = orjson.loads(document)
            item["snapshot_date"] = day
            items.append(item)
        yield items


def run_peer(
    landing_root: str,
    destination_db: Path,
    pipelines_dir: Path,
    first: date,
    last: date,
    mode: str = "arrow",
) -> dict[str, Any]:
    """Load ``first`` .. ``last`` of every landing dataset with dlt; timings and row counts."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    os.environ["PROVIDERS__ENABLE_AIRFLOW_SECRETS"] = "false"
    started = time.perf_counter()
    import dlt

    timings = {"import": time.perf_counter() - started}
    stage = time.perf_counter()
    feed = _arrow_tables if mode == "arrow" else _json_items
    resources = [
        dlt.resource(
            feed(landing_files(landing_root, dataset, first, last)),
            name=dataset,
            write_disposition="append",
        )
        for dataset in DATASETS
    ]
    pipeline = dlt.pipeline(
        pipeline_name=f"warehouse_bench_{mode}",
        pipelines_dir=str(pipelines_dir),
        destination=dlt.destinations.duckdb(str(destination_db)),
        dataset_name="landing",
    )
    timings["setup"] = time.perf_counter() - stage
    stage = time.perf_counter()
    # Parquet load files: dlt's fastest way into DuckDB (its default for this destination,
    # INSERT statements, takes 5x longer on the JSON items; Arrow items are Parquet anyway).
    pipeline.extract(resources, loader_file_format="parquet")
    timings["extract"] = time.perf_counter() - stage
    stage = time.perf_counter()
    pipeline.normalize()
    timings["normalize"] = time.perf_counter() - stage
    stage = time.perf_counter()
    load_info = pipeline.load()
    timings["load"] = time.perf_counter() - stage
    timings["total"] = time.perf_counter() - started
    if load_info.has_failed_jobs:
        raise RuntimeError(f"dlt load had failed jobs: {load_info}")
    import duckdb

    con = duckdb.connect(str(destination_db), read_only=True)
    try:
        rows = {
            dataset: con.execute(f'select count(*) from landing."{dataset}"').fetchall()[0][0]  # noqa: S608
            for dataset in DATASETS
        }
        tables = con.execute(
            "select count(*) from duckdb_tables() "
            "where schema_name = 'landing' and not starts_with(table_name, '_dlt')"
        ).fetchall()[0][0]
    finally:
        con.close()
    return {"mode": mode, "timings": timings, "rows": rows, "tables": tables}
