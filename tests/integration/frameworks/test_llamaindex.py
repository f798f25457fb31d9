"""LlamaIndex under ``opentelemetry-instrument``, with no telemetry code in the app
(``apps/llamaindex_app.py``): a query engine over in-memory documents and a function agent with
one tool, two questions each, the query engine's answer plain and streamed.
"""

from __future__ import annotations

import pytest

from .framework_apps import OPENAI_COST, llm_spans, operation, run_app

pytestmark = pytest.mark.integration

RUNS = 2
# Per question: one query embedding and one chat for the engine, two chats for the agent; and the
# embedding of the documents when the index is built.
LLM_CALLS = RUNS * (1 + 1 + 2) + 1
VARIANTS = {
    "plain": {},
    "stream-content": {"STREAM": "1", "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "span_only"},
}


@pytest.fixture(scope="module", params=list(VARIANTS))
def llamaindex_run(request):
    """The app's questions in one variant; what the provider and the receiver got."""
    run = run_app("openai2", "llamaindex_app.py", expected_llm_spans=LLM_CALLS, RUNS=str(RUNS), **VARIANTS[request.param])
    run.variant = request.param
    return run


def by_root(run, name: str) -> list[list[dict]]:
    """The traces whose root span is ``name``."""
    traces = run.traces()
    return [traces[r["trace_id"]] for r in run.roots() if r["name"] == name]


def test_app_answers(llamaindex_run):
    """The instrumented app works: the engine and the agent answer every question."""
    assert llamaindex_run.stdout.count("answer: You asked:") == RUNS
    assert llamaindex_run.stdout.count("agent: You asked: Where is my order") == RUNS


def test_one_trace_per_run(llamaindex_run):
    """Each query and each agent run is one trace rooted at its invoke_agent; the only other root
    is the embedding of the documents when the index is built."""
    names = sorted(r["name"] for r in llamaindex_run.roots())
    assert names == sorted(["invoke_agent RetrieverQueryEngine"] * RUNS + ["invoke_agent support"] * RUNS
                           + ["embeddings text-embedding-3-small"])


def test_query_engine_tree(llamaindex_run):
    """A query: retrieval (with the query's embedding below it) and the chat call under the engine's invoke_agent."""
    for spans in by_root(llamaindex_run, "invoke_agent RetrieverQueryEngine"):
        (agent,) = [s for s in spans if operation(s) == "invoke_agent"]
        (retrieval,) = [s for s in spans if operation(s) == "retrieval"]
        (embedding,) = [s for s in spans if operation(s) == "embeddings"]
        (chat,) = [s for s in spans if operation(s) == "chat"]
        assert retrieval["name"] == "retrieval VectorIndexRetriever" and retrieval["parent_span_id"] == agent["span_id"]
        assert embedding["parent_span_id"] == retrieval["span_id"]
        assert chat["parent_span_id"] == agent["span_id"]


def test_retrieval_records_node_ids_and_scores(llamaindex_run):
    """The retrieval records the retrieved nodes' ids and scores (NodeWithScore), never their text by default."""
    for spans in by_root(llamaindex_run, "invoke_agent RetrieverQueryEngine"):
        (retrieval,) = [s for s in spans if operation(s) == "retrieval"]
        a = retrieval["attributes"]
        assert a["agentotel.retrieval.document_count"] == 2
        assert len(a["agentotel.retrieval.document.ids"]) == 2 and all(a["agentotel.retrieval.document.ids"])
        assert len(a["agentotel.retrieval.document.scores"]) == 2
        assert a["agentotel.retrieval.outcome"] == "hit"
        if "content" in llamaindex_run.variant:
            assert "Refunds are paid" in a["gen_ai.retrieval.documents"] or "ship" in a["gen_ai.retrieval.documents"]
            assert "How fast are refunds paid" in a["gen_ai.retrieval.query.text"]
        else:
            assert "gen_ai.retrieval.documents" not in a and "gen_ai.retrieval.query.text" not in a


def test_agent_tree(llamaindex_run):
    """An agent run: both chat calls and the tool call (with its call id) under invoke_agent support."""
    for spans in by_root(llamaindex_run, "invoke_agent support"):
        (agent,) = [s for s in spans if operation(s) == "invoke_agent"]
        (tool,) = [s for s in spans if operation(s) == "execute_tool"]
        assert tool["name"] == "execute_tool lookup_order" and tool["parent_span_id"] == agent["span_id"]
        assert tool["attributes"]["gen_ai.tool.call.id"] == "call_fake_1"
        chats = llm_spans(spans)
        assert len(chats) == 2 and all(c["parent_span_id"] == agent["span_id"] for c in chats)
        if "content" in llamaindex_run.variant:
            assert "A-100" in tool["attributes"]["gen_ai.tool.call.arguments"]
            assert "jane.doe@example.com" not in tool["attributes"]["gen_ai.tool.call.result"]
        else:
            assert "gen_ai.tool.call.arguments" not in tool["attributes"]


def test_one_llm_span_per_provider_call_with_what_it_sent(llamaindex_run):
    """Exactly one LLM span per call the provider received; the tokens are what the provider sent
    (a stream sends usage only when asked to) and are priced; the engine's cost rolls up onto it,
    a streamed answer's too (the engine's span stays open until the app has read the stream)."""
    spans = llm_spans(llamaindex_run.spans)
    requests = llamaindex_run.llm_requests()
    assert len(spans) == len(requests) == LLM_CALLS
    with_usage = [r for r in requests if not r["body"].get("stream")
                  or (r["body"].get("stream_options") or {}).get("include_usage")]
    priced = [s for s in spans if "gen_ai.usage.input_tokens" in s["attributes"]]
    assert len(priced) == len(with_usage)
    for span in priced:
        a = span["attributes"]
        if operation(span) == "chat":
            assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (100, 40)
            assert a["agentotel.cost.total"] == pytest.approx(OPENAI_COST)
        else:
            assert a["gen_ai.usage.input_tokens"] == 12 and a["agentotel.cost.total"] > 0
    for spans in by_root(llamaindex_run, "invoke_agent RetrieverQueryEngine"):
        (agent,) = [s for s in spans if operation(s) == "invoke_agent"]
        total = sum(s["attributes"].get("agentotel.cost.total", 0) for s in llm_spans(spans))
        assert agent["attributes"]["agentotel.cost.total"] == pytest.approx(total)


def test_duration_metrics(llamaindex_run):
    """gen_ai.client.operation.duration has points for chat, embeddings, the agents, the tool and retrieval."""
    counts = {}
    for point in llamaindex_run.receiver.points("gen_ai.client.operation.duration"):
        op = point["attributes"].get("gen_ai.operation.name")
        counts[op] = counts.get(op, 0) + point["count"]
    assert counts.get("chat") == 3 * RUNS and counts.get("embeddings") == RUNS + 1
    assert counts.get("invoke_agent") == 2 * RUNS and counts.get("execute_tool") == RUNS
    assert counts.get("retrieval") == RUNS
