"""OpenTelemetry GenAI semantic conventions, v1.41.0.

Names as the spec defines them; nothing here is agentotel's own (see ``agentotel_names``).
The newest development names that ``OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental``
switches to are in ``latest``.

v1.41.0 is the last release of open-telemetry/semantic-conventions in which the GenAI conventions
are current; v1.42.0 deprecated every ``gen_ai.*`` name there and moved the conventions to
open-telemetry/semantic-conventions-genai, without renaming anything. Where each group was checked
is listed in ``docs/semconv.md``: attribute, enum and metric names and units against the code
generated from the v1.41.0 tag (opentelemetry-go ``semconv/v1.41.0``), bucket boundaries and
span kinds against the spec's own Markdown and YAML.
"""

from opentelemetry.trace import SpanKind

SCHEMA_URL = "https://opentelemetry.io/schemas/1.41.0"

# --- gen_ai.operation.name values -----------------------------------------------------------
OP_CHAT = "chat"
OP_TEXT_COMPLETION = "text_completion"
OP_GENERATE_CONTENT = "generate_content"
OP_EMBEDDINGS = "embeddings"
OP_CREATE_AGENT = "create_agent"
OP_INVOKE_AGENT = "invoke_agent"
OP_EXECUTE_TOOL = "execute_tool"
OP_RETRIEVAL = "retrieval"
OP_INVOKE_WORKFLOW = "invoke_workflow"

# The operations that call a model (the spec's inference and embeddings spans).
LLM_OPERATIONS = frozenset({OP_CHAT, OP_TEXT_COMPLETION, OP_GENERATE_CONTENT, OP_EMBEDDINGS})
OPERATIONS = frozenset(LLM_OPERATIONS | {OP_CREATE_AGENT, OP_INVOKE_AGENT, OP_EXECUTE_TOOL,
                                         OP_RETRIEVAL, OP_INVOKE_WORKFLOW})

# --- gen_ai.provider.name values (the complete v1.41.0 list) --------------------------------
PROVIDER_OPENAI = "openai"
PROVIDER_AZURE_OPENAI = "azure.ai.openai"
PROVIDER_AZURE_AI_INFERENCE = "azure.ai.inference"
PROVIDER_ANTHROPIC = "anthropic"
PROVIDER_GCP_GEN_AI = "gcp.gen_ai"  # any Google endpoint when the backend is unknown
PROVIDER_GCP_GEMINI = "gcp.gemini"  # generativelanguage.googleapis.com (AI Studio)
PROVIDER_GCP_VERTEX_AI = "gcp.vertex_ai"  # aiplatform.googleapis.com
PROVIDER_MISTRAL = "mistral_ai"
PROVIDER_GROQ = "groq"
PROVIDER_DEEPSEEK = "deepseek"
PROVIDER_X_AI = "x_ai"
PROVIDER_PERPLEXITY = "perplexity"
PROVIDER_AWS_BEDROCK = "aws.bedrock"
PROVIDER_COHERE = "cohere"
PROVIDER_IBM_WATSONX_AI = "ibm.watsonx.ai"

PROVIDERS = frozenset({
    PROVIDER_OPENAI, PROVIDER_AZURE_OPENAI, PROVIDER_AZURE_AI_INFERENCE, PROVIDER_ANTHROPIC,
    PROVIDER_GCP_GEN_AI, PROVIDER_GCP_GEMINI, PROVIDER_GCP_VERTEX_AI, PROVIDER_MISTRAL, PROVIDER_GROQ,
    PROVIDER_DEEPSEEK, PROVIDER_X_AI, PROVIDER_PERPLEXITY, PROVIDER_AWS_BEDROCK, PROVIDER_COHERE,
    PROVIDER_IBM_WATSONX_AI,
})

# --- gen_ai.output.type values --------------------------------------------------------------
OUTPUT_TYPE_TEXT = "text"
OUTPUT_TYPE_JSON = "json"
OUTPUT_TYPE_IMAGE = "image"
OUTPUT_TYPE_SPEECH = "speech"

# --- attributes -----------------------------------------------------------------------------
GEN_AI_OPERATION_NAME = "gen_ai.operation.name"
GEN_AI_PROVIDER_NAME = "gen_ai.provider.name"
GEN_AI_CONVERSATION_ID = "gen_ai.conversation.id"
GEN_AI_OUTPUT_TYPE = "gen_ai.output.type"
GEN_AI_PROMPT_NAME = "gen_ai.prompt.name"

