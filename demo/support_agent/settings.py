"""Every setting of the support agent, read once from the environment.

``OPENAI_BASE_URL`` / ``ANTHROPIC_BASE_URL``
    Where the SDKs send requests. Unset: the providers' real endpoints (set real keys then).
    ``agentotel demo`` points both at the bundled fake provider.
``OPENAI_API_KEY`` / ``ANTHROPIC_API_KEY``
    The keys. Against the fake provider any value works; unset, a placeholder is used.
``SUPPORT_AGENT_CLASSIFIER_MODEL``
    OpenAI model that classifies intent and picks tools. Default ``gpt-4o-mini``.
``SUPPORT_AGENT_OPENAI_MODEL``
    OpenAI model that answers simple questions (order status, shipping). Default ``gpt-4.1-mini``.
``SUPPORT_AGENT_ANTHROPIC_MODEL``
    Anthropic model that answers everything else. Default ``claude-haiku-4-5``.
``SUPPORT_AGENT_REFUND_LIMIT``
    Refunds above this amount (USD) go to a human. Default 150.
``SUPPORT_AGENT_LLM_TIMEOUT``
    Seconds an LLM request may take. Default 30.
``SUPPORT_AGENT_LLM_RETRIES``
    Retries of the SDKs on 429/5xx. Default 0, so provider errors show in the telemetry as they
    happen; the agent falls back to the other provider instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

#: The agent's name: ``invoke_agent support`` spans and the ``gen_ai.agent.name`` label.
AGENT_NAME = "support"
#: The knowledge base's data source id: ``retrieval faq`` spans.
DATA_SOURCE = "faq"
#: A request header the app forwards to the LLM provider, so traffic can ask the fake provider for
#: errors or slow answers. Value: a scenario (applies to the answer call) or ``step=scenario`` pairs
#: separated by commas, with step ``classify`` or ``answer``.
SCENARIO_HEADER = "x-fake-scenario"
#: The header the fake provider reads on each LLM request.
PROVIDER_SCENARIO_HEADER = "x-fake-scenario"
#: The response header that carries the request's trace id.
TRACE_ID_HEADER = "x-trace-id"
#: Request headers of the conversation scope (the same agentotel's propagator reads).
CONVERSATION_ID_HEADER = "x-conversation-id"
USER_ID_HEADER = "x-user-id"
TENANT_HEADER = "x-tenant-id"
#: Where the customer writes from (web, chat, email...): the conversation's channel.
CHANNEL_HEADER = "x-channel"
#: The marketing campaign a conversation's lead is credited to, by tenant.
CAMPAIGNS = {"acme": "spring_sale", "globex": "newsletter", "initech": "spring_sale"}
#: Conversations the app remembers between turns (oldest dropped first).
MAX_CONVERSATIONS = 10000


def _float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    openai_base_url: str | None
    anthropic_base_url: str | None
    openai_api_key: str
    anthropic_api_key: str
    classifier_model: str = "gpt-4o-mini"
    openai_model: str = "gpt-4.1-mini"
    anthropic_model: str = "claude-haiku-4-5"
    refund_limit: float = 150.0
    llm_timeout: float = 30.0
    llm_retries: int = 0

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        return cls(
            openai_base_url=env.get("OPENAI_BASE_URL") or None,
            anthropic_base_url=env.get("ANTHROPIC_BASE_URL") or None,
            openai_api_key=env.get("OPENAI_API_KEY") or "sk-demo",
            anthropic_api_key=env.get("ANTHROPIC_API_KEY") or "sk-ant-demo",
            classifier_model=env.get("SUPPORT_AGENT_CLASSIFIER_MODEL") or cls.classifier_model,
            openai_model=env.get("SUPPORT_AGENT_OPENAI_MODEL") or cls.openai_model,
            anthropic_model=env.get("SUPPORT_AGENT_ANTHROPIC_MODEL") or cls.anthropic_model,
            refund_limit=_float("SUPPORT_AGENT_REFUND_LIMIT", cls.refund_limit),
            llm_timeout=_float("SUPPORT_AGENT_LLM_TIMEOUT", cls.llm_timeout),
            llm_retries=int(_float("SUPPORT_AGENT_LLM_RETRIES", cls.llm_retries)),
        )
