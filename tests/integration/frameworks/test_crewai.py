"""CrewAI under ``opentelemetry-instrument``, with no telemetry code in the app
(``apps/crewai_app.py``): two kickoffs of a crew whose one agent calls one tool and then answers,
plain and streamed. CrewAI's own anonymous telemetry is turned off, as its documentation says.
"""

from __future__ import annotations

import pytest

from .framework_apps import OPENAI_COST, duration_operations, llm_spans, operation, run_app

pytestmark = pytest.mark.integration

RUNS = 2
VARIANTS = {
    "plain": {},
    "stream-content": {"STREAM": "1", "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "span_only"},
}


@pytest.fixture(scope="module", params=list(VARIANTS))
def crew_run(request):
    """The app's kickoffs in one variant; what the provider and the receiver got."""
    run = run_app("crewai", "crewai_app.py", expected_llm_spans=2 * RUNS, RUNS=str(RUNS),
                  CREWAI_DISABLE_TELEMETRY="true", **VARIANTS[request.param])
    run.variant = request.param
    return run


def test_app_answers(crew_run):
    """The instrumented app works: every kickoff ends with the fake provider's answer."""
    assert crew_run.stdout.count("answer: You asked:") == RUNS


def test_one_trace_per_kickoff(crew_run):
    """Each kickoff is one trace rooted at the crew's invoke_workflow; nothing else starts a trace."""
    assert [r["name"] for r in crew_run.roots()] == ["invoke_workflow support-crew"] * RUNS
    assert len(crew_run.traces()) == RUNS


def test_span_tree(crew_run):
    """The agent under the crew; both chat calls and the tool call under the agent."""
    for spans in crew_run.traces().values():
        (crew,) = [s for s in spans if operation(s) == "invoke_workflow"]
        (agent,) = [s for s in spans if operation(s) == "invoke_agent"]
        (tool,) = [s for s in spans if operation(s) == "execute_tool"]
        assert agent["name"] == "invoke_agent support" and agent["parent_span_id"] == crew["span_id"]
        assert agent["attributes"]["gen_ai.request.model"] == "gpt-4o-mini"
        assert tool["name"] == "execute_tool lookup_order" and tool["parent_span_id"] == agent["span_id"]
        chats = llm_spans(spans)
        assert len(chats) == 2 and all(c["parent_span_id"] == agent["span_id"] for c in chats)


def test_one_llm_span_per_provider_call_with_what_it_sent(crew_run):
    """Exactly one LLM span per call the provider received; tokens as the provider sent them (a
    stream sends usage only when asked to), priced, and rolled up onto the agent and the crew."""
    spans = llm_spans(crew_run.spans)
    requests = crew_run.llm_requests()
    assert len(spans) == len(requests) == 2 * RUNS
    assert all(bool(r["body"].get("stream")) == ("stream" in crew_run.variant) for r in requests)
    with_usage = [r for r in requests if not r["body"].get("stream")
                  or (r["body"].get("stream_options") or {}).get("include_usage")]
    priced = [s for s in spans if "gen_ai.usage.input_tokens" in s["attributes"]]
    assert len(priced) == len(with_usage)
    for span in priced:
        assert (span["attributes"]["gen_ai.usage.input_tokens"], span["attributes"]["gen_ai.usage.output_tokens"]) == (100, 40)
        assert span["attributes"]["agentotel.cost.total"] == pytest.approx(OPENAI_COST)
    for spans in crew_run.traces().values():
        total = sum(s["attributes"].get("agentotel.cost.total", 0) for s in llm_spans(spans))
        for op in ("invoke_agent", "invoke_workflow"):
            (span,) = [s for s in spans if operation(s) == op]
            assert span["attributes"].get("agentotel.cost.total", 0) == pytest.approx(total)


def test_duration_metrics(crew_run):
    """gen_ai.client.operation.duration has points for chat, the agent, the tool and the crew."""
    assert {"chat", "invoke_agent", "execute_tool", "invoke_workflow"} <= duration_operations(crew_run.receiver)


def test_content_only_when_opted_in(crew_run):
    """Tool arguments and results only with content capture on, the e-mail address redacted."""
    (tool, *_) = [s for s in crew_run.spans if operation(s) == "execute_tool"]
    if "content" not in crew_run.variant:
        assert "gen_ai.tool.call.arguments" not in tool["attributes"]
        assert "gen_ai.tool.call.result" not in tool["attributes"]
        return
    assert "A-100" in tool["attributes"]["gen_ai.tool.call.arguments"]
    result = tool["attributes"]["gen_ai.tool.call.result"]
    assert "shipped" in result and "jane.doe@example.com" not in result
