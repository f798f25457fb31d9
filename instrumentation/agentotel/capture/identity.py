"""Whether a request to a host in no table is an LLM call: who sends it, or what its body holds.

A candidate route (``routes.candidate``: a ``POST`` to a path that ends in an endpoint of a known
wire format) is confirmed, per request, by the first of:

1. the sending SDK's identity, from headers it sends on every request:

   - ``User-Agent: {Client}/Python {version}`` of the Stainless-generated SDKs (which also send
     ``X-Stainless-Lang``): ``OpenAI``/``AsyncOpenAI``, ``AzureOpenAI``, ``Anthropic``/``AsyncAnthropic``,
     ``Groq``/``AsyncGroq``, ``Together``/``AsyncTogether``;
   - ``User-Agent: mistral-client-python/{version}`` of ``mistralai``;
   - ``x-goog-api-client: google-genai-sdk/{version} …`` of ``google-genai``;

   an SDK whose wire format is the path's confirms it, and names the provider;
2. otherwise the body: JSON whose top-level keys are the endpoint's (``model`` and ``messages``
   for chat, ``model`` and ``input`` for responses and embeddings, ``model`` and ``prompt`` for
   completions, ``model``, ``messages`` and ``max_tokens`` for Anthropic's messages, ``contents``
   for Gemini). A body that is not JSON, or is streamed (not read yet), is not an LLM call.

``cohere`` (``X-Fern-SDK-Name: cohere``) speaks a wire format of its own (``/v2/chat``), which
capture does not translate: its calls are left alone. Never raises: anything unexpected is "no".
"""

from __future__ import annotations

from dataclasses import replace

from ..semconv import genai
from .call import parse_json
from .routes import WIRE_ANTHROPIC, WIRE_GEMINI, WIRE_OPENAI, Route

#: The first product token of ``User-Agent`` -> (gen_ai.provider.name, wire format).
USER_AGENTS: dict[str, tuple[str, str]] = {
    "OpenAI": (genai.PROVIDER_OPENAI, WIRE_OPENAI),
    "AsyncOpenAI": (genai.PROVIDER_OPENAI, WIRE_OPENAI),
    "AzureOpenAI": (genai.PROVIDER_AZURE_OPENAI, WIRE_OPENAI),
    "AsyncAzureOpenAI": (genai.PROVIDER_AZURE_OPENAI, WIRE_OPENAI),
    "Anthropic": (genai.PROVIDER_ANTHROPIC, WIRE_ANTHROPIC),
    "AsyncAnthropic": (genai.PROVIDER_ANTHROPIC, WIRE_ANTHROPIC),
    "Groq": (genai.PROVIDER_GROQ, WIRE_OPENAI),
    "AsyncGroq": (genai.PROVIDER_GROQ, WIRE_OPENAI),
    "Together": ("together_ai", WIRE_OPENAI),
    "AsyncTogether": ("together_ai", WIRE_OPENAI),
    "mistral-client-python": (genai.PROVIDER_MISTRAL, WIRE_OPENAI),
}
#: ``x-goog-api-client`` of the google-genai SDK.
GOOGLE_GENAI = "google-genai-sdk/"

#: The top-level JSON keys an endpoint's request body has, by ``Route.endpoint``.
BODY_KEYS: dict[str, tuple[str, ...]] = {
    "chat": ("model", "messages"),
    "responses": ("model", "input"),
    "embeddings": ("model", "input"),
    "completions": ("model", "prompt"),
    "messages": ("model", "messages", "max_tokens"),
    "generate": ("contents",),
}

_renamed: dict[tuple[Route, str], Route] = {}


def sender(headers, route: Route) -> str | None:
    """The provider named by the SDK that sent a request, when that SDK speaks ``route``'s wire
    format; None when no known SDK sent it, or one of another format did."""
    agent = headers.get("user-agent")
    if agent:
        known = USER_AGENTS.get(agent.split("/", 1)[0])
        if known is not None:
            return known[0] if known[1] == route.wire else None
    if route.wire == WIRE_GEMINI:
        client = headers.get("x-goog-api-client")
        if client and GOOGLE_GENAI in client:
            return route.provider  # gcp.gemini, or gcp.vertex_ai by the path
    return None


def has_body_keys(request, route: Route) -> bool:
    """True when the request's body is JSON with the endpoint's top-level keys."""
    try:
        body = request.content
    except Exception:  # noqa: BLE001 - RequestNotRead: a streamed body, never an LLM request here
        return False
    if not body or b"{" not in body[:64]:
        return False
    value = parse_json(body)
    return isinstance(value, dict) and all(key in value for key in BODY_KEYS.get(route.endpoint, ("model",)))


def confirm(route: Route, request) -> Route | None:
    """The route of a candidate request that is an LLM call (named after its SDK's provider when
    one is known), or None. Never raises."""
    try:
        provider = sender(request.headers, route)
        if provider is None:
            return route if has_body_keys(request, route) else None
        if provider == route.provider:
            return route
        key = (route, provider)
        named = _renamed.get(key)
        if named is None:
            if len(_renamed) > 1024:
                _renamed.clear()
            named = _renamed[key] = replace(route, provider=provider)
        return named
    except Exception:  # noqa: BLE001 - unsure is "not an LLM call"
        return None
