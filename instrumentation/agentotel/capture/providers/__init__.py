"""Wire-format translators: request, response and stream JSON into an ``LLMCall`` record.

Each module has the same three entry points and nothing else of note:

- ``request(record, body, route, content)`` fills request fields from the request JSON;
- ``response(record, body, route, content)`` fills response fields from a complete response JSON;
- ``StreamState(record, route, content)`` takes server-sent events one at a time with
  ``event(name, data)``, sets ``done`` at the provider's terminal event, and ``finish()`` writes what
  it accumulated into the record.

A call's request and response may be read in either order (a pending span's response is read
first when its cost is needed at once): neither overwrites what the other set.

``content`` says whether message content is wanted (content capture on); without it translators do
not build message lists. Translators never decide what is emitted: the emitter does.
"""

from __future__ import annotations

from types import ModuleType

from ..routes import WIRE_ANTHROPIC, WIRE_GEMINI, WIRE_OPENAI
from . import anthropic, gemini, openai

TRANSLATORS: dict[str, ModuleType] = {WIRE_OPENAI: openai, WIRE_ANTHROPIC: anthropic, WIRE_GEMINI: gemini}

__all__ = ["TRANSLATORS"]
