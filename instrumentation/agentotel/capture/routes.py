"""Which HTTP requests are LLM calls: provider and wire format by host and path.

A request is captured when it is a ``POST`` to a known provider host (the table below) or under a
base URL configured in ``AGENTOTEL_LLM_BASE_URLS`` (or passed to the instrumentor), and its path is
an endpoint of that wire format. Three wire formats are understood: ``openai`` (also every
OpenAI-compatible server), ``anthropic`` and ``gemini``.

On any other host (``any_host``, ``AGENTOTEL_LLM_ANY_HOST``, default on) a ``POST`` whose path ends
in an endpoint of one of the formats is a *candidate*: a route with ``confirm`` set, which
``capture.identity`` confirms per request from the sending SDK's identity headers or the body's
JSON keys. Everything else passes through untouched after one memoised look-up per (host, port,
path).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from ..semconv import genai

WIRE_OPENAI = "openai"
WIRE_ANTHROPIC = "anthropic"
WIRE_GEMINI = "gemini"

# Known provider hosts: host -> (gen_ai.provider.name, wire format).
KNOWN_HOSTS: dict[str, tuple[str, str]] = {
    "api.openai.com": (genai.PROVIDER_OPENAI, WIRE_OPENAI),
    "api.anthropic.com": (genai.PROVIDER_ANTHROPIC, WIRE_ANTHROPIC),
    "generativelanguage.googleapis.com": (genai.PROVIDER_GCP_GEMINI, WIRE_GEMINI),
    "aiplatform.googleapis.com": (genai.PROVIDER_GCP_VERTEX_AI, WIRE_GEMINI),
    "api.groq.com": (genai.PROVIDER_GROQ, WIRE_OPENAI),
    "api.deepseek.com": (genai.PROVIDER_DEEPSEEK, WIRE_OPENAI),
    "api.mistral.ai": (genai.PROVIDER_MISTRAL, WIRE_OPENAI),
    "api.x.ai": (genai.PROVIDER_X_AI, WIRE_OPENAI),
    "api.perplexity.ai": (genai.PROVIDER_PERPLEXITY, WIRE_OPENAI),
    "openrouter.ai": ("openrouter", WIRE_OPENAI),
}
# Host suffixes: Azure OpenAI resources and regional Vertex AI endpoints.
KNOWN_HOST_SUFFIXES: tuple[tuple[str, str, str], ...] = (
    (".openai.azure.com", genai.PROVIDER_AZURE_OPENAI, WIRE_OPENAI),
    (".cognitiveservices.azure.com", genai.PROVIDER_AZURE_OPENAI, WIRE_OPENAI),
    ("-aiplatform.googleapis.com", genai.PROVIDER_GCP_VERTEX_AI, WIRE_GEMINI),
)
# Ollama's OpenAI-compatible API on its default port, on any host.
OLLAMA_PORT = 11434

# Configured providers whose wire format is not OpenAI's.
_WIRE_OF_PROVIDER = {
    genai.PROVIDER_ANTHROPIC: WIRE_ANTHROPIC,
    genai.PROVIDER_GCP_GEMINI: WIRE_GEMINI,
    genai.PROVIDER_GCP_VERTEX_AI: WIRE_GEMINI,
    "gcp.gen_ai": WIRE_GEMINI,
}

_AZURE_DEPLOYMENT = re.compile(r"/openai/deployments/([^/]+)/")
_GEMINI_METHOD = re.compile(r"/models/([^/:]+):(generateContent|streamGenerateContent)$")


@dataclass(frozen=True, slots=True)
class Route:
    """What a matched request is: the provider, its wire format and the endpoint."""

    provider: str
    wire: str
    operation: str
    endpoint: str  # chat, responses, embeddings, completions, messages, generate
    model: str | None = None  # when the path names it (Azure deployment, Gemini model)
    stream: bool = False  # when the path says so (Gemini streamGenerateContent)
    # A host in no table and no setting: an LLM call only when the sender or the body says so
    # (``capture.identity.confirm``); ``provider`` is then the native one of the wire format.
    confirm: bool = False


def _openai(provider: str, path: str, confirm: bool = False) -> Route | None:
    if path.endswith("/chat/completions"):
        operation, endpoint = genai.OP_CHAT, "chat"
    elif path.endswith("/responses"):
        operation, endpoint = genai.OP_CHAT, "responses"
    elif path.endswith("/embeddings"):
        operation, endpoint = genai.OP_EMBEDDINGS, "embeddings"
    elif path.endswith("/completions"):
        operation, endpoint = genai.OP_TEXT_COMPLETION, "completions"
    else:
        return None
    deployment = _AZURE_DEPLOYMENT.search(path)
    return Route(provider, WIRE_OPENAI, operation, endpoint, deployment.group(1) if deployment else None,
                 confirm=confirm)


def _anthropic(provider: str, path: str, confirm: bool = False) -> Route | None:
    if path.endswith("/messages"):
        return Route(provider, WIRE_ANTHROPIC, genai.OP_CHAT, "messages", confirm=confirm)
    return None


def _gemini(provider: str, path: str, confirm: bool = False) -> Route | None:
    found = _GEMINI_METHOD.search(path)
    if found is None:
        return None
    return Route(provider, WIRE_GEMINI, genai.OP_GENERATE_CONTENT, "generate", found.group(1),
                 stream=found.group(2) == "streamGenerateContent", confirm=confirm)


_PATH_MATCHERS = {WIRE_OPENAI: _openai, WIRE_ANTHROPIC: _anthropic, WIRE_GEMINI: _gemini}
# The provider whose format each wire is (OpenAI's is spoken by many: a configured one keeps its name).
_NATIVE_PROVIDER = {WIRE_ANTHROPIC: genai.PROVIDER_ANTHROPIC, WIRE_GEMINI: genai.PROVIDER_GCP_GEMINI}


def wire_of(provider: str) -> str:
    """The wire format a configured provider speaks: OpenAI's unless it is Anthropic or Gemini."""
    return _WIRE_OF_PROVIDER.get(provider, WIRE_OPENAI)


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def candidate(path: str) -> Route | None:
    """The route a path would have on a host in no table: the wire format whose endpoint it ends
    in, named after that format's provider (Vertex AI for a ``/publishers/google/`` Gemini path),
    with ``confirm`` set; None when it ends in no endpoint."""
    found = _openai(genai.PROVIDER_OPENAI, path, True) or _anthropic(genai.PROVIDER_ANTHROPIC, path, True)
    if found is not None:
        return found
    gemini = genai.PROVIDER_GCP_VERTEX_AI if "/publishers/google/" in path else genai.PROVIDER_GCP_GEMINI
    return _gemini(gemini, path, True)


