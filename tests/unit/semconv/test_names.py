"""The GenAI semantic-convention names agentotel emits: v1.41.0 and the newest development names."""

from __future__ import annotations

from pathlib import Path

import pytest
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as otel_attrs
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics as otel_metrics
from opentelemetry.trace import SpanKind

from agentotel.semconv import genai, latest, resolve


def _constants(module) -> dict[str, object]:
    return {key: value for key, value in vars(module).items() if key.isupper()}


def test_crucial_v1_41_names_are_pinned():
    """A careless rename of a name dashboards, rules and backends key on fails here."""
    assert genai.GEN_AI_OPERATION_NAME == "gen_ai.operation.name"
    assert genai.GEN_AI_PROVIDER_NAME == "gen_ai.provider.name"
    assert genai.GEN_AI_REQUEST_MODEL == "gen_ai.request.model"
    assert genai.GEN_AI_RESPONSE_MODEL == "gen_ai.response.model"
    assert genai.GEN_AI_USAGE_INPUT_TOKENS == "gen_ai.usage.input_tokens"
    assert genai.GEN_AI_USAGE_OUTPUT_TOKENS == "gen_ai.usage.output_tokens"
    assert genai.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS == "gen_ai.usage.cache_read.input_tokens"
    assert genai.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS == "gen_ai.usage.cache_creation.input_tokens"
    assert genai.GEN_AI_CONVERSATION_ID == "gen_ai.conversation.id"
    assert genai.GEN_AI_AGENT_NAME == "gen_ai.agent.name"
    assert genai.GEN_AI_TOOL_NAME == "gen_ai.tool.name"
    assert genai.GEN_AI_DATA_SOURCE_ID == "gen_ai.data_source.id"
    assert genai.GEN_AI_TOKEN_TYPE == "gen_ai.token.type"
    assert (genai.TOKEN_TYPE_INPUT, genai.TOKEN_TYPE_OUTPUT) == ("input", "output")
    assert genai.METRIC_CLIENT_OPERATION_DURATION == "gen_ai.client.operation.duration"
    assert genai.METRIC_CLIENT_TOKEN_USAGE == "gen_ai.client.token.usage"
    assert genai.METRIC_CLIENT_TIME_TO_FIRST_CHUNK == "gen_ai.client.operation.time_to_first_chunk"
    assert genai.EVENT_INFERENCE_DETAILS == "gen_ai.client.inference.operation.details"
    assert genai.EVENT_EVALUATION_RESULT == "gen_ai.evaluation.result"
    assert genai.SCHEMA_URL == "https://opentelemetry.io/schemas/1.41.0"


def test_operation_and_provider_values_are_the_spec_values():
    """Operation and provider values are exactly the spec's well-known values."""
    assert genai.OPERATIONS == {"chat", "text_completion", "generate_content", "embeddings", "create_agent",
                                "invoke_agent", "execute_tool", "retrieval", "invoke_workflow"}
    assert genai.PROVIDERS == {"openai", "azure.ai.openai", "azure.ai.inference", "anthropic", "gcp.gen_ai",
                               "gcp.gemini", "gcp.vertex_ai", "mistral_ai", "groq", "deepseek", "x_ai",
                               "perplexity", "aws.bedrock", "cohere", "ibm.watsonx.ai"}
    assert {genai.OUTPUT_TYPE_TEXT, genai.OUTPUT_TYPE_JSON, genai.OUTPUT_TYPE_IMAGE,
            genai.OUTPUT_TYPE_SPEECH} == {"text", "json", "image", "speech"}


def test_names_match_opentelemetrys_generated_constants():
    """Every gen_ai attribute we name is one OpenTelemetry generates, with the same value."""
    ours = _constants(genai)
    theirs = {k: v for k, v in vars(otel_attrs).items() if k.startswith("GEN_AI_")}
    ours_genai = sorted(k for k in ours if k.startswith("GEN_AI_"))
    assert len(ours_genai) >= 50
    assert set(ours_genai) <= set(theirs), sorted(set(ours_genai) - set(theirs))
    assert {k: ours[k] for k in ours_genai} == {k: theirs[k] for k in ours_genai}
    assert {v.value for v in otel_attrs.GenAiOperationNameValues} == genai.OPERATIONS
    assert {v.value for v in otel_attrs.GenAiProviderNameValues} == genai.PROVIDERS
    assert {v.value for v in otel_attrs.GenAiOutputTypeValues} == {"text", "json", "image", "speech"}
    assert {v.value for v in otel_attrs.GenAiTokenTypeValues} == {genai.TOKEN_TYPE_INPUT, genai.TOKEN_TYPE_OUTPUT}
    assert otel_metrics.GEN_AI_CLIENT_OPERATION_DURATION == genai.METRIC_CLIENT_OPERATION_DURATION
    assert otel_metrics.GEN_AI_CLIENT_TOKEN_USAGE == genai.METRIC_CLIENT_TOKEN_USAGE
    assert otel_metrics.GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK == genai.METRIC_CLIENT_TIME_TO_FIRST_CHUNK
    assert otel_metrics.GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK == genai.METRIC_CLIENT_TIME_PER_OUTPUT_CHUNK


