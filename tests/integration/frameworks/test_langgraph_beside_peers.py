"""Beside a peer's LangChain instrumentation (installed in the app's environment, loaded by
``opentelemetry-instrument`` with agentotel's): each provider call is still one LLM span, and its
tokens and cost are counted once in spans, roll-ups and metrics."""

from __future__ import annotations

import pytest

from demo.fake_provider import start_fake_provider

from tests.integration.frameworks.langgraph_runs import agent_traces, histogram_sums, run_app
from tests.integration.frameworks.peer_envs import instrumented, peer_python

pytestmark = pytest.mark.integration

RUNS = 3
CALLS = RUNS * 2
INPUT, OUTPUT = 160, 40  # per call: 960/240 for the 6 calls
COST = (INPUT * 0.15 + OUTPUT * 0.60) / 1e6  # gpt-4o-mini, no cached input


@pytest.fixture(scope="module")
def beside_openllmetry():
    provider = start_fake_provider()
    try:
        yield run_app(provider.base_url, instrumented(peer_python("openllmetry")), RUNS=str(RUNS),
                      FAKE_USAGE=f"input={INPUT},output={OUTPUT},cached=0,reasoning=0")
    finally:
        provider.stop()


def llm_spans(receiver):
    return [s for s in receiver.spans() if s["attributes"].get("gen_ai.operation.name") in ("chat", "text_completion")]


def test_both_instrumentations_recorded(beside_openllmetry):
    """Both really ran: OpenLLMetry's spans and agentotel's agent and tool spans are there."""
    scopes = {s["scope"] for s in beside_openllmetry.spans()}
    assert "opentelemetry.instrumentation.langchain" in scopes and "agentotel" in scopes


def test_one_llm_span_per_call(beside_openllmetry):
    """6 provider calls are 6 LLM spans (OpenLLMetry's, which agentotel completes with its cost)."""
    spans = llm_spans(beside_openllmetry)
    assert len(spans) == CALLS, [(s["name"], s["scope"]) for s in spans]
    for span in spans:
        assert span["attributes"]["agentotel.cost.total"] == pytest.approx(COST)


def test_tokens_counted_once(beside_openllmetry):
    """960/240 tokens in the LLM spans and in gen_ai.client.token.usage, as the provider sent."""
    spans = llm_spans(beside_openllmetry)
    assert sum(s["attributes"]["gen_ai.usage.input_tokens"] for s in spans) == CALLS * INPUT
    assert sum(s["attributes"]["gen_ai.usage.output_tokens"] for s in spans) == CALLS * OUTPUT
    tokens = histogram_sums(beside_openllmetry, "gen_ai.client.token.usage", "gen_ai.token.type")
    assert tokens == {"input": CALLS * INPUT, "output": CALLS * OUTPUT}


def test_agent_roll_up_counts_each_call_once(beside_openllmetry):
    """Each agentotel agent span rolls up its run's two calls once: 320 input tokens, not 640."""
    traces = agent_traces(beside_openllmetry)
    assert len(traces) == RUNS
    for spans in traces.values():
        (agent,) = [s for s in spans if s["scope"] == "agentotel"
                    and s["attributes"].get("gen_ai.operation.name") == "invoke_agent"]
        assert agent["attributes"]["agentotel.usage.input_tokens"] == 2 * INPUT
        assert agent["attributes"]["agentotel.usage.llm_calls"] == 2
        assert agent["attributes"]["agentotel.cost.total"] == pytest.approx(2 * COST)


@pytest.fixture(scope="module")
def beside_openinference():
    provider = start_fake_provider()
    try:
        yield run_app(provider.base_url, instrumented(peer_python("openinference")), RUNS=str(RUNS),
                      FAKE_USAGE=f"input={INPUT},output={OUTPUT},cached=0,reasoning=0")
    finally:
        provider.stop()


def test_beside_openinference_genai_counts_once(beside_openinference):
    """Beside OpenInference (its own LLM spans in its own llm.* conventions, no metrics): one GenAI
    LLM span per call, 960/240 tokens in spans and metrics, each agent's roll-up once."""
    theirs = [s for s in beside_openinference.spans() if s["attributes"].get("openinference.span.kind") == "LLM"]
    assert len(theirs) == CALLS and not any("gen_ai.usage.input_tokens" in s["attributes"] for s in theirs)
    spans = llm_spans(beside_openinference)
    assert len(spans) == CALLS
    assert sum(s["attributes"]["gen_ai.usage.input_tokens"] for s in spans) == CALLS * INPUT
    tokens = histogram_sums(beside_openinference, "gen_ai.client.token.usage", "gen_ai.token.type")
    assert tokens == {"input": CALLS * INPUT, "output": CALLS * OUTPUT}
    for trace_spans in agent_traces(beside_openinference).values():
        (agent,) = [s for s in trace_spans if s["scope"] == "agentotel"
                    and s["attributes"].get("gen_ai.operation.name") == "invoke_agent"]
        assert agent["attributes"]["agentotel.usage.input_tokens"] == 2 * INPUT
