"""The staging models read the landing zone exactly as ``landing.SCHEMAS`` declares it.

``landing.SCHEMAS`` (pyarrow) is the one declaration of the landing schema. The dbt source YAML is
checked against it in ``tests/warehouse/test_project.py``; this module checks the third copy, the
staging models' SQL. A non-nullable column must be read through ``required_column(...)``, which
fails the build naming the column and the file when a value is missing (a plain cast would pass
the NULL on); ``snapshot_date`` goes through ``partition_snapshot_date``, the lineage columns
through ``lineage_columns()`` or a legacy default (files landed before lineage existed lack them).
Every column a model casts must exist in the schema with the type it is cast to, and every declared
column must be read.

The SQL text is parsed, not compiled (no dbt run): Jinja and SQL comments are dropped and the
column macros of ``macros/landing.sql`` (``video_columns``, ``lineage_columns``) are expanded in
place, so a column wrapped in ``required_column`` inside a macro counts for the model that calls it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from tiktok_engagement.landing import LINEAGE_COLUMNS, LINEAGE_FIELDS, OBSERVATION_DATASETS, SCHEMAS

DBT_DIR = Path(__file__).resolve().parents[2] / "include" / "dbt"
STAGING_DIR = DBT_DIR / "models" / "staging" / "landing"
MACROS_FILE = DBT_DIR / "macros" / "landing.sql"
SOURCES_FILE = STAGING_DIR / "_landing__sources.yml"
MODEL_FILES = sorted(STAGING_DIR.glob("stg_landing__*.sql"))

# How DuckDB spells each pyarrow type of the landing schemas in a cast.
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

# Macros whose effect on the columns this module understands; a model calling any other macro
# could read columns in a way the checks below would not see.
COLUMN_MACROS = ("video_columns", "lineage_columns")
KNOWN_MACROS = {
    "source",
    "read_landing_partition",
    "partition_snapshot_date",
    "required_column",
    *COLUMN_MACROS,
}

JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
SQL_COMMENT = re.compile(r"--[^\n]*")
MACRO_DEF = re.compile(
    r"\{%-?\s*macro\s+(\w+)\(([^)]*)\)\s*-?%\}(.*?)\{%-?\s*endmacro\s*-?%\}", re.S
)
JINJA_EXPR = re.compile(r"\{\{-?(.*?)-?\}\}", re.S)
CALLED_NAME = re.compile(r"\b(\w+)\s*\(")
SOURCE_CALL = re.compile(r"source\(\s*'landing'\s*,\s*'(\w+)'\s*\)")
REQUIRED_CALL = re.compile(r"required_column\(\s*'(\w+)'\s*,\s*'(\w+)'\s*,\s*'([^']+)'\s*\)")
PARTITION_DATE_CALL = re.compile(r"partition_snapshot_date\(\s*'(\w+)'\s*\)")
# cast(<column> as <type>): a bare identifier cast straight from the file.
CAST = re.compile(r"\bcast\(\s*(\w+)\s+as\s+([a-z][a-z ]*?(?:\[\])?)\s*\)", re.I)
LEGACY_DEFAULT = re.compile(r"\bcoalesce\(\s*cast\(\s*(\w+)\s+as\b", re.I)


def strip_comments(text: str) -> str:
    return SQL_COMMENT.sub("", JINJA_COMMENT.sub("", text))


def column_macros(macros_sql: str) -> dict[str, tuple[list[str], str]]:
    """The column macros of ``macros/landing.sql``: name -> (parameter names, body)."""
    macros = {}
    for name, params, body in MACRO_DEF.findall(strip_comments(macros_sql)):
        if name in COLUMN_MACROS:
            macros[name] = ([p.strip() for p in params.split(",") if p.strip()], body)
    assert set(macros) == set(COLUMN_MACROS), f"{MACROS_FILE.name} lacks a column macro"
    return macros


def expand(sql: str, macros: dict[str, tuple[list[str], str]]) -> str:
    """``sql`` with each ``{{ video_columns('x') }}`` and ``{{ lineage_columns() }}`` replaced by
    the macro's body, its parameters replaced by the call's string literals."""

    def replace(match: re.Match[str]) -> str:
        name, arg_text = match.group(1), match.group(2)
        params, body = macros[name]
        args = [a.strip() for a in arg_text.split(",") if a.strip()]
        assert len(args) == len(params), f"{name} called with {arg_text!r}"
        for param, arg in zip(params, args, strict=True):
            body = re.sub(rf"\b{param}\b", arg, body)
        return body

    names = "|".join(COLUMN_MACROS)
    return re.sub(rf"\{{\{{-?\s*({names})\(([^)]*)\)\s*-?\}}\}}", replace, sql)


@dataclass(frozen=True)
class StagingModel:
    """What a staging model's SQL does with the landing columns."""

    name: str
    datasets: list[str]
    macros_called: set[str]
    calls_lineage_columns: bool
    partition_date_datasets: list[str]
    required: list[tuple[str, str, str]]  # (dataset argument, column, type)
    casts: list[tuple[str, str]]  # (column, type), required columns included
    legacy_defaults: set[str]