GEN_AI_REQUEST_MODEL = "gen_ai.request.model"
GEN_AI_REQUEST_TEMPERATURE = "gen_ai.request.temperature"
GEN_AI_REQUEST_TOP_P = "gen_ai.request.top_p"
GEN_AI_REQUEST_TOP_K = "gen_ai.request.top_k"  # a double in v1.41.0, an int in the newest
GEN_AI_REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens"
GEN_AI_REQUEST_FREQUENCY_PENALTY = "gen_ai.request.frequency_penalty"
GEN_AI_REQUEST_PRESENCE_PENALTY = "gen_ai.request.presence_penalty"
GEN_AI_REQUEST_STOP_SEQUENCES = "gen_ai.request.stop_sequences"
GEN_AI_REQUEST_SEED = "gen_ai.request.seed"
GEN_AI_REQUEST_CHOICE_COUNT = "gen_ai.request.choice.count"
GEN_AI_REQUEST_ENCODING_FORMATS = "gen_ai.request.encoding_formats"
GEN_AI_REQUEST_STREAM = "gen_ai.request.stream"  # set only when the request streams

GEN_AI_RESPONSE_ID = "gen_ai.response.id"
GEN_AI_RESPONSE_MODEL = "gen_ai.response.model"
GEN_AI_RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons"
GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = "gen_ai.response.time_to_first_chunk"  # seconds, a double

# input_tokens includes the cached tokens; output_tokens includes the reasoning tokens.
GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens"
GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read.input_tokens"
GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = "gen_ai.usage.cache_creation.input_tokens"
GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = "gen_ai.usage.reasoning.output_tokens"

GEN_AI_EMBEDDINGS_DIMENSION_COUNT = "gen_ai.embeddings.dimension.count"

# Content attributes (opt-in): structured per the spec's JSON schemas.
GEN_AI_INPUT_MESSAGES = "gen_ai.input.messages"
GEN_AI_OUTPUT_MESSAGES = "gen_ai.output.messages"
GEN_AI_SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions"
GEN_AI_TOOL_DEFINITIONS = "gen_ai.tool.definitions"

GEN_AI_AGENT_ID = "gen_ai.agent.id"
GEN_AI_AGENT_NAME = "gen_ai.agent.name"
GEN_AI_AGENT_DESCRIPTION = "gen_ai.agent.description"
GEN_AI_AGENT_VERSION = "gen_ai.agent.version"
GEN_AI_WORKFLOW_NAME = "gen_ai.workflow.name"

GEN_AI_TOOL_NAME = "gen_ai.tool.name"
GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id"
GEN_AI_TOOL_DESCRIPTION = "gen_ai.tool.description"
GEN_AI_TOOL_TYPE = "gen_ai.tool.type"
GEN_AI_TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments"
GEN_AI_TOOL_CALL_RESULT = "gen_ai.tool.call.result"

# gen_ai.tool.type is a free string; the spec's examples and their meaning.
TOOL_TYPE_FUNCTION = "function"  # run by the client with arguments the model produced
TOOL_TYPE_EXTENSION = "extension"  # run agent-side, calling an external API
TOOL_TYPE_DATASTORE = "datastore"  # queries data for retrieval-augmented tasks

GEN_AI_DATA_SOURCE_ID = "gen_ai.data_source.id"
GEN_AI_RETRIEVAL_QUERY_TEXT = "gen_ai.retrieval.query.text"  # opt-in: may hold user data
GEN_AI_RETRIEVAL_DOCUMENTS = "gen_ai.retrieval.documents"  # opt-in: [{"id": ..., "score": ...}]

GEN_AI_TOKEN_TYPE = "gen_ai.token.type"
TOKEN_TYPE_INPUT = "input"
TOKEN_TYPE_OUTPUT = "output"

GEN_AI_EVALUATION_NAME = "gen_ai.evaluation.name"
GEN_AI_EVALUATION_SCORE_VALUE = "gen_ai.evaluation.score.value"
GEN_AI_EVALUATION_SCORE_LABEL = "gen_ai.evaluation.score.label"
GEN_AI_EVALUATION_EXPLANATION = "gen_ai.evaluation.explanation"

# General attributes the GenAI spans and metrics use.
ERROR_TYPE = "error.type"
ERROR_TYPE_OTHER = "_OTHER"  # the stable fallback value when no better class is known
SERVER_ADDRESS = "server.address"
SERVER_PORT = "server.port"
HTTP_RESPONSE_STATUS_CODE = "http.response.status_code"  # on a captured call's span: the HTTP span's
USER_ID = "user.id"
EXCEPTION_TYPE = "exception.type"
EXCEPTION_MESSAGE = "exception.message"
EXCEPTION_STACKTRACE = "exception.stacktrace"

