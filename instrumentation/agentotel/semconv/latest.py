"""How the newest GenAI development conventions differ from v1.41.0 (``genai``).

The GenAI conventions now live in open-telemetry/semantic-conventions-genai, where everything is at
development stability, releases go out on a development channel (schema URLs under
``gen-ai-dev``) and ``main`` changes weekly. The data
below follows that repository at commit e9de14bafd9725937c6b0c219897260074a2896c
(``model/gen-ai/registry.yaml``, ``metrics.yaml``, ``spans.yaml``), with the token metrics from
``model/gen-ai/token-metrics.yaml`` at 066d4a7f356f8600de6f10c42874626ab88692fb and the bucket
boundaries from ``docs/gen-ai/client-inference.md`` at 024a4f944a1291fcb627c9c47da69e79868dd15e
and ``docs/gen-ai/gen-ai-token-metrics.md`` at 066d4a7f.

``RENAMES`` and ``ADDITIONS`` map constant names to values and are what
``semconv.resolve(latest_experimental=True)`` lays over ``genai``:

- ``RENAMES``: a ``genai`` constant whose thing is unchanged but whose name is new.
- ``ADDITIONS``: constants that exist only in the newest conventions.

Changes that are not a one-to-one rename cannot be applied by swapping a string and are listed for
the emitting code to handle: ``REPLACED`` (one v1.41.0 signal became several),
``DURATION_METRIC_BY_OPERATION`` (the one duration histogram split by operation),
``TYPE_CHANGES`` and ``SPAN_TYPE_BY_OPERATION``.
"""

from opentelemetry.trace import SpanKind

SCHEMA_URL = "https://opentelemetry.io/schemas/gen-ai-dev/1.42.0-dev"

RENAMES = {
    # #440: cache_creation became cache_write.
    "GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS": "gen_ai.usage.cache_write.input_tokens",
    # The streaming histograms moved under gen_ai.client.inference.*, unit and buckets unchanged.
    "METRIC_CLIENT_TIME_TO_FIRST_CHUNK": "gen_ai.client.inference.time_to_first_chunk",
    "METRIC_CLIENT_TIME_PER_OUTPUT_CHUNK": "gen_ai.client.inference.time_per_output_chunk",
}

_INFERENCE_USAGE = "gen_ai.client.inference.usage."
_INFERENCE_OPERATION = "gen_ai.client.inference.operation."

