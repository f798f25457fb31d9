"""What to look at after ``agentotel demo``: one trace, per-model figures and the trace's logs.

``collect`` polls the backends until the demo's telemetry has arrived (or a deadline passes):
the trace in Jaeger, the conversations in Prometheus, the trace's log records in VictoriaLogs.
``render`` turns what was found into the text the command prints. The HTTP reads are small
functions over the backends' query APIs, so everything here can be tested against recorded
answers or a local server.

The PromQL reads the cumulative counters and histograms as they are: the demo starts a fresh
app, so their values are this run's totals (a quantile over a cumulative histogram is the
quantile over every observation so far). The app's ``service.instance.id`` is unique per run and
the local stack's Prometheus keeps it as ``exported_instance`` (the collector's exporter makes it
``instance``, which the scrape renames), so series of earlier runs that the exporter still serves
are left out. Metric names are the ones ``agentotel_tools.promql`` spells; Prometheus is read
through ``agentotel_tools.prometheus``.
"""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable

from .. import promql as q
from ..prometheus import PrometheusClient, PrometheusError
from ..stack.jaeger import JaegerClient, JaegerError
from ..stack.traceview import parse_trace, render_tree

#: Seconds between two polls of the backends.
POLL_INTERVAL = 1.0
#: Log records of the featured trace shown at most.
MAX_LOG_LINES = 15
#: Lines of the featured trace's tree shown at most.
MAX_TREE_LINES = 40


#: The label under which the local stack's Prometheus keeps an app's ``service.instance.id``.
LOCAL_STACK_INSTANCE_LABEL = "exported_instance"


@dataclass(frozen=True)
class Backends:
    jaeger_url: str | None
    prometheus_url: str | None
    victorialogs_url: str | None
    #: (label, value) selecting this run's series in Prometheus; None selects by service only.
    instance: tuple[str, str] | None = None


def queries(service: str, instance: tuple[str, str] | None = None) -> dict[str, str]:
    """The PromQL the guide runs, by name, for one service (and one instance of it)."""
    f = {q.SERVICE: ("=", service)}
    run = (f'{instance[0]}="{instance[1]}"',) if instance else ()
    llm = f'{q.OPERATION}=~"{q.LLM_OPERATIONS_REGEX}"'

    def sel(metric, *extra, suffix=""):
        return q.selector(metric, f, *run, *extra, suffix=suffix)

    return {
        "cost_by_model": q.sum_by(sel(q.LLM_COST), (q.MODEL,)),
        "p95_latency_by_model": "histogram_quantile(0.95, "
                                + q.sum_by(sel(q.OPERATION_DURATION, llm, suffix="_bucket"), ("le", q.MODEL)) + ")",
        "tokens_by_model": q.sum_by(sel(q.TOKEN_USAGE, suffix="_sum"), (q.MODEL, q.TOKEN_TYPE)),
        "conversations_by_outcome": q.sum_by(sel(q.CONVERSATIONS), (q.OUTCOME,)),
        "escalations_by_reason": q.sum_by(sel(q.ESCALATIONS), (q.REASON,)),
        "csat_mean": f"{q.sum_by(sel(q.FEEDBACK_SCORE, suffix='_sum'))} / "
                     f"{q.sum_by(sel(q.FEEDBACK_SCORE, suffix='_count'))}",
    }


