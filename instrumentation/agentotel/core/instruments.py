"""The metric instruments, created once per meter with the spec's explicit bucket boundaries."""

from __future__ import annotations

import time
from types import SimpleNamespace

from opentelemetry.metrics import CallbackOptions, Meter, Observation

from ..semconv import agentotel_names as A
from .sums import ObservedSum


def _histogram(meter: Meter, spec: tuple[str, str, str], buckets):
    name, unit, description = spec
    return meter.create_histogram(name, unit=unit, description=description,
                                  explicit_bucket_boundaries_advisory=list(buckets))


def _heartbeat(options: CallbackOptions):
    return [Observation(time.time())]


def instruments_for(meter: Meter, names: SimpleNamespace, latest_experimental: bool) -> "Instruments":
    return (LatestInstruments if latest_experimental else Instruments)(meter, names)


class Instruments:
    """All of agentotel's instruments on one meter, as the v1.41.0 conventions define them:
    one duration histogram for every GenAI operation, one token histogram split by token type."""

    def __init__(self, meter: Meter, names: SimpleNamespace):
        n = self.n = names
        self.operation_duration = meter.create_histogram(
            n.METRIC_CLIENT_OPERATION_DURATION, unit="s", description="GenAI operation duration.",
            explicit_bucket_boundaries_advisory=list(n.DURATION_BUCKETS))
        self.token_usage = meter.create_histogram(
            n.METRIC_CLIENT_TOKEN_USAGE, unit="{token}", description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=list(n.TOKEN_BUCKETS))
        self.time_to_first_chunk = meter.create_histogram(
            n.METRIC_CLIENT_TIME_TO_FIRST_CHUNK, unit="s", description="Time to receive the first chunk of a streamed response.",
            explicit_bucket_boundaries_advisory=list(getattr(n, "TTFC_BUCKETS", n.DURATION_BUCKETS)))
        # Added to on every LLM call: a running sum the SDK reads when it collects (``sums``).
        self.cost = ObservedSum(meter, *A.METRIC_LLM_COST)
        self.unpriced = meter.create_counter(A.METRIC_UNPRICED_CALLS[0], unit=A.METRIC_UNPRICED_CALLS[1], description=A.METRIC_UNPRICED_CALLS[2])
        self.conversations = meter.create_counter(A.METRIC_CONVERSATIONS[0], unit=A.METRIC_CONVERSATIONS[1], description=A.METRIC_CONVERSATIONS[2])
        self.escalations = meter.create_counter(A.METRIC_ESCALATIONS[0], unit=A.METRIC_ESCALATIONS[1], description=A.METRIC_ESCALATIONS[2])
        self.active = meter.create_up_down_counter(A.METRIC_ACTIVE_CONVERSATIONS[0], unit=A.METRIC_ACTIVE_CONVERSATIONS[1], description=A.METRIC_ACTIVE_CONVERSATIONS[2])
        self.conversation_duration = _histogram(meter, A.METRIC_CONVERSATION_DURATION, A.CONVERSATION_DURATION_BUCKETS)
        self.first_response = _histogram(meter, A.METRIC_FIRST_RESPONSE, A.FIRST_RESPONSE_BUCKETS)
        self.conversation_cost = _histogram(meter, A.METRIC_CONVERSATION_COST, A.COST_BUCKETS)
        self.conversation_tokens = _histogram(meter, A.METRIC_CONVERSATION_TOKENS, A.CONVERSATION_TOKEN_BUCKETS)
        self.feedback = _histogram(meter, A.METRIC_FEEDBACK_SCORE, A.SCORE_BUCKETS)
        self.retrieval_searches = meter.create_counter(A.METRIC_RETRIEVAL_SEARCHES[0], unit=A.METRIC_RETRIEVAL_SEARCHES[1], description=A.METRIC_RETRIEVAL_SEARCHES[2])
        self.retrieval_similarity = _histogram(meter, A.METRIC_RETRIEVAL_SIMILARITY, A.SIMILARITY_BUCKETS)
        self.evaluations = meter.create_counter(A.METRIC_EVALUATIONS[0], unit=A.METRIC_EVALUATIONS[1], description=A.METRIC_EVALUATIONS[2])
        self.evaluation_score = _histogram(meter, A.METRIC_EVALUATION_SCORE, A.EVALUATION_SCORE_BUCKETS)
        self.business_events = meter.create_counter(A.METRIC_BUSINESS_EVENTS[0], unit=A.METRIC_BUSINESS_EVENTS[1], description=A.METRIC_BUSINESS_EVENTS[2])
        self.business_value = meter.create_counter(A.METRIC_BUSINESS_VALUE[0], unit=A.METRIC_BUSINESS_VALUE[1], description=A.METRIC_BUSINESS_VALUE[2])
        # The app's heartbeat: the time of each collection. When the app is down it stops advancing,
        # while the last exported value may still be served (the service-down alert reads its age).
        self.heartbeat = meter.create_observable_gauge(
            A.METRIC_HEARTBEAT[0], callbacks=[_heartbeat], unit=A.METRIC_HEARTBEAT[1], description=A.METRIC_HEARTBEAT[2])

    # ``context``: the context the measurement was made in (exemplars link to its span); the
    # emitter records from its background worker, where the current context is another one.
    def record_duration(self, operation: str, seconds: float, attributes: dict, context=None) -> None:
        self.operation_duration.record(seconds, attributes, context)

    def record_tokens(self, input_tokens: int, output_tokens: int, attributes: dict, counts=None, context=None) -> None:
        n = self.n
        self.token_usage.record(input_tokens, {**attributes, n.GEN_AI_TOKEN_TYPE: n.TOKEN_TYPE_INPUT}, context)
        if output_tokens or attributes.get(n.GEN_AI_OPERATION_NAME) != n.OP_EMBEDDINGS:
            self.token_usage.record(output_tokens, {**attributes, n.GEN_AI_TOKEN_TYPE: n.TOKEN_TYPE_OUTPUT}, context)


