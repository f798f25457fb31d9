"""Typed records of the GenAI operations agentotel observes.

Provider translators and the manual API only fill these records; ``emitter.Emitter`` alone turns
them into telemetry. Token counts are kept as the provider reported them: the pricing catalog's
accounting rules say which counts include which (e.g. whether cached input is inside the input
count), and the emitter normalises them to the semantic conventions. A record handed over before it
is filled in comes with a ``Completion``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(slots=True)
class Usage:
    """Token counts as the provider reported them (None: not reported)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    reasoning_output_tokens: int | None = None


@dataclass(slots=True)
class ToolCall:
    """A tool call the model asked for in its response."""

    name: str
    id: str | None = None
    arguments: Any = None


@dataclass(slots=True)
class Document:
    """A document a retrieval returned: its own id (None when it has none), never its text."""

    id: str | None
    score: float | None = None
    content: str | None = None


@dataclass(slots=True)
class LLMCall:
    """One call to a model: chat, text completion, generate content or embeddings."""

    operation: str = "chat"
    provider: str | None = None
    request_model: str | None = None
    server_address: str | None = None
    server_port: int | None = None
    http_status_code: int | None = None  # zero-code capture: the response's HTTP status
    # request
    temperature: float | None = None
    top_p: float | None = None
    top_k: float | None = None
    max_tokens: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    stop_sequences: list[str] | None = None
    seed: int | None = None
    choice_count: int | None = None
    stream: bool = False
    tool_definition_count: int | None = None
    output_type: str | None = None
    encoding_formats: list[str] | None = None
    input_messages: list[Any] | None = None  # content: emitted only when capture is on
    system_instructions: Any = None
    # response
    response_id: str | None = None
    response_model: str | None = None
    finish_reasons: list[str] | None = None
    usage: Usage = field(default_factory=Usage)
    output_messages: list[Any] | None = None
    tool_calls: list[ToolCall] | None = None
    embedding_dimensions: int | None = None
    # outcome and timing (monotonic seconds)
    error_type: str | None = None
    error: BaseException | None = None
    first_chunk_at: float | None = None
    chunk_count: int = 0


@dataclass(slots=True)
class AgentInvocation:
    name: str
    id: str | None = None
    description: str | None = None
    version: str | None = None
    provider: str | None = None
    request_model: str | None = None
    remote: bool = False
    error_type: str | None = None
    error: BaseException | None = None


@dataclass(slots=True)
class Workflow:
    name: str
    error_type: str | None = None
    error: BaseException | None = None


@dataclass(slots=True)
class ToolExecution:
    name: str
    call_id: str | None = None
    description: str | None = None
    type: str | None = "function"
    arguments: Any = None  # content: emitted only when capture is on
    result: Any = None  # content: emitted only when capture is on
    error_type: str | None = None
    error: BaseException | None = None


@dataclass(slots=True)
class Retrieval:
    data_source: str
    query: str | None = None  # content: emitted only when capture is on
    documents: list[Document] | None = field(default_factory=list)  # None: not known (outcome "unknown")
    top_k: int | None = None
    provider: str | None = None
    request_model: str | None = None
    error_type: str | None = None
    error: BaseException | None = None


Record = LLMCall | AgentInvocation | Workflow | ToolExecution | Retrieval


class Completion(Protocol):
    """Fills in an ``LLMCall`` handed to the emitter unread (zero-code capture: a response body read
    whole, a pending span's request); the emitter calls it when the operation ends.

    ``cost_only`` True: filling only what pricing needs (model and usage) is enough. Returns True
    when the record is complete, False when it must be called again for the rest. May raise: the
    emitter reports it and treats the record as complete.
    """

    def __call__(self, cost_only: bool = False) -> bool: ...
