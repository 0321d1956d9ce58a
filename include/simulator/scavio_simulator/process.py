"""Run the simulator in a subprocess, for tests and benchmarks.

A subprocess (not a thread) so the server never competes with the client's event loop or GIL.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from .config import SimulatorConfig


class SimulatorError(RuntimeError):
    """The simulator process failed to start, died, or refused an admin request."""


class SimulatorProcess:
    """A simulator server in a child process; a context manager.

    ``port=0`` lets the child bind a free port itself (no race between choosing and binding) and
    report it back. ``start()`` returns once ``/_sim/health`` answers.

    >>> with SimulatorProcess(SimulatorConfig(latency_ms=50)) as sim:   # doctest: +SKIP
    ...     httpx.post(f"{sim.base_url}/api/v1/tiktok/profile", json={"username": "x"},
    ...                headers={"Authorization": f"Bearer {sim.api_key}"})
    """

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        startup_timeout: float = 30.0,
    ) -> None:
        self.config = config or SimulatorConfig()
        self.host = host
        self.port = port
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen | None = None
        self._workdir: tempfile.TemporaryDirectory | None = None
        self._admin: httpx.Client | None = None

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> SimulatorProcess:
        """Start the child and wait until it serves; raises SimulatorError with its log otherwise."""
        if self._process is not None:
            raise SimulatorError("simulator already started")
        self._workdir = tempfile.TemporaryDirectory(prefix="scavio-sim-")
        ready = Path(self._workdir.name) / "port"
        self._log_path = Path(self._workdir.name) / "server.log"
        command = [
            sys.executable,
            "-m",
            "scavio_simulator",
            "serve",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--ready-file",
            str(ready),
            "--config-json",
            json.dumps(self.config.to_dict()),
        ]
        with open(self._log_path, "wb") as log_file:
            self._process = subprocess.Popen(
                command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        deadline = time.monotonic() + self.startup_timeout
        while not ready.exists():
            if self._process.poll() is not None:
                self._fail("exited during start-up")
            if time.monotonic() > deadline:
                self._fail("did not bind a port in time")
            time.sleep(0.02)
        self.port = int(ready.read_text().strip())
        self._admin = httpx.Client(base_url=self.base_url, timeout=10.0)
        while True:
            try:
                if self._admin.get("/_sim/health").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self._process.poll() is not None:
                self._fail("exited during start-up")
            if time.monotonic() > deadline:
                self._fail("did not answer /_sim/health in time")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop the child (SIGTERM, then SIGKILL after 5 s) and remove its temporary files."""
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait(timeout=5)
            self._process = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> SimulatorProcess:
        return self.start() if self._process is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _fail(self, what: str) -> None:
        log = self.log_text()
        self.stop()
        raise SimulatorError(f"simulator {what}; its output:\n{log[-4000:]}")

    # -- accessors ----------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running server (pass to clients as their base URL)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_key(self) -> str:
        """The first accepted API key."""
        return self.config.api_keys[0]

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._process.pid if self._process is not None else None

    def is_running(self) -> bool:
        """True while the child process is alive."""
        return self._process is not None and self._process.poll() is None

    def log_text(self) -> str:
        """What the child printed so far (warnings and errors only, access log off)."""
        try:
            return self._log_path.read_text(errors="replace")
        except (AttributeError, OSError):
            return ""

    # -- admin API ----------------------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        if self._admin is None:
            raise SimulatorError("simulator is not running")
        response = self._admin.request(method, path, **kwargs)
        if response.status_code != 200:
            raise SimulatorError(
                f"{method} {path} answered {response.status_code}: {response.text}"
            )
        return response.json()

    def stats(self) -> dict[str, Any]:
        """Counters: requests, by_endpoint, by_status, credits, in_flight, max_in_flight, 429s, faults."""
        return self._call("GET", "/_sim/stats")

    def reset_stats(self) -> dict[str, Any]:
        """Zero the counters (and restore the configured credit balance); returns the fresh stats."""
        return self._call("POST", "/_sim/stats/reset")

    def configure(self, **changes: Any) -> SimulatorConfig:
        """Change settings at run time (any but seed/creators); returns and remembers the new config."""
        data = self._call("POST", "/_sim/config", json=changes)
        self.config = SimulatorConfig.from_dict(data)
        return self.config

    def set_clock(self, day: date | str | None) -> None:
        """Set the simulated date (None: back to real today). ``X-Sim-Date`` still wins per request."""
        value = day.isoformat() if isinstance(day, date) else day
        self._call("POST", "/_sim/clock", json={"date": value})
        self.config = SimulatorConfig.from_dict({**self.config.to_dict(), "clock": value})

    def roster(self, count: int = 60) -> list[dict[str, Any]]:
        """A balanced roster sample from the server (username, niche, tier, sec_uid, ...)."""
        return self._call("GET", "/_sim/roster", params={"count": count})["creators"]
