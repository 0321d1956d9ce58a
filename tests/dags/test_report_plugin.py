"""The UI plugin: its FastAPI app serves the report; Airflow's plugin manager loads it."""

from __future__ import annotations

import subprocess
import sys

from fastapi.testclient import TestClient
from tiktok_airflow.report_app import create_app


def test_the_app_serves_the_report_of_the_data_dir(tiktok_env):
    client = TestClient(create_app(require_auth=False))
    missing = client.get("/")
    assert missing.status_code == 404
    assert (
        "tiktok_warehouse" in missing.text
        and str(tiktok_env / "report" / "index.html") in missing.text
    )

    page = tiktok_env / "report" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<!DOCTYPE html><title>r</title><svg><circle class='pt'/></svg>")
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<circle class='pt'/>" in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]

    page.write_text("<!DOCTYPE html><title>new report</title>")
    assert "new report" in client.get("/").text, "read on every request: no restart needed"


def test_the_app_requires_an_authenticated_airflow_user(tiktok_env):
    client = TestClient(create_app())
    response = client.get("/")
    assert response.status_code in (401, 403)


def test_the_plugin_manager_loads_the_plugin_with_its_app_and_view():
    # A fresh interpreter: the plugin manager caches what it loaded.
    code = (
        "import json\n"
        "from airflow import plugins_manager\n"
        "from airflow.api_fastapi.core_api.datamodels.plugins import ExternalViewResponse\n"
        "plugins, errors = plugins_manager._get_plugins()\n"
        "assert not errors, errors\n"
        "plugin = next(p for p in plugins if p.name == 'tiktok_engagement_report')\n"
        "apps, _ = plugins_manager.get_fastapi_plugins()\n"
        "views, _ = plugins_manager._get_ui_plugins()\n"
        "for view in plugin.external_views: ExternalViewResponse(**view)\n"
        "print(json.dumps({'apps': [a['url_prefix'] for a in apps], "
        "'views': [[v['name'], v['href'], v.get('url_route')] for v in views]}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout.strip().splitlines()[-1]
    assert '"/tiktok-report"' in out
    assert '["TikTok engagement report", "tiktok-report/", "tiktok-report"]' in out
