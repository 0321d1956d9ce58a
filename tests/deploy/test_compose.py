"""docker-compose.yaml and the Dockerfile, checked without Docker.

Every path compose or the Dockerfile reads exists, every command a service runs is one the image
can run (Airflow's own argument parser accepts each ``airflow ...`` command line, the simulator's
parser accepts its flags, the modules exist), every ``depends_on`` names a service, every
long-running service has a healthcheck, and every ``${VAR}`` is defaulted or documented in
``.env.example``. The image's paths (``/opt/tiktok/...``) map to the repository.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COMPOSE = REPO / "docker-compose.yaml"
DOCKERFILE = REPO / "Dockerfile"
ENV_EXAMPLE = REPO / ".env.example"
IMAGE_PROJECT_DIR = "/opt/tiktok"  # WORKDIR of the Dockerfile: the repository inside the image
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
ONE_SHOT = {"airflow-init"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict]:
    return compose["services"]


def _project_image(service: dict) -> bool:
    return "build" in service or "tiktok-engagement-airflow" in str(service.get("image", ""))


def _in_repo(image_path: str) -> Path:
    assert image_path.startswith(IMAGE_PROJECT_DIR + "/"), image_path
    return REPO / image_path.removeprefix(IMAGE_PROJECT_DIR + "/")


def _documented() -> set[str]:
    return {
        line.split("=", 1)[0].strip()
        for line in ENV_EXAMPLE.read_text().splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }


def _init_script_commands(script: Path) -> list[list[str]]:
    """The ``airflow ...`` command lines of a shell script, variables replaced by a number."""
    text = script.read_text().replace("\\\n", " ")
    commands = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("airflow "):
            continue
        line = re.split(r"\s(?:\d?>|\|\||&&)", line)[0]
        line = re.sub(r'"\$\{?[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}?"', "1", line)
        commands.append(shlex.split(line))
    return commands


def _airflow_command_lines(services: dict) -> list[list[str]]:
    """Every airflow command line the services run: commands, init script, healthchecks."""
    lines: list[list[str]] = []
    for service in services.values():
        if not _project_image(service):
            continue
        command = service.get("command") or []
        if command[:1] == ["airflow"]:
            lines.append(command[1:])
        elif command[:1] == ["bash"]:
            for argv in _init_script_commands(_in_repo(command[1])):
                lines.append(argv[1:])
        test = (service.get("healthcheck") or {}).get("test") or []
        if test[:1] == ["CMD-SHELL"] and test[1].startswith("airflow "):
            lines.append(shlex.split(test[1].replace("$${HOSTNAME}", "h").replace("$$", "$"))[1:])
    return lines


def test_build_context_dockerfile_and_copy_sources_exist(services):
    built = [s for s in services.values() if "build" in s]
    assert built, "no service builds the image"
    for service in built:
        context = REPO / service["build"]["context"]
        assert context.is_dir()
        assert (context / service["build"].get("dockerfile", "Dockerfile")).is_file()
    ignored = {
        line.strip().rstrip("/")
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    copies = [
        line.split()[1:-1]
        for line in DOCKERFILE.read_text().splitlines()
        if line.startswith("COPY ") and "--from" not in line
    ]
    assert copies
    for sources in copies:
        for source in sources:
            assert (REPO / source).exists(), f"COPY {source}: not in the repository"
            assert source.rstrip("/") not in ignored, f"COPY {source}: excluded by .dockerignore"


def test_dockerfile_installs_from_the_lockfile():
    text = DOCKERFILE.read_text()
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert "uv sync --frozen --no-dev" in text
    # The warehouse DAG runs dbt at execution only: no manifest is built into the image.
    assert "dbt parse" not in text and "MANIFEST" not in text
    for setting in ("AIRFLOW_HOME=", "DO_NOT_TRACK=1"):
        assert setting in text


def test_mounted_host_paths_exist_and_named_volumes_are_declared(compose, services):
    declared = set(compose.get("volumes") or {})
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume["source"]
            if source.startswith((".", "/", "~")):
                assert (REPO / source).exists(), f"{name}: host path {source} does not exist"
            else:
                assert source in declared, f"{name}: volume {source} is not declared"


def test_depends_on_names_defined_services_with_valid_conditions(services):
    conditions = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        for other, spec in depends.items() if isinstance(depends, dict) else []:
            assert other in services, f"{name} depends on undefined service {other}"
            assert spec["condition"] in conditions, (name, other, spec)
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in services[other], f"{name} waits for {other}'s health"
            if spec["condition"] == "service_completed_successfully":
                assert other in ONE_SHOT


def test_every_long_running_service_has_a_healthcheck(services):
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service.get("restart") == "no"
            continue
        test = (service.get("healthcheck") or {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name} has no healthcheck"


def _uncommented(path: Path) -> str:
    return "\n".join(
        line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
    )


def test_every_variable_is_defaulted_or_documented():
    text = _uncommented(COMPOSE)
    documented = _documented()
    used = set()
    for name, operator, _ in VARIABLE.findall(text):
        used.add(name)
        if operator not in (":-", "-"):
            assert name in documented, f"${{{name}}} has no default and is not in .env.example"
    for script in (REPO / "scripts" / "airflow-init.sh",):
        used |= {m[0] for m in VARIABLE.findall(_uncommented(script))}
        used |= set(re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", _uncommented(script)))
    stale = documented - used
    assert not stale, f".env.example documents variables nothing reads: {sorted(stale)}"


def test_no_secret_has_a_default():
    text = _uncommented(COMPOSE)
    for name, operator, _ in VARIABLE.findall(text):
        if any(word in name for word in ("PASSWORD", "SECRET", "FERNET", "API_KEY")):
            assert operator == ":?", f"${{{name}}} must be required (:?), not defaulted"


def test_airflow_command_lines_parse(services, tmp_path):
    """Airflow's own CLI parser accepts every airflow command line (nothing is executed)."""
    lines = _airflow_command_lines(services)
    subcommands = {tuple(argv[:2]) for argv in lines}
    for expected in (
        ("api-server",),
        ("scheduler",),
        ("dag-processor",),
        ("triggerer",),
        ("celery", "worker"),
        ("db", "migrate"),
        ("sync-perm",),
        ("jobs", "check"),
    ):
        assert any(s[: len(expected)] == expected for s in subcommands), expected
    check = (
        "import json, sys\n"
        "from airflow.cli.cli_parser import get_parser\n"
        "bad = []\n"
        "for argv in json.loads(sys.argv[1]):\n"
        "    try:\n"
        "        get_parser().parse_args(argv)\n"
        "    except SystemExit as exc:\n"
        "        bad.append((argv, exc.code))\n"
        "print(json.dumps(bad))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    # The auth manager's own commands (`users`, `sync-perm`, ...) exist only under that manager.
    common = services["airflow-scheduler"]["environment"]
    env.update(
        AIRFLOW_HOME=str(tmp_path),
        AIRFLOW__CORE__EXECUTOR=common["AIRFLOW__CORE__EXECUTOR"],
        AIRFLOW__CORE__AUTH_MANAGER=common["AIRFLOW__CORE__AUTH_MANAGER"],
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
    )
    result = subprocess.run(
        [str(BIN / "python"), "-c", check, json.dumps(lines)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [], result.stderr[-3000:]


def test_python_commands_and_healthchecks_run_in_the_image(services):
    from scavio_simulator import __main__ as simulator_cli

    for name, service in services.items():
        command = service.get("command") or []
        if command[:2] == ["python", "-m"]:
            module = command[2]
            assert importlib.util.find_spec(module), f"{name}: no module {module}"
            assert module == "scavio_simulator"
            assert command[3] in simulator_cli.COMMANDS
            simulator_cli._serve_parser().parse_args(command[4:])
        if command[:1] == ["bash"]:
            assert _in_repo(command[1]).is_file(), f"{name}: {command[1]} is not in the image"
        test = (service.get("healthcheck") or {}).get("test") or []
        if test[:3] == ["CMD", "python", "-c"]:
            compile(test[3], f"{name} healthcheck", "exec")


def test_celery_healthcheck_app_imports(services):
    """The Celery app the worker healthchecks ping (and the CeleryExecutor) imports."""
    tests = [(s.get("healthcheck") or {}).get("test") or [] for s in services.values()]
    pings = [t for t in tests if t[:1] == ["CMD-SHELL"] and t[1].startswith("celery ")]
    assert len(pings) == 2
    for test in pings:
        app = shlex.split(test[1])[2]
        module, attribute = app.rsplit(".", 1)
        imported = importlib.import_module(module)
        assert hasattr(imported, attribute), app
        assert (BIN / "celery").exists()


def test_warehouse_queue_has_exactly_one_worker(services):
    common = services["airflow-scheduler"]["environment"]
    queue = common["TIKTOK_WAREHOUSE_QUEUE"]
    consumers: dict[str, list[str]] = {}
    for name, service in services.items():
        command = service.get("command") or []
        if command[:3] == ["airflow", "celery", "worker"]:
            queues = command[command.index("--queues") + 1].split(",")
            for q in queues:
                consumers.setdefault(q, []).append(name)
    assert consumers.get(queue) == ["airflow-warehouse-worker"], consumers
    assert "default" in consumers, consumers
    warehouse_worker = services["airflow-warehouse-worker"]["command"]
    assert warehouse_worker[warehouse_worker.index("--concurrency") + 1] == "1"
    assert all(
        s["environment"].get("TIKTOK_WAREHOUSE_QUEUE") == queue
        for s in services.values()
        if _project_image(s)
        and "environment" in s
        and "AIRFLOW__CORE__EXECUTOR" in s["environment"]
    )


def test_production_compose_runs_the_fab_auth_manager_with_a_first_admin(services):
    from airflow.providers.fab.auth_manager.fab_auth_manager import FabAuthManager

    managers = {
        s["environment"].get("AIRFLOW__CORE__AUTH_MANAGER")
        for s in services.values()
        if _project_image(s) and "AIRFLOW__CORE__EXECUTOR" in s.get("environment", {})
    }
    assert managers == {f"{FabAuthManager.__module__}.{FabAuthManager.__name__}"}
    assert not any(
        "SIMPLE_AUTH_MANAGER" in key for s in services.values() for key in s.get("environment", {})
    )
    init = services["airflow-init"]["environment"]
    assert init["_AIRFLOW_ADMIN_USERNAME"].startswith("${_AIRFLOW_ADMIN_USERNAME:-")
    assert init["_AIRFLOW_ADMIN_PASSWORD"].startswith("${_AIRFLOW_ADMIN_PASSWORD:?")
    # The password reaches airflow-init only: nothing else needs it.
    assert all(
        "_AIRFLOW_ADMIN_PASSWORD" not in s.get("environment", {})
        for name, s in services.items()
        if name != "airflow-init"
    )


STUB = r"""#!/usr/bin/env bash
# Records how it was called, runs nothing: one record per call (fields NUL-separated, records
# ended by \036), plus, for python, the program it read from stdin and the secrets it found in its
# environment. `airflow config get-value core auth_manager` answers as under FAB.
{ printf '%s\0' "$(basename "$0")" "$@"; printf '\036'; } >> "$STUB_LOG"
if [ "$(basename "$0")" = python ]; then
  { printf 'stdin\0'; cat; printf '\0\036'; } >> "$STUB_LOG"
  printf 'env\0%s\0%s\0\036' "$SCAVIO_API_KEY" "$_AIRFLOW_ADMIN_PASSWORD" >> "$STUB_LOG"
fi
if [ "$*" = "config get-value core auth_manager" ]; then
  echo airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager
fi
"""


def _stub_path(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A PATH whose ``airflow`` and ``python`` are the recording stub, and the stub's log."""
    stubs, log = tmp_path / "bin", tmp_path / "calls.log"
    stubs.mkdir()
    for name in ("airflow", "python"):
        (stubs / name).write_text(STUB)
        (stubs / name).chmod(0o755)
    return {"PATH": f"{stubs}:/usr/bin:/bin", "STUB_LOG": str(log)}, log


def _stub_calls(log: Path) -> list[list[str]]:
    return [record.split("\0")[:-1] for record in log.read_text().split("\036") if record]


def test_init_script_puts_no_secret_on_a_command_line(tmp_path):
    """Every process the script starts gets the key and the admin password from its environment.

    ``airflow`` and ``python`` are stubs that record their argv; a secret in any argv of the
    script's processes (``ps``, /proc/<pid>/cmdline) fails the test.
    """
    env, log = _stub_path(tmp_path)
    key, password = "sk_live_NOT_ON_ANY_ARGV", "pw-NOT_ON_ANY_ARGV"
    env |= {
        "SCAVIO_API_KEY": key,
        "SCAVIO_BASE_URL": "https://api.scavio.example",
        "_AIRFLOW_ADMIN_USERNAME": "admin",
        "_AIRFLOW_ADMIN_PASSWORD": password,
    }
    # Trace every command bash runs, expanded, as `ps` would show an external one.
    result = subprocess.run(
        ["bash", "-x", str(REPO / "scripts" / "airflow-init.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    calls = _stub_calls(log)
    argvs = [c for c in calls if c[0] in ("airflow", "python")]
    assert ["airflow", "db", "migrate"] in argvs
    assert ["airflow", "sync-perm"] in argvs
    assert sum(c == ["python", "-"] for c in argvs) == 2, argvs
    for argv in argvs:
        assert not any(key in arg or password in arg for arg in argv), argv
    # ... and yet the Python steps had both, from the environment.
    assert ["env", key, password] in calls
    programs = "\n".join(c[1] for c in calls if c[0] == "stdin")
    assert 'os.environ["SCAVIO_API_KEY"]' in programs
    assert 'os.environ["_AIRFLOW_ADMIN_PASSWORD"]' in programs
    # bash -x shows each command it runs with its expanded arguments: only builtins may hold them.
    for line in result.stderr.splitlines():
        if key in line or password in line:
            assert line.lstrip("+ ").startswith((": ", "export ")), line


def test_init_script_requires_the_admin_under_the_fab_auth_manager(tmp_path):
    env, log = _stub_path(tmp_path)
    result = subprocess.run(
        ["bash", str(REPO / "scripts" / "airflow-init.sh")],
        env={**env, "SCAVIO_API_KEY": "k"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "_AIRFLOW_ADMIN_USERNAME" in result.stderr
    assert ["airflow", "sync-perm"] not in _stub_calls(log), "stops before the FAB steps"
