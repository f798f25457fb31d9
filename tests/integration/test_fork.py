"""Forked workers and children export every span they made, once, when they exit in order.

Pre-fork servers under ``opentelemetry-instrument``: gunicorn with uvicorn workers (with and without
``--preload``), with sync and gthread workers, and uvicorn ``--workers``; requests, then SIGTERM to
the master right after, with spans held in the batch queue until exit. ``multiprocessing`` with
fork: fifty rounds of a pool and a process while the parent keeps calling on another thread.
Every LLM span arrives, none twice, nothing is reported lost, and nothing hangs.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import urllib.request
from collections import Counter

import pytest

from demo.fake_provider import start_fake_provider
from tests.support.instrumented_app import (
    APPS, BIN, INSTRUMENT, Downstream, InstrumentedServer, agent_app_env, clean_env, post_json,
)
from tests.support.otlp_receiver import OTLPReceiver

pytestmark = pytest.mark.integration

REQUESTS = 8
#: Spans stay in the batch queue until the worker exits: only the flush at exit can send them.
#: The exit's flush bound: generous, so that a busy test machine cannot make a flush look like a loss.
SHUTDOWN_TIMEOUT = "10"
HELD = {"OTEL_BSP_SCHEDULE_DELAY": "60000", "OTEL_BLRP_SCHEDULE_DELAY": "60000", "OTEL_METRIC_EXPORT_INTERVAL": "60000",
        "AGENTOTEL_SHUTDOWN_TIMEOUT": SHUTDOWN_TIMEOUT}


@pytest.fixture
def backends():
    receiver = OTLPReceiver().start()
    provider = start_fake_provider()
    downstream = Downstream()
    yield receiver, provider, downstream
    downstream.stop()
    provider.stop()
    receiver.stop()


def llm_spans(receiver) -> list[dict]:
    return [s for s in receiver.spans() if s["attributes"].get("gen_ai.operation.name") == "chat"]


def assert_once_each(spans: list[dict], expected: int) -> None:
    twice = {span_id: n for span_id, n in Counter(s["span_id"] for s in spans).items() if n > 1}
    assert not twice, f"exported more than once: {twice}"
    assert len(spans) == expected


def gunicorn(app: str, worker: str, *extra: str) -> list[str]:
    return [str(BIN / "gunicorn"), "{app}", "--workers", "2", "--worker-class", worker, "--bind",
            "127.0.0.1:{port}", "--graceful-timeout", "20", *extra]


AGENT_SERVERS = {
    "gunicorn-uvicorn-workers": gunicorn("agent_app:app", "uvicorn.workers.UvicornWorker"),
    "gunicorn-uvicorn-workers-preload": gunicorn("agent_app:app", "uvicorn.workers.UvicornWorker", "--preload"),
    "uvicorn-workers": [str(BIN / "uvicorn"), "{app}", "--host", "127.0.0.1", "--port", "{port}", "--workers", "2"],
}


@pytest.mark.parametrize("name", list(AGENT_SERVERS))
def test_asgi_workers_flush_on_sigterm(backends, name):
    """SIGTERM to the master right after N requests: each worker flushes on its way out, so both
    LLM calls of every request arrive, once, with nothing reported lost."""
    receiver, provider, downstream = backends
    env = agent_app_env(f"fork-{name}", receiver.endpoint, provider.base_url, downstream.url, **HELD)
    server = InstrumentedServer("agent_app:app", env, server=AGENT_SERVERS[name])
    with server:
        server.wait_ready()
        for index in range(REQUESTS):
            post_json(f"{server.base}/chat", {"message": f"order {index}"})
        returncode, stderr, elapsed = server.terminate()
    assert "were not exported" not in stderr and "Traceback" not in stderr, stderr[-3000:]
    assert elapsed < 25
    receiver.wait_for(lambda store: len(llm_spans(store)) >= 2 * REQUESTS, timeout=10,
                      what=f"{2 * REQUESTS} LLM spans")
    assert_once_each(llm_spans(receiver), 2 * REQUESTS)
    servers = [s for s in receiver.spans() if s["kind"] == 2 and s["name"] == "POST /chat"]
    assert len(servers) == REQUESTS


@pytest.mark.parametrize("worker", ["sync", "gthread"])
def test_wsgi_workers_flush_on_sigterm(backends, worker):
    """gunicorn's sync and gthread workers flush at their exit after SIGTERM to the master."""
    receiver, provider, _ = backends
    env = clean_env(OTEL_SERVICE_NAME=f"fork-{worker}", OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
                    AGENTOTEL_LLM_BASE_URLS=f"{provider.base_url}/openai/v1=openai", LLM_BASE_URL=provider.base_url,
                    **HELD)
    server = InstrumentedServer("wsgi_app:app", env, server=gunicorn("wsgi_app:app", worker, "--threads", "2"))
    with server:
        server.wait_ready()
        for _ in range(REQUESTS):
            with urllib.request.urlopen(urllib.request.Request(f"{server.base}/chat", data=b"{}"), timeout=30):
                pass
        returncode, stderr, elapsed = server.terminate()
    assert returncode == 0 and "were not exported" not in stderr and "Traceback" not in stderr, stderr[-3000:]
    receiver.wait_for(lambda store: len(llm_spans(store)) >= REQUESTS, timeout=10, what=f"{REQUESTS} LLM spans")
    assert_once_each(llm_spans(receiver), REQUESTS)


def run_as_group(args: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """Run ``args`` in a process group of its own; past ``timeout`` the whole group is killed (the
    script's children included, so a hung child is not left behind) and the test fails."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kwargs)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(f"{args[-2:]} hung for {timeout} s: {stderr[-3000:]}")
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)


def test_multiprocessing_fork_children(backends):
    """Fifty rounds of a fork pool (left by its ``with`` block) and a forked process, while the
    parent keeps calling on a thread of its own: every call's span arrives once, and no child
    hangs (the run ends well within its time limit)."""
    receiver, provider, _ = backends
    env = clean_env(OTEL_SERVICE_NAME="fork-multiprocessing", OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
                    AGENTOTEL_LLM_BASE_URLS=f"{provider.base_url}/openai/v1=openai", LLM_BASE_URL=provider.base_url,
                    AGENTOTEL_SHUTDOWN_TIMEOUT=SHUTDOWN_TIMEOUT)
    run = run_as_group([str(INSTRUMENT), str(BIN / "python"), "fork_children.py", "50"], cwd=APPS, env=env,
                       timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    # No process reports a span lost (a child's exit summary may count metric points: a child
    # inherits the parent's metric state, whose last collection can race the pool's SIGTERM).
    for summary in re.findall(r"not exported .*: dropped=(\{.*\})", run.stderr):
        assert not any(json.loads(summary)["traces"].values()), run.stderr[-3000:]
    calls = json.loads(run.stdout.strip().splitlines()[-1])
    assert calls["children"] == 50 * 3
    expected = calls["children"] + calls["parent"]
    receiver.wait_for(lambda store: len(llm_spans(store)) >= expected, timeout=10, what=f"{expected} LLM spans")
    assert_once_each(llm_spans(receiver), expected)
