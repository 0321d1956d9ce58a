#!/usr/bin/env bash
# One-shot set-up of an Airflow deployment of this project (the compose service `airflow-init`, and
# the native run of tests/deploy): migrate the metadata database, create the two pools, the Scavio
# connection and, under the FAB auth manager, the roles and the first admin user. Idempotent: run it
# again after an upgrade or to change a size, the URL or the key.
#
#   SCAVIO_POOL_SLOTS   size of pool scavio_api = the plan's in-flight cap (default 5)
#   SCAVIO_BASE_URL     the API (default: the compose simulator, http://simulator:8765)
#   SCAVIO_API_KEY      the key (required; the simulator's key is sim-demo-key)
#   SCAVIO_SIM_CLOCK_HEADER  "true" to send X-Sim-Date to a simulator on a non-loopback host
#   _AIRFLOW_ADMIN_USERNAME, _AIRFLOW_ADMIN_PASSWORD  the first admin (FAB auth manager only;
#       created once: a later run leaves an existing user, and a password changed since, alone)
#   _AIRFLOW_ADMIN_EMAIL  that admin's e-mail (default <username>@localhost)
#
# Secrets never appear on a command line (where `ps` and /proc/<pid>/cmdline show them to every
# user of the host): the key and the password are read from this process's environment by the
# Python steps below.
set -euo pipefail
: "${SCAVIO_API_KEY:?set SCAVIO_API_KEY (the simulator accepts sim-demo-key)}"
export SCAVIO_POOL_SLOTS="${SCAVIO_POOL_SLOTS:-5}"
export SCAVIO_BASE_URL="${SCAVIO_BASE_URL:-http://simulator:8765}"

airflow db migrate
# The pools, from the one place that defines them (scavio_api sized by SCAVIO_POOL_SLOTS).
python -m tiktok_airflow.pools

# The connection scavio_default, replaced as a whole so that a changed key or URL takes effect.
python - <<'PYTHON'
import json
import os

from airflow.models import Connection
from airflow.utils.session import create_session
from sqlalchemy import delete

extra = {"max_in_flight": int(os.environ["SCAVIO_POOL_SLOTS"])}
if os.environ.get("SCAVIO_SIM_CLOCK_HEADER"):
    extra["sim_clock_header"] = os.environ["SCAVIO_SIM_CLOCK_HEADER"]
with create_session() as session:
    session.execute(delete(Connection).where(Connection.conn_id == "scavio_default"))
    session.add(
        Connection(
            conn_id="scavio_default",
            conn_type="scavio",
            host=os.environ["SCAVIO_BASE_URL"],
            password=os.environ["SCAVIO_API_KEY"],
            extra=json.dumps(extra),
        )
    )
PYTHON

auth_manager="$(airflow config get-value core auth_manager)"
auth_manager="${auth_manager##*.}"
if [ "$auth_manager" = "FabAuthManager" ]; then
  : "${_AIRFLOW_ADMIN_USERNAME:?set _AIRFLOW_ADMIN_USERNAME (the first admin of the FAB auth manager)}"
  : "${_AIRFLOW_ADMIN_PASSWORD:?set _AIRFLOW_ADMIN_PASSWORD (the first admin of the FAB auth manager)}"
  # The built-in roles (Admin, Op, User, Viewer, Public) with their permissions, before anyone
  # logs in, so an admin can assign them at once.
  airflow sync-perm
  python - <<'PYTHON'
import os

from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

username = os.environ["_AIRFLOW_ADMIN_USERNAME"]
with get_application_builder() as appbuilder:
    security = appbuilder.sm
    if security.find_user(username=username):
        print(f"airflow-init: user {username} exists, left as it is")
    elif not security.add_user(
        username=username,
        first_name=username,
        last_name="admin",
        email=os.environ.get("_AIRFLOW_ADMIN_EMAIL") or f"{username}@localhost",
        role=security.find_role("Admin"),
        password=os.environ["_AIRFLOW_ADMIN_PASSWORD"],
    ):
        raise SystemExit(f"airflow-init: could not create the admin user {username}")
    else:
        print(f"airflow-init: admin user {username} created")
PYTHON
fi
echo "airflow-init: database migrated; pools scavio_api=${SCAVIO_POOL_SLOTS}, tiktok_warehouse=1; connection scavio_default -> ${SCAVIO_BASE_URL}; auth manager ${auth_manager}"
