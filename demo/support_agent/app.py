"""The support agent's HTTP API (FastAPI): ``uvicorn demo.support_agent.app:app``.

- ``POST /chat``: one turn of a conversation. The conversation, user and tenant come from the
  ``x-conversation-id``, ``x-user-id`` and ``x-tenant-id`` headers or the body; a new conversation
  id is made when none is given. ``x-fake-scenario`` is passed on to the LLM provider.
- ``POST /feedback``: CSAT (1-5) and an optional comment for a conversation.
- ``POST /end``: the customer closed the conversation, ``resolved`` or ``abandoned``.
- ``GET /healthz``: liveness (what the demo's launcher waits for).
- ``GET /health/live``, ``GET /health/ready``: agentotel's health router; ready checks the
  knowledge base (required) and the LLM providers' reachability (optional), and reports
  ``degraded`` when recent agent runs fail or are slow.

Besides the conversation signals the app records business events (a lead per new conversation, an
answer as content produced, a resolved conversation as a conversion with its order value as
revenue, each rating as the performance of the campaign the lead came from) and the ``x-channel``
header (web, chat, email...) as the conversation's channel.

Every response carries the trace id of its request in ``x-trace-id``. Run it under
``opentelemetry-instrument`` for the telemetry: the server spans, the LLM calls and the log export
come from there; the app itself marks the agent, its tools, its retrieval and the conversation.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import uuid
from contextlib import asynccontextmanager
from typing import Literal
from urllib.parse import urlsplit

from fastapi import FastAPI, HTTPException, Request
from opentelemetry import trace
from pydantic import BaseModel, Field

import agentotel

from .agent import Conversation, Conversations, Scenarios, SupportAgent
from .llm import Models
from .settings import (
    AGENT_NAME, CAMPAIGNS, CHANNEL_HEADER, CONVERSATION_ID_HEADER, SCENARIO_HEADER, TENANT_HEADER, TRACE_ID_HEADER,
    USER_ID_HEADER, Settings,
)

log = logging.getLogger("demo.support_agent")


def _setup_logging() -> None:
    # INFO records reach the OpenTelemetry log handler on the root logger (which stays at WARNING
    # for other libraries); a JSON copy on stderr carries the same trace ids for a terminal.
    log.setLevel(logging.INFO)
    if not any(isinstance(h.formatter, agentotel.JsonFormatter) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(agentotel.JsonFormatter())
        log.addHandler(handler)


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, max_length=4000)
    conversation_id: str | None = None
    user_id: str | None = None
    tenant: str | None = None
    stream: bool = False


class ChatResponse(BaseModel):
    conversation_id: str
    reply: str
    intent: str
    escalated: bool
    escalation_reason: str | None
    tools: list[str]
    tool_errors: list[str]
    sources: list[str]
    model: str | None
    provider_errors: list[str]


class ConversationRef(BaseModel):
    conversation_id: str | None = None
    user_id: str | None = None
    tenant: str | None = None


class FeedbackRequest(ConversationRef):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class EndRequest(ConversationRef):
    outcome: Literal["resolved", "abandoned"]


#: Seconds a check of an LLM provider's reachability may take.
PROVIDER_CHECK_TIMEOUT = 1.0
#: Revenue credited to a resolved conversation (the demo's average order value, USD).
ORDER_VALUE_USD = 42.0

health = agentotel.HealthChecks()


async def _reachable(base_url: str | None, default_host: str) -> bool:
    """A TCP connection to the provider's host opens."""
    parsed = urlsplit(base_url or f"https://{default_host}")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    _, writer = await asyncio.open_connection(parsed.hostname, port)
    writer.close()
    return True


def _register_checks(agent: SupportAgent, settings: Settings) -> None:
    health.add("knowledge_base", lambda: len(agent.kb.docs) > 0, timeout=1.0)
    health.add("openai", lambda: _reachable(settings.openai_base_url, "api.openai.com"),
               timeout=PROVIDER_CHECK_TIMEOUT, required=False)
    health.add("anthropic", lambda: _reachable(settings.anthropic_base_url, "api.anthropic.com"),
               timeout=PROVIDER_CHECK_TIMEOUT, required=False)


