"""The metric instruments, created once per meter with the spec's explicit bucket boundaries."""

from __future__ import annotations

from types import SimpleNamespace

from opentelemetry.metrics import Meter

from ..semconv import agentotel_names as A


def _histogram(meter: Meter, spec: tuple[str, str, str], buckets):
    name, unit, description = spec
    return meter.create_histogram(name, unit=unit, description=description,
                                  explicit_bucket_boundaries_advisory=list(buckets))


class Instruments:
    """All of agentotel's instruments on one meter."""

    def __init__(self, meter: Meter, names: SimpleNamespace):
        n = names
        self.operation_duration = meter.create_histogram(
            n.METRIC_CLIENT_OPERATION_DURATION, unit="s", description="GenAI operation duration",
            explicit_bucket_boundaries_advisory=list(n.DURATION_BUCKETS))
        self.token_usage = meter.create_histogram(
            n.METRIC_CLIENT_TOKEN_USAGE, unit="{token}", description="Number of input and output tokens used",
            explicit_bucket_boundaries_advisory=list(n.TOKEN_BUCKETS))
        self.time_to_first_chunk = meter.create_histogram(
            n.METRIC_CLIENT_TIME_TO_FIRST_CHUNK, unit="s", description="Time to receive the first chunk of a streamed response",
            explicit_bucket_boundaries_advisory=list(getattr(n, "TTFC_BUCKETS", n.DURATION_BUCKETS)))
        self.cost = meter.create_counter(A.METRIC_LLM_COST[0], unit=A.METRIC_LLM_COST[1], description=A.METRIC_LLM_COST[2])
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
