"""Confirming a candidate request on a host in no table: by the sending SDK's identity headers,
else by the body's JSON keys."""

from __future__ import annotations

import httpx
import pytest

from agentotel.capture.identity import confirm
from agentotel.capture.routes import candidate

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def request(path: str, headers=None, json=None, content=None):
    return httpx.Request("POST", f"http://127.0.0.2:9999{path}", headers=headers, json=json, content=content)


class TestSender:
    @pytest.mark.parametrize("agent, path, provider", [
        ("OpenAI/Python 3.60.0", "/v1/chat/completions", "openai"),
        ("AsyncOpenAI/Python 3.60.0", "/v1/embeddings", "openai"),
        ("AzureOpenAI/Python 3.60.0", "/openai/deployments/d/chat/completions", "azure.ai.openai"),
        ("Anthropic/Python 2.16.0", "/v1/messages", "anthropic"),
        ("AsyncGroq/Python 0.26.0", "/openai/v1/chat/completions", "groq"),
        ("Together/Python 2.0.0", "/v1/chat/completions", "together_ai"),
        ("mistral-client-python/1.9.0", "/v1/fim/completions", "mistral_ai"),
    ])
    def test_sdk_user_agent_confirms_and_names_the_provider(self, agent, path, provider):
        """A known SDK's User-Agent confirms the call without its body and names the provider."""
        found = confirm(candidate(path), request(path, {"user-agent": agent}, content=b"not json"))
        assert found.provider == provider

    def test_google_genai_client_header(self):
        """google-genai's x-goog-api-client confirms a Gemini path; Vertex AI by the path."""
        headers = {"x-goog-api-client": "google-genai-sdk/3.6.1 gl-python/3.11.2",
                   "user-agent": "google-genai-sdk/3.6.1"}
        path = "/v1beta/models/gemini-2.5-flash:generateContent"
        assert confirm(candidate(path), request(path, headers, content=b"")).provider == "gcp.gemini"
        vertex = "/v1beta1/projects/p/locations/us/publishers/google/models/gemini-2.5-flash:generateContent"
        assert confirm(candidate(vertex), request(vertex, headers, content=b"")).provider == "gcp.vertex_ai"

    def test_an_sdk_of_another_format_falls_back_to_the_body(self):
        """The anthropic SDK posting to an OpenAI path is judged by its body, as a stranger would be."""
        path = "/v1/chat/completions"
        headers = {"user-agent": "Anthropic/Python 2.16.0"}
        assert confirm(candidate(path), request(path, headers, content=b"{}")) is None
        assert confirm(candidate(path), request(path, headers, json=CHAT)).provider == "openai"


class TestBody:
    @pytest.mark.parametrize("path, body", [
        ("/v1/chat/completions", CHAT),
        ("/v1/responses", {"model": "m", "input": "hi"}),
        ("/v1/embeddings", {"model": "m", "input": ["a"]}),
        ("/v1/completions", {"model": "m", "prompt": "hi"}),
        ("/v1/messages", {"model": "m", "max_tokens": 5, "messages": []}),
        ("/v1beta/models/g:generateContent", {"contents": [{"parts": [{"text": "hi"}]}]}),
    ])
    def test_the_formats_keys_confirm(self, path, body):
        """A plain client's JSON with the endpoint's keys is an LLM call."""
        assert confirm(candidate(path), request(path, {"user-agent": "python-httpx/0.29"}, json=body)) is not None

    @pytest.mark.parametrize("path, body", [
        ("/v1/completions", {"order_id": 7, "status": "done"}),
        ("/api/v1/completions", {"prompt_id": 1, "model_name": "x"}),
        ("/v1/chat/completions", {"model": "m"}),
        ("/v1/messages", {"model": "m", "messages": []}),  # Anthropic's requires max_tokens
        ("/v1/chat/completions", ["model", "messages"]),
    ])
    def test_other_json_is_not(self, path, body):
        """JSON without the endpoint's keys, on an endpoint-like path, is not captured."""
        assert confirm(candidate(path), request(path, json=body)) is None

    def test_a_body_that_is_not_json_or_not_read_is_not(self):
        """Form data, empty and streamed bodies are not LLM calls."""
        path = "/v1/chat/completions"
        assert confirm(candidate(path), request(path, content=b"model=m&messages=x")) is None
        assert confirm(candidate(path), request(path, content=b"")) is None
        streamed = httpx.Request("POST", f"http://127.0.0.2:9999{path}", content=iter([b'{"model": "m"}']))
        assert confirm(candidate(path), streamed) is None
