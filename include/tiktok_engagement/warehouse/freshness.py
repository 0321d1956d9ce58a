"""How current each landing dataset is in the published warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class DatasetFreshness:
    dataset: str
    latest_snapshot_date: date | None
    expected_cadence_days: int
    days_behind_warehouse: int | None  # against the newest day loaded (marts.source_freshness)
    days_behind_today: int | None  # against ``today``
    is_stale: bool  # days_behind_today >= expected cadence, or never loaded


def freshness(serving_db: Path, today: date) -> list[DatasetFreshness]:
    """Read ``marts.source_freshness`` from the serving file (read-only) and measure it against ``today``."""
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        rows = con.execute(
            """
            select dataset, latest_snapshot_date, expected_cadence_days, days_behind
            from marts.source_freshness
            order by dataset
            """
        ).fetchall()
    finally:
        con.close()
    result = []
    for dataset, latest, cadence, behind in rows:
        behind_today = None if latest is None else (today - latest).days
        result.append(
            DatasetFreshness(
                dataset=dataset,
                latest_snapshot_date=latest,
                expected_cadence_days=cadence,
                days_behind_warehouse=behind,
                days_behind_today=behind_today,
                is_stale=behind_today is None or behind_today >= cadence,
            )
        )
    return result
