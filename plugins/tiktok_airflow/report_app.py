"""The engagement report inside the Airflow UI: a small FastAPI app served by the API server.

``GET /`` returns ``<TIKTOK_DATA_DIR>/report/index.html`` (written by the ``report`` task of
``tiktok_warehouse``), read on every request, so a new report shows without a restart. Before the
first report exists it answers 404 with a page that says how to produce one.

FastAPI apps of plugins are not behind Airflow's authentication by themselves. The report holds
business data, so this one asks the deployment's auth manager whether the caller (the UI's session
cookie, which the browser sends to the iframe, or a bearer token) may read the ``tiktok_warehouse``
DAG, whose output the report is: 401/403 without a valid login, 403 without that permission. The
interactive API docs (``/docs``, ``/redoc``, ``/openapi.json``) are off: the app has one page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse

_SECURITY_HEADERS = {
    # The page is self-contained: it may not load anything, nor run scripts.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}

_MISSING = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>No report yet</title></head>
<body style="font-family:system-ui,sans-serif;margin:40px"><h1>No engagement report yet</h1>
<p>Expected at <code>{path}</code>. It is written by the <b>report</b> task of the
<code>tiktok_warehouse</code> DAG: run that DAG (after the extract DAGs landed a day), then reload.</p>
</body></html>"""


def report_path() -> Path:
    """``<report_dir>/index.html`` of the storage settings (``$TIKTOK_DATA_DIR/report``)."""
    from tiktok_engagement.config import StorageSettings

    return StorageSettings.from_env().report_dir / "index.html"


REPORT_DAG_ID = "tiktok_warehouse"


def may_read_report_dag() -> Any:
    """Dependency: the caller may read the ``tiktok_warehouse`` DAG, as the auth manager decides.

    Imported here rather than at module top: only an app that checks permissions needs the API
    server's security module (the page's own tests build one that does not).
    """
    from airflow.api_fastapi.core_api.security import requires_access_dag

    return Depends(requires_access_dag("GET", param_dag_id=REPORT_DAG_ID))


def create_app(require_auth: bool = True) -> FastAPI:
    """The report app; ``require_auth=False`` only for tests of the page itself."""
    app = FastAPI(
        title="TikTok engagement report",
        description="Serves the HTML report written by the tiktok_warehouse DAG.",
        dependencies=[may_read_report_dag()] if require_auth else [],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    @app.get("/", response_class=HTMLResponse)
    def report() -> HTMLResponse:
        path = report_path()
        if not path.is_file():
            return HTMLResponse(
                _MISSING.format(path=path), status_code=404, headers=_SECURITY_HEADERS
            )
        return HTMLResponse(path.read_text(encoding="utf-8"), headers=_SECURITY_HEADERS)

    return app
