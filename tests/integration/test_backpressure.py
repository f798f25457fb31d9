"""Never hurt the host app: with the collector down, refusing or hanging, telemetry calls stay
queue-only, the process still exits promptly, and every lost item is counted by reason.

Most cases run ``apps/telemetry_burst.py`` under ``opentelemetry-instrument`` (2 s at 2,000 calls
of each kind per second) against a broken OTLP endpoint and read three things back: the app's own
per-call latency percentiles, the time from its last line to its exit, and agentotel's exit summary
(``agentotel: N telemetry items were not exported (shutdown took Xs): dropped={...}``). The last
runs the FastAPI agent of the zero-code test under uvicorn with its collector black-holed.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo.fake_provider import start_fake_provider
from tests.support.instrumented_app import (
    INSTRUMENT,
    Downstream,
    InstrumentedServer,
    agent_app_env,
    clean_env,
    post_json,
)
from tests.support.otlp_receiver import BlackHole, OTLPGrpcReceiver, OTLPReceiver, refused_endpoint

pytestmark = pytest.mark.integration

APP = Path(__file__).parent / "apps" / "telemetry_burst.py"
SHUTDOWN_TIMEOUT = 2.0  # agentotel's default AGENTOTEL_SHUTDOWN_TIMEOUT
# After agentotel's exit path, Python still tears the interpreter down (module clean-up); on a
# busy two-core machine that alone has been measured at up to a few hundred milliseconds.
TEARDOWN_ALLOWANCE = 1.0
CALL_BUDGET_US = 1000  # no telemetry call may block the app for more than 1 ms (p99)


@dataclass
class Run:
    returncode: int
    stderr: str
    report: dict
    exit_seconds: float  # from the app's last line to the process's exit
    shutdown_seconds: float  # agentotel's exit path, from its summary
    dropped: dict


SUMMARY = re.compile(r"not exported \(shutdown took ([\d.]+)s\): dropped=(\{.*\})")


def run_burst(endpoint: str, protocol: str) -> Run:
    env = clean_env(
        OTEL_EXPORTER_OTLP_ENDPOINT=endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
        OTEL_SERVICE_NAME="telemetry-burst",
        # The program makes no HTTP or LLM calls; library instrumentations would only lengthen
        # interpreter teardown (importing their libraries), which is not what is measured here.
        OTEL_PYTHON_DISABLED_INSTRUMENTATIONS="*",
        BURST_SECONDS="2",
        BURST_RATE="2000",
    )
    proc = subprocess.Popen([str(INSTRUMENT), sys.executable, str(APP)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    exited = time.monotonic()
    assert proc.returncode == 0, stderr[-3000:]
    report_line, end_line = stdout.strip().splitlines()[-2:]
    summary = SUMMARY.search(stderr)
    assert summary, f"no exit summary on stderr:\n{stderr[-3000:]}"
    return Run(proc.returncode, stderr, json.loads(report_line), exited - float(end_line.split()[1]),
               float(summary.group(1)), json.loads(summary.group(2)))


def check_host_unharmed(run: Run) -> None:
    for kind, latency in run.report["latency_us"].items():
        assert latency["p99"] <= CALL_BUDGET_US, f"{kind} calls: {latency}"
        # A call waiting on a hung or retrying export would take seconds (10 s export timeout).
        assert latency["max"] < 250_000, f"{kind} calls: {latency}"
    assert run.shutdown_seconds <= SHUTDOWN_TIMEOUT + 0.15
    assert run.exit_seconds <= SHUTDOWN_TIMEOUT + TEARDOWN_ALLOWANCE
    assert "Traceback" not in run.stderr
    # Export errors are logged once each, not once per batch.
    assert len(run.stderr.splitlines()) <= 15, run.stderr


def check_everything_counted(run: Run) -> None:
    emitted = run.report["emitted"]
    # Nothing can be delivered, so every span is accounted for as dropped, exactly once.
    assert sum(run.dropped["traces"].values()) == emitted["span"]
    # The app's records, plus at most a few of the SDK's own warnings.
    assert emitted["log"] <= sum(run.dropped["logs"].values()) <= emitted["log"] + 5
    assert sum(run.dropped["metrics"].values()) >= 1


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_collector_down(protocol):
    """Connection refused: calls stay fast, the exit does not wait out retries, failed exports are counted."""
    run = run_burst(refused_endpoint(), protocol)
    check_host_unharmed(run)
    check_everything_counted(run)
    assert run.dropped["traces"]["export_failed"] > 0
    assert run.shutdown_seconds < 1.0  # exporters stop retrying at shutdown


def test_collector_refusing_http():
    """HTTP 503 on every export: counted as export_failed, no 10 s of back-off at exit."""
    with OTLPReceiver(status=503) as receiver:
        run = run_burst(receiver.endpoint, "http/protobuf")
    assert receiver.refused > 0
    check_host_unharmed(run)
    check_everything_counted(run)
    assert run.dropped["traces"]["export_failed"] > 0
    assert run.shutdown_seconds < 1.0


def test_collector_refusing_grpc():
    """gRPC UNAVAILABLE on every export: counted as export_failed, no back-off at exit."""
    import grpc

    with OTLPGrpcReceiver(refuse=grpc.StatusCode.UNAVAILABLE) as receiver:
        run = run_burst(receiver.endpoint, "grpc")
    assert receiver.refused > 0
    check_host_unharmed(run)
    check_everything_counted(run)
    assert run.dropped["traces"]["export_failed"] > 0
    assert run.shutdown_seconds < 1.0


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_collector_hanging(protocol):
    """A black-holed endpoint (accepts, never answers): calls stay under 1 ms while the export
    hangs, the full queue drops and counts, and the exit takes the 2 s budget, not the exporter's timeouts."""
    with BlackHole() as hole:
        run = run_burst(hole.endpoint, protocol)
        assert hole.connections > 0
    check_host_unharmed(run)
    check_everything_counted(run)
    assert run.dropped["traces"]["queue_full"] > 0
    assert run.dropped["traces"]["shutdown"] > 0
    assert run.shutdown_seconds >= SHUTDOWN_TIMEOUT - 0.1  # it did wait for the hung exports


