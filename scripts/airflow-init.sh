#!/usr/bin/env bash
# One-shot set-up of an Airflow deployment of this project (the compose service `airflow-init`, and
# the native run of tests/deploy): migrate the metadata database, create the two pools and the
# Scavio connection. Idempotent: run it again after an upgrade or to change a size or the key.
#
#   SCAVIO_POOL_SLOTS   size of pool scavio_api = the plan's in-flight cap (default 5)
#   SCAVIO_BASE_URL     the API (default: the compose simulator, http://simulator:8765)
#   SCAVIO_API_KEY      the key (required; the simulator's key is sim-demo-key)
#   SCAVIO_SIM_CLOCK_HEADER  "true" to send X-Sim-Date to a simulator on a non-loopback host
set -euo pipefail
: "${SCAVIO_API_KEY:?set SCAVIO_API_KEY (the simulator accepts sim-demo-key)}"
slots="${SCAVIO_POOL_SLOTS:-5}"
base_url="${SCAVIO_BASE_URL:-http://simulator:8765}"

airflow db migrate
airflow pools set scavio_api "$slots" "Scavio plan: requests in flight"
airflow pools set tiktok_warehouse 1 "DuckDB: one writer"

extra="{\"max_in_flight\": ${slots}"
if [ -n "${SCAVIO_SIM_CLOCK_HEADER:-}" ]; then
  extra="${extra}, \"sim_clock_header\": \"${SCAVIO_SIM_CLOCK_HEADER}\""
fi
extra="${extra}}"
# `connections add` refuses an existing id: replace it, so a changed key or URL takes effect.
airflow connections delete scavio_default >/dev/null 2>&1 || true
airflow connections add scavio_default \
  --conn-type scavio \
  --conn-host "$base_url" \
  --conn-password "$SCAVIO_API_KEY" \
  --conn-extra "$extra"
echo "airflow-init: database migrated; pools scavio_api=${slots}, tiktok_warehouse=1; connection scavio_default -> ${base_url}"