@asynccontextmanager
async def lifespan(app: FastAPI):
    _setup_logging()
    settings = Settings.from_env()
    models = Models(settings)
    app.state.agent = SupportAgent(settings, models)
    _register_checks(app.state.agent, settings)
    app.state.conversations = Conversations()
    log.info("support agent ready (OpenAI at %s, Anthropic at %s)", settings.openai_base_url or "api.openai.com",
             settings.anthropic_base_url or "api.anthropic.com")
    yield
    await models.close()


app = FastAPI(title="Pebble & Pine support agent", lifespan=lifespan)
app.mount("/health", health)


@app.middleware("http")
async def trace_id_header(request: Request, call_next):
    response = await call_next(request)
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        response.headers[TRACE_ID_HEADER] = format(ctx.trace_id, "032x")
    return response


def _conversation(request: Request, ref: ConversationRef, create: bool) -> Conversation:
    headers = request.headers
    conversation_id = headers.get(CONVERSATION_ID_HEADER) or ref.conversation_id
    if not conversation_id:
        if not create:
            raise HTTPException(400, f"a conversation id is required ({CONVERSATION_ID_HEADER} header or body)")
        conversation_id = f"c-{uuid.uuid4().hex[:16]}"
    user_id = headers.get(USER_ID_HEADER) or ref.user_id
    tenant = headers.get(TENANT_HEADER) or ref.tenant
    conv = request.app.state.conversations.get(conversation_id, user_id, tenant)
    conv.channel = conv.channel or headers.get(CHANNEL_HEADER)
    return conv


def _scope(conv: Conversation) -> agentotel.conversation:
    return agentotel.conversation(conv.id, user_id=conv.user_id, tenant=conv.tenant, agent=AGENT_NAME,
                                  channel=conv.channel)


def _campaign(conv: Conversation) -> str:
    return CAMPAIGNS.get(conv.tenant or "", "organic")


@app.post("/chat", response_model=ChatResponse)
async def chat(body: ChatRequest, request: Request) -> ChatResponse:
    conv = _conversation(request, ConversationRef(**body.model_dump(include={"conversation_id", "user_id", "tenant"})),
                         create=True)
    if conv.outcome is not None:
        raise HTTPException(409, f"conversation {conv.id} has ended ({conv.outcome})")
    scenarios = Scenarios.parse(request.headers.get(SCENARIO_HEADER))
    with _scope(conv):
        if conv.turns == 0:
            agentotel.record_business_event("lead_generated", campaign=_campaign(conv), channel=conv.channel)
        result = await request.app.state.agent.turn(conv, body.message, scenarios, stream=body.stream)
        if result.reply and not result.escalated:
            agentotel.record_business_event("content_produced", content_type="support_answer", channel=conv.channel)
    return ChatResponse(**vars(result))


@app.post("/feedback")
async def feedback(body: FeedbackRequest, request: Request) -> dict:
    conv = _conversation(request, body, create=False)
    with _scope(conv):
        agentotel.record_feedback(conv.id, body.score, body.comment)
        agentotel.record_business_event("campaign_performance", body.score / 5, campaign=_campaign(conv))
    log.info("feedback %d for conversation %s", body.score, conv.id)
    return {"conversation_id": conv.id, "score": body.score}


@app.post("/end")
async def end(body: EndRequest, request: Request) -> dict:
    conv = _conversation(request, body, create=False)
    if conv.outcome is not None:
        raise HTTPException(409, f"conversation {conv.id} has ended ({conv.outcome})")
    conv.outcome = body.outcome
    with _scope(conv):
        agentotel.record_outcome(conv.id, body.outcome, intent=conv.intent)
        if body.outcome == "resolved":
            agentotel.record_business_event("conversion", conversion_type="resolved", campaign=_campaign(conv),
                                            channel=conv.channel)
            agentotel.record_business_event("revenue", ORDER_VALUE_USD, currency="USD", campaign=_campaign(conv))
    log.info("conversation %s ended %s after %d turns", conv.id, body.outcome, conv.turns)
    return {"conversation_id": conv.id, "outcome": body.outcome}


@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}