def parse_model(name: str, model_sql: str, macros_sql: str) -> StagingModel:
    """What the staging model ``name`` (its SQL text) does with the landing columns."""
    macros = column_macros(macros_sql)
    raw = strip_comments(model_sql)
    called = {called for expr in JINJA_EXPR.findall(raw) for called in CALLED_NAME.findall(expr)}
    sql = expand(raw, macros)
    required = REQUIRED_CALL.findall(sql)
    casts = [(column, " ".join(type_.lower().split())) for column, type_ in CAST.findall(sql)]
    casts += [(column, " ".join(type_.lower().split())) for _, column, type_ in required]
    return StagingModel(
        name=name,
        datasets=SOURCE_CALL.findall(sql),
        macros_called=called,
        calls_lineage_columns="lineage_columns" in called,
        partition_date_datasets=PARTITION_DATE_CALL.findall(sql),
        required=required,
        casts=[(c, t) for c, t in casts if c.lower() != "null"],
        legacy_defaults=set(LEGACY_DEFAULT.findall(sql)),
    )


def model_dataset(model: StagingModel) -> str:
    assert len(model.datasets) == 1, (
        f"{model.name}: reads {model.datasets or 'no'} landing source(s); "
        "a staging model reads exactly one source('landing', '<dataset>')"
    )
    (dataset,) = model.datasets
    assert dataset in SCHEMAS, f"{model.name}: landing dataset {dataset!r} is not in SCHEMAS"
    return dataset


def carries_lineage(schema: pa.Schema) -> bool:
    """Whether the dataset's rows carry the lineage fields exactly as declared."""
    return all(
        field.name in schema.names and schema.field(field.name).equals(field)
        for field in LINEAGE_FIELDS
    )


def yaml_legacy_defaults(dataset: str) -> set[str]:
    (source,) = yaml.safe_load(SOURCES_FILE.read_text())["sources"]
    (table,) = [t for t in source["tables"] if t["name"] == dataset]
    return {
        c["name"]
        for c in table["columns"]
        if "legacy_default" in c.get("config", {}).get("meta", {})
    }


def contract_problems(model: StagingModel) -> list[str]:
    """Every way ``model`` departs from ``SCHEMAS``, one message naming the model and column each."""
    dataset = model_dataset(model)
    schema = SCHEMAS[dataset]
    where = f"{model.name} (landing.SCHEMAS[{dataset!r}])"
    problems: list[str] = []

    unknown = model.macros_called - KNOWN_MACROS
    if unknown:
        problems.append(f"{model.name}: calls {sorted(unknown)}, which this test cannot read")
    if model.partition_date_datasets != [dataset]:
        problems.append(
            f"{model.name}: must call partition_snapshot_date('{dataset}') once, "
            f"calls it for {model.partition_date_datasets}"
        )
    if carries_lineage(schema) and not model.calls_lineage_columns:
        problems.append(
            f"{where}: rows carry lineage, but the model does not call lineage_columns()"
        )

    for argument, column, _ in model.required:
        if argument != dataset:
            problems.append(
                f"{model.name}: required_column('{argument}', '{column}', ...) names the wrong "
                f"dataset; its errors would point at {argument!r}, not {dataset!r}"
            )

    for column in sorted(model.legacy_defaults - set(LINEAGE_COLUMNS)):
        problems.append(
            f"{where}: column {column!r} gets a default, but only lineage columns may have one"
        )
    for column in sorted(yaml_legacy_defaults(dataset) - model.legacy_defaults):
        problems.append(
            f"{where}: column {column!r} has a legacy_default in {SOURCES_FILE.name}, "
            "but the model gives files without it none"
        )

    required = {column for _, column, _ in model.required}
    non_nullable = {field.name for field in schema if not field.nullable}
    handled_elsewhere = {"snapshot_date"} | (model.legacy_defaults & set(LINEAGE_COLUMNS))
    expected = non_nullable - handled_elsewhere
    for column in sorted(expected - required):
        problems.append(
            f"{where}: non-nullable column {column!r} is not wrapped in "
            f"required_column('{dataset}', '{column}', ...)"
        )
    for column in sorted(required - expected):
        reason = "is nullable" if column in schema.names else "does not exist"
        problems.append(
            f"{where}: column {column!r} is wrapped in required_column but {reason} in the schema"
        )

    for column, type_ in model.casts:
        if column not in schema.names:
            problems.append(f"{where}: casts column {column!r}, which the schema does not declare")
        elif type_ != DUCKDB_TYPES[schema.field(column).type]:
            declared = DUCKDB_TYPES[schema.field(column).type]
            problems.append(
                f"{where}: casts column {column!r} as {type_}, but it is declared {declared}"
            )
    # A landed column no staging model reads never reaches the warehouse.
    read = {column for column, _ in model.casts} | {"snapshot_date"}
    for column in sorted(set(schema.names) - read):
        problems.append(
            f"{where}: declared column {column!r} is not read (cast or required_column) by the model"
        )
    return problems


