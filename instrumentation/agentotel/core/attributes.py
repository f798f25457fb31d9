"""Records to span and metric attributes: pure functions, no OpenTelemetry calls.

``names`` is the resolved naming (``semconv.resolve``). Each function reads a record (and what the
emitter computed for it: token counts, cost, serialized content) and returns the name, kind and
attributes of its span, or the attributes to set when it ends. Values that are not known are left
out. Content arrives already serialized and redacted; these functions never read it themselves.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from opentelemetry.trace import SpanKind

from ..cost import Cost
from ..cost.engine import TokenCounts
from ..semconv import agentotel_names
from .records import AgentInvocation, LLMCall, Retrieval, ToolExecution, Workflow

#: What a span starts with: its name, kind and attributes.
SpanStart = tuple[str, SpanKind, dict[str, Any]]


def put_known(attributes: dict[str, Any], pairs) -> None:
    """Set each (key, value) pair whose value is known."""
    for key, value in pairs:
        if value is not None:
            attributes[key] = value


# ---------------------------------------------------------------------------------- span start
def llm_start(names: SimpleNamespace, call: LLMCall, agent: str | None) -> SpanStart:
    attributes: dict[str, Any] = {names.GEN_AI_OPERATION_NAME: call.operation}
    put_known(attributes, ((names.GEN_AI_PROVIDER_NAME, call.provider or None),
                           (names.GEN_AI_REQUEST_MODEL, call.request_model or None),
                           (names.GEN_AI_AGENT_NAME, agent or None)))
    name = f"{call.operation} {call.request_model}" if call.request_model else call.operation
    return name, SpanKind.CLIENT, attributes


def agent_start(names: SimpleNamespace, invocation: AgentInvocation, agent: str | None) -> SpanStart:
    attributes: dict[str, Any] = {names.GEN_AI_OPERATION_NAME: names.OP_INVOKE_AGENT,
                                  names.GEN_AI_AGENT_NAME: invocation.name}
    put_known(attributes, ((names.GEN_AI_AGENT_ID, invocation.id),
                           (names.GEN_AI_AGENT_DESCRIPTION, invocation.description),
                           (names.GEN_AI_AGENT_VERSION, invocation.version),
                           (names.GEN_AI_PROVIDER_NAME, invocation.provider),
                           (names.GEN_AI_REQUEST_MODEL, invocation.request_model)))
    kind = SpanKind.CLIENT if invocation.remote else SpanKind.INTERNAL
    return f"{names.OP_INVOKE_AGENT} {invocation.name}", kind, attributes


def workflow_start(names: SimpleNamespace, workflow: Workflow, agent: str | None) -> SpanStart:
    attributes = {names.GEN_AI_OPERATION_NAME: names.OP_INVOKE_WORKFLOW, names.GEN_AI_WORKFLOW_NAME: workflow.name}
    return f"{names.OP_INVOKE_WORKFLOW} {workflow.name}", SpanKind.INTERNAL, attributes


def tool_start(names: SimpleNamespace, tool: ToolExecution, agent: str | None) -> SpanStart:
    attributes: dict[str, Any] = {names.GEN_AI_OPERATION_NAME: names.OP_EXECUTE_TOOL, names.GEN_AI_TOOL_NAME: tool.name}
    put_known(attributes, ((names.GEN_AI_TOOL_CALL_ID, tool.call_id), (names.GEN_AI_TOOL_DESCRIPTION, tool.description),
                           (names.GEN_AI_TOOL_TYPE, tool.type), (names.GEN_AI_AGENT_NAME, agent)))
    return f"{names.OP_EXECUTE_TOOL} {tool.name}", SpanKind.INTERNAL, attributes


def retrieval_start(names: SimpleNamespace, retrieval: Retrieval, agent: str | None) -> SpanStart:
    attributes: dict[str, Any] = {names.GEN_AI_OPERATION_NAME: names.OP_RETRIEVAL,
                                  names.GEN_AI_DATA_SOURCE_ID: retrieval.data_source}
    put_known(attributes, ((names.GEN_AI_PROVIDER_NAME, retrieval.provider),
                           (names.GEN_AI_REQUEST_MODEL, retrieval.request_model),
                           (names.GEN_AI_REQUEST_TOP_K, retrieval.top_k), (names.GEN_AI_AGENT_NAME, agent)))
    return f"{names.OP_RETRIEVAL} {retrieval.data_source}", SpanKind.CLIENT, attributes


#: The span-start function of each kind of record.
SPAN_START = {LLMCall: llm_start, AgentInvocation: agent_start, Workflow: workflow_start,
              ToolExecution: tool_start, Retrieval: retrieval_start}


# ---------------------------------------------------------------------------------- span end
def llm_request(names: SimpleNamespace, call: LLMCall, attributes: dict[str, Any]) -> None:
    """Request attributes that may also be learned after the span started (zero-code capture)."""
    put_known(attributes, (
        (names.SERVER_ADDRESS, call.server_address), (names.SERVER_PORT, call.server_port),
        (names.GEN_AI_REQUEST_TEMPERATURE, call.temperature), (names.GEN_AI_REQUEST_TOP_P, call.top_p),
        (names.GEN_AI_REQUEST_TOP_K, call.top_k), (names.GEN_AI_REQUEST_MAX_TOKENS, call.max_tokens),
        (names.GEN_AI_REQUEST_FREQUENCY_PENALTY, call.frequency_penalty),
        (names.GEN_AI_REQUEST_PRESENCE_PENALTY, call.presence_penalty),
        (names.GEN_AI_REQUEST_STOP_SEQUENCES, call.stop_sequences), (names.GEN_AI_REQUEST_SEED, call.seed),
        (names.GEN_AI_REQUEST_CHOICE_COUNT, call.choice_count), (names.GEN_AI_OUTPUT_TYPE, call.output_type),
        (names.GEN_AI_REQUEST_ENCODING_FORMATS, call.encoding_formats),
    ))
    if call.stream:
        attributes[names.GEN_AI_REQUEST_STREAM] = True


def llm_end(names: SimpleNamespace, call: LLMCall, counts: TokenCounts | None, cost: Cost | None,
            time_to_first_chunk: float | None) -> dict[str, Any]:
    """An LLM call's span attributes at its end: request, response, token counts, cost (or
    ``agentotel.cost.unpriced``) and the time to the first chunk of a stream."""
    attributes: dict[str, Any] = {}
    llm_request(names, call, attributes)
    put_known(attributes, ((names.GEN_AI_RESPONSE_ID, call.response_id),
                           (names.GEN_AI_RESPONSE_MODEL, call.response_model),
                           (names.HTTP_RESPONSE_STATUS_CODE, call.http_status_code),
                           (names.GEN_AI_RESPONSE_FINISH_REASONS, call.finish_reasons),
                           (names.GEN_AI_EMBEDDINGS_DIMENSION_COUNT, call.embedding_dimensions),
                           (agentotel_names.TOOL_DEFINITION_COUNT, call.tool_definition_count)))
    if counts is not None:
        usage = call.usage
        attributes[names.GEN_AI_USAGE_INPUT_TOKENS] = counts.input
        attributes[names.GEN_AI_USAGE_OUTPUT_TOKENS] = counts.output
        if usage.cache_read_input_tokens is not None:
            attributes[names.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = counts.cache_read
        if usage.cache_creation_input_tokens is not None:
            attributes[names.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = counts.cache_write
        if usage.reasoning_output_tokens is not None:
            attributes[names.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = counts.reasoning
        if cost is not None:
            attributes.update(cost_attributes(cost, counts))
        elif call.request_model or call.response_model:
            attributes[agentotel_names.COST_UNPRICED] = True
    if time_to_first_chunk is not None:
        attributes[names.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = time_to_first_chunk
    return attributes


def cost_attributes(cost: Cost, counts: TokenCounts) -> dict[str, Any]:
    """A priced call's cost attributes (the cache parts only when tokens of that kind were used)."""
    attributes: dict[str, Any] = {
        agentotel_names.COST_TOTAL: cost.total, agentotel_names.COST_CURRENCY: cost.currency,
        agentotel_names.COST_INPUT: cost.input, agentotel_names.COST_OUTPUT: cost.output,
    }
    if counts.cache_read:
        attributes[agentotel_names.COST_CACHE_READ] = cost.cache_read
    if counts.cache_write:
        attributes[agentotel_names.COST_CACHE_WRITE] = cost.cache_write
    attributes[agentotel_names.COST_CATALOG_VERSION] = cost.catalog_version
    return attributes


