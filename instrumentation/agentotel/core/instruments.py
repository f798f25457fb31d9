"""The metric instruments, created once per meter with the spec's explicit bucket boundaries, and
the points an ended operation records on them.

``Instruments`` follows the v1.41.0 conventions, ``LatestInstruments`` the newest development ones.
Each ``record_*`` method records every point of one operation; a point that fails is reported
(``guard``) and the others are still recorded. ``context`` is the context the operation ended in
(exemplars link to its span), since the points may be recorded from the emitter's background worker.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

from opentelemetry.metrics import CallbackOptions, Meter, Observation

from ..semconv import agentotel_names
from .deferral import run as run_each
from .sums import ObservedSum


def _histogram(meter: Meter, spec: tuple[str, str, str], buckets):
    name, unit, description = spec
    return meter.create_histogram(name, unit=unit, description=description,
                                  explicit_bucket_boundaries_advisory=list(buckets))


def _counter(meter: Meter, spec: tuple[str, str, str]):
    name, unit, description = spec
    return meter.create_counter(name, unit=unit, description=description)


def _up_down_counter(meter: Meter, spec: tuple[str, str, str]):
    name, unit, description = spec
    return meter.create_up_down_counter(name, unit=unit, description=description)


def _heartbeat(options: CallbackOptions):
    return [Observation(time.time())]


def instruments_for(meter: Meter, names: SimpleNamespace, latest_experimental: bool) -> "Instruments":
    return (LatestInstruments if latest_experimental else Instruments)(meter, names)


class Instruments:
    """All of agentotel's instruments on one meter, as the v1.41.0 conventions define them:
    one duration histogram for every GenAI operation, one token histogram split by token type."""

    def __init__(self, meter: Meter, names: SimpleNamespace):
        self.names = names
        self.operation_duration = meter.create_histogram(
            names.METRIC_CLIENT_OPERATION_DURATION, unit="s", description="GenAI operation duration.",
            explicit_bucket_boundaries_advisory=list(names.DURATION_BUCKETS))
        self.token_usage = meter.create_histogram(
            names.METRIC_CLIENT_TOKEN_USAGE, unit="{token}", description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=list(names.TOKEN_BUCKETS))
        self.time_to_first_chunk = meter.create_histogram(
            names.METRIC_CLIENT_TIME_TO_FIRST_CHUNK, unit="s", description="Time to receive the first chunk of a streamed response.",
            explicit_bucket_boundaries_advisory=list(getattr(names, "TTFC_BUCKETS", names.DURATION_BUCKETS)))
        # Added to on every LLM call: a running sum the SDK reads when it collects (``sums``).
        self.cost = ObservedSum(meter, *agentotel_names.METRIC_LLM_COST)
        self.unpriced = _counter(meter, agentotel_names.METRIC_UNPRICED_CALLS)
        self.conversations = _counter(meter, agentotel_names.METRIC_CONVERSATIONS)
        self.escalations = _counter(meter, agentotel_names.METRIC_ESCALATIONS)
        self.active = _up_down_counter(meter, agentotel_names.METRIC_ACTIVE_CONVERSATIONS)
        self.conversation_duration = _histogram(meter, agentotel_names.METRIC_CONVERSATION_DURATION, agentotel_names.CONVERSATION_DURATION_BUCKETS)
        self.first_response = _histogram(meter, agentotel_names.METRIC_FIRST_RESPONSE, agentotel_names.FIRST_RESPONSE_BUCKETS)
        self.conversation_cost = _histogram(meter, agentotel_names.METRIC_CONVERSATION_COST, agentotel_names.COST_BUCKETS)
        self.conversation_tokens = _histogram(meter, agentotel_names.METRIC_CONVERSATION_TOKENS, agentotel_names.CONVERSATION_TOKEN_BUCKETS)
        self.feedback = _histogram(meter, agentotel_names.METRIC_FEEDBACK_SCORE, agentotel_names.SCORE_BUCKETS)
        self.retrieval_searches = _counter(meter, agentotel_names.METRIC_RETRIEVAL_SEARCHES)
        self.retrieval_similarity = _histogram(meter, agentotel_names.METRIC_RETRIEVAL_SIMILARITY, agentotel_names.SIMILARITY_BUCKETS)
        self.evaluations = _counter(meter, agentotel_names.METRIC_EVALUATIONS)
        self.evaluation_score = _histogram(meter, agentotel_names.METRIC_EVALUATION_SCORE, agentotel_names.EVALUATION_SCORE_BUCKETS)
        self.business_events = _counter(meter, agentotel_names.METRIC_BUSINESS_EVENTS)
        self.business_value = _counter(meter, agentotel_names.METRIC_BUSINESS_VALUE)
        # The app's heartbeat: the time of each collection. When the app is down it stops advancing,
        # while the last exported value may still be served (the service-down alert reads its age).
        self.heartbeat = meter.create_observable_gauge(
            agentotel_names.METRIC_HEARTBEAT[0], callbacks=[_heartbeat], unit=agentotel_names.METRIC_HEARTBEAT[1], description=agentotel_names.METRIC_HEARTBEAT[2])

    def record_llm_call(self, call, attributes: dict, counts, cost, time_to_first_chunk: float | None,
                        duration: float, error_type: str | None, context=None, tokens: bool = True,
                        duration_point: bool = True) -> None:
        """An LLM call's points: tokens and time to first chunk (when ``tokens``: the span's owner
        does not record its own), cost or an unpriced call, and its duration (when ``duration_point``,
        with ``error.type``, which the other points do not carry)."""
        names = self.names
        points = []
        if counts is not None:
            if tokens:
                points.append((self.record_tokens, counts.input, counts.output, attributes, counts, context))
            cost_attributes = {key: value for key, value in attributes.items() if key != names.GEN_AI_RESPONSE_MODEL}
            if cost is not None:
                points.append((self.cost.add, cost.total, cost_attributes, context))
            elif call.request_model or call.response_model:
                unpriced = {key: value for key, value in cost_attributes.items()
                            if key in (names.GEN_AI_PROVIDER_NAME, names.GEN_AI_REQUEST_MODEL)}
                points.append((self.unpriced.add, 1, unpriced, context))
        if time_to_first_chunk is not None and tokens:
            points.append((self.time_to_first_chunk.record, time_to_first_chunk, attributes, context))
        if duration_point:
            if error_type:
                attributes = {**attributes, names.ERROR_TYPE: error_type}
            points.append((self.record_duration, call.operation, duration, attributes, context))
        run_each(points)

    def record_retrieval(self, data_source: str, outcome: str, top_score: float | None, context=None) -> None:
        """A successful retrieval's points: one search with its outcome, and its top score."""
        source = {self.names.GEN_AI_DATA_SOURCE_ID: data_source}
        points = [(self.retrieval_searches.add, 1, {**source, agentotel_names.RETRIEVAL_OUTCOME: outcome}, context)]
        if top_score is not None:
            points.append((self.retrieval_similarity.record, top_score, source, context))
        run_each(points)

    def record_duration(self, operation: str, seconds: float, attributes: dict, context=None) -> None:
        self.operation_duration.record(seconds, attributes, context)

    def record_tokens(self, input_tokens: int, output_tokens: int, attributes: dict, counts=None, context=None) -> None:
        names = self.names
        self.token_usage.record(input_tokens, {**attributes, names.GEN_AI_TOKEN_TYPE: names.TOKEN_TYPE_INPUT}, context)
        if output_tokens or attributes.get(names.GEN_AI_OPERATION_NAME) != names.OP_EMBEDDINGS:
            self.token_usage.record(output_tokens, {**attributes, names.GEN_AI_TOKEN_TYPE: names.TOKEN_TYPE_OUTPUT}, context)


