"""One turn of the support agent, and what it remembers of a conversation between turns.

A turn is one ``invoke_agent support`` span: classify the message (LLM), stop early and hand over
to a human when the rules say so, search the FAQ (``retrieval faq``), run the tools the model or the
intent calls for (``execute_tool ...``), then answer (LLM; the other provider if the first fails).
The business signals — intent, escalation with its reason, first response — are recorded with
agentotel's conversation API; the LLM calls are captured by agentotel without any code here. Each
answered turn is judged by small heuristics (``evaluate``) recorded with ``record_evaluation``:
intent accuracy (model vs keyword rules), confidence and context recall (the FAQ search), answer
relevancy and faithfulness (words of the answer in the question and the facts), hallucination (an
answer with no fact behind it) and sentiment (an angry message read as one).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import agentotel

from . import rules, tools
from .knowledge import KnowledgeBase
from .llm import Answer, Models, ModelToolCall
from .settings import AGENT_NAME, DATA_SOURCE, MAX_CONVERSATIONS, Settings

log = logging.getLogger("demo.support_agent")

#: A search whose best document scores at least this answered the question (agentotel's default
#: retrieval hit threshold, so the agent and the hit-rate metric agree).
KB_HIT_SCORE = 0.5
#: Messages of earlier turns sent along with the answer request.
HISTORY_MESSAGES = 6
#: Intents answered by the OpenAI model (short, factual); the rest by the Anthropic model.
OPENAI_INTENTS = frozenset({"order_status", "shipping"})


@dataclass
class Conversation:
    id: str
    user_id: str | None = None
    tenant: str | None = None
    intent: str | None = None
    order_id: str | None = None
    turns: int = 0
    consecutive_misses: int = 0
    history: list[dict[str, str]] = field(default_factory=list)
    channel: str | None = None  # web, chat, email...
    outcome: str | None = None  # set once: resolved, escalated or abandoned
    escalation_reason: str | None = None


class Conversations:
    """Conversations by id, the oldest forgotten beyond ``capacity``."""

    def __init__(self, capacity: int = MAX_CONVERSATIONS):
        self.capacity = capacity
        self._items: OrderedDict[str, Conversation] = OrderedDict()

    def get(self, conversation_id: str, user_id: str | None = None, tenant: str | None = None) -> Conversation:
        conv = self._items.get(conversation_id)
        if conv is None:
            conv = self._items[conversation_id] = Conversation(conversation_id, user_id, tenant)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(conversation_id)
            conv.user_id = conv.user_id or user_id
            conv.tenant = conv.tenant or tenant
        return conv

    def find(self, conversation_id: str) -> Conversation | None:
        return self._items.get(conversation_id)


@dataclass
class TurnResult:
    conversation_id: str
    reply: str
    intent: str
    escalated: bool = False
    escalation_reason: str | None = None
    tools: list[str] = field(default_factory=list)
    tool_errors: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    model: str | None = None
    provider_errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Scenarios:
    """Fake-provider scenarios to request on this turn's calls (see ``settings.SCENARIO_HEADER``)."""

    classify: str | None = None
    answer: str | None = None

    @classmethod
    def parse(cls, header: str | None) -> "Scenarios":
        if not header:
            return cls()
        if "=" not in header:
            return cls(answer=header.strip())
        pairs = {}
        for part in header.split(","):
            step, _, scenario = part.partition("=")
            pairs[step.strip()] = scenario.strip() or None
        return cls(classify=pairs.get("classify"), answer=pairs.get("answer"))


@agentotel.retrieval(DATA_SOURCE, top_k=3)
async def search_faq(query: str, kb: KnowledgeBase) -> list[dict[str, Any]]:
    """FAQ documents for ``query``, as agentotel records them (id, score, content)."""
    return [{"id": h.id, "score": h.score, "content": h.text, "title": h.title} for h in kb.search(query, top_k=3)]


def _words(text: str) -> set[str]:
    return {w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split() if len(w) > 3}