BUCKETS = {
    "DURATION_BUCKETS": genai.DURATION_BUCKETS,
    "TOKEN_BUCKETS": genai.TOKEN_BUCKETS,
    "TTFC_BUCKETS": genai.TTFC_BUCKETS,
    "TIME_PER_OUTPUT_CHUNK_BUCKETS": genai.TIME_PER_OUTPUT_CHUNK_BUCKETS,
    "METRIC_CLIENT_INFERENCE_DURATION_BUCKETS": latest.ADDITIONS["METRIC_CLIENT_INFERENCE_DURATION_BUCKETS"],
    "METRIC_CLIENT_INFERENCE_OPERATION_TOKENS_BUCKETS":
        latest.ADDITIONS["METRIC_CLIENT_INFERENCE_OPERATION_TOKENS_BUCKETS"],
}


@pytest.mark.parametrize("name", sorted(BUCKETS))
def test_bucket_boundaries_are_strictly_increasing(name):
    """Histogram advice is a non-empty tuple of positive, strictly increasing boundaries."""
    buckets = BUCKETS[name]
    assert isinstance(buckets, tuple) and buckets
    assert buckets[0] > 0
    assert all(a < b for a, b in zip(buckets, buckets[1:])), buckets


def test_bucket_boundaries_are_the_spec_advice():
    """Durations double from 10 ms to 81.92 s and token counts quadruple from 1 to 4**13."""
    assert genai.DURATION_BUCKETS == tuple(round(0.01 * 2**i, 2) for i in range(14))
    assert genai.TOKEN_BUCKETS == tuple(4**i for i in range(14))
    assert latest.ADDITIONS["METRIC_CLIENT_INFERENCE_DURATION_BUCKETS"] == genai.DURATION_BUCKETS
    assert latest.ADDITIONS["METRIC_CLIENT_INFERENCE_OPERATION_TOKENS_BUCKETS"] == genai.TOKEN_BUCKETS


def test_span_kind_is_defined_for_every_operation():
    """Model, retrieval and agent-creation spans are CLIENT; tools, workflows, local agents INTERNAL."""
    assert set(genai.SPAN_KIND_BY_OPERATION) == genai.OPERATIONS
    assert set(genai.SPAN_NAME_ATTRIBUTE_BY_OPERATION) == genai.OPERATIONS
    for op in genai.LLM_OPERATIONS | {genai.OP_RETRIEVAL, genai.OP_CREATE_AGENT}:
        assert genai.SPAN_KIND_BY_OPERATION[op] is SpanKind.CLIENT, op
    for op in (genai.OP_EXECUTE_TOOL, genai.OP_INVOKE_WORKFLOW, genai.OP_INVOKE_AGENT):
        assert genai.SPAN_KIND_BY_OPERATION[op] is SpanKind.INTERNAL, op
    assert genai.INVOKE_AGENT_REMOTE_SPAN_KIND is SpanKind.CLIENT


def test_renames_refer_to_existing_constants_and_change_them():
    """Every rename names a v1.41.0 constant and gives it a different dotted name."""
    ours = _constants(genai)
    assert latest.RENAMES
    for key, value in latest.RENAMES.items():
        assert key in ours, key
        assert isinstance(value, str) and value.startswith("gen_ai.") and value != ours[key], key
    assert latest.RENAMES["GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS"] == "gen_ai.usage.cache_write.input_tokens"


def test_additions_and_replacements_do_not_shadow_v1_41_names():
    """Additions are new constants; replaced and retyped ones are v1.41.0 constants."""
    ours = _constants(genai)
    assert not set(latest.ADDITIONS) & set(ours)
    assert not set(latest.ADDITIONS) & set(latest.RENAMES)
    assert set(latest.REPLACED) <= set(ours)
    assert set(latest.TYPE_CHANGES) <= set(ours)
    known_ops = genai.OPERATIONS | {v for k, v in latest.ADDITIONS.items() if k.startswith("OP_")}
    assert set(latest.DURATION_METRIC_BY_OPERATION) <= known_ops
    assert set(latest.SPAN_TYPE_BY_OPERATION) <= known_ops


def test_resolve_switches_names_only_when_latest_is_asked_for():
    """The default names are v1.41.0; the opt-in lays the newest names and schema URL over them."""
    default, newest = resolve(False), resolve(True)
    assert default.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS == "gen_ai.usage.cache_creation.input_tokens"
    assert default.SCHEMA_URL == genai.SCHEMA_URL
    assert not hasattr(default, "METRIC_CLIENT_INFERENCE_DURATION")
    assert newest.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS == "gen_ai.usage.cache_write.input_tokens"
    assert newest.METRIC_CLIENT_TIME_TO_FIRST_CHUNK == "gen_ai.client.inference.time_to_first_chunk"
    assert newest.METRIC_CLIENT_INFERENCE_DURATION == "gen_ai.client.inference.duration"
    assert newest.SCHEMA_URL == latest.SCHEMA_URL
    assert newest.GEN_AI_REQUEST_MODEL == default.GEN_AI_REQUEST_MODEL


def test_every_name_is_documented():
    """docs/semconv.md lists every constant with its v1.41.0 value, and every rename."""
    doc = (Path(__file__).resolve().parents[3] / "docs" / "semconv.md").read_text()
    for key, value in _constants(genai).items():
        if isinstance(value, str) and key.startswith(("GEN_AI_", "OP_", "PROVIDER_", "METRIC_", "EVENT_")):
            if key.endswith(("_UNIT", "_DESCRIPTION")):
                continue
            assert f"| `{key}` | `{value}` |" in doc, key
    for key, value in latest.RENAMES.items():
        assert f"| `{key}` | `{getattr(genai, key)}` | `{value}` |" in doc, key
