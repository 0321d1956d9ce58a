"""The UI plugin: its FastAPI app serves the report; Airflow's plugin manager loads it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
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


@pytest.fixture
def auth_manager(airflow_db):
    """The auth manager Airflow's API server would use here (the simple one: the default config).

    Tokens are signed and checked by it, and it decides the DAG permission: nothing is overridden.
    """
    from airflow.api_fastapi import app as api_app

    before = api_app._AuthManagerState.instance
    manager = api_app.init_auth_manager()
    yield manager
    api_app._AuthManagerState.instance = before


def _token(auth_manager, role: str | None) -> str:
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return auth_manager.generate_jwt(SimpleAuthManagerUser(username=f"u-{role}", role=role))


def test_the_app_requires_read_permission_on_the_warehouse_dag(tiktok_env, auth_manager):
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

    assert isinstance(auth_manager, SimpleAuthManager)
    page = tiktok_env / "report" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<!DOCTYPE html><title>the report</title>")
    client = TestClient(create_app())

    assert client.get("/").status_code in (401, 403), "anonymous"
    assert client.get("/", headers={"Authorization": "Bearer not-a-jwt"}).status_code in (401, 403)

    # Logged in, but a role the auth manager grants nothing: authentication alone is not enough.
    nobody = {"Authorization": f"Bearer {_token(auth_manager, None)}"}
    denied = client.get("/", headers=nobody)
    assert denied.status_code == 403
    assert "the report" not in denied.text

    viewer = _token(auth_manager, "viewer")
    allowed = client.get("/", headers={"Authorization": f"Bearer {viewer}"})
    assert allowed.status_code == 200 and "the report" in allowed.text
    # The UI's iframe sends the session cookie, not a header.
    client.cookies.set(COOKIE_NAME_JWT_TOKEN, viewer)
    assert client.get("/").status_code == 200
    client.cookies.set(COOKIE_NAME_JWT_TOKEN, _token(auth_manager, None))
    assert client.get("/").status_code == 403


def test_the_app_serves_no_api_docs(tiktok_env, auth_manager):
    viewer = {"Authorization": f"Bearer {_token(auth_manager, 'viewer')}"}
    for client in (TestClient(create_app()), TestClient(create_app(require_auth=False))):
        for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
            assert client.get(path).status_code == 404, path
            assert client.get(path, headers=viewer).status_code == 404, path


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


@pytest.mark.slow  # starts an Airflow API server
def test_the_api_server_serves_the_report_to_dag_readers_only(tiktok_env, airflow_db):
    # Airflow's own API server app, plugins mounted as `airflow api-server` mounts them; a fresh
    # interpreter, because the plugin manager caches what it loaded.
    page = tiktok_env / "report" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<!DOCTYPE html><title>the report</title>")
    code = (
        "import json\n"
        "from fastapi.testclient import TestClient\n"
        "from airflow.api_fastapi.app import create_app, get_auth_manager\n"
        "from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser\n"
        "client = TestClient(create_app(apps='core'))\n"
        "def bearer(role):\n"
        "    user = SimpleAuthManagerUser(username='u', role=role)\n"
        "    return {'Authorization': 'Bearer ' + get_auth_manager().generate_jwt(user)}\n"
        "status = lambda path, **kw: client.get(path, **kw).status_code\n"
        "print(json.dumps({\n"
        "    'anonymous': status('/tiktok-report/'),\n"
        "    'no_role': status('/tiktok-report/', headers=bearer(None)),\n"
        "    'viewer': status('/tiktok-report/', headers=bearer('viewer')),\n"
        "    'docs': [status('/tiktok-report/' + p, headers=bearer('viewer'))\n"
        "             for p in ('docs', 'redoc', 'openapi.json')],\n"
        "}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    statuses = json.loads(result.stdout.strip().splitlines()[-1])
    assert statuses["anonymous"] in (401, 403)
    assert statuses["no_role"] == 403
    assert statuses["viewer"] == 200
    assert statuses["docs"] == [404, 404, 404]
