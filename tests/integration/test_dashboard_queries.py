"""Every panel query of every dashboard returns data from the stack's Prometheus after demo traffic."""

from __future__ import annotations

import json
import math
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from agentotel_tools import promql as q
from tests.monitoring.helpers import load_dashboards, panel_targets, substitute

pytestmark = pytest.mark.integration

# Series that exist only once something goes wrong, which healthy demo traffic never does: an
# unpriced model, dropped telemetry, an internal error, a failed export (the collector creates its
# send_failed counters on the first failure). Queries that read these must still run; they need
# not return data. Everything else — retrieval, budgets (demo/budgets.yaml) — must.
OPTIONAL_SERIES = (
    q.UNPRICED_CALLS.name, q.TELEMETRY_DROPPED.name, q.INTERNAL_ERRORS.name, "otelcol_exporter_send_failed_",
)
WINDOW_SECONDS = 60 * 60
DEADLINE_SECONDS = 90


def _optional(expr: str) -> bool:
    return any(name in expr for name in OPTIONAL_SERIES)


def _query_range(prometheus_url: str, expr: str, start: float, end: float) -> list:
    body = urllib.parse.urlencode({"query": expr, "start": start, "end": end, "step": "15"}).encode()
    with urllib.request.urlopen(prometheus_url + "/api/v1/query_range", data=body, timeout=30) as response:
        payload = json.load(response)
    assert payload["status"] == "success", payload
    return payload["data"]["result"]


def _has_values(result: list) -> bool:
    return any(not math.isnan(float(v)) for series in result for _, v in series["values"])


def _queries() -> list:
    return [(board["uid"], panel["title"], target["refId"], target["expr"])
            for board in load_dashboards() for panel, target in panel_targets(board)]


def test_every_panel_query_returns_data(stack, demo_traffic):
    """Each panel query, variables set to All, runs on the stack's Prometheus; all but those on series the demo
    does not produce return values within the last hour (recorded series may take a rule evaluation)."""
    queries = _queries()
    assert len(queries) > 60
    pending = {(uid, title, ref): substitute(expr) for uid, title, ref, expr in queries}
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        end = time.time()
        for key, expr in list(pending.items()):
            result = _query_range(stack.prometheus_url, expr, end - WINDOW_SECONDS, end)
            if _has_values(result) or _optional(expr):
                del pending[key]
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(5)
    assert not pending, "panels without data:\n" + "\n".join(f"{k}: {v}" for k, v in pending.items())


def test_rules_are_loaded_and_healthy(stack, demo_traffic):
    """The stack's Prometheus loaded the recording and alerting rules and evaluates them without errors."""
    with urllib.request.urlopen(stack.prometheus_url + "/api/v1/rules", timeout=10) as response:
        groups = json.load(response)["data"]["groups"]
    names = {group["name"] for group in groups}
    assert {"agentotel.operations.recording", "agentotel.quality.recording", "agentotel.llm.alerts",
            "agentotel.pipeline.alerts"} <= names
    unhealthy = [(rule.get("name"), rule.get("lastError")) for group in groups for rule in group["rules"]
                 if rule.get("health") == "err"]
    assert not unhealthy, unhealthy


def test_optional_list_is_narrow():
    """Only the few series the demo lacks are exempt: most panel queries must return data."""
    queries = _queries()
    exempt = [expr for *_, expr in queries if _optional(substitute(expr))]
    assert len(exempt) < len(queries) / 4, exempt
    assert not any(re.search(r"agentotel_conversations_total|gen_ai_client_token_usage", e) and _optional(e)
                   for e in exempt)


def test_latency_exemplars_open_traces(stack, demo_traffic):
    """The latency panels' exemplars carry the `trace_id` label the Prometheus datasource links on, and the
    traces they name are in Jaeger."""
    from monitoring.src.provisioning import TRACE_ID

    def exemplar_trace_ids() -> set[str]:
        end = time.time()
        body = urllib.parse.urlencode({"query": "gen_ai_client_operation_duration_seconds_bucket",
                                       "start": end - WINDOW_SECONDS, "end": end}).encode()
        with urllib.request.urlopen(stack.prometheus_url + "/api/v1/query_exemplars", data=body,
                                    timeout=30) as response:
            payload = json.load(response)
        assert payload["status"] == "success", payload
        return {e["labels"][TRACE_ID] for series in payload["data"] for e in series["exemplars"]
                if TRACE_ID in e["labels"]}

    # The last points may still be on their way through the collector's export: poll, with a deadline.
    deadline = time.monotonic() + 30
    trace_ids = exemplar_trace_ids()
    while not trace_ids and time.monotonic() < deadline:
        time.sleep(0.5)
        trace_ids = exemplar_trace_ids()
    assert trace_ids, "no exemplar with a trace id"
    # A trace reaches Jaeger through the collector's batching and queue: poll, with a deadline.
    deadline = time.monotonic() + 60
    found = 0
    while not found and time.monotonic() < deadline:
        for trace_id in sorted(trace_ids)[:5]:
            try:
                with urllib.request.urlopen(f"{stack.jaeger_query_url}/api/traces/{trace_id}", timeout=10) as response:
                    found += bool(json.load(response).get("data"))
            except urllib.error.HTTPError:
                continue
        if not found:
            time.sleep(0.5)
    assert found, f"none of {sorted(trace_ids)[:5]} is in Jaeger"


def _instant(prometheus_url: str, expr: str) -> list:
    body = urllib.parse.urlencode({"query": expr}).encode()
    with urllib.request.urlopen(prometheus_url + "/api/v1/query", data=body, timeout=30) as response:
        payload = json.load(response)
    assert payload["status"] == "success", payload
    return payload["data"]["result"]


def test_deployment_markers_find_the_demo(stack, demo_traffic):
    """Every dashboard's deployment annotation query marks the demo app's start with its service.version."""
    from agentotel.version import __version__

    annotations = [a for board in load_dashboards() for a in board["annotations"]["list"] if a["name"] == "Deployments"]
    assert len(annotations) == len(load_dashboards())
    end = time.time()
    result = _query_range(stack.prometheus_url, annotations[0]["expr"], end - WINDOW_SECONDS, end)
    marked = {(s["metric"].get("service_name"), s["metric"].get("service_version")) for s in result}
    assert (demo_traffic.service_name, __version__) in marked, marked


def test_demo_reports_health_checks_and_http_metrics(stack, demo_traffic):
    """The demo's health router reported each check's state (the knowledge base required and passing), and
    the server instrumentation's stable HTTP metrics carry the demo's routes."""
    service = demo_traffic.service_name
    checks = {(s["metric"]["agentotel_health_check_name"], s["metric"]["agentotel_health_check_required"]):
              float(s["value"][1])
              for s in _instant(stack.prometheus_url, f'agentotel_health_check_status{{service_name="{service}"}}')}
    assert checks[("knowledge_base", "true")] == 1
    assert {("openai", "false"), ("anthropic", "false"), ("agent_runs", "false")} <= set(checks)
    routes = {s["metric"].get("http_route") for s in _instant(
        stack.prometheus_url, f'http_server_request_duration_seconds_count{{service_name="{service}"}}')}
    assert {"/chat", "/end"} <= routes, routes
    assert _instant(stack.prometheus_url, f'agentotel_process_heartbeat_seconds{{service_name="{service}"}}')
