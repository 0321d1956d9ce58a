"""The dbt project's declarations stay in line with the landing schemas and the contract."""

from __future__ import annotations

import pyarrow as pa
import yaml
from tiktok_engagement.landing import LINEAGE_COLUMNS, SCHEMAS
from tiktok_engagement.warehouse import CONTRACT_TABLES, DBT_PROJECT_DIR

DUCKDB_TYPES = {
    pa.string(): "varchar",
    pa.int64(): "bigint",
    pa.int32(): "integer",
    pa.date32(): "date",
    pa.bool_(): "boolean",
    pa.float64(): "double",
    pa.timestamp("us", tz="UTC"): "timestamp with time zone",
    pa.list_(pa.string()): "varchar[]",
}


# The lineage columns a file landed before lineage existed lacks (the ledger had run_id and
# request_seq; rejected and loads are newer than lineage).
REQUIRED_LINEAGE = tuple(c for c in LINEAGE_COLUMNS if c != "request_seq")
LEGACY_DEFAULTS = {
    **dict.fromkeys(("profiles", "creator_posts", "search_results", "hashtags"), REQUIRED_LINEAGE),
    "request_ledger": ("load_id", "run_attempt", "captured_at"),
}  # fmt: skip


def load(path: str) -> dict:
    return yaml.safe_load((DBT_PROJECT_DIR / path).read_text())


def test_sources_mirror_landing_schemas() -> None:
    (source,) = load("models/staging/landing/_landing__sources.yml")["sources"]
    tables = {table["name"]: table for table in source["tables"]}
    assert set(tables) == set(SCHEMAS)
    for dataset, schema in SCHEMAS.items():
        columns = tables[dataset]["columns"]
        assert [c["name"] for c in columns] == schema.names, dataset
        for column, field in zip(columns, schema, strict=True):
            assert column["data_type"] == DUCKDB_TYPES[field.type], (dataset, field.name)
            meta = column.get("config", {}).get("meta", {})
            assert meta.get("required", False) == (not field.nullable), (dataset, field.name)
            # Files landed before lineage existed lack it: staging gives those rows a default.
            assert ("legacy_default" in meta) == (field.name in LEGACY_DEFAULTS.get(dataset, ())), (
                dataset,
                field.name,
            )


def test_every_contract_table_is_documented_with_grain_and_columns() -> None:
    models = {m["name"]: m for m in load("models/marts/_marts__models.yml")["models"]}
    assert set(CONTRACT_TABLES) <= set(models)
    for name in CONTRACT_TABLES:
        model = models[name]
        assert "Grain:" in model["description"], name
        assert all(column.get("description") for column in model["columns"]), name
