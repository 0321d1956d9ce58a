"""What a task needs from its Airflow context: the snapshot date, settings, the failure policy.

**Snapshot date.** Every task keys its output on one date, resolved the same way in every task of
a run (so the tasks of one run always agree):

1. the ``snapshot_date`` param, when set (a manual run "for a date" from the UI or
   ``airflow dags trigger -c '{"snapshot_date": "2026-11-01"}'``);
2. for an asset-triggered warehouse run, the ``snapshot_date`` the extract DAGs put in their asset
   events' extra (the latest one when several dates are pending; see tasks.warehouse_dates);
3. the run's logical date (scheduled runs, ``airflow dags test <dag> <date>``, backfills), as a UTC
   calendar date;
4. a manual run without a logical date (Airflow 3 allows ``logical_date=None``): the date of its
   ``run_after``, i.e. the UTC day it was triggered for.

Nothing else (no ``now()``): re-running a run computes the same date, and writes the same files.

**Failure policy.** :func:`failure_policy` turns errors that retrying cannot fix into
``AirflowFailException`` (the task fails at once, no retry, the message in the task log): bad
configuration, a rejected key (401), spending stopped (402 or a credit cap), a past snapshot date
that the API cannot answer as of. Everything
else propagates unchanged, so Airflow retries it with exponential backoff.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowFailException

if TYPE_CHECKING:
    from tiktok_engagement.config import Settings, StorageSettings

log = logging.getLogger(__name__)


def _utc_date(moment: datetime) -> date:
    if moment.tzinfo is not None:
        from datetime import UTC

        moment = moment.astimezone(UTC)
    return moment.date()


def parse_date(value: Any, where: str) -> date:
    """A ``YYYY-MM-DD`` string (or a date) as a date; a clear permanent error otherwise."""
    if isinstance(value, datetime):
        return _utc_date(value)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise AirflowFailException(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def asset_event_dates(context: Mapping[str, Any]) -> list[date]:
    """Snapshot dates announced by the asset events that triggered this run (sorted, distinct)."""
    events = context.get("triggering_asset_events") or {}
    dates: set[date] = set()
    for asset_events in events.values():
        for event in asset_events:
            extra = getattr(event, "extra", None) or {}
            if extra.get("snapshot_date"):
                dates.add(parse_date(extra["snapshot_date"], "asset event extra snapshot_date"))
            else:
                source = getattr(event, "source_dag_run", None)
                logical = getattr(source, "logical_date", None) if source else None
                if logical is not None:
                    dates.add(_utc_date(logical))
    return sorted(dates)


def snapshot_date(context: Mapping[str, Any]) -> date:
    """The run's snapshot date (see the module docstring for the order of precedence)."""
    params = context.get("params") or {}
    if params.get("snapshot_date"):
        return parse_date(params["snapshot_date"], "param snapshot_date")
    announced = asset_event_dates(context)
    if announced:
        return announced[-1]
    logical = context.get("logical_date")
    if logical is not None:
        return _utc_date(logical)
    dag_run = context["dag_run"]
    return _utc_date(dag_run.run_after)


@contextmanager
def failure_policy() -> Iterator[None]:
    """Fail at once (no retry) on errors that a retry cannot fix; let the rest propagate."""
    from tiktok_engagement.config import ConfigError
    from tiktok_engagement.extract import ExtractionRefused, ExtractionStopped
    from tiktok_engagement.scavio.errors import AuthenticationError

    try:
        yield
    except ConfigError as exc:
        log.error("bad configuration: %s", exc)
        raise AirflowFailException(f"bad configuration: {exc}") from exc
    except AuthenticationError as exc:
        message = (
            f"Scavio rejected the API key ({exc}). Fix the password of the Airflow connection "
            "scavio_default (or SCAVIO_API_KEY); nothing was landed by this task."
        )
        log.error("%s", message)
        raise AirflowFailException(message) from exc
    except ExtractionRefused as exc:
        log.error("%s", exc)
        raise AirflowFailException(str(exc)) from exc
    except ExtractionStopped as exc:
        message = f"{exc}\n{exc.report.summary()}"
        log.error("%s", message)
        raise AirflowFailException(message) from exc


def task_settings(context: Mapping[str, Any], *, in_flight_from_pool: bool = False) -> Settings:
    """Settings for this task: connection ``scavio_default`` over the environment.

    With ``in_flight_from_pool``, the client's concurrency limit is the task's pool slots: the task
    holds that many slots of the ``scavio_api`` pool, so the deployment as a whole never has more
    requests in flight than the pool has slots.
    """
    from tiktok_engagement.config import ConfigError

    from tiktok_airflow.hooks import ScavioHook

    settings = ScavioHook().get_settings()
    if in_flight_from_pool:
        slots = int(context["task"].pool_slots)
        if slots > settings.max_in_flight:
            raise ConfigError(
                f"task {context['task'].task_id} takes {slots} slots of pool "
                f"{context['task'].pool!r}, more than the plan's in-flight cap "
                f"(SCAVIO_MAX_IN_FLIGHT / connection extra max_in_flight = "
                f"{settings.max_in_flight}); lower TIKTOK_EXTRACT_POOL_SLOTS"
            )
        settings = settings.with_overrides(max_in_flight=slots)
    return settings


def storage_settings() -> StorageSettings:
    """Storage settings for a warehouse or report task: the environment alone, never the Scavio
    connection (a deployment without the API's key still builds and reports)."""
    from tiktok_engagement.config import StorageSettings

    return StorageSettings.from_env().resolved()
