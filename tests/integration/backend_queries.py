"""Reads through the backends' own query APIs: Jaeger's HTTP API, Prometheus' HTTP API,
VictoriaLogs' LogsQL endpoint and the collector's own metrics (Prometheus text format)."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass


def _get_json(url: str, params: dict | None = None, data: dict | None = None, timeout: float = 30) -> dict:
    if params:
        url += "?" + urllib.parse.urlencode(params)
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=timeout) as response:
        return json.loads(response.read())


# --- Jaeger ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredSpan:
    """A span as Jaeger returns it, flattened: tags as a dict, the CHILD_OF parent, the service."""

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    service: str
    tags: dict
    events: tuple  # ({"name": ..., attributes...}, ...) from the span's logs

    @property
    def kind(self) -> str | None:
        return self.tags.get("span.kind")


def _flatten(trace: dict) -> list[StoredSpan]:
    processes = trace.get("processes", {})
    spans = []
    for span in trace["spans"]:
        parents = [r["spanID"] for r in span.get("references", []) if r["refType"] == "CHILD_OF"]
        events = tuple({**{f["key"]: f["value"] for f in log["fields"]}} for log in span.get("logs", []))
        spans.append(StoredSpan(
            trace_id=span["traceID"], span_id=span["spanID"], parent_id=parents[0] if parents else None,
            name=span["operationName"], service=processes.get(span["processID"], {}).get("serviceName", ""),
            tags={t["key"]: t["value"] for t in span.get("tags", [])}, events=events))
    return spans


def jaeger_trace(jaeger_url: str, trace_id: str) -> list[StoredSpan]:
    """The spans of one trace (``/api/traces/{id}``); [] when Jaeger does not have it (yet)."""
    try:
        data = _get_json(f"{jaeger_url}/api/traces/{trace_id}").get("data") or []
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return []
        raise
    return [s for trace in data for s in _flatten(trace)]


def jaeger_service_spans(jaeger_url: str, service: str, lookback_s: float = 3600,
                         limit: int = 100_000) -> list[StoredSpan]:
    """Every span of every trace of ``service`` (``/api/traces?service=...``), as Jaeger returns them
    (a span stored twice appears twice)."""
    end = time.time() + 60
    data = _get_json(f"{jaeger_url}/api/traces", {
        "service": service, "limit": limit,
        "start": int((end - lookback_s) * 1_000_000), "end": int(end * 1_000_000)}).get("data") or []
    return [s for trace in data for s in _flatten(trace)]


def span_id_counts(spans: list[StoredSpan]) -> Counter:
    return Counter((s.trace_id, s.span_id) for s in spans)


# --- Prometheus ---------------------------------------------------------------------------------------
def prom_query(prometheus_url: str, expr: str) -> list[tuple[dict, float]]:
    """An instant query: (labels, value) per series."""
    payload = _get_json(f"{prometheus_url}/api/v1/query", data={"query": expr})
    assert payload["status"] == "success", payload
    return [(r["metric"], float(r["value"][1])) for r in payload["data"]["result"]]


def prom_by(prometheus_url: str, expr: str, *labels: str) -> dict:
    """An aggregated query's values keyed by the tuple of ``labels`` (a single label: its value)."""
    out = {}
    for metric, value in prom_query(prometheus_url, expr):
        key = tuple(metric.get(label, "") for label in labels)
        out[key[0] if len(labels) == 1 else key] = value
    return out


def prom_scalar(prometheus_url: str, expr: str) -> float | None:
    result = prom_query(prometheus_url, expr)
    return result[0][1] if result else None


# --- VictoriaLogs ---------------------------------------------------------------------------------------
def logsql(victorialogs_url: str, query: str, limit: int = 10_000) -> list[dict]:
    """Records matching a LogsQL query (``/select/logsql/query``)."""
    body = urllib.parse.urlencode({"query": query, "limit": str(limit)}).encode()
    with urllib.request.urlopen(f"{victorialogs_url}/select/logsql/query", data=body, timeout=30) as response:
        return [json.loads(line) for line in response.read().decode().splitlines() if line.strip()]


def service_logs(victorialogs_url: str, service: str) -> list[dict]:
    return logsql(victorialogs_url, f'"service.name":"{service}"')


# --- the collector's own metrics -------------------------------------------------------------------------
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def collector_samples(metrics_url: str) -> list[tuple[str, dict[str, str], float]]:
    """The collector's otelcol_* samples: (name, labels, value)."""
    with urllib.request.urlopen(metrics_url, timeout=10) as response:
        text = response.read().decode()
    samples = []
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if match and match.group(1).startswith("otelcol_"):
            samples.append((match.group(1), dict(_LABEL.findall(match.group(2) or "")), float(match.group(3))))
    return samples


def collector_counters(metrics_url: str, **labels: str) -> dict[str, float]:
    """The collector's otelcol_* samples with the given labels, summed over the others: ``{name: value}``."""
    totals: dict[str, float] = {}
    for name, sample_labels, value in collector_samples(metrics_url):
        if all(sample_labels.get(k) == v for k, v in labels.items()):
            totals[name] = totals.get(name, 0.0) + value
    return totals