def test_server_with_collector_hanging():
    """A FastAPI agent whose collector hangs answers as usual (no request waits on an export) and,
    on SIGTERM, shuts down within the budget with its losses counted."""
    with BlackHole() as hole:
        provider, downstream = start_fake_provider(), Downstream()
        env = agent_app_env("hung-collector-agent", hole.endpoint, provider.base_url, downstream.url,
                            OTEL_BSP_SCHEDULE_DELAY="100", OTEL_BLRP_SCHEDULE_DELAY="100",
                            OTEL_METRIC_EXPORT_INTERVAL="500")
        try:
            with InstrumentedServer("agent_app:app", env) as server:
                server.wait_ready()
                durations = []
                for i in range(20):
                    started = time.monotonic()
                    post_json(f"{server.base}/chat", {"message": f"question {i}"}, {"x-conversation-id": f"c-{i}"})
                    durations.append(time.monotonic() - started)
                    time.sleep(0.05)
                assert hole.connections > 0  # the exports were under way and hanging
                returncode, stderr, elapsed = server.terminate()
        finally:
            downstream.stop()
            provider.stop()
    # The OTLP exporters' timeout is 10 s: a request that waited on an export would show it.
    assert max(durations) < 2.0, durations
    assert returncode == -signal.SIGTERM, stderr[-3000:]
    assert elapsed <= SHUTDOWN_TIMEOUT + TEARDOWN_ALLOWANCE
    summary = SUMMARY.search(stderr)
    assert summary, stderr[-3000:]
    dropped = json.loads(summary.group(2))
    assert float(summary.group(1)) <= SHUTDOWN_TIMEOUT + 0.15
    assert sum(dropped["traces"].values()) >= 20 * 4  # server, two LLM and client spans per request
    assert sum(dropped["logs"].values()) >= 20
