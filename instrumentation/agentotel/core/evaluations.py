"""Evaluation results: the ``gen_ai.evaluation.result`` event and the evaluation metrics.

Any evaluator an app runs — an LLM as judge, a heuristic, a human reviewer, the user's own rating —
reports through ``record``: one event per result, as the GenAI conventions define it (name; score
value and label when there are; explanation only with content capture on; ``gen_ai.response.id``
of the judged response when known), parented to the current span, and two metrics labelled by
evaluation name, agent, tenant, channel and intent: the count of results per label and the
distribution of scores. The built-in names (``agentotel_names.EVALUATIONS``) have a documented
range and labels; a built-in evaluation recorded with a score only gets its label from the score.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

from opentelemetry import trace

from ..semconv import agentotel_names
from ..semconv import genai
from .log_once import warn_once


def _label_from_score(name: str, score: float | None) -> str | None:
    spec = agentotel_names.EVALUATIONS.get(name)
    if spec is None or score is None or len(spec[2]) != 2:
        return None
    low, high, (upper, lower) = spec
    return upper if score >= (low + high) / 2 else lower


def _checked_score(name: str, score) -> float | None:
    if score is None:
        return None
    if isinstance(score, bool) or not isinstance(score, Real) or math.isnan(float(score)):
        warn_once(f"evaluation-score:{name}", "evaluation %r: score must be a number, not %r; recorded without it",
                  name, score)
        return None
    score = float(score)
    spec = agentotel_names.EVALUATIONS.get(name)
    if spec is not None and not spec[0] <= score <= spec[1]:
        warn_once(f"evaluation-range:{name}", "evaluation %r: score %g is outside its range %g-%g; recorded as given",
                  name, score, spec[0], spec[1])
    return score


def record(signals, name: str, score=None, label: str | None = None, explanation: str | None = None, *,
           conversation_id: str | None = None, response_id: str | None = None,
           labels: dict[str, Any] | None = None) -> None:
    """Emit one evaluation result. ``signals`` is the process's ``ConversationSignals``; ``labels``
    the conversation's metric labels when the caller has them already."""
    if not isinstance(name, str) or not name.strip():
        warn_once("evaluation-name", "an evaluation needs a name (a non-empty string), not %r; not recorded", name)
        return
    emitter = signals.emitter
    names = emitter.names
    score = _checked_score(name, score)
    if label is None:
        label = _label_from_score(name, score)
    if score is None and label is None:
        warn_once(f"evaluation-empty:{name}", "evaluation %r has neither a score nor a label; counted only", name)
    if conversation_id is None:
        conversation_id = signals.scope_conversation_id()
    if labels is None:
        labels, _ = signals.context_labels(conversation_id)
    attributes: dict[str, Any] = {names.GEN_AI_EVALUATION_NAME: name}
    if score is not None:
        attributes[names.GEN_AI_EVALUATION_SCORE_VALUE] = score
    if label is not None:
        attributes[names.GEN_AI_EVALUATION_SCORE_LABEL] = str(label)
    if explanation and emitter.settings.capture_any_content:
        attributes[names.GEN_AI_EVALUATION_EXPLANATION] = emitter.serialize(explanation)
    if response_id:
        attributes[names.GEN_AI_RESPONSE_ID] = str(response_id)
    if conversation_id:
        attributes[genai.GEN_AI_CONVERSATION_ID] = str(conversation_id)
    span = trace.get_current_span()
    if span.is_recording():
        span.add_event(names.EVENT_EVALUATION_RESULT, attributes)
    emitter.event_logger.emit(event_name=names.EVENT_EVALUATION_RESULT, attributes=attributes, body=None)

    metric_name = emitter.labels(names.GEN_AI_EVALUATION_NAME, name)
    metric_labels = {**labels, names.GEN_AI_EVALUATION_NAME: metric_name}
    bounded_label = emitter.labels(f"{names.GEN_AI_EVALUATION_SCORE_LABEL}:{metric_name}", label) if label else agentotel_names.EVALUATION_NO_LABEL
    ins = emitter.instruments
    ins.evaluations.add(1, {**metric_labels, names.GEN_AI_EVALUATION_SCORE_LABEL: bounded_label})
    if score is not None:
        ins.evaluation_score.record(score, metric_labels)
