"""The conversation scope and the business signals of a conversation.

``conversation(id, user_id=..., tenant=..., agent=...)`` puts the conversation into W3C baggage, so
every span started inside it — by agentotel or any other instrumentation — carries
``gen_ai.conversation.id``, ``user.id``, ``agentotel.tenant.id`` and ``agentotel.conversation.channel``
(web, chat, email, voice...), and outgoing requests carry it
to other services. Its methods and the module functions record the conversation's intent, first
response, outcome (resolved, escalated with a reason, abandoned) and feedback. A conversation may
span many requests: the outcome can be recorded from any later request by conversation id.
"""

from __future__ import annotations

from opentelemetry import baggage
from opentelemetry import context as otel_context

from ..core import guard
from ..core.runtime import get_signals
from ..core.scope import current_agent
from ..semconv import agentotel_names
from ..semconv import genai


class conversation:  # noqa: N801 - used like a function: `with conversation("c-1"):`
    """Scope of one conversation (or one turn of it)."""

    def __init__(self, conversation_id: str, *, user_id: str | None = None, tenant: str | None = None,
                 agent: str | None = None, channel: str | None = None):
        self.id = str(conversation_id)
        self.channel = channel
        self.user_id = user_id
        self.tenant = tenant
        self.agent = agent
        self._token = None

    def __enter__(self) -> "conversation":
        with guard.contained("conversation"):
            ctx = baggage.set_baggage(genai.GEN_AI_CONVERSATION_ID, self.id)
            if self.user_id is not None:
                ctx = baggage.set_baggage(genai.USER_ID, str(self.user_id), ctx)
            if self.tenant is not None:
                ctx = baggage.set_baggage(agentotel_names.TENANT_ID, str(self.tenant), ctx)
            if self.channel is not None:
                ctx = baggage.set_baggage(agentotel_names.CONVERSATION_CHANNEL, str(self.channel), ctx)
            self._token = otel_context.attach(ctx)
            get_signals().start(self.id, self.agent or current_agent(), self.tenant, self.channel)
        return self

    def __exit__(self, *exc) -> bool:
        if self._token is not None:
            with guard.contained("conversation"):
                otel_context.detach(self._token)
            self._token = None
        return False

    async def __aenter__(self) -> "conversation":
        return self.__enter__()

    async def __aexit__(self, *exc) -> bool:
        return self.__exit__(*exc)

    def set_intent(self, intent: str) -> None:
        set_intent(self.id, intent)

    def first_response(self) -> None:
        record_first_response(self.id)

    def resolve(self) -> None:
        record_outcome(self.id, agentotel_names.OUTCOME_RESOLVED)

    def escalate(self, reason: str) -> None:
        record_outcome(self.id, agentotel_names.OUTCOME_ESCALATED, reason=reason)

    def abandon(self) -> None:
        record_outcome(self.id, agentotel_names.OUTCOME_ABANDONED)

    def feedback(self, score: float, comment: str | None = None) -> None:
        record_feedback(self.id, score, comment)

    def confirm_intent(self, confirmed: bool = True) -> None:
        """The user confirmed (or rejected) the intent the agent understood: the ``intent_confirmation``
        evaluation."""
        from .evaluations import record_evaluation

        record_evaluation(agentotel_names.EVALUATION_INTENT_CONFIRMATION, 1.0 if confirmed else 0.0, conversation_id=self.id)


def set_intent(conversation_id: str, intent: str) -> None:
    """Record what the conversation is about (a low-cardinality label such as ``refund``)."""
    with guard.contained("conversation"):
        get_signals().set_intent(str(conversation_id), intent)


def record_first_response(conversation_id: str) -> None:
    """Mark the agent's first response; only the first call per conversation counts."""
    with guard.contained("conversation"):
        get_signals().first_response(str(conversation_id))


def record_outcome(conversation_id: str, outcome: str, *, reason: str | None = None,
                   intent: str | None = None) -> None:
    """End a conversation: ``resolved``, ``escalated`` (with a reason) or ``abandoned``."""
    with guard.contained("conversation"):
        get_signals().end(str(conversation_id), outcome, reason=reason, intent=intent)


def record_feedback(conversation_id: str | None, score: float, comment: str | None = None, *,
                    scale_max: float = 5) -> None:
    """User feedback (CSAT): a metric, and a ``gen_ai.evaluation.result`` event on the current trace.
    The comment is recorded only when content capture is on."""
    with guard.contained("feedback"):
        get_signals().feedback(conversation_id, score, comment, scale_max=scale_max)
