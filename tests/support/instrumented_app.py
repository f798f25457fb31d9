"""Run apps under ``opentelemetry-instrument`` in tests: a clean environment, a uvicorn server on a
free port that is stopped whatever happens, and a downstream HTTP service that keeps the headers
it received.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BIN = Path(sys.executable).parent
INSTRUMENT = BIN / "opentelemetry-instrument"
APPS = Path(__file__).resolve().parents[1] / "integration" / "apps"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any OTEL_* or AGENTOTEL_* variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTOTEL_"))}
    env.update(extra)
    return env


def agent_app_env(service: str, otlp_endpoint: str, llm_base_url: str, downstream_url: str,
                  **extra: str) -> dict[str, str]:
    """Environment of ``apps/agent_app.py``: standard OTEL_* variables, the fake provider's base URLs."""
    return clean_env(
        OTEL_SERVICE_NAME=service,
        OTEL_RESOURCE_ATTRIBUTES="deployment.environment.name=test",
        OTEL_EXPORTER_OTLP_ENDPOINT=otlp_endpoint,
        AGENTOTEL_LLM_BASE_URLS=f"{llm_base_url}/openai/v1=openai,{llm_base_url}/anthropic=anthropic",
        LLM_BASE_URL=llm_base_url,
        DOWNSTREAM_URL=downstream_url,
        **extra,
    )


def post_json(url: str, body: dict, headers: dict[str, str] | None = None, timeout: float = 30) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"content-type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


class InstrumentedServer:
    """``opentelemetry-instrument uvicorn APP`` from ``tests/integration/apps``; ``server`` replaces
    the server's command line (``{app}`` and ``{port}`` filled in), e.g. gunicorn's."""

    def __init__(self, app: str, env: dict[str, str], server: list[str] | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = server or [str(BIN / "uvicorn"), "{app}", "--host", "127.0.0.1", "--port", "{port}"]
        self.proc = subprocess.Popen(
            [str(INSTRUMENT), *(part.format(app=app, port=self.port) for part in command)],
            cwd=APPS, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_ready(self, path: str = "/healthz", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}{path}", timeout=2):
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    raise AssertionError(f"app did not start:\n{self.proc.communicate()[1][-3000:]}") from None
                time.sleep(0.2)

    def terminate(self, timeout: float = 30) -> tuple[int, str, float]:
        """SIGTERM; returns (exit status, stderr, seconds from the signal to the exit)."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            _, stderr = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        return self.proc.returncode, stderr, time.monotonic() - started

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()

    def __enter__(self) -> InstrumentedServer:
        return self

    def __exit__(self, *exc) -> None:
        self.kill()


class Downstream:
    """A service the app calls over plain httpx; keeps the headers of every request, answers 204."""

    def __init__(self):
        self.headers: list[dict[str, str]] = []
        received = self.headers

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - http.server API
                self.rfile.read(int(self.headers.get("content-length") or 0))
                received.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(204)
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="downstream", daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/notify"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
