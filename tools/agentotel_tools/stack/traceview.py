"""Traces from Jaeger's HTTP query API, as terminal text: a list of traces and one trace's tree.

Pure functions from Jaeger's JSON (the ``data`` items of ``/api/traces`` and
``/api/traces/{id}``) to text, kept apart from HTTP so they can be tested on recorded answers.

Jaeger stores an OTLP span's attributes as tags, its status as ``otel.status_code`` /
``otel.status_description`` plus ``error=true``, and its resource's ``service.name`` as the
process's ``serviceName``.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from agentotel.semconv import agentotel_names as names
from agentotel.semconv import genai

_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """'90s', '15m', '1h', '2d' or a combination like '1h30m' -> seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)([smhd])", text.strip())
    if not parts or "".join(number + unit for number, unit in parts) != text.strip():
        raise ValueError(f"not a duration: {text!r} (use e.g. 30m, 1h, 2d)")
    return sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts)


def normalize_trace_id(trace_id: str) -> str:
    """Lower-case, 32 hex digits (Jaeger may drop leading zeros)."""
    value = trace_id.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{1,32}", value):
        raise ValueError(f"not a trace id: {trace_id!r}")
    return value.rjust(32, "0")


@dataclass
class Span:
    span_id: str
    parent_id: str | None
    name: str
    service: str
    start_us: int
    duration_us: int
    attributes: dict[str, Any]
    children: list["Span"] = field(default_factory=list)

    @property
    def error(self) -> bool:
        status = str(self.attributes.get("otel.status_code", "")).upper()
        return status == "ERROR" or self.attributes.get("error") in (True, "true") or genai.ERROR_TYPE in self.attributes

    @property
    def error_text(self) -> str:
        kind = self.attributes.get(genai.ERROR_TYPE)
        message = self.attributes.get("otel.status_description")
        if kind and message and str(message) == str(kind):
            message = None  # an HTTP status as both error.type and status description: say it once
        return ": ".join(str(part) for part in (kind, message) if part) or "error"

    @property
    def tokens(self) -> tuple[int, int] | None:
        """(input, output) tokens: the roll-up totals on agent/workflow/root spans, else the call's usage."""
        for input_key, output_key in (
            (names.ROLLUP_INPUT_TOKENS, names.ROLLUP_OUTPUT_TOKENS),
            (genai.GEN_AI_USAGE_INPUT_TOKENS, genai.GEN_AI_USAGE_OUTPUT_TOKENS),
        ):
            if input_key in self.attributes or output_key in self.attributes:
                return int(self.attributes.get(input_key, 0) or 0), int(self.attributes.get(output_key, 0) or 0)
        return None

    @property
    def cost(self) -> float | None:
        value = self.attributes.get(names.COST_TOTAL)
        try:
            return None if value is None else float(value)
        except (TypeError, ValueError):
            return None

    @property
    def currency(self) -> str:
        return str(self.attributes.get(names.COST_CURRENCY, "USD"))


@dataclass
class Trace:
    trace_id: str
    spans: list[Span]
    roots: list[Span]

    @property
    def start_us(self) -> int:
        return min((span.start_us for span in self.spans), default=0)

    @property
    def duration_us(self) -> int:
        if not self.spans:
            return 0
        return max(span.start_us + span.duration_us for span in self.spans) - self.start_us

    @property
    def root(self) -> Span | None:
        return self.roots[0] if self.roots else None

    def walk(self) -> Iterable[Span]:
        stack = list(reversed(self.roots))
        while stack:
            span = stack.pop()
            yield span
            stack.extend(reversed(span.children))

    def _topmost(self, value: Callable[[Span], Any]) -> list[Any]:
        # Roll-ups put the sum of a subtree on its top span: count each subtree once, at the
        # highest span that carries the value, so nothing is counted twice.
        found, stack = [], list(self.roots)
        while stack:
            span = stack.pop()
            own = value(span)
            if own is not None:
                found.append(own)
            else:
                stack.extend(span.children)
        return found

    @property
    def cost(self) -> float | None:
        costs = self._topmost(lambda span: span.cost)
        return sum(costs) if costs else None

    @property
    def currency(self) -> str:
        for span in self.walk():
            if span.cost is not None:
                return span.currency
        return "USD"

    @property
    def tokens(self) -> tuple[int, int] | None:
        pairs = self._topmost(lambda span: span.tokens)
        if not pairs:
            return None
        return sum(pair[0] for pair in pairs), sum(pair[1] for pair in pairs)

    @property
    def error_count(self) -> int:
        return sum(1 for span in self.spans if span.error)

    @property
    def services(self) -> set[str]:
        return {span.service for span in self.spans}


