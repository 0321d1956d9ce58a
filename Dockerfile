# The project's Airflow image: Airflow 3.3, the providers, Cosmos, dbt-duckdb and the library, all
# installed from uv.lock (the same versions as `make install`), with the dbt manifest Cosmos renders
# the warehouse DAG from. One image for every Airflow component and for the simulator.
#
#   docker build -t tiktok-engagement-airflow .
FROM python:3.11-slim

ARG UV_VERSION=0.13.9
ARG AIRFLOW_UID=50000

ENV PYTHONUNBUFFERED=1 \
    PROJECT_DIR=/opt/tiktok \
    AIRFLOW_HOME=/opt/airflow \
    UV_PROJECT_ENVIRONMENT=/opt/tiktok/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    DO_NOT_TRACK=1 \
    AIRFLOW__COSMOS__ENABLE_TELEMETRY=False \
    PATH=/opt/tiktok/.venv/bin:$PATH

RUN pip install --no-cache-dir "uv==${UV_VERSION}" \
    && useradd --uid "${AIRFLOW_UID}" --gid 0 --create-home --home-dir /home/airflow airflow \
    && mkdir -p /opt/airflow/logs /data \
    && chown -R "${AIRFLOW_UID}:0" /opt/airflow /data

WORKDIR /opt/tiktok

# Dependencies first (a layer that changes only with the lockfile), then the project itself.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-group bench --no-install-project --python /usr/local/bin/python3.11
COPY include/ include/
COPY plugins/ plugins/
COPY dags/ dags/
COPY scripts/airflow-init.sh scripts/airflow-init.sh
RUN uv sync --frozen --no-dev --no-group bench --python /usr/local/bin/python3.11

# The manifest: no dbt command runs while a DAG file is parsed (Cosmos LoadMode.DBT_MANIFEST).
RUN cd include/dbt \
    && TIKTOK_DATA_DIR=/tmp/dbt-parse dbt parse --project-dir . --profiles-dir . --quiet \
       --no-send-anonymous-usage-stats \
    && rm -rf /tmp/dbt-parse logs

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/tiktok/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/tiktok/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    TIKTOK_DBT_MANIFEST=/opt/tiktok/include/dbt/target/manifest.json \
    TIKTOK_DATA_DIR=/data

USER ${AIRFLOW_UID}
WORKDIR /opt/airflow
CMD ["airflow", "version"]
