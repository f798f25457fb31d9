"""Routing: which requests are LLM calls, of which provider and wire format."""

from __future__ import annotations

import httpx
import pytest

from agentotel.capture.routes import Router


def route(url: str, method: str = "POST", router: Router | None = None):
    return (router or Router()).route(method, httpx.URL(url))


class TestKnownHosts:
    @pytest.mark.parametrize("url, provider, operation, endpoint", [
        ("https://api.openai.com/v1/chat/completions", "openai", "chat", "chat"),
        ("https://api.openai.com/v1/responses", "openai", "chat", "responses"),
        ("https://api.openai.com/v1/embeddings", "openai", "embeddings", "embeddings"),
        ("https://api.openai.com/v1/completions", "openai", "text_completion", "completions"),
        ("https://api.anthropic.com/v1/messages", "anthropic", "chat", "messages"),
        ("https://api.groq.com/openai/v1/chat/completions", "groq", "chat", "chat"),
        ("https://api.deepseek.com/chat/completions", "deepseek", "chat", "chat"),
        ("https://api.mistral.ai/v1/chat/completions", "mistral_ai", "chat", "chat"),
        ("https://api.x.ai/v1/chat/completions", "x_ai", "chat", "chat"),
        ("https://openrouter.ai/api/v1/chat/completions", "openrouter", "chat", "chat"),
        ("http://localhost:11434/v1/chat/completions", "ollama", "chat", "chat"),
    ])
    def test_provider_and_operation(self, url, provider, operation, endpoint):
        """Each known provider host and endpoint path maps to its provider name and operation."""
        found = route(url)
        assert (found.provider, found.operation, found.endpoint) == (provider, operation, endpoint)

    def test_azure_deployment_is_the_model(self):
        """Azure OpenAI is recognised by host; the deployment in the path is the requested model."""
        found = route("https://shop.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21")
        assert (found.provider, found.wire, found.model) == ("azure.ai.openai", "openai", "gpt4o-prod")

    @pytest.mark.parametrize("url, stream", [
        ("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent", False),
        ("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", True),
    ])
    def test_gemini_model_and_stream_from_path(self, url, stream):
        """Gemini's model and streaming come from the path's method."""
        found = route(url)
        assert (found.provider, found.operation, found.model, found.stream) == (
            "gcp.gemini", "generate_content", "gemini-2.5-flash", stream)

    def test_vertex_regional_host(self):
        """Regional Vertex AI hosts speak Gemini's wire format."""
        found = route("https://europe-west4-aiplatform.googleapis.com/v1/projects/p/locations/europe-west4/"
                      "publishers/google/models/gemini-2.5-pro:generateContent")
        assert (found.provider, found.model) == ("gcp.vertex_ai", "gemini-2.5-pro")


class TestNotLLMCalls:
    @pytest.mark.parametrize("url, method", [
        ("https://api.openai.com/v1/models", "GET"),
        ("https://api.openai.com/v1/chat/completions", "GET"),
        ("https://api.openai.com/v1/files", "POST"),
        ("https://api.anthropic.com/v1/messages/count_tokens", "POST"),
        ("https://example.com/v1/orders", "POST"),
        ("http://localhost:8000/v1/chat/completions", "GET"),
    ])
    def test_passes_through(self, url, method):
        """Other methods and paths are not captured, on any host."""
        assert route(url, method) is None


class TestAnyHost:
    @pytest.mark.parametrize("url, provider, wire, endpoint", [
        ("https://example.com/v1/chat/completions", "openai", "openai", "chat"),
        ("http://127.0.0.2:4000/litellm/v1/embeddings", "openai", "openai", "embeddings"),
        ("http://gw.internal/v1/messages", "anthropic", "anthropic", "messages"),
        ("http://gw.internal/v1beta/models/gemini-2.5-flash:generateContent", "gcp.gemini", "gemini", "generate"),
        ("http://gw.internal/v1/projects/p/locations/l/publishers/google/models/g:streamGenerateContent",
         "gcp.vertex_ai", "gemini", "generate"),
    ])
    def test_an_endpoint_path_on_any_host_is_a_candidate(self, url, provider, wire, endpoint):
        """On a host in no table, an endpoint path is a candidate to confirm, named after its format's provider."""
        found = route(url)
        assert (found.provider, found.wire, found.endpoint, found.confirm) == (provider, wire, endpoint, True)

    def test_known_hosts_and_base_urls_need_no_confirmation(self):
        """Routes of known hosts and configured base URLs are final."""
        router = Router({"http://gw.internal/v1": "vllm"})
        assert route("https://api.openai.com/v1/chat/completions", router=router).confirm is False
        assert route("http://gw.internal/v1/chat/completions", router=router).confirm is False

    def test_off(self):
        """With any_host off only known hosts and configured base URLs are captured."""
        router = Router({"http://gw.internal/v1": "vllm"}, any_host=False)
        assert route("https://example.com/v1/chat/completions", router=router) is None
        assert route("http://gw.internal/v1/chat/completions", router=router).provider == "vllm"


class TestConfiguredBaseURLs:
    def test_openai_compatible_server(self):
        """A configured base URL (vLLM, LiteLLM...) captures its OpenAI endpoints under that provider name."""
        router = Router({"http://localhost:8000/v1": "vllm"})
        found = route("http://localhost:8000/v1/chat/completions", router=router)
        assert (found.provider, found.wire) == ("vllm", "openai")
        assert route("http://localhost:8000/health", router=router) is None
        assert route("http://localhost:8001/v1/chat/completions", router=router).confirm  # another port: a candidate

    def test_wire_follows_provider_and_longest_prefix_wins(self):
        """Base URLs on one server route by path prefix; anthropic and gcp.gemini use their own wire."""
        router = Router({"http://gw:4000": "openai", "http://gw:4000/anthropic": "anthropic",
                         "http://gw:4000/gemini/": "gcp.gemini"})
        assert route("http://gw:4000/anthropic/v1/messages", router=router).wire == "anthropic"
        assert route("http://gw:4000/gemini/v1beta/models/g:generateContent", router=router).wire == "gemini"
        assert route("http://gw:4000/v1/chat/completions", router=router).provider == "openai"

    def test_gateway_serving_another_wire_format(self):
        """A gateway configured as OpenAI-compatible at {base}/v1 also serves Anthropic's /v1/messages
        (the anthropic SDK pointed at {base}): routed as Anthropic's wire, priced and counted as such."""
        router = Router({"http://gw:4000/v1": "openai"})
        found = route("http://gw:4000/v1/messages", router=router)
        assert (found.provider, found.wire, found.endpoint) == ("anthropic", "anthropic", "messages")
        assert route("http://gw:4000/v1/chat/completions", router=router).provider == "openai"
        assert route("http://gw:4000/v1/models", router=router) is None

    def test_a_shorter_prefix_is_tried_when_the_longer_one_has_no_such_endpoint(self):
        router = Router({"http://gw:4000": "anthropic", "http://gw:4000/v1": "openai"})
        assert route("http://gw:4000/v1/messages", router=router).wire == "anthropic"
        assert route("http://gw:4000/v1/embeddings", router=router).wire == "openai"
