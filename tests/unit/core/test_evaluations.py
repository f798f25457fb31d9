"""Evaluation results: the gen_ai.evaluation.result event, the evaluation metrics, bad input."""

from __future__ import annotations

import logging

import agentotel
from agentotel.config import Settings


def _events(span):
    return [e for e in span.events if e.name == "gen_ai.evaluation.result"]


def test_event_on_the_judged_span_and_as_log(telemetry):
    """An evaluation recorded inside the judged operation is a span event and a log event of its trace,
    with name, score, label, response id and conversation id."""
    with agentotel.conversation("c1", tenant="acme", agent="support"):
        with agentotel.agent("support"):
            agentotel.record_evaluation("faithfulness", 0.82, response_id="resp-1")
    span = telemetry.span("invoke_agent support")
    (event,) = _events(span)
    assert dict(event.attributes) == {
        "gen_ai.evaluation.name": "faithfulness", "gen_ai.evaluation.score.value": 0.82,
        "gen_ai.response.id": "resp-1", "gen_ai.conversation.id": "c1"}
    (log,) = [r for r in telemetry.logs() if r.event_name == "gen_ai.evaluation.result"]
    assert log.trace_id == span.context.trace_id and log.span_id == span.context.span_id
    assert log.attributes["gen_ai.evaluation.score.value"] == 0.82


def test_metrics_by_name_label_and_conversation(telemetry):
    """Results are counted by evaluation name and label with the conversation's agent, tenant, channel and
    intent; scores go to a histogram by name. Neither carries the conversation id."""
    with agentotel.conversation("c2", tenant="acme", agent="support", channel="email") as conv:
        conv.set_intent("refund")
        agentotel.record_evaluation("intent_accuracy", label="correct")
        agentotel.record_evaluation("intent_accuracy", 0.0)
        agentotel.record_evaluation("answer_relevancy", 0.6)
    counts = {(a["gen_ai.evaluation.name"], a["gen_ai.evaluation.score.label"]): p.value
              for a, p in telemetry.points("agentotel.evaluations")}
    assert counts == {("intent_accuracy", "correct"): 1, ("intent_accuracy", "incorrect"): 1,
                      ("answer_relevancy", "none"): 1}
    for attrs, _ in telemetry.points("agentotel.evaluations"):
        assert attrs["agentotel.tenant.id"] == "acme" and attrs["agentotel.conversation.channel"] == "email"
        assert attrs["agentotel.conversation.intent"] == "refund" and "gen_ai.conversation.id" not in attrs
    scores = {a["gen_ai.evaluation.name"]: p for a, p in telemetry.points("agentotel.evaluation.score")}
    assert scores["answer_relevancy"].sum == 0.6 and scores["intent_accuracy"].count == 1


def test_explanation_only_with_content_capture(make_telemetry):
    """The explanation is content: recorded only when content capture is on."""
    telemetry = make_telemetry(Settings(capture_content="span"))
    with agentotel.agent("support"):
        agentotel.record_evaluation("hallucination", label="grounded", explanation="cites the FAQ")
    (event,) = _events(telemetry.span("invoke_agent support"))
    assert "cites the FAQ" in event.attributes["gen_ai.evaluation.explanation"]


def test_feedback_goes_through_the_evaluation_path(telemetry):
    """CSAT feedback is counted as the csat evaluation too, labelled from its score."""
    agentotel.record_feedback("c3", 1)
    [(attrs, point)] = telemetry.points("agentotel.evaluations")
    assert attrs["gen_ai.evaluation.name"] == "csat" and attrs["gen_ai.evaluation.score.label"] == "negative"


def test_bad_input_is_said_once_and_never_raises(telemetry, caplog):
    """A missing name records nothing, a non-numeric score is left out, an out-of-range built-in score is
    kept; each is logged once, nothing raises."""
    with caplog.at_level(logging.WARNING, logger="agentotel"):
        agentotel.record_evaluation("")
        agentotel.record_evaluation("confidence", "high", label="high")
        agentotel.record_evaluation("confidence", "high", label="high")
        agentotel.record_evaluation("confidence", 7)
    counts = {a["gen_ai.evaluation.score.label"]: p.value for a, p in telemetry.points("agentotel.evaluations")}
    assert counts == {"high": 2, "none": 1}
    [(_, scores)] = telemetry.points("agentotel.evaluation.score")
    assert scores.sum == 7
    messages = [r.getMessage() for r in caplog.records]
    assert sum("score must be a number" in m for m in messages) == 1
    assert any("needs a name" in m for m in messages) and any("outside its range" in m for m in messages)


def test_evaluation_labels_are_bounded(make_telemetry):
    """Free-form labels beyond AGENTOTEL_MAX_LABEL_VALUES are recorded as `other` on metrics."""
    telemetry = make_telemetry(Settings(max_label_values=2))
    for label in ("a", "b", "c", "d"):
        agentotel.record_evaluation("tone", label=label)
    counts = {a["gen_ai.evaluation.score.label"]: p.value for a, p in telemetry.points("agentotel.evaluations")}
    assert counts == {"a": 1, "b": 1, "other": 2}


def test_intent_confirmation_goes_through_the_evaluation_path(telemetry):
    """conv.confirm_intent() records the intent_confirmation evaluation, labelled from its score."""
    with agentotel.conversation("c4", agent="support") as conv:
        conv.set_intent("refund")
        conv.confirm_intent()
        conv.confirm_intent(False)
    counts = {a["gen_ai.evaluation.score.label"]: p.value for a, p in telemetry.points("agentotel.evaluations")
              if a["gen_ai.evaluation.name"] == "intent_confirmation"}
    assert counts == {"confirmed": 1, "rejected": 1}