class LatestInstruments(Instruments):
    """The newest development conventions: durations split by kind of operation (inference,
    invocation, tool), token usage as counters per category plus per-call histograms."""

    def __init__(self, meter: Meter, names: SimpleNamespace):
        super().__init__(meter, names)
        buckets = list(names.DURATION_BUCKETS)
        self.inference_duration = meter.create_histogram(
            names.METRIC_CLIENT_INFERENCE_DURATION, unit="s", description="Duration of a model inference call.",
            explicit_bucket_boundaries_advisory=buckets)
        self.invocation_duration = meter.create_histogram(
            names.METRIC_INVOCATION_DURATION, unit="s", description="Duration of an agent or workflow invocation.",
            explicit_bucket_boundaries_advisory=buckets)
        self.tool_duration = meter.create_histogram(
            names.METRIC_EXECUTE_TOOL_DURATION, unit="s", description="Duration of a tool execution.",
            explicit_bucket_boundaries_advisory=buckets)
        self.usage = {
            key: ObservedSum(meter, getattr(names, f"METRIC_CLIENT_INFERENCE_USAGE_{key.upper()}_TOKENS"), unit="{token}")
            for key in ("input", "output", "cache_read_input", "cache_write_input", "reasoning_output")
        }
        token_buckets = list(names.METRIC_CLIENT_INFERENCE_OPERATION_TOKENS_BUCKETS)
        self.call_input = meter.create_histogram(names.METRIC_CLIENT_INFERENCE_OPERATION_INPUT_TOKENS, unit="{token}",
                                                 explicit_bucket_boundaries_advisory=token_buckets)
        self.call_output = meter.create_histogram(names.METRIC_CLIENT_INFERENCE_OPERATION_OUTPUT_TOKENS, unit="{token}",
                                                  explicit_bucket_boundaries_advisory=token_buckets)
        self._by_operation = {
            names.OP_INVOKE_AGENT: self.invocation_duration,
            names.OP_INVOKE_WORKFLOW: self.invocation_duration,
            names.OP_EXECUTE_TOOL: self.tool_duration,
            names.OP_RETRIEVAL: self.operation_duration,
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
