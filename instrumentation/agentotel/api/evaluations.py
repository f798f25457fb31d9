"""Evaluation results and business events, recorded by the app.

``record_evaluation`` reports what any evaluator judged about a response or a conversation — an
LLM as judge, a heuristic, a human reviewer — as the GenAI conventions' ``gen_ai.evaluation.result``
event on the current span plus the evaluation metrics. ``record_business_event`` counts what the
agent achieved for the business (a lead, a conversion, revenue). Both never raise: a bad argument
is said once in the log and the rest is recorded.
"""

from __future__ import annotations

from ..core import guard
from ..core.business import record as _business
from ..core.evaluations import record as _evaluation
from ..core.runtime import get_signals


def record_evaluation(name: str, score: float | None = None, label: str | None = None,
                      explanation: str | None = None, *, conversation_id: str | None = None,
                      response_id: str | None = None) -> None:
    """One evaluation result: ``name`` (built-in: ``intent_accuracy``, ``hallucination``,
    ``sentiment_accuracy``, ``confidence``, ``answer_relevancy``, ``faithfulness``, ``context_recall``,
    ``csat``, ``intent_confirmation``; or any other), a numeric ``score`` and/or a low-cardinality
    ``label``, an ``explanation`` (recorded only with content capture on). The judged response's
    ``response_id`` and the ``conversation_id`` (default: the current conversation scope) tie it to
    what it judges; record it inside the judged operation's span to parent the event to it."""
    with guard.contained("evaluation"):
        _evaluation(get_signals(), name, score, label, explanation, conversation_id=conversation_id,
                    response_id=response_id)


def record_business_event(name: str, value: float = 1, **attributes) -> None:
    """A business event: ``name`` (built-in: ``lead_generated``, ``campaign_created``,
    ``campaign_performance`` with a 0-1 score as value, ``content_produced``, ``conversion``,
    ``revenue`` with the amount as value), a ``value`` (default 1) and attributes among ``campaign``,
    ``channel``, ``source``, ``content_type``, ``conversion_type``, ``segment``, ``currency``."""
    with guard.contained("business"):
        _business(get_signals(), name, value, attributes)
