"""The shared PromQL: names from the telemetry contract, filters applied where they fit."""

from __future__ import annotations

import re
from pathlib import Path

from agentotel_tools import promql as q

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "telemetry.md"


def _contract_metrics() -> set:
    names = set()
    for line in CONTRACT.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`") and cells[3].startswith("`"):
            name = cells[3].split("`")[1]
            names.add(re.sub(r"_(\{[a-z,]+\}|\*)$", "", name))
    return names


def _contract_attributes() -> set:
    text = CONTRACT.read_text()
    return {token.replace(".", "_") for token in re.findall(r"`([a-z_]+(?:\.[a-z_]+)+)`", text)}


def test_metric_names_are_the_contracts():
    """Every metric the queries use is in docs/telemetry.md's Prometheus column, and the reverse."""
    assert {m.name for m in q.METRICS} == _contract_metrics()


def test_labels_are_contract_attributes():
    """Every label the queries filter or group on is an attribute the contract defines."""
    attributes = _contract_attributes()
    assert set(q.LABELS) <= attributes, set(q.LABELS) - attributes
    for metric in q.METRICS:
        assert metric.dims <= attributes, metric


def test_selector_applies_only_filters_the_metric_carries():
    """A tenant filter lands on cost but not on retrieval searches, which have no tenant label."""
    filters = {q.TENANT: ("=~", "$tenant"), q.ENV: ("=", "prod")}
    assert q.selector(q.LLM_COST, filters) == \
        'agentotel_llm_cost_total{agentotel_tenant_id=~"$tenant", deployment_environment_name="prod"}'
    assert q.selector(q.RETRIEVAL_SEARCHES, filters) == 'agentotel_retrieval_searches_total{deployment_environment_name="prod"}'
    assert q.selector(q.RETRIEVAL_SEARCHES, None) == "agentotel_retrieval_searches_total"


def test_selector_escapes_values():
    """Quotes and backslashes in a filter value cannot break out of the matcher."""
    assert q.selector(q.CONVERSATIONS, {q.AGENT: ("=", 'a"b\\c')}) == \
        'agentotel_conversations_total{gen_ai_agent_name="a\\"b\\\\c"}'


def test_ratio_reads_zero_when_the_numerator_has_no_series():
    """Ratios fall back to denominator * 0, so 'no escalations yet' is 0%, not no data."""
    total = q.conversations({}, "1h")
    expr = q.escalation_ratio({}, "1h")
    assert expr == f"(\n  {q.conversations({}, '1h', (), q.IS_ESCALATED)}\n  or\n  {total} * 0\n)\n/\n{total}"


def test_increase_counts_series_born_in_the_window():
    """Counter increases add the highest value of series that did not exist at the window's start."""
    assert q.increase(q.CONVERSATIONS, None, "1h", by=(q.AGENT,)) == (
        "sum by (gen_ai_agent_name) (\n"
        "  increase(agentotel_conversations_total[1h]) and agentotel_conversations_total offset 1h\n"
        "  or\n"
        "  max_over_time(agentotel_conversations_total[1h])\n)")


def test_llm_operations_match_the_conventions():
    """The LLM operation set is the GenAI conventions' (chat, text_completion, generate_content, embeddings)."""
    from agentotel.semconv import genai

    assert set(q.LLM_OPERATIONS) == set(genai.LLM_OPERATIONS)
    assert q.OP_TOOL == genai.OP_EXECUTE_TOOL and q.OP_RETRIEVAL == genai.OP_RETRIEVAL