ADDITIONS = {
    # gen_ai.operation.name values.
    "OP_HANDLE_CONVERSATION_TURN": "handle_conversation_turn",
    "OP_PLAN": "plan",
    "OP_FETCH_RESPONSE": "fetch_response",
    "OP_SEARCH_MEMORY": "search_memory",
    "OP_CREATE_MEMORY": "create_memory",
    "OP_UPDATE_MEMORY": "update_memory",
    "OP_UPSERT_MEMORY": "upsert_memory",
    "OP_DELETE_MEMORY": "delete_memory",
    "OP_CREATE_MEMORY_STORE": "create_memory_store",
    "OP_DELETE_MEMORY_STORE": "delete_memory_store",
    # gen_ai.provider.name values.
    "PROVIDER_MOONSHOT_AI": "moonshot_ai",
    # Request, response and conversation attributes.
    "GEN_AI_REQUEST_REASONING_LEVEL": "gen_ai.request.reasoning.level",
    "GEN_AI_REQUEST_PREVIOUS_RESPONSE_ID": "gen_ai.request.previous_response.id",
    "GEN_AI_REQUEST_STREAM_CURSOR": "gen_ai.request.stream_cursor",
    "GEN_AI_RESPONSE_STATUS": "gen_ai.response.status",
    "GEN_AI_CONVERSATION_COMPACTED": "gen_ai.conversation.compacted",
    "GEN_AI_PROMPT_VERSION": "gen_ai.prompt.version",
    # A template attribute: the variable name is appended after a dot.
    "GEN_AI_PROMPT_VARIABLE_PREFIX": "gen_ai.prompt.variable",
    "GEN_AI_RETRIEVAL_TOP_K": "gen_ai.retrieval.top_k",
    # Usage broken down by modality; each is a subset of the matching total.
    "GEN_AI_USAGE_TEXT_INPUT_TOKENS": "gen_ai.usage.text.input_tokens",
    "GEN_AI_USAGE_IMAGE_INPUT_TOKENS": "gen_ai.usage.image.input_tokens",
    "GEN_AI_USAGE_AUDIO_INPUT_TOKENS": "gen_ai.usage.audio.input_tokens",
    "GEN_AI_USAGE_TEXT_OUTPUT_TOKENS": "gen_ai.usage.text.output_tokens",
    "GEN_AI_USAGE_IMAGE_OUTPUT_TOKENS": "gen_ai.usage.image.output_tokens",
    "GEN_AI_USAGE_AUDIO_OUTPUT_TOKENS": "gen_ai.usage.audio.output_tokens",
    "GEN_AI_USAGE_TEXT_CACHE_READ_INPUT_TOKENS": "gen_ai.usage.text.cache_read.input_tokens",
    "GEN_AI_USAGE_IMAGE_CACHE_READ_INPUT_TOKENS": "gen_ai.usage.image.cache_read.input_tokens",
    "GEN_AI_USAGE_AUDIO_CACHE_READ_INPUT_TOKENS": "gen_ai.usage.audio.cache_read.input_tokens",
    # gen_ai.token.modality: required on the usage counters; `unknown` when the provider gives
    # no breakdown (and for the 0 recorded when no usage arrived).
    "GEN_AI_TOKEN_MODALITY": "gen_ai.token.modality",
    "TOKEN_MODALITY_TEXT": "text",
    "TOKEN_MODALITY_IMAGE": "image",
    "TOKEN_MODALITY_AUDIO": "audio",
    "TOKEN_MODALITY_UNKNOWN": "unknown",
    # Agents, invocations and skills.
    "GEN_AI_INVOCATION_IS_NESTED": "gen_ai.invocation.is_nested",
    "GEN_AI_MAIN_AGENT_ID": "gen_ai.main_agent.id",
    "GEN_AI_MAIN_AGENT_NAME": "gen_ai.main_agent.name",
    "GEN_AI_MAIN_AGENT_DESCRIPTION": "gen_ai.main_agent.description",
    "GEN_AI_SKILL_NAME": "gen_ai.skill.name",
    "GEN_AI_SKILL_DESCRIPTION": "gen_ai.skill.description",
    "GEN_AI_SKILL_SOURCE_URI": "gen_ai.skill.source.uri",
    "GEN_AI_SKILL_RESOURCE_NAME": "gen_ai.skill.resource.name",
    # Memory operations.
    "GEN_AI_MEMORY_STORE_ID": "gen_ai.memory.store.id",
    "GEN_AI_MEMORY_RECORD_ID": "gen_ai.memory.record.id",
    "GEN_AI_MEMORY_RECORD_COUNT": "gen_ai.memory.record.count",
    "GEN_AI_MEMORY_QUERY_TEXT": "gen_ai.memory.query.text",
    "GEN_AI_MEMORY_RECORDS": "gen_ai.memory.records",
    # Metrics. Inference (chat, text_completion, generate_content) has its own duration.
    "METRIC_CLIENT_INFERENCE_DURATION": "gen_ai.client.inference.duration",
    "METRIC_CLIENT_INFERENCE_DURATION_BUCKETS": (
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92),
    # Monotonic int counters, one per token category, dimensioned by gen_ai.token.modality;
    # cache_read/cache_write are subsets of input, reasoning a subset of output.
    "METRIC_CLIENT_INFERENCE_USAGE_INPUT_TOKENS": _INFERENCE_USAGE + "input_tokens",
    "METRIC_CLIENT_INFERENCE_USAGE_OUTPUT_TOKENS": _INFERENCE_USAGE + "output_tokens",
    "METRIC_CLIENT_INFERENCE_USAGE_CACHE_READ_INPUT_TOKENS": _INFERENCE_USAGE + "cache_read.input_tokens",
    "METRIC_CLIENT_INFERENCE_USAGE_CACHE_WRITE_INPUT_TOKENS": _INFERENCE_USAGE + "cache_write.input_tokens",
    "METRIC_CLIENT_INFERENCE_USAGE_REASONING_OUTPUT_TOKENS": _INFERENCE_USAGE + "reasoning.output_tokens",
    # Per-call int histograms (not by modality, with error.type), for percentiles only.
    "METRIC_CLIENT_INFERENCE_OPERATION_INPUT_TOKENS": _INFERENCE_OPERATION + "input_tokens",
    "METRIC_CLIENT_INFERENCE_OPERATION_OUTPUT_TOKENS": _INFERENCE_OPERATION + "output_tokens",
    "METRIC_CLIENT_INFERENCE_OPERATION_TOKENS_BUCKETS": (
        1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864),
    # In-process agent, workflow and conversation-turn invocations; requires
    # gen_ai.operation.name and gen_ai.invocation.is_nested.
    "METRIC_INVOCATION_DURATION": "gen_ai.invocation.duration",
    # One tool execution; requires gen_ai.tool.name.
    "METRIC_EXECUTE_TOOL_DURATION": "gen_ai.execute_tool.duration",
    # Per agent invocation: the model calls and client-side tool calls it made itself.
    "METRIC_INVOKE_AGENT_INFERENCE_CALLS": "gen_ai.invoke_agent.inference_calls",
    "METRIC_INVOKE_AGENT_TOOL_CALLS": "gen_ai.invoke_agent.tool_calls",
    "UNIT_INFERENCE_CALL": "{inference_call}",
    "UNIT_TOOL_CALL": "{tool_call}",
}

