"""Pure functions from LangChain's callback arguments to the core's records.

What kind of run a chain is (``run_kind``), the agent, tool and retrieval records, and the LLM call
recorded from LangChain's own result when nothing captured the call at the HTTP layer.
"""

from __future__ import annotations

from typing import Any

from ...core.documents import documents_of
from ...core.records import AgentInvocation, LLMCall, ToolCall, ToolExecution, Usage

AGENT, STEP = "agent", "step"
#: LangChain's ``ls_provider`` names, as ``gen_ai.provider.name`` values.
PROVIDERS = {
    "openai": "openai", "azure": "azure.ai.openai", "anthropic": "anthropic", "google_genai": "gcp.gemini",
    "google_vertexai": "gcp.vertex_ai", "amazon_bedrock": "aws.bedrock", "bedrock": "aws.bedrock",
    "mistralai": "mistral_ai", "groq": "groq", "deepseek": "deepseek", "xai": "x_ai", "cohere": "cohere",
    "ibm": "ibm.watsonx.ai", "perplexity": "perplexity",
}
#: Providers whose reported input count excludes cached input (LangChain's includes it).
_FRESH_INPUT = frozenset({"anthropic", "aws.bedrock"})
#: LangChain agents that are no LangGraph graph.
_AGENT_CLASSES = ("AgentExecutor",)
#: LangGraph's control flow (an interrupt, a handoff to a parent graph): no error of the run.
_CONTROL_FLOW = ("GraphBubbleUp", "GraphInterrupt", "ParentCommand")


def run_kind(serialized: dict | None, metadata: dict | None, name: str | None, parent_known: bool) -> str:
    """``AGENT`` for a LangGraph graph run or a LangChain agent executor, else ``STEP``.

    A graph run is the run LangGraph starts with ``ls_integration`` set and no ``langgraph_node`` of
    its own yet; a graph used inside another graph's node (a subgraph) carries that node's name, and
    becomes an agent when its first node starts (``is_subgraph_child``)."""
    metadata = metadata or {}
    if metadata.get("ls_integration") == "langgraph" and "langgraph_node" not in metadata:
        return AGENT
    ids = (serialized or {}).get("id") or ()
    if name in _AGENT_CLASSES or (ids and ids[-1] in _AGENT_CLASSES):
        return AGENT
    return STEP


def is_subgraph_child(metadata: dict | None, parent_metadata: dict | None) -> bool:
    """True when a run is a node of a graph that runs inside another graph's node: its checkpoint
    namespace is one level below its parent run's."""
    ns = (metadata or {}).get("langgraph_checkpoint_ns")
    parent_ns = (parent_metadata or {}).get("langgraph_checkpoint_ns")
    return bool(ns and parent_ns and ns != parent_ns and ns.startswith(parent_ns + "|"))


def is_control_flow(error: BaseException) -> bool:
    return any(cls.__name__ in _CONTROL_FLOW for cls in type(error).__mro__)


def agent_record(name: str | None, serialized: dict | None) -> AgentInvocation:
    ids = (serialized or {}).get("id") or ()
    return AgentInvocation(name=name or (ids[-1] if ids else None) or "agent")


def conversation_key(metadata: dict | None) -> str | None:
    """LangGraph's ``configurable.thread_id`` (LangChain copies it into the run's metadata)."""
    value = (metadata or {}).get("thread_id")
    return str(value) if isinstance(value, (str, int)) and value != "" else None


def tool_record(serialized: dict | None, name: str | None, kwargs: dict[str, Any], input_str: str,
                content: bool) -> ToolExecution:
    serialized = serialized or {}
    record = ToolExecution(name=name or serialized.get("name") or "tool", call_id=kwargs.get("tool_call_id"),
                           description=serialized.get("description") or None)
    if content:
        inputs = kwargs.get("inputs")
        record.arguments = inputs if inputs is not None else input_str
    return record


def tool_result(output: Any) -> Any:
    """A tool's result: a ``ToolMessage``'s content, else the output itself."""
    return getattr(output, "content", output)


