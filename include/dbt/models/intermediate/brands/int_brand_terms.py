"""Grain: brand x term type x term. The tracked brands' terms, folded as the mention matching
compares them: the rows of ``tiktok_engagement.brands.brand_terms``.

The brands file is the one the extraction tracks: ``TIKTOK_BRANDS_FILE`` as
``dbt_environment`` resolves it (an absolute path, or empty for no brands). It is read and
validated by the library that validated it for the extraction (``load_brands``), so the SQL never
parses the file's lists or folds its terms itself, and an invalid file fails the build with the
error naming its line. No brands give an empty, typed table, and so empty brand marts.

A dbt Python model (dbt-duckdb runs it in the build's process): the file is configuration, not
landed data, so it is no landing source. Rebuilt whole on every build: the marts of the dates a
build computes use the brands file as it is at that build.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

SCHEMA_FIELDS = (
    ("brand", "string"),
    ("competitive_set", "string"),
    ("term_type", "string"),
    ("term", "string"),
    ("position", "int32"),
)


def model(dbt: Any, session: Any) -> Any:
    import pyarrow as pa
    from tiktok_engagement.brands import brand_terms, load_brands

    dbt.config(materialized="table")
    # Always set by dbt_environment; a dbt run without it is not this project's build.
    path = os.environ["TIKTOK_BRANDS_FILE"]
    rows = brand_terms(load_brands(Path(path))) if path else []
    schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in SCHEMA_FIELDS])
    return pa.Table.from_pylist(rows, schema=schema)