def _tag_value(tag: dict) -> Any:
    value = tag.get("value")
    kind = tag.get("type", "string")
    if kind == "bool" and isinstance(value, str):
        return value.lower() == "true"
    if kind == "int64" and isinstance(value, str):
        return int(value)
    if kind == "float64" and isinstance(value, str):
        return float(value)
    return value


def parse_trace(data: dict) -> Trace:
    """One item of Jaeger's ``data`` array -> a Trace with its span tree."""
    processes = data.get("processes") or {}
    spans = []
    for raw in data.get("spans") or []:
        parent = None
        for ref in raw.get("references") or []:
            if ref.get("refType") == "CHILD_OF":
                parent = ref.get("spanID")
                break
        process = processes.get(raw.get("processID"), raw.get("process") or {})
        spans.append(
            Span(
                span_id=raw["spanID"],
                parent_id=parent,
                name=raw.get("operationName", ""),
                service=process.get("serviceName", ""),
                start_us=int(raw.get("startTime", 0)),
                duration_us=int(raw.get("duration", 0)),
                attributes={tag["key"]: _tag_value(tag) for tag in raw.get("tags") or []},
            )
        )
    by_id = {span.span_id: span for span in spans}
    roots = []
    for span in spans:
        parent = by_id.get(span.parent_id) if span.parent_id else None
        (parent.children if parent else roots).append(span)
    for span in spans:
        span.children.sort(key=lambda child: child.start_us)
    roots.sort(key=lambda root: root.start_us)
    return Trace(trace_id=normalize_trace_id(data.get("traceID", "0")), spans=spans, roots=roots)


# ----- filters ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TraceFilter:
    """What `agentotel traces` keeps. Each set field must match; unset fields match anything."""

    service: str | None = None
    #: A span name, or a ``gen_ai.operation.name`` such as ``chat`` or ``execute_tool``.
    operation: str | None = None
    errors: bool = False
    min_cost: float | None = None

    def matches(self, trace: Trace) -> bool:
        if self.service and self.service not in trace.services:
            return False
        if self.operation and not any(
            span.name == self.operation or span.attributes.get(genai.GEN_AI_OPERATION_NAME) == self.operation
            for span in trace.spans
        ):
            return False
        if self.errors and trace.error_count == 0:
            return False
        if self.min_cost is not None and (trace.cost or 0.0) < self.min_cost:
            return False
        return True


def select(traces: Iterable[Trace], trace_filter: TraceFilter, limit: int) -> list[Trace]:
    """The newest LIMIT traces that match, newest first, each trace once."""
    seen, kept = set(), []
    for trace in sorted(traces, key=lambda t: t.start_us, reverse=True):
        if trace.trace_id in seen or not trace_filter.matches(trace):
            continue
        seen.add(trace.trace_id)
        kept.append(trace)
        if len(kept) >= limit:
            break
    return kept


# ----- formatting ---------------------------------------------------------------------------------
def format_duration(microseconds: int) -> str:
    if microseconds < 1000:
        return f"{microseconds} µs"
    if microseconds < 1_000_000:
        return f"{microseconds / 1000:.1f} ms"
    seconds = microseconds / 1_000_000
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}m{seconds:02d}s"


