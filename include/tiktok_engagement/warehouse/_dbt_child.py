"""Child-process entry point of :func:`tiktok_engagement.warehouse.dbt_runner.run_dbt`.

    python -m tiktok_engagement.warehouse._dbt_child RESULT_FILE <dbt arguments>

Runs ``dbtRunner().invoke(<dbt arguments>)`` and writes a JSON summary of the node results to
RESULT_FILE. Kept apart from the package's imports so ``-m`` runs it fresh.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _summarise(result: Any) -> dict[str, Any]:
    nodes = []
    for node_result in getattr(result.result, "results", None) or []:
        node = node_result.node
        nodes.append(
            {
                "unique_id": node.unique_id,
                "resource_type": str(getattr(node.resource_type, "value", node.resource_type)),
                "status": str(getattr(node_result.status, "value", node_result.status)),
                "message": node_result.message,
                "failures": node_result.failures,
                "execution_time": float(node_result.execution_time or 0.0),
            }
        )
    return {
        "success": bool(result.success),
        "exception": None if result.exception is None else str(result.exception),
        "nodes": nodes,
    }


def main(argv: Sequence[str]) -> int:
    from dbt.cli.main import dbtRunner

    result_file, *args = argv
    result = dbtRunner().invoke(list(args))
    Path(result_file).write_text(json.dumps(_summarise(result)))
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
