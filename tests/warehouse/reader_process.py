"""A BI-like reader in its own process, for test_publishing.

    python reader_process.py MODE SERVING_DB EXPORTS_DIR STOP_FILE RESULT_FILE

Until STOP_FILE exists, opens the published warehouse and reads it: MODE ``duckdb`` (read-only
DuckDB connections), ``sqlalchemy`` (duckdb-engine with read_only, as Superset connects) or
``exports`` (the Parquet exports). For the databases every read checks that each table's row count
equals the count ``marts.build_info`` recorded for it in the same connection, i.e. that the
answer comes from one complete build. Writes {"reads", "errors", "builds"} to RESULT_FILE.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def check_database(execute) -> str:
    info = execute("select build_id, table_name, row_count from marts.build_info")
    builds = {build_id for build_id, _, _ in info}
    if len(builds) != 1:
        raise AssertionError(f"build_info mixes builds: {builds}")
    for _, table, expected in info:
        actual = execute(f"select count(*) from marts.{table}")[0][0]
        if actual != expected:
            raise AssertionError(f"{table}: {actual} rows, build_info says {expected}")
    return builds.pop()


def read_duckdb(serving: str) -> str:
    import duckdb

    con = duckdb.connect(serving, read_only=True)
    try:
        return check_database(lambda sql: con.execute(sql).fetchall())
    finally:
        con.close()


def read_sqlalchemy(serving: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"duckdb:///{serving}", connect_args={"read_only": True})
    try:
        with engine.connect() as connection:
            return check_database(
                lambda sql: [tuple(r) for r in connection.execute(text(sql)).fetchall()]
            )
    finally:
        engine.dispose()


def read_exports(exports: str) -> str:
    import pyarrow.parquet as pq

    # One open handle per file: an export replaced between two opens of its path (pq.read_table(path)
    # opens it once for the schema and again for the data) would pair two versions.
    marts = Path(exports) / "marts"
    for path in sorted([*marts.glob("*.parquet"), *marts.glob("*/*.parquet")]):
        with open(path, "rb") as handle:
            pq.ParquetFile(handle).read()
    with open(marts / "build_info.parquet", "rb") as handle:
        info = pq.ParquetFile(handle).read()
    return info.column("build_id")[0].as_py()


def main() -> int:
    mode, serving, exports, stop_file, result_file = sys.argv[1:6]
    reader = {
        "duckdb": lambda: read_duckdb(serving),
        "sqlalchemy": lambda: read_sqlalchemy(serving),
        "exports": lambda: read_exports(exports),
    }[mode]
    reads, errors, builds = 0, [], set()
    deadline = time.monotonic() + 600
    while not Path(stop_file).exists() and time.monotonic() < deadline:
        try:
            builds.add(reader())
            reads += 1
        except Exception as error:  # every failure is the finding: record it and keep reading
            errors.append(f"{type(error).__name__}: {error}")
        time.sleep(0.02)  # leave the two cores mostly to the build
    Path(result_file).write_text(
        json.dumps(
            {
                "reads": reads,
                "errors": errors[:20],
                "error_count": len(errors),
                "builds": sorted(builds),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