def parse_file(path: Path) -> StagingModel:
    return parse_model(path.stem, path.read_text(), MACROS_FILE.read_text())


def test_every_landing_dataset_has_one_staging_model() -> None:
    datasets = [model_dataset(parse_file(path)) for path in MODEL_FILES]
    assert sorted(datasets) == sorted(SCHEMAS), "staging models per landing dataset"


def test_lineage_columns_macro_emits_exactly_the_lineage_columns() -> None:
    _, body = column_macros(MACROS_FILE.read_text())["lineage_columns"]
    # snapshot_date is read only to date a legacy row's captured_at.
    read = [column for column, _ in CAST.findall(body) if column != "snapshot_date"]
    assert read == list(LINEAGE_COLUMNS), "lineage_columns() in macros/landing.sql"


def test_the_observation_datasets_carry_lineage() -> None:
    assert all(carries_lineage(SCHEMAS[d]) for d in OBSERVATION_DATASETS)


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.stem)
def test_staging_model_reads_the_declared_schema(path: Path) -> None:
    problems = contract_problems(parse_file(path))
    assert not problems, "\n".join(problems)


# The checks above must be able to fail: each edit below breaks the contract in one place.
def mutated_problems(model: str, old: str, new: str, *, in_macros: bool = False) -> list[str]:
    model_sql = (STAGING_DIR / f"{model}.sql").read_text()
    macros_sql = MACROS_FILE.read_text()
    if in_macros:
        assert old in macros_sql, old
        macros_sql = macros_sql.replace(old, new, 1)
    else:
        assert old in model_sql, old
        model_sql = model_sql.replace(old, new, 1)
    return contract_problems(parse_model(model, model_sql, macros_sql))


def test_a_required_column_read_by_a_plain_cast_is_named() -> None:
    problems = mutated_problems(
        "stg_landing__hashtags",
        "{{ required_column('hashtags', 'title', 'varchar') }}",
        "cast(title as varchar)",
    )
    assert problems == [
        "stg_landing__hashtags (landing.SCHEMAS['hashtags']): non-nullable column 'title' is not "
        "wrapped in required_column('hashtags', 'title', ...)"
    ]


def test_a_required_column_dropped_from_video_columns_is_named_for_both_models() -> None:
    old = "{{ required_column(dataset, 'play_count', 'bigint') }}"
    for model in ("stg_landing__creator_posts", "stg_landing__search_results"):
        problems = mutated_problems(model, old, "cast(play_count as bigint)", in_macros=True)
        assert len(problems) == 1, problems
        assert problems[0].startswith(model) and "'play_count' is not wrapped" in problems[0]


def test_a_commented_out_required_column_does_not_count() -> None:
    line = "{{ required_column('loads', 'outcome', 'varchar') }} as outcome,"
    problems = mutated_problems("stg_landing__loads", line, f"-- {line}")
    assert any("'outcome' is not wrapped" in p for p in problems), problems


def test_a_cast_of_an_undeclared_or_mistyped_column_is_named() -> None:
    undeclared = mutated_problems(
        "stg_landing__profiles", "cast(uid as varchar)", "cast(user_id as varchar)"
    )
    assert any(
        p.startswith("stg_landing__profiles (landing.SCHEMAS['profiles']): casts column 'user_id',")
        for p in undeclared
    ), undeclared
    mistyped = mutated_problems(
        "stg_landing__profiles",
        "cast(following_count as bigint)",
        "cast(following_count as integer)",
    )
    assert mistyped == [
        "stg_landing__profiles (landing.SCHEMAS['profiles']): casts column 'following_count' as "
        "integer, but it is declared bigint"
    ]


def test_an_observation_model_without_lineage_columns_is_named() -> None:
    problems = mutated_problems("stg_landing__rejected", "{{ lineage_columns() }}", "null as x")
    assert any("does not call lineage_columns()" in p for p in problems), problems
