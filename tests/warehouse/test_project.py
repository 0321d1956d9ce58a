"""The dbt project's declarations stay in line with the landing schemas and the contract."""

from __future__ import annotations

import pyarrow as pa
import yaml
from tiktok_engagement.landing import SCHEMAS
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
            required = column.get("config", {}).get("meta", {}).get("required", False)
            assert required == (not field.nullable), (dataset, field.name)


def test_every_contract_table_is_documented_with_grain_and_columns() -> None:
    models = {m["name"]: m for m in load("models/marts/_marts__models.yml")["models"]}
    assert set(CONTRACT_TABLES) <= set(models)
    for name in CONTRACT_TABLES:
        model = models[name]
        assert "Grain:" in model["description"], name
        assert all(column.get("description") for column in model["columns"]), name
