"""The local stack: start, health-check, stop and inspect its four processes.

``Stack`` is used by the ``agentotel stack`` commands and by the integration tests' fixture. One
run directory holds one stack: ``state.json`` (ports and endpoints), ``logs/``, ``run/`` (pid
files), ``config/`` (generated configs) and ``data/`` (Prometheus TSDB, VictoriaLogs, the
collector's persistent queues).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, TextIO

from . import components as comp
from . import process
from .build import run_build_scripts
from .layout import Layout
from .ports import Ports

#: Seconds a component may take from start to healthy.
START_TIMEOUT = 90.0
#: Seconds between SIGTERM and SIGKILL when stopping.
STOP_TIMEOUT = 15.0
#: Ports of each component, by the prefix of the Ports field names.
_PORT_PREFIX = {"collector": "collector_", "jaeger": "jaeger_", "victoria-logs": "victorialogs_", "prometheus": "prometheus_"}


class StackError(RuntimeError):
    """The stack could not be started or a component is unknown."""


@dataclass
class ComponentStatus:
    name: str
    pid: int | None
    healthy: bool
    health_url: str
    log_file: Path

    @property
    def state(self) -> str:
        if self.pid is None:
            return "stopped"
        return "healthy" if self.healthy else "unhealthy"


def _child_env(extra: dict[str, str]) -> dict[str, str]:
    # OTEL_* variables of the calling shell or test (e.g. OTEL_SDK_DISABLED, exporter endpoints)
    # would reconfigure the Go SDKs inside the collector and Jaeger: they are not passed on.
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    env.update(extra)
    return env


class Stack:
    """One local stack in one run directory.

    ``ports`` fixes the ports; without it they come from the state file of a stack already
    running in the run directory, else from ``Ports()`` (the documented defaults).
    """

    def __init__(self, layout: Layout | None = None, ports: Ports | None = None, out: TextIO | None = None):
        self.layout = layout or Layout.discover()
        self._ports = ports
        self._procs: dict[str, subprocess.Popen] = {}
        self.out = out if out is not None else sys.stderr

    # ----- ports, endpoints and state ---------------------------------------------------------
    @property
    def ports(self) -> Ports:
        if self._ports is None:
            state = self.read_state()
            self._ports = Ports.from_dict(state["ports"]) if state else Ports()
        return self._ports

    @property
    def endpoints(self) -> dict[str, str]:
        return comp.endpoints(self.ports)

    # What tests and users connect to (see components.endpoints).
    @property
    def collector_otlp_grpc(self) -> str:
        """host:port of the collector's OTLP/gRPC receiver."""
        return self.endpoints["collector_otlp_grpc"]

    @property
    def collector_otlp_http(self) -> str:
        """Base URL of the collector's OTLP/HTTP receiver (append /v1/traces etc.)."""
        return self.endpoints["collector_otlp_http"]

    @property
    def collector_health_url(self) -> str:
        return self.endpoints["collector_health_url"]

    @property
    def collector_metrics_url(self) -> str:
        """The collector's own otelcol_* metrics, in Prometheus text format."""
        return self.endpoints["collector_metrics_url"]

    @property
    def collector_prometheus_exporter_url(self) -> str:
        """The applications' metrics as the collector's prometheus exporter serves them."""
        return self.endpoints["collector_prometheus_exporter_url"]

    @property
    def jaeger_query_url(self) -> str:
        return self.endpoints["jaeger_query_url"]

    @property
    def victorialogs_url(self) -> str:
        return self.endpoints["victorialogs_url"]

    @property
    def prometheus_url(self) -> str:
        return self.endpoints["prometheus_url"]

    def specs(self) -> dict[str, comp.ComponentSpec]:
        return comp.component_specs(self.layout, self.ports)

    def spec(self, name: str) -> comp.ComponentSpec:
        specs = self.specs()
        if name not in specs:
            raise StackError(f"unknown component {name!r} (one of: {', '.join(comp.COMPONENTS)})")
        return specs[name]

    def read_state(self) -> dict | None:
        try:
            return json.loads(self.layout.state_file.read_text())
        except (OSError, ValueError):
            return None

    def _write_state(self) -> None:
        state = {
            "run_dir": str(self.layout.run_dir),
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "ports": self.ports.to_dict(),
            "endpoints": self.endpoints,
        }
        path = self.layout.state_file
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2) + "\n")
        tmp.replace(path)

    # ----- one component ----------------------------------------------------------------------
    def pid(self, name: str) -> int | None:
        proc = self._procs.get(name)
        if proc is not None and proc.poll() is None:
            return proc.pid
        # Not started here, or the process started here has ended: another command (a second
        # `agentotel stack up`, a test restarting it) may run it now, under its pid file.
        return process.running_pid(self.layout.pid_file(name))

    def is_healthy(self, name: str) -> bool:
        spec = self.spec(name)
        return process.http_ok(spec.health_url) and all(process.port_open(p) for p in spec.ready_ports)

    def start(self, name: str, timeout: float = START_TIMEOUT) -> int:
        """Starts NAME unless it runs already, and waits until it is healthy; returns its pid."""
        spec = self.spec(name)
        pid = self.pid(name)
        if pid is None:
            self._check_can_start(spec)
            if name == "prometheus":
                comp.write_generated_configs(self.layout, self.ports)
            self.layout.data_dir(name).mkdir(parents=True, exist_ok=True)
            proc = process.spawn(
                spec.argv,
                _child_env(spec.env),
                self.layout.log_file(name),
                self.layout.pid_file(name),
                cwd=self.layout.data_dir(name),
            )
            self._procs[name] = proc
            pid = proc.pid
        self.wait_healthy(name, timeout)
        return pid

    def wait_healthy(self, name: str, timeout: float = START_TIMEOUT) -> None:
        """Polls NAME's health check until it passes; fails early when the process exits."""
        deadline = time.monotonic() + timeout
        while not self.is_healthy(name):
            if self.pid(name) is None:
                raise StackError(f"{name} exited while starting; last log lines:\n{self._log_tail(name)}")
            if time.monotonic() >= deadline:
                raise StackError(
                    f"{name} not healthy after {timeout:.0f}s ({self.spec(name).health_url}); "
                    f"last log lines:\n{self._log_tail(name)}"
                )
            time.sleep(process.POLL_INTERVAL)

    def stop(self, name: str, timeout: float = STOP_TIMEOUT) -> str:
        """SIGTERM, then SIGKILL after TIMEOUT seconds. Returns 'stopped', 'killed' or 'not running'."""
        self.spec(name)
        pid_file = self.layout.pid_file(name)
        info = process.read_pid_file(pid_file)
        proc = self._procs.pop(name, None)
        if proc is not None and proc.poll() is None:
            result = process.stop(proc.pid, timeout=timeout, proc=proc)
        elif info is not None:  # started by another command, or again since ours ended
            result = process.stop(info.pid, info.binary, timeout=timeout)
        else:
            result = "not running"
        pid_file.unlink(missing_ok=True)
        return result

    def kill(self, name: str) -> None:
        """Kills NAME with SIGKILL, as a crash would (no graceful shutdown, no flush)."""
        pid = self.pid(name)
        if pid is None:
            raise StackError(f"{name} is not running")
        proc = self._procs.pop(name, None)
        process.kill(pid, proc if proc is not None and proc.pid == pid else None)
        self.layout.pid_file(name).unlink(missing_ok=True)

    def restart(self, name: str, timeout: float = START_TIMEOUT) -> int:
        self.stop(name)
        return self.start(name, timeout)

    def _check_can_start(self, spec: comp.ComponentSpec) -> None:
        if not spec.binary.exists():
            raise StackError(f"{spec.name}: binary {spec.binary} not found (run `agentotel stack up` to build it)")
        missing = [str(path) for path in spec.requires if not path.exists()]
        if missing:
            raise StackError(f"{spec.name}: missing {', '.join(missing)}")
        self._check_ports_free([spec.name])

    def _check_ports_free(self, names: list[str]) -> None:
        """Fails when another program listens on a port that one of NAMES is about to take."""
        prefixes = tuple(_PORT_PREFIX[name] for name in names)
        busy = [(field, port) for field, port in self.ports.busy() if field.startswith(prefixes)]
        if busy:
            listed = ", ".join(f"{port} ({field})" for field, port in busy)
            raise StackError(f"ports already in use: {listed} (try `agentotel stack up --free-ports`)")

    def _log_tail(self, name: str, lines: int = 30) -> str:
        return process.tail(self.layout.log_file(name), lines)

    # ----- the whole stack ----------------------------------------------------------------------
    def up(self, build: bool = True, timeout: float = START_TIMEOUT) -> dict[str, str]:
        """Builds what is missing, starts every component not yet running, waits until all are
        healthy and returns the endpoints. On failure, stops the components this call started."""
        if build:
            run_build_scripts(self.layout, self.out)
        # All ports are checked before anything starts, so a clash leaves nothing half-started.
        self._check_ports_free([name for name in comp.COMPONENTS if self.pid(name) is None])
        self.layout.run_dir.mkdir(parents=True, exist_ok=True)
        self._write_state()
        started = []
        try:
            for name in comp.COMPONENTS:
                if self.pid(name) is None:
                    self.out.write(f"==> starting {name}\n")
                    self.out.flush()
                    started.append(name)
                began = time.monotonic()
                self.start(name, timeout)
                if name in started:
                    self.out.write(f"    {name} healthy in {time.monotonic() - began:.1f}s\n")
        except BaseException:
            for name in reversed(started):
                self.stop(name)
            raise
        return self.endpoints

    def down(self, timeout: float = STOP_TIMEOUT) -> dict[str, str]:
        """Stops every component (the collector first, so that it can flush to the backends)."""
        return {name: self.stop(name, timeout) for name in reversed(comp.COMPONENTS)}

    def purge(self) -> None:
        """Deletes the run directory (logs and stored data). The stack must be down."""
        running = [name for name in comp.COMPONENTS if self.pid(name) is not None]
        if running:
            raise StackError(f"still running: {', '.join(running)}")
        shutil.rmtree(self.layout.run_dir, ignore_errors=True)

    def status(self) -> list[ComponentStatus]:
        result = []
        for name, spec in self.specs().items():
            pid = self.pid(name)
            result.append(
                ComponentStatus(
                    name=name,
                    pid=pid,
                    healthy=pid is not None and self.is_healthy(name),
                    health_url=spec.health_url,
                    log_file=self.layout.log_file(name),
                )
            )
        return result

    # ----- logs -----------------------------------------------------------------------------------
    def log_tail(self, name: str, lines: int = 50) -> str:
        self.spec(name)
        return self._log_tail(name, lines)

    def follow_logs(self, names: list[str], poll: float = 0.5) -> Iterator[tuple[str, str]]:
        """Yields (component, line) for lines appended to the logs of NAMES, until interrupted."""
        handles = {}
        for name in names:
            path = self.layout.log_file(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(exist_ok=True)
            handle = open(path, "r", errors="replace")
            handle.seek(0, os.SEEK_END)
            handles[name] = handle
        try:
            while True:
                idle = True
                for name, handle in handles.items():
                    line = handle.readline()
                    while line:
                        idle = False
                        yield name, line.rstrip("\n")
                        line = handle.readline()
                if idle:
                    time.sleep(poll)
        finally:
            for handle in handles.values():
                handle.close()


def backend_url(explicit: str | None, configured: str | None, endpoint: str, default: str) -> str:
    """A backend's URL: the one given on the command line, else the one set in the environment, else
    the running local stack's ``endpoint``, else ``default``."""
    if explicit:
        return explicit
    if configured:
        return configured
    endpoints = running_stack_endpoints()
    return (endpoints or {}).get(endpoint) or default


def running_stack_endpoints(layout: Layout | None = None) -> dict[str, str] | None:
    """The endpoints recorded by the stack of the default run directory, if it has a state file."""
    try:
        stack = Stack(layout)
    except Exception:  # no repository: no local stack
        return None
    state = stack.read_state()
    return state.get("endpoints") if state else None
