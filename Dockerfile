# The project's Airflow image: Airflow 3.3, the providers, dbt-duckdb and the library, all installed
# from uv.lock (the same versions as `make install`). One image for every Airflow component. The Scavio simulator is not in it:
# it is a package of its own (include/simulator), built into the separate `simulator` target.
#
#   docker build -t tiktok-engagement-airflow .
#   docker build --target simulator -t scavio-simulator .
FROM python:3.11-slim AS simulator

ARG UV_VERSION=0.13.9
ENV PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/sim/.venv UV_PYTHON_DOWNLOADS=never \
    PATH=/opt/sim/.venv/bin:$PATH
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /opt/sim
COPY pyproject.toml uv.lock README.md ./
COPY include/simulator/ include/simulator/
RUN uv sync --frozen --package scavio-simulator --no-dev --python /usr/local/bin/python3.11
EXPOSE 8765
CMD ["python", "-m", "scavio_simulator", "serve", "--host", "0.0.0.0", "--port", "8765"]

FROM python:3.11-slim AS airflow

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
    PATH=/opt/tiktok/.venv/bin:$PATH

RUN pip install --no-cache-dir "uv==${UV_VERSION}" \
    && useradd --uid "${AIRFLOW_UID}" --gid 0 --create-home --home-dir /home/airflow airflow \
    && mkdir -p /opt/airflow/logs /data \
    && chown -R "${AIRFLOW_UID}:0" /opt/airflow /data

WORKDIR /opt/tiktok

# Dependencies first (a layer that changes only with the lockfile), then the project itself.
COPY pyproject.toml uv.lock README.md ./
# The simulator's metadata only (uv reads every workspace member's pyproject); not its code.
COPY include/simulator/pyproject.toml include/simulator/pyproject.toml
RUN uv sync --frozen --no-dev --no-group bench --no-install-project --python /usr/local/bin/python3.11
COPY include/tiktok_engagement/ include/tiktok_engagement/
COPY include/dbt/ include/dbt/
COPY include/creators.csv include/queries.csv include/
COPY plugins/ plugins/
COPY dags/ dags/
COPY scripts/airflow-init.sh scripts/airflow-init.sh
RUN uv sync --frozen --no-dev --no-group bench --python /usr/local/bin/python3.11

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/tiktok/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/tiktok/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    TIKTOK_DATA_DIR=/data

USER ${AIRFLOW_UID}
WORKDIR /opt/airflow
CMD ["airflow", "version"]
