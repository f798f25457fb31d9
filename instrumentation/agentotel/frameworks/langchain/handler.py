"""The callback handler LangChain calls for every run, inherited by every child run.

Runs become the core's records: a LangGraph graph or an agent executor → ``invoke_agent``, a tool →
``execute_tool``, a retriever → ``retrieval``; chains and graph nodes are no spans unless
``AGENTOTEL_FRAMEWORK_STEP_SPANS`` (then ``invoke_workflow``). Each span's run context is made
current for the code the run executes, so what the code does (an HTTP call, an LLM call captured at
the HTTP layer, another instrumentation's span) nests under it.

An LLM run makes no span here while the call goes out: it marks the context it is sent in
(``runs.LLM_RUN_KEY``) and zero-code capture records the call at the HTTP layer, under the agent,
with what the provider sent. Only a call nobody recorded (a provider capture does not know) is
recorded from LangChain's own result when the run ends: one LLM span per call either way. When
another instrumentation's LLM span is current (OpenLLMetry), capture adopts that span instead.

LangGraph's ``configurable.thread_id`` becomes the run's conversation (``gen_ai.conversation.id`` on
its spans and in the conversation metrics), unless the app set a conversation scope itself.
Every method contains its own failures: LangChain never sees an exception from here.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from opentelemetry import baggage, trace
from opentelemetry import context as otel_context

from ...capture.dedup import SUPPRESS_LLM_KEY, span_owner
from ...core import guard
from ...core.runtime import get_emitter, get_signals
from ...core.scope import AGENT_KEY, conversation_attributes
from ...core.records import Retrieval, Workflow
from ...semconv import genai
from ..runs import LLM_RUN_KEY, Attached, LLMRun, Run, Runs
from . import translate as t

_COMPONENT = "langchain"


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class AgentotelCallbackHandler(BaseCallbackHandler):
    """Translates LangChain runs into agentotel records. ``emitter`` None: the process-wide one."""

    run_inline = True  # called on the run's own thread and task, in order: its context is ours to set

    def __init__(self, emitter=None):
        super().__init__()
        self._emitter = emitter
        self.runs = Runs()

    @property
    def emitter(self):
        return self._emitter or get_emitter()

    # ------------------------------------------------------------------ spans
    def _start(self, run_id, parent_run_id, record, attach: bool = True, metadata: dict | None = None,
               ctx=None) -> Run:
        """Open ``record``'s span under the parent run and make its context current."""
        if ctx is None:
            ctx = self.runs.context_for(parent_run_id)
        op = self.emitter.start(record, ctx)
        child = trace.set_span_in_context(op.span, ctx)
        if isinstance(record, t.AgentInvocation):
            child = otel_context.set_value(AGENT_KEY, record.name, child)
        return self.runs.open(run_id, Run(op, child, Attached(child) if attach else None, metadata))

    def _end(self, run_id, error: BaseException | None = None) -> Run | None:
        run = self.runs.close(run_id)
        if run is None:
            return None
        if run.attached is not None:
            run.attached.restore()
        if run.op is not None:
            self.emitter.end(run.op, error=error)
        return run

    # ------------------------------------------------------------------ chains, graphs, agents
    def on_chain_start(self, serialized, inputs, *, run_id, parent_run_id=None, tags=None, metadata=None,
                       **kwargs: Any) -> None:
        with guard.contained(_COMPONENT):
            name = kwargs.get("name")
            parent = self.runs.get(parent_run_id) if parent_run_id is not None else None
            if parent is not None and parent.op is None and t.is_subgraph_child(metadata, parent.extra):
                self._promote(parent_run_id, parent)  # the parent run is a graph inside a node
            kind = t.run_kind(serialized, metadata, name, parent is not None)
            if kind == t.AGENT:
                ctx = self.runs.context_for(parent_run_id)
                ctx = self._with_conversation(ctx, metadata)
                # an async graph ends its run in a copy of the task's context: what it attached at
                # the start would stay current in the app's task after the run, so it attaches nothing
                self._start(run_id, parent_run_id, t.agent_record(name, serialized), attach=not _in_event_loop(),
                            metadata=metadata, ctx=ctx)
            elif self.emitter.settings.framework_step_spans:
                self._start(run_id, parent_run_id, Workflow(name=name or "chain"), attach=False, metadata=metadata)
            else:  # no span: its children start in its parent's context
                self.runs.open(run_id, Run(None, self.runs.context_for(parent_run_id), extra=metadata))

    def _promote(self, run_id, run: Run) -> None:
        """A run without a span turns out to be a graph: it becomes an agent span, from its start."""
        ns = (run.extra or {}).get("langgraph_checkpoint_ns") or ""
        name = ns.rsplit("|", 1)[-1].split(":", 1)[0] or "agent"  # the node that runs the graph
        record = t.AgentInvocation(name=name)
        op = self.emitter.start(record, run.context, start_time=run.started_ns)
        op.started = run.started
        run.op = op
        run.context = otel_context.set_value(AGENT_KEY, name, trace.set_span_in_context(op.span, run.context))

    def _with_conversation(self, ctx, metadata):
        """``ctx`` with LangGraph's thread id as the conversation, unless it has one already."""
        key = t.conversation_key(metadata)
        if key is None or genai.GEN_AI_CONVERSATION_ID in conversation_attributes(ctx):
            return ctx
        with guard.contained(_COMPONENT):
            get_signals().start(key, None, None)
        return baggage.set_baggage(genai.GEN_AI_CONVERSATION_ID, key, ctx)

    def on_chain_end(self, outputs, *, run_id, **kwargs: Any) -> None:
        with guard.contained(_COMPONENT):
            self._end(run_id)

    def on_chain_error(self, error, *, run_id, **kwargs: Any) -> None:
        with guard.contained(_COMPONENT):
            self._end(run_id, None if t.is_control_flow(error) else error)

    # ------------------------------------------------------------------ tools
    def on_tool_start(self, serialized, input_str, *, run_id, parent_run_id=None, tags=None, metadata=None,
                      inputs=None, **kwargs: Any) -> None:
        with guard.contained(_COMPONENT):
            kwargs["inputs"] = inputs
            record = t.tool_record(serialized, kwargs.get("name"), kwargs, input_str,
                                   self.emitter.settings.capture_any_content)
            self._start(run_id, parent_run_id, record)

    def on_tool_end(self, output, *, run_id, **kwargs: Any) -> None:
        with guard.contained(_COMPONENT):
            run = self.runs.get(run_id)
            if run is not None and run.op is not None:
                if self.emitter.settings.capture_any_content:
                    run.op.record.result = t.tool_result(output)
                if t.tool_failed(output):
                    run.op.record.error_type = "tool_error"
            self._end(run_id)

    def on_tool_error(self, error, *, run_id, **kwargs: Any) -> None:
        with guard.contained(_COMPONENT):
            self._end(run_id, error)

    # ------------------------------------------------------------------ retrievers
    def on_retriever_start(self, serialized, query, *, run_id, parent_run_id=None, tags=None, metadata=None,
                           **kwargs: Any) -> None:
        with guard.contained(_COMPONENT):
            record = Retrieval(data_source=t.retrieval_source(serialized, metadata, kwargs.get("name")))
            if self.emitter.settings.capture_any_content and isinstance(query, str):
                record.query = query
            self._start(run_id, parent_run_id, record)

    def on_retriever_end(self, documents, *, run_id, **kwargs: Any) -> None:
        with guard.contained(_COMPONENT):
            run = self.runs.get(run_id)
            if run is not None and run.op is not None:
                run.op.record.documents = t.retrieved(documents)
            self._end(run_id)

    def on_retriever_error(self, error, *, run_id, **kwargs: Any) -> None:
        with guard.contained(_COMPONENT):
            self._end(run_id, error)

    # ------------------------------------------------------------------ LLM calls
    def on_chat_model_start(self, serialized, messages, *, run_id, parent_run_id=None, tags=None, metadata=None,
                            **kwargs: Any) -> None:
        with guard.contained(_COMPONENT):
            self._start_llm("chat", serialized, messages, run_id, parent_run_id, metadata, kwargs)

    def on_llm_start(self, serialized, prompts, *, run_id, parent_run_id=None, tags=None, metadata=None,
                     **kwargs: Any) -> None:
        with guard.contained(_COMPONENT):
            self._start_llm("text_completion", serialized, prompts, run_id, parent_run_id, metadata, kwargs)

    def _start_llm(self, operation, serialized, prompts, run_id, parent_run_id, metadata, kwargs) -> None:
        """Mark the context the call is sent in; the record is kept for a call nobody captures."""
        content = self.emitter.settings.capture_any_content
        record = t.llm_record(operation, serialized, metadata, kwargs, prompts, content)
        mark = LLMRun()
        current = otel_context.get_current()
        if span_owner(trace.get_current_span(current)) is not None:
            ctx = current  # another instrumentation's LLM span is current: capture adopts it
        else:  # the call is sent in the run's context, its cost rolling up onto the agent
            ctx = self.runs.context_for(parent_run_id)
            if otel_context.get_value(SUPPRESS_LLM_KEY, current):
                # OpenLLMetry's LLM span records the call (not current): capture adopts it
                ctx = otel_context.set_value(SUPPRESS_LLM_KEY, True, ctx)
        ctx = otel_context.set_value(LLM_RUN_KEY, mark, ctx)
        self.runs.open(run_id, Run(None, ctx, Attached(ctx), (record, mark)))

    def on_llm_end(self, response, *, run_id, **kwargs: Any) -> None:
        with guard.contained(_COMPONENT):
            self._end_llm(run_id, response, None)

    def on_llm_error(self, error, *, run_id, **kwargs: Any) -> None:
        with guard.contained(_COMPONENT):
            self._end_llm(run_id, None, error)

    def _end_llm(self, run_id, response, error) -> None:
        run = self._end(run_id)
        if run is None or not isinstance(run.extra, tuple):
            return
        record, mark = run.extra
        mark.done = True
        if mark.recorded:
            return  # captured at the HTTP layer (or adopted, or an llm_call() scope's)
        emitter = self.emitter
        if response is not None:
            t.llm_result(record, response, emitter.settings.capture_any_content)
        op = emitter.start(record, otel_context.set_value(LLM_RUN_KEY, None, run.context), start_time=run.started_ns)
        op.started = run.started
        emitter.end(op, error=error)
