"""Airflow plugin: the TikTok engagement report in the Airflow UI.

- ``fastapi_apps``: the report app (``tiktok_airflow.report_app``) mounted by the API server under
  ``/tiktok-report``, for users the auth manager lets read the ``tiktok_warehouse`` DAG.
- ``external_views``: an entry "TikTok engagement report" in the UI's Browse menu that shows that
  page in an iframe (``url_route``) inside the Airflow UI. The href is relative (no leading slash),
  so it also works when Airflow is served under a path prefix (``[api] base_url``).
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin
from tiktok_airflow.report_app import create_app

URL_PREFIX = "/tiktok-report"


class TikTokReportPlugin(AirflowPlugin):
    name = "tiktok_engagement_report"
    fastapi_apps = [
        {"name": "tiktok_engagement_report", "app": create_app(), "url_prefix": URL_PREFIX}
    ]
    external_views = [
        {
            "name": "TikTok engagement report",
            "href": f"{URL_PREFIX.lstrip('/')}/",
            "destination": "nav",
            "category": "browse",
            "url_route": "tiktok-report",
        }
    ]