# v1.41.0 signals that became several, or went away with nothing in their place.
REPLACED = {
    # #374: the token histogram (split by gen_ai.token.type) became the usage counters and the
    # two per-call histograms above.
    "METRIC_CLIENT_TOKEN_USAGE": (
        ADDITIONS["METRIC_CLIENT_INFERENCE_USAGE_INPUT_TOKENS"],
        ADDITIONS["METRIC_CLIENT_INFERENCE_USAGE_OUTPUT_TOKENS"],
        ADDITIONS["METRIC_CLIENT_INFERENCE_OPERATION_INPUT_TOKENS"],
        ADDITIONS["METRIC_CLIENT_INFERENCE_OPERATION_OUTPUT_TOKENS"],
    ),
    # Removed together with gen_ai.client.token.usage; the direction is now in the metric name.
    "GEN_AI_TOKEN_TYPE": (),
    "TOKEN_TYPE_INPUT": (),
    "TOKEN_TYPE_OUTPUT": (),
}

# gen_ai.client.operation.duration still exists but SHOULD NOT be reported for inference; these
# operations each have their own histogram (seconds, the v1.41.0 duration buckets).
# invoke_agent goes to gen_ai.invocation.duration only when the agent runs in this process: a
# remote agent (CLIENT span) stays on gen_ai.client.operation.duration.
DURATION_METRIC_BY_OPERATION = {
    "chat": ADDITIONS["METRIC_CLIENT_INFERENCE_DURATION"],
    "text_completion": ADDITIONS["METRIC_CLIENT_INFERENCE_DURATION"],
    "generate_content": ADDITIONS["METRIC_CLIENT_INFERENCE_DURATION"],
    "invoke_agent": ADDITIONS["METRIC_INVOCATION_DURATION"],
    "invoke_workflow": ADDITIONS["METRIC_INVOCATION_DURATION"],
    "handle_conversation_turn": ADDITIONS["METRIC_INVOCATION_DURATION"],
    "execute_tool": ADDITIONS["METRIC_EXECUTE_TOOL_DURATION"],
}
DEFAULT_DURATION_METRIC = "gen_ai.client.operation.duration"

# Same name, different value type.
TYPE_CHANGES = {"GEN_AI_REQUEST_TOP_K": ("double", "int")}

# The span definition each operation follows, and its kind. Kinds and span-name formats are as
# in v1.41.0; in-process agents and workflows now share one span definition.
SPAN_TYPE_BY_OPERATION = {
    "chat": ("gen_ai.client.inference", SpanKind.CLIENT),
    "text_completion": ("gen_ai.client.inference", SpanKind.CLIENT),
    "generate_content": ("gen_ai.client.inference", SpanKind.CLIENT),
    "embeddings": ("gen_ai.embeddings.client", SpanKind.CLIENT),
    "retrieval": ("gen_ai.retrieval.client", SpanKind.CLIENT),
    "create_agent": ("gen_ai.create_agent.client", SpanKind.CLIENT),
    "invoke_agent": ("gen_ai.invocation.internal", SpanKind.INTERNAL),
    "invoke_workflow": ("gen_ai.invocation.internal", SpanKind.INTERNAL),
    "handle_conversation_turn": ("gen_ai.invocation.internal", SpanKind.INTERNAL),
    "execute_tool": ("gen_ai.execute_tool.internal", SpanKind.INTERNAL),
    "plan": ("gen_ai.plan.internal", SpanKind.INTERNAL),
    "fetch_response": ("gen_ai.fetch_response.client", SpanKind.CLIENT),
}
INVOKE_AGENT_REMOTE_SPAN_TYPE = ("gen_ai.invoke_agent.client", SpanKind.CLIENT)
