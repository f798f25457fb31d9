"""`agentotel demo`'s guide: what it asks the backends, how it waits, and what it prints."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agentotel_tools.cli import demo_guide
from agentotel_tools.cli.demo_guide import Backends, collect, queries, render
from agentotel_tools.prometheus import PrometheusClient

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
# Canned answers: PromQL name (substring of the query) -> vector result.
VECTORS = {
    "agentotel_llm_cost_total": [({"gen_ai_request_model": "gpt-4o-mini"}, "0.0009"),
                                 ({"gen_ai_request_model": "claude-haiku-4-5"}, "0.0016")],
    "histogram_quantile": [({"gen_ai_request_model": "gpt-4o-mini"}, "0.031"), ({"gen_ai_request_model": "x"}, "NaN")],
    "gen_ai_client_token_usage_sum": [({"gen_ai_request_model": "gpt-4o-mini", "gen_ai_token_type": "input"}, "2400"),
                                      ({"gen_ai_request_model": "gpt-4o-mini", "gen_ai_token_type": "output"}, "960")],
    "agentotel_conversations_total": [({"agentotel_conversation_outcome": "resolved"}, "7"),
                                      ({"agentotel_conversation_outcome": "escalated"}, "5")],
    "agentotel_conversation_escalations_total": [({"agentotel_escalation_reason": "legal"}, "5")],
    "agentotel_feedback_score_sum": [({}, "4.25")],
}
LOGS = [{"_time": "2026-11-25T20:53:26.259Z", "_msg": "answered turn 1", "severity": "INFO", "trace_id": TRACE_ID},
        {"_time": "2026-11-25T20:53:26.237Z", "_msg": "answer model failed", "severity": "ERROR", "trace_id": TRACE_ID}]
JAEGER_TRACE = {"traceID": TRACE_ID, "processes": {"p1": {"serviceName": "support-agent"}}, "spans": [
    {"spanID": "a1", "operationName": "POST /chat", "processID": "p1", "startTime": 1, "duration": 900, "tags": []},
    {"spanID": "b2", "operationName": "invoke_agent support", "processID": "p1", "startTime": 2, "duration": 800,
     "references": [{"refType": "CHILD_OF", "spanID": "a1"}], "tags": []}]}


class Backend:
    """Prometheus, VictoriaLogs and Jaeger query APIs on one loopback port, with data after ``ready_after`` polls."""

    def __init__(self, ready_after: int = 0, partial_traces: int = 0):
        self.ready_after = ready_after
        self.partial_traces = partial_traces  # answers that lack the root span, as while spans arrive
        self.prometheus_queries = 0
        self.trace_reads = 0
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - Prometheus' query API takes its form in the body
                length = int(self.headers.get("Content-Length", 0))
                self.do_GET(urllib.parse.parse_qs(self.rfile.read(length).decode()))

            def do_GET(self, form=None):  # noqa: N802
                parts = urllib.parse.urlsplit(self.path)
                params = form if form is not None else urllib.parse.parse_qs(parts.query)
                ready = backend.prometheus_queries >= backend.ready_after * len(queries("s"))
                if parts.path == "/api/v1/query":
                    backend.prometheus_queries += 1
                    expr = params["query"][0]
                    result = []
                    if ready:
                        key = next((k for k in VECTORS if k in expr), None)
                        result = [{"metric": m, "value": [0, v]} for m, v in VECTORS.get(key, [])]
                    self._send({"status": "success", "data": {"resultType": "vector", "result": result}})
                elif parts.path == "/select/logsql/query":
                    assert params["query"] == [f"trace_id:{TRACE_ID}"]
                    self._send("\n".join(json.dumps(r) for r in LOGS) if ready else "", raw=True)
                elif parts.path == f"/api/traces/{TRACE_ID}" and ready:
                    backend.trace_reads += 1
                    partial = backend.trace_reads <= backend.partial_traces
                    trace = {**JAEGER_TRACE, "spans": JAEGER_TRACE["spans"][1:]} if partial else JAEGER_TRACE
                    self._send({"data": [trace]})
                else:
                    self._send({"data": [], "errors": [{"code": 404, "msg": "not found"}]}, code=404)

            def _send(self, body, raw=False, code=200):
                payload = (body if raw else json.dumps(body)).encode()
                self.send_response(code)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def backends(self) -> Backends:
        return Backends(jaeger_url=self.url, prometheus_url=self.url, victorialogs_url=self.url)


@pytest.fixture
def backend():
    made = []

    def make(ready_after: int = 0, partial_traces: int = 0) -> Backend:
        made.append(Backend(ready_after, partial_traces))
        return made[-1]

    yield make
    for b in made:
        b.server.shutdown()
        b.server.server_close()


def test_queries_use_the_documented_prometheus_names_for_one_service():
    """Every query selects the service and uses the Prometheus names of docs/telemetry.md."""
    exprs = queries("support-agent")
    assert all('service_name="support-agent"' in e for e in exprs.values())
    assert "agentotel_llm_cost_total" in exprs["cost_by_model"]
    assert "gen_ai_client_operation_duration_seconds_bucket" in exprs["p95_latency_by_model"]
    assert "gen_ai_client_token_usage_sum" in exprs["tokens_by_model"]
    assert "agentotel_conversations_total" in exprs["conversations_by_outcome"]


def test_queries_select_one_run_when_its_instance_is_known():
    """With the run's instance label every query selects only that run's series."""
    exprs = queries("support-agent", ("exported_instance", "r1"))
    assert all(e.count('exported_instance="r1"') == e.count("service_name=") > 0 for e in exprs.values())


def test_collect_waits_until_everything_arrived(backend):
    """Collect polls until trace, conversations and logs are all in, then stops polling."""
    b = backend(ready_after=2)
    naps = []
    findings = collect(b.backends(), "support-agent", TRACE_ID, expected_conversations=12, timeout=30,
                       sleep=naps.append)
    assert len(naps) == 2 and findings.missing(b.backends(), 12) == []
    assert findings.conversations_counted() == 12 and findings.trace["traceID"] == TRACE_ID
    assert [r["_msg"] for r in findings.logs] == ["answer model failed", "answered turn 1"]  # oldest first


def test_collect_waits_for_the_whole_trace(backend):
    """A trace Jaeger knows only in part (children before their parent) is read again until whole."""
    b = backend(partial_traces=2)
    findings = collect(b.backends(), "support-agent", TRACE_ID, 12, timeout=30, sleep=lambda s: None)
    assert b.trace_reads == 3 and len(findings.trace["spans"]) == 2
    assert findings.missing(b.backends(), 12) == []


def test_collect_gives_up_at_the_deadline_and_says_what_is_missing(backend):
    """Past the deadline collect returns what it has, and the missing parts are named."""
    b = backend(ready_after=10**6)
    clock = iter(range(0, 1000, 10))
    findings = collect(b.backends(), "support-agent", TRACE_ID, 12, timeout=25, sleep=lambda s: None,
                       clock=lambda: next(clock))
    gaps = findings.missing(b.backends(), 12)
    assert len(gaps) == 3 and findings.waited_seconds >= 25
    text = render(findings, b.backends(), "support-agent", expected_conversations=12)
    assert "Still missing" in text and "(no data yet)" in text


def test_render_shows_trace_figures_per_model_and_logs(backend):
    """The guide names the trace command, cost/p95/tokens per model, outcomes, CSAT and the trace's logs."""
    b = backend()
    findings = collect(b.backends(), "support-agent", TRACE_ID, 12, timeout=5, sleep=lambda s: None)
    text = render(findings, b.backends(), "support-agent", {"escalated (legal)": "f" * 32}, 12)
    assert f"agentotel trace {TRACE_ID}" in text and f"agentotel trace {'f' * 32}" in text
    assert "invoke_agent support" in text  # the trace's tree
    lines = text.splitlines()
    cost = lines.index("  cost per model (USD):")
    assert lines[cost + 1].split() == ["claude-haiku-4-5", "0.001600"]  # most expensive first
    assert "gpt-4o-mini  0.031 s" in text and " x " not in text  # NaN quantiles are left out
    assert "2,400 in" in text and "960 out" in text
    assert "CSAT mean: 4.25 / 5" in text
    assert "ERROR   answer model failed" in text
    assert "Still missing" not in text


