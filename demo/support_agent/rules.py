"""The agent's deterministic rules: intents, tone, what a message refers to, when to hand over.

The LLM classifies intent when it answers with one of ``INTENTS``; otherwise (the fake provider,
an outage, an unexpected answer) the keyword rules here decide. Escalation never depends on the
model: legal matters, complaints, angry customers, explicit requests for a person, refunds above
the limit and repeated misses of the knowledge base always go to a human, with a reason that ends
up on the ``agentotel.conversation.escalations`` metric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INTENTS = (
    "order_status", "shipping", "return", "refund", "billing", "account", "product",
    "complaint", "legal", "human", "other",
)

# Escalation reasons (the `agentotel.escalation.reason` label: keep the set small and fixed).
REASON_LEGAL = "legal"
REASON_COMPLAINT = "complaint"
REASON_ANGRY = "angry_customer"
REASON_HUMAN_REQUESTED = "human_requested"
REASON_REFUND_OVER_LIMIT = "refund_over_limit"
REASON_LOW_CONFIDENCE = "low_confidence"
REASON_AGENT_ERROR = "agent_error"
REASONS = (REASON_LEGAL, REASON_COMPLAINT, REASON_ANGRY, REASON_HUMAN_REQUESTED,
           REASON_REFUND_OVER_LIMIT, REASON_LOW_CONFIDENCE, REASON_AGENT_ERROR)

#: Consecutive turns without a knowledge-base hit after which a human takes over.
MAX_CONSECUTIVE_MISSES = 2

# Checked in this order; the first intent with a matching pattern wins, so the sharper intents
# (legal, complaint, a person) come before the broad ones (order).
_INTENT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("legal", r"\b(lawyer|attorney|sue|lawsuit|legal|court|gdpr|consumer protection)\b"),
    ("human", r"\b(human|real person|speak to (someone|a person|an agent)|talk to (someone|a person|an agent)|representative|manager)\b"),
    ("complaint", r"\b(complain|complaint|terrible service|worst|disgrace|unacceptable)\b"),
    ("refund", r"\b(refund|money back|reimburse)"),
    ("return", r"\b(return|send (it|this) back|exchange)"),
    ("billing", r"\b(charged|charge|invoice|payment|pay|paypal|billing|card)\b"),
    ("account", r"\b(password|log ?in|sign ?in|account|email address)\b"),
    ("shipping", r"\b(ship|shipping|deliver|delivery|express|abroad|international|customs)"),
    ("order_status", r"\b(order|package|parcel|track|tracking|where is|arriv)"),
    ("product", r"\b(size|color|colour|material|available|stock|warranty|broken|damaged|gift card)\b"),
)
_COMPILED = tuple((intent, re.compile(pattern, re.IGNORECASE)) for intent, pattern in _INTENT_PATTERNS)

_ANGRY_WORDS = re.compile(r"\b(furious|ridiculous|angry|outraged|scam|useless|fed up|pathetic|idiots?)\b", re.IGNORECASE)
_ORDER_ID = re.compile(r"(?:order\s*(?:number|no\.?|#)?\s*#?|#)\s*([A-Z]?\d{4,8})\b", re.IGNORECASE)
_AMOUNT = re.compile(r"(?:\$|usd\s*|eur\s*|€)\s*(\d+(?:\.\d{1,2})?)|(\d+(?:\.\d{1,2})?)\s*(?:dollars|usd|eur|euros?)\b", re.IGNORECASE)


def classify(message: str) -> str:
    """The intent of a message by keyword rules (``other`` when nothing matches)."""
    for intent, pattern in _COMPILED:
        if pattern.search(message):
            return intent
    return "other"


def parse_intent(model_answer: str | None) -> str | None:
    """The intent a model answered with, if it is one of ``INTENTS`` (case, quotes, dots ignored)."""
    if not model_answer:
        return None
    word = model_answer.strip().strip("\"'`.").lower().replace(" ", "_").replace("-", "_")
    return word if word in INTENTS else None


def is_angry(message: str) -> bool:
    """Shouting (mostly capitals, or three exclamation marks) or angry words."""
    letters = [c for c in message if c.isalpha()]
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7
    return shouting or "!!!" in message or bool(_ANGRY_WORDS.search(message))


def order_id(message: str) -> str | None:
    """The order number a message mentions (``#48213``, ``order 48213``, ``order number A1234``)."""
    match = _ORDER_ID.search(message)
    return match.group(1).upper() if match else None


def amount(message: str) -> float | None:
    """A money amount a message mentions (``$320``, ``320 dollars``, ``EUR 45.50``)."""
    match = _AMOUNT.search(message)
    if not match:
        return None
    return float(match.group(1) or match.group(2))


@dataclass(frozen=True)
class Escalation:
    reason: str
    message: str


_HANDOFF = {
    REASON_LEGAL: "I have passed your message to our team, who handle legal questions personally.",
    REASON_COMPLAINT: "I am sorry about your experience. A member of our team will take over this conversation.",
    REASON_ANGRY: "I am sorry this has been so frustrating. I am handing you to a colleague right away.",
    REASON_HUMAN_REQUESTED: "Of course, I am connecting you with a member of our team.",
    REASON_REFUND_OVER_LIMIT: "Refunds of this size are approved by our team; a colleague will follow up shortly.",
    REASON_LOW_CONFIDENCE: "I could not find a good answer, so I am handing this to a colleague who can help.",
    REASON_AGENT_ERROR: "I am having technical trouble right now; a colleague will continue this conversation.",
}


def handoff(reason: str) -> Escalation:
    return Escalation(reason, _HANDOFF[reason])


def escalation_for_message(intent: str, message: str) -> Escalation | None:
    """Escalation decided by the message alone, before any tool or model is used."""
    if intent == "legal":
        return handoff(REASON_LEGAL)
    if is_angry(message):
        return handoff(REASON_ANGRY)
    if intent == "complaint":
        return handoff(REASON_COMPLAINT)
    if intent == "human":
        return handoff(REASON_HUMAN_REQUESTED)
    return None


def escalation_for_refund(requested: float, limit: float) -> Escalation | None:
    return handoff(REASON_REFUND_OVER_LIMIT) if requested > limit else None


def escalation_for_misses(consecutive_misses: int) -> Escalation | None:
    return handoff(REASON_LOW_CONFIDENCE) if consecutive_misses >= MAX_CONSECUTIVE_MISSES else None
