"""``ScavioHook``: the Airflow connection ``scavio_default`` as library :class:`Settings`.

The connection can come from any of Airflow's mechanisms (the UI or ``airflow connections add``,
a secrets backend, or ``AIRFLOW_CONN_SCAVIO_DEFAULT``)::

    AIRFLOW_CONN_SCAVIO_DEFAULT='{"conn_type": "scavio", "host": "https://api.scavio.dev",
                                  "password": "sk_live_...", "extra": {"max_in_flight": 5}}'
    AIRFLOW_CONN_SCAVIO_DEFAULT='https://:sk_live_...@api.scavio.dev'

- host: the base URL (``https://api.scavio.dev``). A bare host name takes its scheme from the
  connection type when that is ``http``/``https``, else ``http`` on loopback and ``https`` elsewhere;
  the port and the schema (path) are appended when set.
- password: the API key. Airflow masks it in task logs; the library never logs it.
- extra (optional): client settings, by the names in :data:`EXTRA_SETTINGS`. The price per
  credit is a storage setting (``SCAVIO_PRICE_PER_CREDIT``), not the connection's: the warehouse
  reads it without the connection, so it has one source.

Everything the connection does not say comes from the environment (``Settings.from_env``): data
directory, roster and query files, refresh cadence... When the connection is not defined at all,
the settings are ``Settings.from_env()`` alone, whose defaults talk to the local simulator.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow.sdk import BaseHook
from airflow.sdk.exceptions import AirflowNotFoundException

if TYPE_CHECKING:
    from tiktok_engagement.config import Settings

log = logging.getLogger(__name__)

# Connection extra key -> the environment variable it stands for (validated by Settings.from_env).
EXTRA_SETTINGS = {
    "max_in_flight": "SCAVIO_MAX_IN_FLIGHT",
    "requests_per_second": "SCAVIO_REQUESTS_PER_SECOND",
    "requests_per_minute": "SCAVIO_REQUESTS_PER_MINUTE",
    "timeout": "SCAVIO_TIMEOUT",
    "max_attempts": "SCAVIO_MAX_ATTEMPTS",
    "credit_budget": "SCAVIO_CREDIT_BUDGET",
    "daily_credit_budget": "SCAVIO_DAILY_CREDIT_BUDGET",
    "credit_reserve": "SCAVIO_CREDIT_RESERVE",
    "sim_clock_header": "SCAVIO_SIM_CLOCK_HEADER",
}


def _is_loopback(host: str) -> bool:
    return host in {"localhost", "::1"} or host.startswith("127.")


def base_url_of(conn_type: str | None, host: str, port: int | None, schema: str | None) -> str:
    """The API base URL a connection describes (see the module docstring)."""
    host = host.strip().rstrip("/")
    if "://" in host:
        url = host
    else:
        if conn_type in ("http", "https"):
            scheme = conn_type
        else:
            scheme = "http" if _is_loopback(host.split(":")[0]) else "https"
        url = f"{scheme}://{host}"
    if port and urlsplit(url).port is None:
        url = f"{url}:{port}"
    if schema and schema.strip("/"):
        url = f"{url}/{schema.strip('/')}"
    return url


class ScavioHook(BaseHook):
    """Reads the Scavio connection and builds the extraction :class:`Settings` from it."""

    conn_name_attr = "scavio_conn_id"
    default_conn_name = "scavio_default"
    conn_type = "scavio"
    hook_name = "Scavio"

    def __init__(self, scavio_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scavio_conn_id = scavio_conn_id

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["login"],
            "relabeling": {"host": "Base URL", "password": "API key"},
            "placeholders": {
                "host": "https://api.scavio.dev",
                "extra": '{"max_in_flight": 5, "requests_per_second": 10}',
            },
        }

    def settings_env(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment the settings are read from: ``env`` overlaid with the connection.

        Raises ``ConfigError`` for a connection without a host, without a key for a non-loopback
        host, or with an extra key this project does not know.
        """
        from tiktok_engagement.config import ConfigError

        merged = dict(os.environ if env is None else env)
        try:
            conn = self.get_connection(self.scavio_conn_id)
        except AirflowNotFoundException:
            log.info(
                "connection %r is not defined: Scavio settings come from the environment "
                "(SCAVIO_BASE_URL, SCAVIO_API_KEY; the local simulator by default)",
                self.scavio_conn_id,
            )
            return merged
        where = f"Airflow connection {self.scavio_conn_id!r}"
        if not conn.host:
            raise ConfigError(f"{where}: host (the base URL, e.g. https://api.scavio.dev) is empty")
        base_url = base_url_of(conn.conn_type, conn.host, conn.port, conn.schema)
        merged["SCAVIO_BASE_URL"] = base_url
        if conn.password:
            merged["SCAVIO_API_KEY"] = conn.password
        elif not _is_loopback(urlsplit(base_url).hostname or ""):
            raise ConfigError(f"{where}: password (the API key) is empty for {base_url}")
        else:
            merged.pop("SCAVIO_API_KEY", None)  # the simulator's demo key, as from_env decides
        extra = conn.extra_dejson or {}
        unknown = sorted(set(extra) - set(EXTRA_SETTINGS))
        if unknown:
            raise ConfigError(
                f"{where}: unknown extra key(s) {', '.join(unknown)}; "
                f"expected some of {', '.join(EXTRA_SETTINGS)}"
            )
        for key, value in extra.items():
            merged[EXTRA_SETTINGS[key]] = str(value)
        log.info("Scavio settings from %s (base URL %s)", where, base_url)
        return merged

    def get_settings(self, env: Mapping[str, str] | None = None) -> Settings:
        """Settings for a run: the connection over the environment, validated in one place."""
        from tiktok_engagement.config import Settings

        return Settings.from_env(self.settings_env(env))