def _overlap(words: set[str], other: set[str]) -> float:
    return round(len(words & other) / len(words), 3) if words else 0.0


def evaluate(message: str, answer: str, result: "TurnResult", rule_intent: str, hits: list[dict],
             facts: list[str]) -> None:
    """Heuristic evaluators of an answered turn, recorded inside its agent span."""
    agentotel.record_evaluation("intent_accuracy", label="correct" if result.intent == rule_intent else "incorrect")
    top = max((hit["score"] for hit in hits), default=0.0)
    agentotel.record_evaluation("confidence", round(min(1.0, top), 3))
    agentotel.record_evaluation("context_recall", round(len(result.sources) / 3, 3))
    answer_words, fact_words = _words(answer), _words(" ".join(facts))
    agentotel.record_evaluation("answer_relevancy", min(1.0, _overlap(_words(message), answer_words) * 2))
    agentotel.record_evaluation("faithfulness", _overlap(answer_words, fact_words) if facts else 0.0)
    grounded = bool(result.sources or result.tools)
    agentotel.record_evaluation("hallucination", label="grounded" if grounded else "hallucinated")
    angry = message.isupper() or "!!" in message
    read_angry = result.intent in ("complaint", "human")
    agentotel.record_evaluation("sentiment_accuracy", label="incorrect" if angry and not read_angry else "correct")


def _error_name(error: BaseException) -> str:
    return type(error).__name__