def test_unreachable_backends_read_as_empty():
    """A backend that cannot be reached yields no data instead of an exception."""
    assert demo_guide.prometheus_query(PrometheusClient("http://127.0.0.1:9"), "up") == []
    assert demo_guide.trace_logs("http://127.0.0.1:9", TRACE_ID) == []


def test_an_event_without_a_body_reads_as_its_name_and_genai_attributes():
    """A log record VictoriaLogs stored without a body (an OpenTelemetry event) is shown by its event
    name and GenAI attributes, not VictoriaLogs' placeholder text."""
    record = {"_time": "2026-12-03T22:32:39.462Z", "severity_text": "Unspecified", "event_name": "gen_ai.evaluation.result",
              "_msg": "missing _msg field; see https://docs.victoriametrics.com/victorialogs/keyconcepts/#message-field",
              "gen_ai.evaluation.name": "intent_accuracy", "gen_ai.evaluation.score.label": "correct",
              "gen_ai.conversation.id": "c-1", "trace_id": TRACE_ID}
    line = demo_guide._log_line(record)
    assert "missing _msg" not in line
    assert line.split()[1:] == ["EVENT", "gen_ai.evaluation.result", "gen_ai.evaluation.name=intent_accuracy",
                                "gen_ai.evaluation.score.label=correct"]