def format_cost(value: float, currency: str = "USD") -> str:
    """Four decimals, or three significant digits for fractions of a cent (0.00000128 USD)."""
    digits = 4
    if 0 < abs(value) < 0.01:
        digits = min(10, 2 - math.floor(math.log10(abs(value))))
    return f"{value:.{digits}f} {currency}"


def format_tokens(tokens: tuple[int, int]) -> str:
    return f"{tokens[0]:,} in / {tokens[1]:,} out"


def format_time(microseconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(microseconds / 1_000_000))


def render_list(traces: list[Trace]) -> str:
    """A table of traces: start, id, root, spans, duration, tokens, cost, errors."""
    if not traces:
        return "no traces found"
    header = ("STARTED", "TRACE ID", "ROOT", "SPANS", "DURATION", "TOKENS", "COST", "ERRORS")
    rows = []
    for trace in traces:
        root = trace.root
        root_text = f"{root.service}: {root.name}" if root else "?"
        rows.append((
            format_time(trace.start_us),
            trace.trace_id,
            root_text if len(root_text) <= 48 else root_text[:47] + "…",
            str(len(trace.spans)),
            format_duration(trace.duration_us),
            format_tokens(trace.tokens) if trace.tokens else "-",
            format_cost(trace.cost, trace.currency) if trace.cost is not None else "-",
            str(trace.error_count) if trace.error_count else "-",
        ))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = {3, 4, 6, 7}
    lines = []
    for row in [header, *rows]:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _span_details(span: Span) -> str:
    details = []
    model = span.attributes.get(genai.GEN_AI_REQUEST_MODEL)
    response_model = span.attributes.get(genai.GEN_AI_RESPONSE_MODEL)
    if model:
        details.append(f"model={model}" + (f" ({response_model})" if response_model and response_model != model else ""))
    if span.tokens:
        details.append(f"tokens={format_tokens(span.tokens)}")
    if span.cost is not None:
        details.append(f"cost={format_cost(span.cost, span.currency)}")
    elif span.attributes.get(names.COST_UNPRICED) in (True, "true"):
        details.append("cost=unpriced")
    if span.error:
        details.append(f"ERROR {span.error_text}")
    return "  ".join(details)


def render_tree(trace: Trace) -> str:
    """One trace as an indented tree: name, service where it changes, duration, GenAI details."""
    count = len(trace.spans)
    summary = [f"{count} span{'s' if count != 1 else ''}", format_duration(trace.duration_us)]
    if trace.tokens:
        summary.append(f"tokens {format_tokens(trace.tokens)}")
    if trace.cost is not None:
        summary.append(f"cost {format_cost(trace.cost, trace.currency)}")
    if trace.error_count:
        summary.append(f"{trace.error_count} error{'s' if trace.error_count > 1 else ''}")
    lines = [f"trace {trace.trace_id}  started {format_time(trace.start_us)}", "  " + ", ".join(summary), ""]

    rows: list[tuple[str, Span]] = []

    def visit(span: Span, prefix: str, connector: str, parent_service: str | None) -> None:
        label = span.name + (f" [{span.service}]" if span.service != parent_service else "")
        rows.append((prefix + connector + label, span))
        child_prefix = prefix + ("" if not connector else ("   " if connector == "└─ " else "│  "))
        for index, child in enumerate(span.children):
            last = index == len(span.children) - 1
            visit(child, child_prefix, "└─ " if last else "├─ ", span.service)

    for root in trace.roots:
        visit(root, "", "", None)
    width = min(max(len(label) for label, _ in rows), 72) if rows else 0
    for label, span in rows:
        offset = format_duration(span.start_us - trace.start_us)
        text = f"{label:<{width}}  {format_duration(span.duration_us):>9}  +{offset:<9}  {_span_details(span)}"
        lines.append(text.rstrip())
    return "\n".join(lines)