# --- events ---------------------------------------------------------------------------------
EVENT_EVALUATION_RESULT = "gen_ai.evaluation.result"
EVENT_INFERENCE_DETAILS = "gen_ai.client.inference.operation.details"  # opt-in; severity DEBUG
# Defined in docs/gen-ai/gen-ai-exceptions.md before the conventions moved; carries exception.*
# and SHOULD use severity WARN (13).
EVENT_CLIENT_OPERATION_EXCEPTION = "gen_ai.client.operation.exception"
EVENT_CLIENT_OPERATION_EXCEPTION_SEVERITY_NUMBER = 13

# --- spans: kind and name per operation -----------------------------------------------------
# Inference spans SHOULD be CLIENT (MAY be INTERNAL for a model running in the same process).
# invoke_agent is INTERNAL for an agent in this process and CLIENT for a remote agent service
# (OpenAI Assistants, Bedrock Agents): see INVOKE_AGENT_REMOTE_SPAN_KIND.
SPAN_KIND_BY_OPERATION = {
    OP_CHAT: SpanKind.CLIENT,
    OP_TEXT_COMPLETION: SpanKind.CLIENT,
    OP_GENERATE_CONTENT: SpanKind.CLIENT,
    OP_EMBEDDINGS: SpanKind.CLIENT,
    OP_RETRIEVAL: SpanKind.CLIENT,
    OP_CREATE_AGENT: SpanKind.CLIENT,
    OP_INVOKE_AGENT: SpanKind.INTERNAL,
    OP_EXECUTE_TOOL: SpanKind.INTERNAL,
    OP_INVOKE_WORKFLOW: SpanKind.INTERNAL,
}
INVOKE_AGENT_REMOTE_SPAN_KIND = SpanKind.CLIENT

# Span names as the spec spells them: the operation, then the attribute named in braces. When
# that attribute is unknown the span name is the operation alone.
SPAN_NAME_ATTRIBUTE_BY_OPERATION = {
    OP_CHAT: GEN_AI_REQUEST_MODEL,
    OP_TEXT_COMPLETION: GEN_AI_REQUEST_MODEL,
    OP_GENERATE_CONTENT: GEN_AI_REQUEST_MODEL,
    OP_EMBEDDINGS: GEN_AI_REQUEST_MODEL,
    OP_RETRIEVAL: GEN_AI_DATA_SOURCE_ID,
    OP_CREATE_AGENT: GEN_AI_AGENT_NAME,
    OP_INVOKE_AGENT: GEN_AI_AGENT_NAME,
    OP_EXECUTE_TOOL: GEN_AI_TOOL_NAME,
    OP_INVOKE_WORKFLOW: GEN_AI_WORKFLOW_NAME,
}

# --- metrics: name, unit, description and explicit bucket boundaries -------------------------
UNIT_SECONDS = "s"
UNIT_TOKEN = "{token}"

# The spec's ExplicitBucketBoundaries advice: powers of two from 10 ms, and powers of four tokens.
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)
TTFC_BUCKETS = DURATION_BUCKETS
TIME_PER_OUTPUT_CHUNK_BUCKETS = DURATION_BUCKETS

# Required on every data point; recorded for every operation, with error.type when it failed.
METRIC_CLIENT_OPERATION_DURATION = "gen_ai.client.operation.duration"
METRIC_CLIENT_OPERATION_DURATION_UNIT = UNIT_SECONDS
METRIC_CLIENT_OPERATION_DURATION_DESCRIPTION = "GenAI operation duration."

# An int histogram; each call records its input and its output count, told apart by
# gen_ai.token.type. Billable tokens when the provider reports both.
METRIC_CLIENT_TOKEN_USAGE = "gen_ai.client.token.usage"
METRIC_CLIENT_TOKEN_USAGE_UNIT = UNIT_TOKEN
METRIC_CLIENT_TOKEN_USAGE_DESCRIPTION = "Number of input and output tokens used."

# Streaming calls only.
METRIC_CLIENT_TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk"
METRIC_CLIENT_TIME_TO_FIRST_CHUNK_UNIT = UNIT_SECONDS
METRIC_CLIENT_TIME_TO_FIRST_CHUNK_DESCRIPTION = (
    "Time to receive the first chunk, measured from when the client issues the generation request "
    "to when the first chunk is received in the response stream.")

# Streaming calls only: one value per chunk after the first.
METRIC_CLIENT_TIME_PER_OUTPUT_CHUNK = "gen_ai.client.operation.time_per_output_chunk"
METRIC_CLIENT_TIME_PER_OUTPUT_CHUNK_UNIT = UNIT_SECONDS
METRIC_CLIENT_TIME_PER_OUTPUT_CHUNK_DESCRIPTION = (
    "Time per output chunk, recorded for each chunk received after the first one, measured as the "
    "time elapsed from the end of the previous chunk to the end of the current chunk.")