class Router:
    """Matches requests to routes. Built once per instrumentation; ``match`` is memoised."""

    def __init__(self, base_urls: dict[str, str] | None = None, any_host: bool = True):
        """``any_host``: a request to a host in no table and no setting may still be an LLM call
        (a candidate route, see the module docstring); False captures known hosts and base URLs only."""
        self.any_host = any_host
        # (host, port) -> [(path prefix, provider, wire)], longest prefix first.
        self._bases: dict[tuple[str, int], list[tuple[str, str, str]]] = {}
        for url, provider in (base_urls or {}).items():
            parts = urlsplit(url.strip())
            if not parts.hostname:
                continue
            key = (parts.hostname.lower(), parts.port or _default_port(parts.scheme))
            prefix = parts.path.rstrip("/")
            self._bases.setdefault(key, []).append((prefix, provider, wire_of(provider)))
        for entries in self._bases.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        self.match = lru_cache(maxsize=2048)(self._match)

    def _match(self, host: str, port: int, path: str) -> Route | None:
        bases = self._bases.get((host, port))
        if bases:
            under = [(prefix, provider, wire) for prefix, provider, wire in bases
                     if path == prefix or path.startswith(prefix + "/")]
            for prefix, provider, wire in under:  # longest prefix first
                found = _PATH_MATCHERS[wire](provider, path[len(prefix):])
                if found is not None:
                    return found
            # A gateway (LiteLLM...) configured for one wire format that serves another's endpoint
            # too, e.g. Anthropic's /v1/messages beside OpenAI's /v1/chat/completions: the other
            # format's provider, whose token accounting its responses follow.
            for prefix, provider, wire in under:
                for other, native in _NATIVE_PROVIDER.items():
                    if other != wire:
                        found = _PATH_MATCHERS[other](native, path[len(prefix):])
                        if found is not None:
                            return found
        known = KNOWN_HOSTS.get(host)
        if known is None:
            for suffix, provider, wire in KNOWN_HOST_SUFFIXES:
                if host.endswith(suffix):
                    known = (provider, wire)
                    break
            else:
                if port == OLLAMA_PORT and "/v1/" in path:
                    known = ("ollama", WIRE_OPENAI)
                else:
                    return candidate(path) if self.any_host else None
        provider, wire = known
        return _PATH_MATCHERS[wire](provider, path)

    def route(self, method: str, url) -> Route | None:
        """The route of an httpx request (method, ``httpx.URL``), or None when it is not an LLM call."""
        if method != "POST":
            return None
        return self.match(url.host, url.port or _default_port(url.scheme), url.path)