def tool_failed(output: Any) -> bool:
    """A ``ToolMessage`` with ``status="error"``: the tool reported its failure as a result."""
    return getattr(output, "status", None) == "error"


def retrieval_source(serialized: dict | None, metadata: dict | None, name: str | None) -> str:
    metadata = metadata or {}
    ids = (serialized or {}).get("id") or ()
    return (metadata.get("ls_vector_store_provider") or name or metadata.get("ls_retriever_name")
            or (ids[-1] if ids else None) or "retriever")


def retrieved(documents: Any):
    return documents_of(list(documents) if documents is not None else None)


def llm_record(operation: str, serialized: dict | None, metadata: dict | None, kwargs: dict[str, Any],
               prompts: Any, content: bool) -> LLMCall:
    """An LLM call as LangChain starts it: provider, model and request parameters."""
    metadata = metadata or {}
    params = kwargs.get("invocation_params") or {}
    provider = metadata.get("ls_provider")
    record = LLMCall(operation=operation, provider=PROVIDERS.get(provider, provider),
                     request_model=metadata.get("ls_model_name") or params.get("model") or params.get("model_name"))
    temperature = metadata.get("ls_temperature", params.get("temperature"))
    if isinstance(temperature, (int, float)):
        record.temperature = float(temperature)
    max_tokens = metadata.get("ls_max_tokens", params.get("max_tokens"))
    if isinstance(max_tokens, int):
        record.max_tokens = max_tokens
    record.stream = bool(params.get("stream") or params.get("streaming"))
    if content and prompts is not None:
        record.input_messages = [_message(m) for batch in prompts for m in (batch if isinstance(batch, list) else [batch])]
    return record


def llm_result(record: LLMCall, response: Any, content: bool) -> None:
    """Fill the call from LangChain's ``LLMResult``: usage, response model and id, finish reasons."""
    generations = [g for batch in getattr(response, "generations", None) or [] for g in batch]
    output = getattr(response, "llm_output", None) or {}
    message = getattr(generations[0], "message", None) if generations else None
    metadata = getattr(message, "response_metadata", None) or {}
    record.response_model = metadata.get("model_name") or output.get("model_name") or None
    record.response_id = metadata.get("id") or output.get("id") or None
    reasons = [r for r in (getattr(g, "generation_info", None) or {} for g in generations)
               for r in [r.get("finish_reason") or r.get("stop_reason")] if r]
    finish = metadata.get("finish_reason") or metadata.get("stop_reason")
    record.finish_reasons = reasons or ([finish] if finish else None)
    usage = getattr(message, "usage_metadata", None)
    if usage:
        record.usage = _usage(usage, record.provider)
    elif isinstance(output.get("token_usage"), dict):
        tokens = output["token_usage"]
        record.usage = Usage(tokens.get("prompt_tokens"), tokens.get("completion_tokens"))
    calls = getattr(message, "tool_calls", None) or []
    if calls:
        record.tool_calls = [ToolCall(c.get("name"), c.get("id"), c.get("args") if content else None) for c in calls]
    if content and generations:
        record.output_messages = [_message(getattr(g, "message", None) or getattr(g, "text", "")) for g in generations]


def _usage(usage: dict, provider: str | None) -> Usage:
    details_in = usage.get("input_token_details") or {}
    details_out = usage.get("output_token_details") or {}
    cache_read = details_in.get("cache_read")
    cache_write = details_in.get("cache_creation")
    input_tokens = usage.get("input_tokens")
    if provider in _FRESH_INPUT and isinstance(input_tokens, int):
        input_tokens -= (cache_read or 0) + (cache_write or 0)
    return Usage(input_tokens, usage.get("output_tokens"), cache_read, cache_write, details_out.get("reasoning"))


def _message(message: Any) -> dict[str, Any]:
    if isinstance(message, str):
        return {"role": "user", "parts": [{"type": "text", "content": message}]}
    role = {"human": "user", "ai": "assistant"}.get(getattr(message, "type", None), getattr(message, "type", "user"))
    return {"role": role, "parts": [{"type": "text", "content": str(getattr(message, "content", message))}]}
