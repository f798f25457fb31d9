"""LlamaIndex's dispatcher spans and events, translated into agentotel's records.

``Translator`` receives what LlamaIndex's instrumentation dispatcher reports — a span entering,
exiting or dropped (``id_`` ``Class.method-<uuid>``, the instance, the bound arguments, the parent
span's id) and events — and keeps one agentotel operation per translated span:

- a query engine's or chat engine's ``query`` / ``chat`` (and their async and streaming forms) →
  ``invoke_agent {engine class}``: the run of a retrieval-augmented answer;
- a workflow run (the ``{class}.run`` span around all of a run's steps): a workflow agent's
  (``FunctionAgent``, ``ReActAgent``...) → ``invoke_agent {agent name}``, any other workflow's
  (``AgentWorkflow`` of several agents, the app's own) → ``invoke_workflow {class}``;
- a retriever's ``retrieve`` / ``aretrieve`` → ``retrieval {retriever class}``; its
  ``RetrievalEndEvent`` gives the nodes' ids and scores (``NodeWithScore``), the node text only
  with content capture on, and ``RetrievalStartEvent`` the query (content capture on only);
- a workflow agent's ``call_tool`` step → ``execute_tool {tool}`` with the call's id, arguments
  and result only with content capture on, a result marked as an error → the span's error;
- a streamed answer (``StreamingResponse``) is read by the app after ``query`` returned: the
  engine's ``invoke_agent`` stays open, the stream is read in its context, and it ends with the
  stream (``frameworks.streams``);
- every other span (synthesis, LLM, embedding, other workflow steps): nothing; the LLM and
  embedding calls are recorded by the HTTP-layer capture, one span per call, under the nearest
  translated span.

Classes are recognised by the names in their MRO, so this module imports without LlamaIndex.
Never raises into LlamaIndex.
"""

from __future__ import annotations

from typing import Any

from ...core import guard
from ...core.records import AgentInvocation, Document, Retrieval, ToolExecution, Workflow
from ..operations import FrameworkError, Operations
from ..streams import afollow, follow

_COMPONENT = "llamaindex"
_ENGINE_METHODS = {
    "BaseQueryEngine": ("query", "aquery"),
    "BaseChatEngine": ("chat", "achat", "stream_chat", "astream_chat"),
}
_RETRIEVER_METHODS = ("retrieve", "aretrieve")


def _method(id_: str) -> str:
    """``retrieve`` of ``VectorIndexRetriever.retrieve-<uuid>``."""
    name = id_.rsplit("-", 5)[0] if id_.count("-") >= 5 else id_
    return name.rsplit(".", 1)[-1]


def _bases(instance: Any) -> set[str]:
    return {cls.__name__ for cls in type(instance).__mro__} if instance is not None else set()


def _argument(bound_args, name: str) -> Any:
    arguments = getattr(bound_args, "arguments", None) or {}
    return arguments.get(name)


def _query_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    text = getattr(value, "query_str", None)
    return text if isinstance(text, str) else None


class Translator:
    """One agentotel operation per translated LlamaIndex span; thread-safe, never raises."""

    def __init__(self, operations: Operations | None = None):
        self.ops = operations or Operations(_COMPONENT)

    def record_for(self, id_: str, instance: Any, bound_args) -> Any:
        """The record a span becomes, or None when it is not translated."""
        method = _method(id_)
        bases = _bases(instance)
        for base, methods in _ENGINE_METHODS.items():
            if base in bases and method in methods:
                return AgentInvocation(name=type(instance).__name__)
        if method == "run" and "Workflow" in bases:
            if "BaseWorkflowAgent" in bases:
                name = getattr(instance, "name", None)
                return AgentInvocation(name=name if isinstance(name, str) and name else type(instance).__name__)
            return Workflow(name=type(instance).__name__)
        if "BaseRetriever" in bases and method in _RETRIEVER_METHODS:
            return Retrieval(data_source=type(instance).__name__)
        if method == "call_tool":
            event = _argument(bound_args, "ev")
            name = getattr(event, "tool_name", None)
            if isinstance(name, str):
                record = ToolExecution(name=name, call_id=getattr(event, "tool_id", None))
                if self.ops.emitter.settings.capture_any_content:
                    record.arguments = getattr(event, "tool_kwargs", None)
                return record
        return None

    def span_enter(self, id_: str, instance: Any = None, bound_args=None, parent_id: str | None = None) -> None:
        with guard.contained(_COMPONENT):
            record = self.record_for(id_, instance, bound_args)
            if record is None:
                self.ops.pass_through(id_, parent_id)
            else:
                self.ops.start(id_, parent_id, record, attach=True)

    def span_exit(self, id_: str, result: Any = None) -> None:
        error = None
        with guard.contained(_COMPONENT):
            record = self.ops.record_of(id_)
            if isinstance(record, AgentInvocation) and self._follow_stream(id_, result):
                return
            if isinstance(record, ToolExecution):
                output = getattr(result, "tool_output", result)
                if getattr(output, "is_error", False):
                    record.error_type = "tool_error"
                    error = FrameworkError(str(getattr(output, "content", "") or "tool error"))
                if self.ops.emitter.settings.capture_any_content:
                    record.result = getattr(output, "content", output)
        self.ops.end(id_, error)

    def _follow_stream(self, id_: str, result: Any) -> bool:
        """Keep the engine's run open until the app has read the answer it streams (True), when
        ``result`` streams one (its ``response_gen``, sync or async, not read yet)."""
        stream = getattr(result, "response_gen", None)
        if hasattr(stream, "__next__"):
            wrap = follow
        elif hasattr(stream, "__anext__"):
            wrap = afollow
        else:
            return False
        ctx = self.ops.hold(id_)
        if ctx is None:
            return False
        result.response_gen = wrap(stream, ctx, lambda error: self.ops.end(id_, error))
        return True

    def span_drop(self, id_: str, error: BaseException | None = None) -> None:
        self.ops.end(id_, error if isinstance(error, Exception) else None)

    def event(self, event: Any) -> None:
        with guard.contained(_COMPONENT):
            kind = type(event).__name__
            if kind not in ("RetrievalStartEvent", "RetrievalEndEvent"):
                return
            record = self.ops.record_of(getattr(event, "span_id", None))
            if not isinstance(record, Retrieval):
                return
            if kind == "RetrievalStartEvent":
                record.query = _query_text(getattr(event, "str_or_query_bundle", None))
                return
            content = self.ops.emitter.settings.capture_any_content
            record.documents = [_document(item, content) for item in getattr(event, "nodes", None) or []]


def _document(item: Any, content: bool) -> Document:
    """A ``NodeWithScore`` as a document: the node's id and the score, its text only with ``content``."""
    node = getattr(item, "node", item)
    node_id = getattr(node, "node_id", None) or getattr(node, "id_", None)
    score = getattr(item, "score", None)
    text = None
    if content:
        get_content = getattr(node, "get_content", None)
        text = get_content() if callable(get_content) else None
    return Document(str(node_id), float(score) if isinstance(score, (int, float)) else None, text)