def tool_content(names: SimpleNamespace, arguments: str | None, result: str | None) -> dict[str, Any]:
    """A tool execution's serialized arguments and result, as span attributes."""
    attributes: dict[str, Any] = {}
    put_known(attributes, ((names.GEN_AI_TOOL_CALL_ARGUMENTS, arguments), (names.GEN_AI_TOOL_CALL_RESULT, result)))
    return attributes


def top_score(retrieval: Retrieval) -> float | None:
    """The highest score among the documents retrieved, or None when none has one."""
    scores = [document.score for document in retrieval.documents or () if document.score is not None]
    return max(scores) if scores else None


def retrieval_outcome(retrieval: Retrieval, hit_threshold: float) -> str:
    """``hit`` when a document scored at least ``hit_threshold`` (without scores: when any came back),
    ``miss`` otherwise, ``unknown`` when the documents are not known."""
    if retrieval.documents is None:
        return agentotel_names.RETRIEVAL_UNKNOWN
    top = top_score(retrieval)
    hit = top >= hit_threshold if top is not None else bool(retrieval.documents)
    return agentotel_names.RETRIEVAL_HIT if hit else agentotel_names.RETRIEVAL_MISS


def retrieval_end(names: SimpleNamespace, retrieval: Retrieval, outcome: str | None, query: str | None,
                  documents: str | None) -> dict[str, Any]:
    """A retrieval's span attributes at its end: document count, ids, scores and top score when
    known, the outcome (None after an error: not set), and the serialized query and documents."""
    documents_known = retrieval.documents is not None
    found = retrieval.documents or []
    scores = [document.score for document in found if document.score is not None]
    attributes: dict[str, Any] = {agentotel_names.RETRIEVAL_DOCUMENT_COUNT: len(found)} if documents_known else {}
    if found and all(document.id is not None for document in found):
        attributes[agentotel_names.RETRIEVAL_DOCUMENT_IDS] = [str(document.id) for document in found]
    if found and len(scores) == len(found):
        attributes[agentotel_names.RETRIEVAL_DOCUMENT_SCORES] = [float(score) for score in scores]
    top = max(scores) if scores else None
    if top is not None:
        attributes[agentotel_names.RETRIEVAL_TOP_SCORE] = top
    put_known(attributes, ((names.GEN_AI_RETRIEVAL_QUERY_TEXT, query), (names.GEN_AI_RETRIEVAL_DOCUMENTS, documents),
                           (agentotel_names.RETRIEVAL_OUTCOME, outcome)))
    return attributes


# ---------------------------------------------------------------------------------- metrics
def metric_base(names: SimpleNamespace, operation: str, agent: str | None, tenant: str | None,
                error_type: str | None) -> dict[str, Any]:
    """The attributes every metric point of an operation carries."""
    attributes: dict[str, Any] = {names.GEN_AI_OPERATION_NAME: operation}
    put_known(attributes, ((names.GEN_AI_AGENT_NAME, agent or None), (agentotel_names.TENANT_ID, tenant or None),
                           (names.ERROR_TYPE, error_type or None)))
    return attributes


def llm_metric(names: SimpleNamespace, call: LLMCall, agent: str | None, tenant: str | None) -> dict[str, Any]:
    """An LLM call's metric attributes (without ``error.type``: the token points carry none)."""
    attributes = metric_base(names, call.operation, agent, tenant, None)
    put_known(attributes, ((names.GEN_AI_PROVIDER_NAME, call.provider or None),
                           (names.GEN_AI_REQUEST_MODEL, call.request_model or None),
                           (names.GEN_AI_RESPONSE_MODEL, call.response_model or None)))
    return attributes
