"""`agentotel trace` rendering: Jaeger JSON (recorded from the local stack) to a terminal tree."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from agentotel_tools.stack.traceview import (
    format_cost,
    format_duration,
    normalize_trace_id,
    parse_duration,
    parse_trace,
    render_tree,
)

RECORDED = json.loads((Path(__file__).parents[1] / "recorded_traces.json").read_text())
CONVERSATION_ID = RECORDED["ids"]["conversation"]


@pytest.fixture()
def conversation() -> dict:
    """A workflow -> agent -> (chat, failing tool, chat) trace as Jaeger returned it."""
    return copy.deepcopy(RECORDED["trace"]["data"][0])


def _lines(trace_json: dict) -> list[str]:
    return render_tree(parse_trace(trace_json)).splitlines()


def test_tree_nests_spans_under_their_parents_in_start_order(conversation):
    """Children appear under their parent, in the order they started, with tree connectors."""
    lines = _lines(conversation)
    names = [re.match(r"^(.*?\S)\s{2,}", line).group(1) for line in lines[3:]]
    assert names == [
        "invoke_workflow refund [support-app]",
        "└─ invoke_agent support-bot",
        "   ├─ chat gpt-4o-mini",
        "   ├─ execute_tool lookup_order",
        "   └─ chat gpt-4o",
    ]


def test_llm_span_shows_model_tokens_and_cost(conversation):
    """An LLM span line carries its model (and the served model), tokens and cost with currency."""
    line = next(line for line in _lines(conversation) if "chat gpt-4o-mini" in line)
    assert "model=gpt-4o-mini (gpt-4o-mini-2024-07-18)" in line
    assert "tokens=1,000 in / 80 out" in line
    assert "cost=0.000198 USD" in line
    assert "50." in line and "ms" in line  # its duration


def test_error_span_shows_error_type_and_status_message(conversation):
    """A failed span is flagged with error.type and the status description."""
    line = next(line for line in _lines(conversation) if "execute_tool" in line)
    assert "ERROR TimeoutError: order service timed out" in line
    assert sum("ERROR" in line for line in _lines(conversation)) == 1


def test_error_said_once_when_status_repeats_error_type(conversation):
    """An HTTP status that is both error.type and the status description is shown once."""
    trace_json = copy.deepcopy(conversation)
    span = next(s for s in trace_json["spans"] if s["operationName"].startswith("execute_tool"))
    for tag in span["tags"]:
        if tag["key"] == "error.type":
            tag["value"] = "429"
        if tag["key"] == "otel.status_description":
            tag["value"] = "429"
    line = next(line for line in _lines(trace_json) if "execute_tool" in line)
    assert "ERROR 429" in line and "429: 429" not in line


def test_header_counts_rolled_up_cost_and_tokens_once(conversation):
    """Trace totals take the roll-up on the top span instead of adding it to the calls below it."""
    header = _lines(conversation)[1]
    assert "5 spans" in header
    assert "tokens 1,500 in / 230 out" in header
    assert "cost 0.00420 USD" in header
    assert "1 error" in header


def test_totals_add_up_llm_calls_when_no_span_rolls_them_up(conversation):
    """Without roll-up attributes, the trace's cost and tokens are the sums over its LLM calls."""
    rollups = {"agentotel.cost.total", "agentotel.usage.input_tokens", "agentotel.usage.output_tokens"}
    for span in conversation["spans"]:
        if not span["operationName"].startswith("chat"):
            span["tags"] = [tag for tag in span["tags"] if tag["key"] not in rollups]
    trace = parse_trace(conversation)
    assert trace.tokens == (1500, 230)
    assert trace.cost == pytest.approx(0.000198 + 0.004002)


def test_span_whose_parent_is_missing_becomes_a_root(conversation):
    """A span whose parent never arrived is still shown, at the top level."""
    conversation["spans"] = [s for s in conversation["spans"] if s["operationName"] != "invoke_agent support-bot"]
    trace = parse_trace(conversation)
    assert [root.name for root in trace.roots] == [
        "invoke_workflow refund", "chat gpt-4o-mini", "execute_tool lookup_order", "chat gpt-4o"
    ]
    assert len(render_tree(trace).splitlines()) == 3 + 4


def test_unpriced_call_is_marked_and_trace_has_no_cost():
    """A call to a model missing from the pricing catalog says so instead of showing a zero cost."""
    data = next(t for t in RECORDED["search"]["batch-worker"]["data"] if t["traceID"] == RECORDED["ids"]["unpriced"])
    trace = parse_trace(data)
    assert trace.cost is None
    text = render_tree(trace)
    assert "cost=unpriced" in text and "1 span," in text and "cost " not in text.splitlines()[1]


def test_trace_id_is_normalized():
    """Trace ids are compared as 32 lower-case hex digits, however Jaeger or the user wrote them."""
    assert normalize_trace_id("ABC") == "0" * 29 + "abc"
    assert normalize_trace_id(CONVERSATION_ID.upper()) == CONVERSATION_ID
    with pytest.raises(ValueError):
        normalize_trace_id("not-hex")
    with pytest.raises(ValueError):
        normalize_trace_id("a" * 33)


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("15m", 900), ("1h", 3600), ("2d", 172800), ("1h30m", 5400), ("0.5h", 1800)]
)
def test_lookback_durations(text, seconds):
    """--lookback accepts s/m/h/d units and combinations."""
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "1", "h", "1x", "1h junk", "-1h"])
def test_bad_lookback_is_rejected(text):
    """A lookback that is not a duration is an error, not a silent default."""
    with pytest.raises(ValueError):
        parse_duration(text)


def test_number_formats():
    """Durations pick a readable unit; costs keep three significant digits below a cent."""
    assert format_duration(850) == "850 µs"
    assert format_duration(12_345) == "12.3 ms"
    assert format_duration(1_234_567) == "1.23 s"
    assert format_duration(125_000_000) == "2m05s"
    assert format_cost(0.0042) == "0.00420 USD"
    assert format_cost(0.00000128, "EUR") == "0.00000128 EUR"
    assert format_cost(1.5) == "1.5000 USD"
    assert format_cost(0.0) == "0.0000 USD"
