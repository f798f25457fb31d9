"""Zero-code capture of LLM calls at the HTTP client (httpx and httpx2, sync, async and streamed).

``LLMInstrumentor`` wraps the clients' ``send``; ``routes`` says which requests are LLM calls;
``providers`` translate each wire format into an ``LLMCall`` record; ``call`` and ``streams`` carry
one call from request to the end of its body; ``dedup`` adopts another instrumentation's LLM span
instead of opening a second one; ``sanitize`` keeps the conversation scope out of requests.
docs/capture.md describes what is captured.
"""

from .instrumentor import LLMInstrumentor
__all__ = ["LLMInstrumentor"]