class LatestInstruments(Instruments):
    """The newest development conventions: durations split by kind of operation (inference,
    invocation, tool), token usage as counters per category plus per-call histograms."""

    def __init__(self, meter: Meter, names: SimpleNamespace):
        super().__init__(meter, names)
        n = names
        buckets = list(n.DURATION_BUCKETS)
        self.inference_duration = meter.create_histogram(
            n.METRIC_CLIENT_INFERENCE_DURATION, unit="s", description="Duration of a model inference call.",
            explicit_bucket_boundaries_advisory=buckets)
        self.invocation_duration = meter.create_histogram(
            n.METRIC_INVOCATION_DURATION, unit="s", description="Duration of an agent or workflow invocation.",
            explicit_bucket_boundaries_advisory=buckets)
        self.tool_duration = meter.create_histogram(
            n.METRIC_EXECUTE_TOOL_DURATION, unit="s", description="Duration of a tool execution.",
            explicit_bucket_boundaries_advisory=buckets)
        self.usage = {
            key: ObservedSum(meter, getattr(n, f"METRIC_CLIENT_INFERENCE_USAGE_{key.upper()}_TOKENS"), unit="{token}")
            for key in ("input", "output", "cache_read_input", "cache_write_input", "reasoning_output")
        }
        token_buckets = list(n.METRIC_CLIENT_INFERENCE_OPERATION_TOKENS_BUCKETS)
        self.call_input = meter.create_histogram(n.METRIC_CLIENT_INFERENCE_OPERATION_INPUT_TOKENS, unit="{token}",
                                                 explicit_bucket_boundaries_advisory=token_buckets)
        self.call_output = meter.create_histogram(n.METRIC_CLIENT_INFERENCE_OPERATION_OUTPUT_TOKENS, unit="{token}",
                                                  explicit_bucket_boundaries_advisory=token_buckets)
        self._by_operation = {
            n.OP_INVOKE_AGENT: self.invocation_duration,
            n.OP_INVOKE_WORKFLOW: self.invocation_duration,
            n.OP_EXECUTE_TOOL: self.tool_duration,
            n.OP_RETRIEVAL: self.operation_duration,
        }

    def record_duration(self, operation: str, seconds: float, attributes: dict, context=None) -> None:
        self._by_operation.get(operation, self.inference_duration).record(seconds, attributes, context)

    def record_tokens(self, input_tokens: int, output_tokens: int, attributes: dict, counts=None, context=None) -> None:
        self.usage["input"].add(input_tokens, attributes, context)
        self.usage["output"].add(output_tokens, attributes, context)
        if counts is not None:
            for key, value in (("cache_read_input", counts.cache_read), ("cache_write_input", counts.cache_write),
                               ("reasoning_output", counts.reasoning)):
                if value:
                    self.usage[key].add(value, attributes, context)
        self.call_input.record(input_tokens, attributes, context)
        self.call_output.record(output_tokens, attributes, context)