class SupportAgent:
    def __init__(self, settings: Settings, models: Models, kb: KnowledgeBase | None = None):
        self.settings = settings
        self.models = models
        self.kb = kb or KnowledgeBase.bundled()

    async def turn(self, conv: Conversation, message: str, scenarios: Scenarios = Scenarios(),
                   stream: bool = False) -> TurnResult:
        conv.turns += 1
        with agentotel.agent(AGENT_NAME, description="Pebble & Pine customer support"):
            result = await self._turn(conv, message, scenarios, stream)
        conv.history += [{"role": "user", "content": message}, {"role": "assistant", "content": result.reply}]
        del conv.history[:-HISTORY_MESSAGES]
        return result

    async def _turn(self, conv: Conversation, message: str, scenarios: Scenarios, stream: bool) -> TurnResult:
        conv.order_id = rules.order_id(message) or conv.order_id
        rule_intent = rules.classify(message)
        model_tool_calls: list[ModelToolCall] = []
        result = TurnResult(conv.id, "", rule_intent)
        try:
            classification = await self.models.classify(message, scenarios.classify)
            model_tool_calls = classification.tool_calls
            result.intent = classification.intent or rule_intent
        except Exception as error:  # the rules classify when the model cannot
            result.provider_errors.append(f"classify: {_error_name(error)}")
            log.warning("intent model failed (%s); using keyword rules", _error_name(error))
        if conv.intent in (None, "other"):
            conv.intent = result.intent
            agentotel.set_intent(conv.id, result.intent)

        escalation = (rules.escalation_for_message(result.intent, message)
                      or rules.escalation_for_message(rule_intent, message))
        if escalation:
            return self._escalate(conv, escalation, result)

        hits = await search_faq(message, self.kb)
        result.sources = [hit["id"] for hit in hits if hit["score"] >= KB_HIT_SCORE]
        facts = [f"- {hit['title']} {hit['content']}" for hit in hits if hit["score"] >= KB_HIT_SCORE]

        escalation = await self._use_tools(conv, result, model_tool_calls, message, facts)
        if escalation:
            return self._escalate(conv, escalation, result)

        conv.consecutive_misses = 0 if (result.sources or result.tools) else conv.consecutive_misses + 1
        escalation = rules.escalation_for_misses(conv.consecutive_misses)
        if escalation:
            return self._escalate(conv, escalation, result)

        answer = await self._answer(conv, result, message, facts, scenarios, stream)
        if answer is None:
            return self._escalate(conv, rules.handoff(rules.REASON_AGENT_ERROR), result)
        result.reply, result.model = answer.text, answer.model
        evaluate(message, answer.text, result, rule_intent, hits, facts)
        agentotel.record_first_response(conv.id)
        log.info("answered turn %d (intent %s, model %s, %d sources, tools %s)", conv.turns, result.intent,
                 answer.model, len(result.sources), ",".join(result.tools) or "none")
        return result

    async def _use_tools(self, conv: Conversation, result: TurnResult, model_calls: list[ModelToolCall],
                         message: str, facts: list[str]) -> rules.Escalation | None:
        calls = model_calls or self._calls_for_intent(result.intent, conv.order_id, message)
        for call in calls:
            if call.name == "issue_refund":
                requested = call.arguments.get("amount")
                if requested is None:  # "refund my order": the whole order
                    try:
                        order = await tools.run("lookup_order", {"order_id": call.arguments.get("order_id", "")})
                    except tools.ToolError as error:
                        self._tool_failed(result, "lookup_order", error, facts)
                        continue
                    result.tools.append("lookup_order")
                    requested = order["total"]
                    call = ModelToolCall(call.name, {**call.arguments, "amount": requested}, call.id)
                escalation = rules.escalation_for_refund(float(requested), self.settings.refund_limit)
                if escalation:
                    log.info("refund of %.2f is above the limit of %.2f", float(requested), self.settings.refund_limit)
                    return escalation
            try:
                output = await tools.run(call.name, call.arguments, call.id)
            except tools.ToolError as error:
                self._tool_failed(result, call.name, error, facts)
                continue
            result.tools.append(call.name)
            facts.append(f"- {call.name} result: {output}")
        return None

    @staticmethod
    def _calls_for_intent(intent: str, order_id: str | None, message: str) -> list[ModelToolCall]:
        if order_id is None:
            return []
        args: dict[str, Any] = {"order_id": order_id}
        if intent in ("order_status", "return"):
            return [ModelToolCall("lookup_order", args)]
        if intent == "shipping":
            return [ModelToolCall("check_shipping", args)]
        if intent == "refund":
            amount = rules.amount(message)
            return [ModelToolCall("issue_refund", {**args, **({"amount": amount} if amount is not None else {})})]
        return []

    @staticmethod
    def _tool_failed(result: TurnResult, name: str, error: Exception, facts: list[str]) -> None:
        result.tool_errors.append(f"{name}: {error}")
        facts.append(f"- {name} failed: {error}")
        log.warning("tool %s failed: %s", name, error)

    async def _answer(self, conv: Conversation, result: TurnResult, message: str, facts: list[str],
                      scenarios: Scenarios, stream: bool) -> Answer | None:
        history = [*conv.history, {"role": "user", "content": message}]
        facts_text = "\n".join(facts) or "- (no matching documents)"
        calls = [self.models.answer_openai, self.models.answer_anthropic]
        if result.intent not in OPENAI_INTENTS:
            calls.reverse()
        for attempt, call in enumerate(calls):
            try:
                # The scenario applies to the first attempt only: the fallback shows recovery.
                return await call(facts_text, history, scenarios.answer if attempt == 0 else None, stream)
            except Exception as error:
                result.provider_errors.append(f"answer: {_error_name(error)}")
                log.error("answer model failed (%s)%s", _error_name(error),
                          "; trying the other provider" if attempt == 0 else "", exc_info=attempt > 0)
        return None

    def _escalate(self, conv: Conversation, escalation: rules.Escalation, result: TurnResult) -> TurnResult:
        conv.outcome, conv.escalation_reason = "escalated", escalation.reason
        agentotel.record_outcome(conv.id, "escalated", reason=escalation.reason, intent=conv.intent)
        agentotel.record_first_response(conv.id)
        log.warning("escalated to a human: %s", escalation.reason)
        result.reply, result.escalated, result.escalation_reason = escalation.message, True, escalation.reason
        return result
