"""The one place that creates the DAGs' pools: the init script, the demo and the tests call it.

- ``scavio_api``: the plan's in-flight cap across the deployment (every extract task takes as many
  slots as requests it may have in flight). Its size is ``SCAVIO_POOL_SLOTS``, default 5.
- ``tiktok_warehouse``: one slot, because DuckDB allows one writing process per database file.

It writes the metadata database directly (``Pool.create_or_update_pool``), so it runs where that
is allowed: a CLI process (``python -m tiktok_airflow.pools``, the init script), ``dag.test()`` in
the demo's backfill, a test session; not inside a task, which Airflow 3 gives no database access.
Running it again only updates the sizes and descriptions.
"""

from __future__ import annotations

import os
import sys

from tiktok_airflow.wiring import SCAVIO_POOL, WAREHOUSE_POOL

POOL_SLOTS_ENV = "SCAVIO_POOL_SLOTS"
DEFAULT_POOL_SLOTS = 5


def scavio_pool_slots() -> int:
    """The size of ``scavio_api``: ``SCAVIO_POOL_SLOTS`` (a positive integer), or 5."""
    raw = os.environ.get(POOL_SLOTS_ENV, "").strip()
    if not raw:
        return DEFAULT_POOL_SLOTS
    try:
        slots = int(raw)
    except ValueError:
        raise ValueError(f"{POOL_SLOTS_ENV}={raw!r} is not an integer") from None
    if slots < 1:
        raise ValueError(f"{POOL_SLOTS_ENV}={raw!r} must be at least 1")
    return slots


def ensure_pools() -> None:
    """Create or update the two pools the DAGs use (idempotent)."""
    from airflow.models.pool import Pool

    Pool.create_or_update_pool(
        SCAVIO_POOL,
        scavio_pool_slots(),
        "Scavio plan: requests in flight",
        include_deferred=False,
    )
    Pool.create_or_update_pool(WAREHOUSE_POOL, 1, "DuckDB: one writer", include_deferred=False)


def main() -> int:
    """``python -m tiktok_airflow.pools``: ensure the pools and say what they are."""
    try:
        ensure_pools()
    except ValueError as exc:
        print(f"pools: {exc}", file=sys.stderr)
        return 2
    print(f"pools {SCAVIO_POOL}={scavio_pool_slots()}, {WAREHOUSE_POOL}=1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
