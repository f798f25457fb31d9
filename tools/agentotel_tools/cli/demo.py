"""`agentotel demo`: the demo support agent under traffic, exporting to the local stack.

It starts the bundled fake LLM provider (unless ``OPENAI_API_KEY`` and ``ANTHROPIC_API_KEY`` are
both set: then the real providers, or the base URLs set in ``OPENAI_BASE_URL`` /
``ANTHROPIC_BASE_URL``), starts ``demo.support_agent`` under ``opentelemetry-instrument uvicorn``
on a free port with its OTLP exporter pointed at the stack's collector, plays the traffic
generator's conversations against it, waits until its telemetry has reached the backends, and
prints what to look at: a trace, cost / latency / tokens per model from Prometheus, the trace's
logs. Then it stops the app and the fake provider, unless ``--keep-running``.

Endpoints come from the running local stack (``agentotel stack up``) or the ``--*-url`` options.
The demo lives in the repository (``demo/``), not in the installed package.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from agentotel.version import __version__

from . import demo_guide

APP = "demo.support_agent.app:app"
DEFAULT_SERVICE = "support-agent"
#: Seconds the app may take to answer /healthz after start.
APP_START_TIMEOUT = 60.0
#: Seconds the app may take to exit (and flush its telemetry) after SIGTERM.
APP_STOP_TIMEOUT = 20.0
#: Base URLs of the fake provider for each SDK: separate paths, so that agentotel's capture, told
#: about them in AGENTOTEL_LLM_BASE_URLS (it knows only the real hosts), routes each to its wire format.
FAKE_OPENAI_PATH = "/openai/v1"
FAKE_ANTHROPIC_PATH = "/anthropic"
#: Defaults of the demo app's environment (a variable already set wins).
DEMO_DEFAULTS = {
    # Metrics every 5 s so that a short demo (and --keep-running) shows up in Prometheus quickly.
    "OTEL_METRIC_EXPORT_INTERVAL": "5000",
    "OTEL_BSP_SCHEDULE_DELAY": "1000",
    # Probes are not traffic: the health endpoints stay out of the HTTP server metrics and traces.
    "OTEL_PYTHON_FASTAPI_EXCLUDED_URLS": "healthz,health/",
    # The HTTP server metrics under their stable names (http.server.request.duration in seconds,
    # http.server.active_requests), which the service-level panels and alerts read.
    "OTEL_SEMCONV_STABILITY_OPT_IN": "http",
    # agentotel's capture records the SDK calls itself. The openai-v2 instrumentation and the
    # anthropic SDK's built-in tracing would record them too (agentotel then adopts their spans):
    # off, so the demo shows agentotel's own `chat {model}` spans as docs/telemetry.md lists them.
    "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "openai",
    "ANTHROPIC_OPEN_TELEMETRY": "false",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the demo support agent under traffic and show its telemetry",
        description="Run the demo support agent with generated traffic against the local stack and show "
                    "where its traces, metrics and logs are.")
    parser.add_argument("--conversations", "-n", type=_positive, default=30, help="conversations to play (default 30)")
    parser.add_argument("--seed", type=int, default=1, help="traffic seed: the same seed plays the same conversations")
    parser.add_argument("--concurrency", type=_positive, default=4, help="conversations in flight at once (default 4)")
    parser.add_argument("--deadline", type=float, default=180.0, help="seconds after which no new conversation starts")
    parser.add_argument("--keep-running", action="store_true", help="leave the app running after the traffic (Ctrl-C stops it)")
    parser.add_argument("--port", type=int, default=0, help="the app's port (default: a free one)")
    parser.add_argument("--service-name", default=DEFAULT_SERVICE, help=f"the app's service.name (default {DEFAULT_SERVICE})")
    parser.add_argument("--fake-provider", action="store_true", help="use the fake LLM provider even when real keys are set")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for the telemetry to arrive (default 60)")
    parser.add_argument("--stack-dir", help="run directory of the local stack whose endpoints to use")
    parser.add_argument("--otlp-endpoint", help="OTLP/HTTP base URL to export to (default: the local stack's collector)")
    parser.add_argument("--prometheus-url", help="Prometheus to query (default: the local stack's)")
    parser.add_argument("--logs-url", help="VictoriaLogs to query (default: the local stack's)")
    parser.add_argument("--jaeger-url", help="Jaeger query API (default: the local stack's)")
    parser.set_defaults(func=cmd_demo)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _fail(message: str) -> int:
    print(f"agentotel demo: {message}", file=sys.stderr)
    return 1


def _stack_endpoints(stack_dir: str | None) -> dict[str, str]:
    try:
        from ..stack.layout import Layout
        from ..stack.manager import running_stack_endpoints

        return running_stack_endpoints(Layout.discover(stack_dir)) or {}
    except Exception:  # no repository or no state file: the options must say where to send
        return {}


def _repo_root() -> Path:
    from ..stack.layout import find_repo_root

    return find_repo_root()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=2):
            return True
    except OSError:
        return False


def use_real_providers(env: dict[str, str], force_fake: bool) -> bool:
    """Real providers when both keys are set (and the fake one is not forced)."""
    return not force_fake and bool(env.get("OPENAI_API_KEY")) and bool(env.get("ANTHROPIC_API_KEY"))


def app_environment(base: dict[str, str], *, repo: Path, otlp_endpoint: str, service: str, run_id: str,
                    fake_provider_url: str | None) -> dict[str, str]:
    """The environment of the demo app's process."""
    env = dict(base)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(repo), base.get("PYTHONPATH", "")) if p)
    env["OTEL_SERVICE_NAME"] = service
    env["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp_endpoint
    env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf"
    # service.version: the dashboards mark a deployment where a service's version changes.
    resource = f"deployment.environment.name=demo,service.instance.id={run_id},service.version={__version__}"
    env["OTEL_RESOURCE_ATTRIBUTES"] = ",".join(p for p in (base.get("OTEL_RESOURCE_ATTRIBUTES"), resource) if p)
    for name, value in DEMO_DEFAULTS.items():
        env.setdefault(name, value)
    env.setdefault("AGENTOTEL_BUDGET_FILE", str(repo / "demo" / "budgets.yaml"))
    if fake_provider_url:
        openai_url, anthropic_url = fake_provider_url + FAKE_OPENAI_PATH, fake_provider_url + FAKE_ANTHROPIC_PATH
        env["OPENAI_BASE_URL"] = openai_url
        env["ANTHROPIC_BASE_URL"] = anthropic_url
        env["OPENAI_API_KEY"] = "sk-fake-provider"
        env["ANTHROPIC_API_KEY"] = "sk-ant-fake-provider"
        routes = f"{openai_url}=openai,{anthropic_url}=anthropic"
        env["AGENTOTEL_LLM_BASE_URLS"] = ",".join(p for p in (base.get("AGENTOTEL_LLM_BASE_URLS"), routes) if p)
    return env


def app_command(port: int) -> list[str]:
    bin_dir = Path(sys.executable).parent
    instrument = bin_dir / "opentelemetry-instrument"
    return [str(instrument) if instrument.exists() else "opentelemetry-instrument",
            sys.executable, "-m", "uvicorn", APP, "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    return False


def stop_process(proc: subprocess.Popen, timeout: float = APP_STOP_TIMEOUT) -> None:
    """SIGTERM (the app flushes its telemetry on the way out), SIGKILL after ``timeout``."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def featured_trace(examples: dict[str, str]) -> str | None:
    """The trace to show first: one with tools, else an escalation, else any."""
    for label in ("tools", *sorted(k for k in examples if k.startswith("escalated")), "resolved"):
        if label in examples:
            return examples[label]
    return next(iter(examples.values()), None)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def cmd_demo(args: argparse.Namespace) -> int:
    # SIGTERM and SIGHUP (a closed terminal, `timeout`) end the demo like Ctrl-C does: through the
    # clean-up below, so the app, which runs in its own session, is never left behind.
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return _run_demo(args)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run_demo(args: argparse.Namespace) -> int:
    stack = _stack_endpoints(args.stack_dir)
    otlp = args.otlp_endpoint or stack.get("collector_otlp_http")
    if not otlp:
        return _fail("no local stack is running: start it with `agentotel stack up`, or pass --otlp-endpoint")
    if not _listening(otlp):
        return _fail(f"nothing listens at {otlp}: is the stack up? (`agentotel stack status`)")
    run_id = uuid.uuid4().hex[:8]
    backends = demo_guide.Backends(
        jaeger_url=args.jaeger_url or stack.get("jaeger_query_url"),
        prometheus_url=args.prometheus_url or stack.get("prometheus_url"),
        victorialogs_url=args.logs_url or stack.get("victorialogs_url"),
        # The local stack's scrape config is known; another Prometheus may label instances otherwise.
        instance=None if args.prometheus_url else (demo_guide.LOCAL_STACK_INSTANCE_LABEL, run_id))
    try:
        repo = _repo_root()
    except Exception as error:
        return _fail(f"the demo runs from the agentotel repository: {error}")
    if str(repo) not in sys.path:
        sys.path.insert(0, str(repo))
    from demo import traffic

    log_dir = repo / ".agentotel" / "demo"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / f"{args.service_name}.log"

    stop_provider = None
    fake_url = None
    if use_real_providers(dict(os.environ), args.fake_provider):
        print("Using the real OpenAI and Anthropic APIs (OPENAI_API_KEY and ANTHROPIC_API_KEY are set): "
              f"{args.conversations} conversations cost real money. --fake-provider avoids that.")
    else:
        from demo.fake_provider import start_fake_provider

        fake_url, stop_provider = start_fake_provider()
        print(f"Fake LLM provider (OpenAI and Anthropic wire formats) at {fake_url}")

    port = args.port or free_port()
    url = f"http://127.0.0.1:{port}"
    env = app_environment(dict(os.environ), repo=repo, otlp_endpoint=otlp, service=args.service_name,
                          run_id=run_id, fake_provider_url=fake_url)
    proc = None
    try:
        with open(log_file, "w") as log:
            proc = subprocess.Popen(app_command(port), cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        print(f"Support agent ({args.service_name}) at {url}, exporting to {otlp}; its log: {log_file}")
        if not wait_healthy(url, proc, APP_START_TIMEOUT):
            return _fail(f"the app did not start; the end of {log_file}:\n{_tail(log_file)}")

        print(f"Playing {args.conversations} conversations (seed {args.seed}, {args.concurrency} at a time)...")
        plans = traffic.plan(args.conversations, args.seed, prefix=f"demo-{run_id}")
        summary = traffic.run(url, plans, concurrency=args.concurrency, deadline_seconds=args.deadline)
        print(summary.to_text())

        # The app keeps running while the backends are polled: its periodic exports (metrics every
        # few seconds, spans and logs in batches) deliver everything without relying on the exit.
        ended = sum(summary.outcomes.get(k, 0) for k in ("resolved", "escalated", "abandoned"))
        trace_id = featured_trace(summary.example_traces)
        print(f"\nWaiting up to {args.wait:.0f}s for the telemetry to reach the backends...", flush=True)
        findings = demo_guide.collect(backends, args.service_name, trace_id, ended, timeout=args.wait)
        print(demo_guide.render(findings, backends, args.service_name, summary.example_traces, ended))

        if args.keep_running:
            print(f"\nThe support agent keeps running at {url} (POST /chat, /feedback, /end). Ctrl-C stops it.")
            try:
                proc.wait()
            except KeyboardInterrupt:
                print()
        return 0 if not findings.missing(backends, ended) else 1
    except KeyboardInterrupt:
        return _fail("interrupted")
    finally:
        if proc is not None:
            stop_process(proc)
        if stop_provider is not None:
            stop_provider()
