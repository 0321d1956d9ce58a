"""Failure callback of every task.

It logs one line that says which DAG, run, task and try failed and why, and hands the same facts
to :func:`send_alert`, which is the one place to plug alerting in (Slack, PagerDuty, e-mail...):
replace its body, or use an Airflow notifier (``airflow.providers.slack.notifications``) in
``DEFAULT_ARGS["on_failure_callback"]`` next to this function. Keep callbacks fast and never let
them raise: they run after the task has already failed.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("tiktok_airflow.alerts")


def send_alert(summary: str, details: dict[str, Any]) -> None:
    """Alert hook: by default, a log record on the ``tiktok_airflow.alerts`` logger."""
    log.error("ALERT %s", summary, extra={"alert": details})


def on_task_failure(context: dict[str, Any]) -> None:
    """``on_failure_callback``: describe the failure and pass it to :func:`send_alert`."""
    ti = context.get("ti") or context.get("task_instance")
    exception = context.get("exception")
    details = {
        "dag_id": getattr(ti, "dag_id", None),
        "run_id": getattr(ti, "run_id", None) or context.get("run_id"),
        "task_id": getattr(ti, "task_id", None),
        "map_index": getattr(ti, "map_index", -1),
        "try_number": getattr(ti, "try_number", None),
        "error": f"{type(exception).__name__}: {exception}" if exception else "unknown",
    }
    where = f"{details['dag_id']}.{details['task_id']}"
    if details["map_index"] not in (-1, None):
        where += f"[{details['map_index']}]"
    summary = (
        f"{where} failed (run {details['run_id']}, try {details['try_number']}): {details['error']}"
    )
    try:
        send_alert(summary, details)
    except Exception:  # an alert channel being down must not hide the original failure
        log.exception("failure callback could not send the alert for %s", where)
