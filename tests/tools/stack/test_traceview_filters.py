"""`agentotel traces` filters (--service, --operation, --errors, --min-cost, --limit) on recorded traces."""

from __future__ import annotations

import json
from pathlib import Path

from agentotel_tools.stack.traceview import TraceFilter, parse_trace, select

RECORDED = json.loads((Path(__file__).parents[1] / "recorded_traces.json").read_text())
IDS = RECORDED["ids"]


def _traces():
    raw = RECORDED["search"]["support-app"]["data"] + RECORDED["search"]["batch-worker"]["data"]
    return [parse_trace(item) for item in raw]


def _ids(trace_filter: TraceFilter, limit: int = 20) -> list[str]:
    return [trace.trace_id for trace in select(_traces(), trace_filter, limit)]


def test_no_filter_lists_every_trace_newest_first():
    """Without filters every trace is listed once, the most recent first."""
    traces = select(_traces() + _traces(), TraceFilter(), 20)
    assert {t.trace_id for t in traces} == set(IDS.values()) and len(traces) == 3
    starts = [t.start_us for t in traces]
    assert starts == sorted(starts, reverse=True)


def test_errors_keeps_only_traces_with_a_failed_span():
    """--errors keeps the conversation whose tool call failed, and nothing else."""
    assert _ids(TraceFilter(errors=True)) == [IDS["conversation"]]


def test_min_cost_compares_the_trace_total():
    """--min-cost uses the whole trace's cost; unpriced traces count as zero."""
    assert _ids(TraceFilter(min_cost=0.004)) == [IDS["conversation"]]
    assert set(_ids(TraceFilter(min_cost=0.000001))) == {IDS["conversation"], IDS["embeddings"]}
    assert _ids(TraceFilter(min_cost=0.01)) == []


def test_operation_matches_span_names_and_genai_operation_names():
    """--operation matches a span name exactly or a gen_ai.operation.name such as 'embeddings'."""
    assert _ids(TraceFilter(operation="embeddings")) == [IDS["embeddings"]]
    assert _ids(TraceFilter(operation="execute_tool lookup_order")) == [IDS["conversation"]]
    assert set(_ids(TraceFilter(operation="chat"))) == {IDS["conversation"], IDS["unpriced"]}
    assert _ids(TraceFilter(operation="chat gpt")) == []


def test_service_and_combined_filters():
    """--service keeps traces with a span of that service; filters combine with AND."""
    assert set(_ids(TraceFilter(service="batch-worker"))) == {IDS["embeddings"], IDS["unpriced"]}
    assert _ids(TraceFilter(service="batch-worker", operation="chat")) == [IDS["unpriced"]]
    assert _ids(TraceFilter(service="support-app", errors=True, min_cost=0.001)) == [IDS["conversation"]]
    assert _ids(TraceFilter(service="nobody")) == []


def test_limit_keeps_the_newest():
    """--limit N shows the N most recent matching traces."""
    newest = _ids(TraceFilter(), limit=20)
    assert _ids(TraceFilter(), limit=2) == newest[:2]