# --- the backends' query APIs ---------------------------------------------------------------------
def _get(url: str, timeout: float = 10.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def prometheus_query(client: PrometheusClient, expr: str) -> list[tuple[dict[str, str], float]]:
    """An instant query: (labels, value) per series, NaN left out (a quantile or ratio without
    observations); [] when Prometheus cannot be reached or answers an error."""
    try:
        samples = client.query(expr)
    except PrometheusError:
        return []
    return [(sample.labels, sample.value) for sample in samples if not math.isnan(sample.value)]


def trace_logs(base_url: str, trace_id: str, limit: int = 100, get: Callable[[str], bytes] = _get) -> list[dict[str, Any]]:
    """VictoriaLogs records of a trace, oldest first ([] when unreachable)."""
    params = {"query": f"trace_id:{trace_id}", "limit": str(limit)}
    url = f"{base_url.rstrip('/')}/select/logsql/query?" + urllib.parse.urlencode(params)
    try:
        text = get(url).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return []
    records = []
    for line in text.splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return sorted(records, key=lambda r: str(r.get("_time", "")))


# --- collecting -------------------------------------------------------------------------------------
def _complete(trace: dict | None) -> bool:
    """Whether a trace from Jaeger has all its spans: one root, every other span under it.

    Spans arrive in batches, so Jaeger may first know children whose parent is still on its way.
    """
    if trace is None:
        return False
    roots = parse_trace(trace).roots
    return len(roots) == 1 and roots[0].parent_id is None


@dataclass
class Findings:
    trace_id: str | None
    trace: dict | None = None  # Jaeger's JSON of the featured trace
    results: dict[str, list[tuple[dict[str, str], float]]] = field(default_factory=dict)
    logs: list[dict[str, Any]] = field(default_factory=list)
    waited_seconds: float = 0.0

    def conversations_counted(self) -> float:
        return sum(value for _, value in self.results.get("conversations_by_outcome", []))

    def missing(self, backends: Backends, expected_conversations: int) -> list[str]:
        """What did not arrive, in words."""
        gaps = []
        if backends.jaeger_url and self.trace_id and not _complete(self.trace):
            gaps.append(f"trace {self.trace_id} in Jaeger" + (" (complete)" if self.trace else ""))
        if backends.prometheus_url and self.conversations_counted() < expected_conversations:
            gaps.append(f"{expected_conversations} conversations in Prometheus (found {self.conversations_counted():g})")
        if backends.victorialogs_url and self.trace_id and not self.logs:
            gaps.append(f"log records of trace {self.trace_id} in VictoriaLogs")
        return gaps


def collect(backends: Backends, service: str, trace_id: str | None, expected_conversations: int,
            timeout: float = 60.0, get: Callable[[str], bytes] = _get, sleep: Callable[[float], None] = time.sleep,
            clock: Callable[[], float] = time.monotonic) -> Findings:
    """Poll until the trace, ``expected_conversations`` ended conversations and the trace's logs are in."""
    started = clock()
    findings = Findings(trace_id)
    exprs = queries(service, backends.instance)
    while True:
        if backends.jaeger_url and trace_id and not _complete(findings.trace):
            try:
                findings.trace = JaegerClient(backends.jaeger_url).get_trace(trace_id)
            except JaegerError:
                pass
        if backends.prometheus_url:
            prometheus = PrometheusClient(backends.prometheus_url, timeout=10.0)
            findings.results = {name: prometheus_query(prometheus, expr) for name, expr in exprs.items()}
        if backends.victorialogs_url and trace_id:
            findings.logs = trace_logs(backends.victorialogs_url, trace_id, get=get)
        findings.waited_seconds = clock() - started
        if not findings.missing(backends, expected_conversations) or findings.waited_seconds >= timeout:
            return findings
        sleep(POLL_INTERVAL)


# --- rendering --------------------------------------------------------------------------------------
def _rows(results: list[tuple[dict[str, str], float]], label: str, fmt: Callable[[float], str]) -> list[str]:
    rows = sorted(((labels.get(label, "?"), value) for labels, value in results), key=lambda r: (-r[1], r[0]))
    width = max((len(name) for name, _ in rows), default=0)
    return [f"    {name:<{width}}  {fmt(value)}" for name, value in rows]


def _tokens(results: list[tuple[dict[str, str], float]]) -> list[str]:
    by_model: dict[str, dict[str, float]] = {}
    for labels, value in results:
        by_model.setdefault(labels.get(q.MODEL, "?"), {})[labels.get(q.TOKEN_TYPE, "?")] = value
    width = max((len(m) for m in by_model), default=0)
    return [f"    {model:<{width}}  {types.get('input', 0):>8,.0f} in  {types.get('output', 0):>8,.0f} out"
            for model, types in sorted(by_model.items())]


#: What VictoriaLogs stores as ``_msg`` for a record without a body (an OpenTelemetry event).
_NO_BODY = "missing _msg field"


def _log_line(record: dict[str, Any]) -> str:
    """One log record as a line: its time, level and body; an event (no body) by its name and its
    ``gen_ai.*`` attributes."""
    when = str(record.get("_time", ""))[11:23]
    level = record.get("severity") or record.get("severity_text") or record.get("level") or ""
    message = str(record.get("_msg", ""))
    if message.startswith(_NO_BODY) or (not message and record.get("event_name")):
        level = "EVENT" if level in ("", "Unspecified") else level
        details = " ".join(f"{key}={value}" for key, value in sorted(record.items())
                           if key.startswith("gen_ai.") and key != "gen_ai.conversation.id")
        message = f"{record.get('event_name', '')} {details}".strip()
    return f"    {when}  {level:<7} {message}"


def render(findings: Findings, backends: Backends, service: str, labels: dict[str, str] | None = None,
           expected_conversations: int = 0) -> str:
    """The "what to look at" text."""
    out = ["", "What to look at", "==============="]
    tid = findings.trace_id
    if tid:
        out += ["", f"A trace: {tid}", f"  agentotel trace {tid}"]
        if backends.jaeger_url:
            out.append(f"  {backends.jaeger_url.rstrip('/')}/trace/{tid}")
        if findings.trace is not None:
            tree = render_tree(parse_trace(findings.trace)).splitlines()
            out += ["  " + line for line in tree[:MAX_TREE_LINES]]
            if len(tree) > MAX_TREE_LINES:
                out.append(f"  ... {len(tree) - MAX_TREE_LINES} more lines")
    for label, other in (labels or {}).items():
        if other != tid:
            out.append(f"  {label + ':':<30} agentotel trace {other}")
    out.append(f"  recent traces: agentotel traces --service {service}")

    r = findings.results
    if backends.prometheus_url:
        out += ["", f"From Prometheus ({backends.prometheus_url}), this run:"]
        sections = (
            ("cost per model (USD)", _rows(r.get("cost_by_model", []), q.MODEL, lambda v: f"{v:.6f}")),
            ("p95 latency per model", _rows(r.get("p95_latency_by_model", []), q.MODEL, lambda v: f"{v:.3f} s")),
            ("tokens per model", _tokens(r.get("tokens_by_model", []))),
            ("conversations by outcome", _rows(r.get("conversations_by_outcome", []), q.OUTCOME, lambda v: f"{v:g}")),
            ("escalations by reason", _rows(r.get("escalations_by_reason", []), q.REASON, lambda v: f"{v:g}")),
        )
        for title, rows in sections:
            out += [f"  {title}:", *(rows or ["    (no data yet)"])]
        csat = r.get("csat_mean", [])
        out.append(f"  CSAT mean: {csat[0][1]:.2f} / 5" if csat else "  CSAT mean: (no data yet)")
        out.append("  the queries:")
        out += [f"    {expr}" for name, expr in queries(service, backends.instance).items() if name != "csat_mean"]

    if backends.victorialogs_url and tid:
        out += ["", f"Logs of trace {tid} (VictoriaLogs):",
                f"  curl '{backends.victorialogs_url.rstrip('/')}/select/logsql/query' -d 'query=trace_id:{tid}'"]
        out += [_log_line(rec) for rec in findings.logs[:MAX_LOG_LINES]] or ["    (no records yet)"]
        if len(findings.logs) > MAX_LOG_LINES:
            out.append(f"    ... {len(findings.logs) - MAX_LOG_LINES} more")

    gaps = findings.missing(backends, expected_conversations)
    if gaps:
        out += ["", f"Still missing after {findings.waited_seconds:.0f}s: " + "; ".join(gaps) + ".",
                "  Check `agentotel stack status` and `agentotel stack logs collector`."]
    return "\n".join(out)
