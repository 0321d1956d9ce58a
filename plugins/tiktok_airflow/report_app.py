"""The engagement report inside the Airflow UI: a small FastAPI app served by the API server.

``GET /`` returns ``<TIKTOK_DATA_DIR>/report/index.html`` (written by the ``report`` task of
``tiktok_warehouse``), read on every request, so a new report shows without a restart. Before the
first report exists it answers 404 with a page that says how to produce one.

FastAPI apps of plugins are not behind Airflow's authentication by themselves; this one requires an
authenticated Airflow user (the UI's session cookie, which the browser sends to the iframe, or a
bearer token), because the report holds business data.
"""

from __future__ import annotations

import os
from pathlib import Path

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
    """``$TIKTOK_DATA_DIR/report/index.html`` (``./data`` when the variable is not set)."""
    return Path(os.environ.get("TIKTOK_DATA_DIR") or "data") / "report" / "index.html"


def authenticated() -> object:
    """Dependency: any authenticated Airflow user (resolved lazily: only inside the API server)."""
    from airflow.api_fastapi.core_api.security import requires_authenticated

    return Depends(requires_authenticated())


def create_app(require_auth: bool = True) -> FastAPI:
    app = FastAPI(
        title="TikTok engagement report",
        description="Serves the HTML report written by the tiktok_warehouse DAG.",
        dependencies=[authenticated()] if require_auth else [],
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
