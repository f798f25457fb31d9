"""A local fake LLM provider speaking the OpenAI, Anthropic and Gemini wire formats.

Deterministic canned answers with usage that includes cached and reasoning tokens, per-request
scenarios (errors, malformed or truncated bodies, slow streams, tool calls: see ``scenarios``), and
a record of every request it received. Run it with ``python -m demo.fake_provider --port N``, or in
process::

    base_url, stop = provider = start_fake_provider()
    ...  # openai:  OpenAI(base_url=f"{base_url}/v1")
         # anthropic: Anthropic(base_url=base_url)
         # google-genai: Client(http_options={"base_url": base_url})
    provider.requests  # what it received, oldest first
    stop()
"""

from __future__ import annotations

import threading

from .scenarios import (ANTHROPIC_USAGE, EMBEDDING_DIMENSIONS, EMBEDDING_TOKENS, GEMINI_USAGE, OPENAI_USAGE,
                        SCENARIO_HEADER, SCENARIOS, TOOL_ARGUMENTS, TOOL_NAME, Usage)
from .server import FakeProviderServer


class FakeProvider(tuple):
    """``(base_url, stop)``, with the server's recorded ``requests`` and ``clear()``."""

    def __new__(cls, base_url: str, stop, server: FakeProviderServer):
        self = super().__new__(cls, (base_url, stop))
        self.server = server
        return self

    @property
    def base_url(self) -> str:
        return self[0]

    @property
    def stop(self):
        return self[1]

    @property
    def requests(self) -> list[dict]:
        return self.server.recorded()

    def clear(self) -> None:
        self.server.clear()


def start_fake_provider(host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> FakeProvider:
    """Start the server on a thread (port 0: a free one). ``stop()`` shuts it down and is idempotent."""
    server = FakeProviderServer((host, port), verbose=verbose)
    thread = threading.Thread(target=server.serve_forever, name="fake-provider", daemon=True)
    thread.start()
    stopped = threading.Event()

    def stop() -> None:
        if stopped.is_set():
            return
        stopped.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join(timeout=10)

    bound_host, bound_port = server.server_address[:2]
    return FakeProvider(f"http://{bound_host}:{bound_port}", stop, server)


__all__ = ["ANTHROPIC_USAGE", "EMBEDDING_DIMENSIONS", "EMBEDDING_TOKENS", "GEMINI_USAGE", "OPENAI_USAGE",
           "SCENARIOS", "SCENARIO_HEADER", "TOOL_ARGUMENTS", "TOOL_NAME", "FakeProvider", "FakeProviderServer",
           "Usage", "start_fake_provider"]
