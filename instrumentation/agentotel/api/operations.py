"""Context managers and decorators for agent invocations, workflows, tools, retrievals and LLM calls.

Each factory (``agent``, ``workflow``, ``tool``, ``retrieval``, ``llm_call``) returns a scope that
works as ``with``/``async with`` (yielding the record to fill in) and as a decorator on plain
functions, coroutines, generators and async generators. A span ends exactly once: when the block or
call returns or raises, or when a generator is exhausted, closed or fails. For generators the
context is attached around each step only, so the caller's code between steps is not inside the
span. Telemetry failures are contained: the wrapped code runs and returns exactly as without us.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace

from ..core import guard
from ..core.documents import documents_of as _documents
from ..core.records import AgentInvocation, LLMCall, Retrieval, ToolExecution, Workflow
from ..core.runtime import get_emitter
from ..core.scope import AGENT_KEY, without_conversation


class _Scope:
    """One operation: start on enter, end exactly once on exit."""

    __slots__ = ("_make", "_op", "_token", "record")

    def __init__(self, make: Callable[[], Any]):
        self._make = make
        self._op = None
        self._token = None
        self.record = None

    def _start(self):
        with guard.contained("api"):
            self.record = record = self._make()
            emitter = get_emitter()
            op = emitter.start(record)
            ctx = trace.set_span_in_context(op.span)
            if isinstance(record, AgentInvocation):
                ctx = otel_context.set_value(AGENT_KEY, record.name, ctx)
            elif isinstance(record, LLMCall) and not emitter.settings.llm_baggage:
                ctx = without_conversation(ctx)  # what is sent inside goes to the model provider
            self._op = op
            return ctx
        return None

    def __enter__(self):
        ctx = self._start()
        if ctx is not None:
            self._token = otel_context.attach(ctx)
        return self.record

    def __exit__(self, exc_type, exc, tb):
        self._finish(exc)
        return False

    async def __aenter__(self):
        return self.__enter__()

    async def __aexit__(self, exc_type, exc, tb):
        return self.__exit__(exc_type, exc, tb)

    def _finish(self, exc: BaseException | None) -> None:
        if self._token is not None:
            with guard.contained("api"):
                otel_context.detach(self._token)
            self._token = None
        if self._op is not None:
            get_emitter().end(self._op, error=exc if isinstance(exc, Exception) else None)
            self._op = None


class ScopeFactory:
    """A ``with``-able and decorating factory of operation scopes.

    Each entry (``with``, ``async with``, each call of a decorated function) has a scope of its
    own: one factory object serves several threads and asyncio tasks at once, and nests in itself."""

    def __init__(self, make: Callable[..., Any], name: str | None, kwargs: dict[str, Any],
                 on_call: Callable | None = None, on_result: Callable | None = None):
        self._make = make
        self._name = name
        self._kwargs = kwargs
        self._on_call = on_call
        self._on_result = on_result
        # the scopes entered with ``with`` in this context (thread, task), innermost last
        self._entered: ContextVar[tuple[_Scope, ...]] = ContextVar("agentotel.scopes", default=())

    def _scope(self, name: str | None = None) -> _Scope:
        return _Scope(lambda: self._make(name or self._name, **self._kwargs))

    # context manager use: `with agent("support") as record:`
    def __enter__(self):
        scope = self._scope()
        record = scope.__enter__()
        self._entered.set(self._entered.get() + (scope,))
        return record

    def __exit__(self, *exc):
        entered = self._entered.get()
        if not entered:
            return False  # an exit without its entry in this context: nothing of ours to end
        self._entered.set(entered[:-1])
        return entered[-1].__exit__(*exc)

    async def __aenter__(self):
        return self.__enter__()

    async def __aexit__(self, *exc):
        return self.__exit__(*exc)

    # decorator use: `@tool("lookup_order")` or `@tool`
    def __call__(self, fn: Callable) -> Callable:
        name = self._name or getattr(fn, "__name__", "operation")
        on_call, on_result = self._on_call, self._on_result

        def prepare(scope: _Scope, args, kwargs):
            if on_call is not None and scope.record is not None:
                with guard.contained("api"):
                    on_call(scope.record, fn, args, kwargs)

        def conclude(scope: _Scope, result):
            if on_result is not None and scope.record is not None:
                with guard.contained("api"):
                    on_result(scope.record, result)

        if inspect.isasyncgenfunction(fn):
            @functools.wraps(fn)
            async def agen_wrapper(*args, **kwargs):
                scope = self._scope(name)
                ctx = scope._start()
                prepare(scope, args, kwargs)
                agen = fn(*args, **kwargs)
                items = []
                error = None
                try:
                    while True:
                        token = otel_context.attach(ctx) if ctx is not None else None
                        try:
                            item = await agen.__anext__()
                        except StopAsyncIteration:
                            break
                        finally:
                            if token is not None:
                                otel_context.detach(token)
                        if on_result is not None:
                            items.append(item)
                        yield item
                except BaseException as exc:
                    error = exc
                    raise
                finally:
                    if error is None and on_result is not None:
                        conclude(scope, items)
                    scope._finish(error)
                    await agen.aclose()
            return agen_wrapper

        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                scope = self._scope(name)
                ctx = scope._start()
                prepare(scope, args, kwargs)
                gen = fn(*args, **kwargs)
                items = []
                error = None
                try:
                    while True:
                        token = otel_context.attach(ctx) if ctx is not None else None
                        try:
                            item = next(gen)
                        except StopIteration as stop:
                            return stop.value
                        finally:
                            if token is not None:
                                otel_context.detach(token)
                        if on_result is not None:
                            items.append(item)
                        yield item
                except BaseException as exc:
                    error = exc
                    raise
                finally:
                    if error is None and on_result is not None:
                        conclude(scope, items)
                    scope._finish(error)
                    gen.close()
            return gen_wrapper

        if inspect.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def async_wrapper(*args, **kwargs):
                scope = self._scope(name)
                with scope:
                    prepare(scope, args, kwargs)
                    result = await fn(*args, **kwargs)
                    conclude(scope, result)
                    return result
            return async_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            scope = self._scope(name)
            with scope:
                prepare(scope, args, kwargs)
                result = fn(*args, **kwargs)
                conclude(scope, result)
                return result
        return wrapper


def _bound_arguments(fn, args, kwargs) -> dict[str, Any]:
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs)
        return {k: v for k, v in bound.arguments.items() if k not in ("self", "cls")}
    except (TypeError, ValueError):
        return {"args": list(args), "kwargs": kwargs}


def _tool_call(record: ToolExecution, fn, args, kwargs) -> None:
    if get_emitter().settings.capture_any_content:
        record.arguments = _bound_arguments(fn, args, kwargs)


def _tool_result(record: ToolExecution, result) -> None:
    if get_emitter().settings.capture_any_content:
        record.result = result


def _retrieval_call(record: Retrieval, fn, args, kwargs) -> None:
    if record.query is None:
        query = kwargs.get("query", args[0] if args and isinstance(args[0], str) else None)
        if isinstance(query, str):
            record.query = query


def _retrieval_result(record: Retrieval, result) -> None:
    record.documents = _documents(result)  # None: not understood, the outcome is "unknown"


def _entered(make, name, kwargs, on_call=None, on_result=None):
    """``@factory`` (``name`` the function) or ``factory(name, ...)`` (a ``ScopeFactory``)."""
    if callable(name):  # bare decorator: @tool
        return ScopeFactory(make, None, kwargs, on_call, on_result)(name)
    return ScopeFactory(make, name, kwargs, on_call, on_result)


def _given(**kwargs: Any) -> dict[str, Any]:
    return {key: value for key, value in kwargs.items() if value is not None}


def _agent(name, **kw):
    return AgentInvocation(name=name or "agent", **kw)


def _workflow(name, **kw):
    return Workflow(name=name or "workflow", **kw)


def _tool(name, **kw):
    return ToolExecution(name=name or "tool", **kw)


def _retrieval(name, **kw):
    return Retrieval(data_source=name or "retrieval", **kw)


def agent(name: str | Callable | None = None, /, *, id: str | None = None,  # noqa: A002 - gen_ai.agent.id
          description: str | None = None, version: str | None = None, provider: str | None = None,
          request_model: str | None = None, remote: bool = False) -> Any:
    """An agent invocation (`invoke_agent {name}`): ``@agent("support")``, ``@agent`` or
    ``with agent("support") as record:``. ``remote``: the agent runs in another service (a CLIENT span)."""
    return _entered(_agent, name, {**_given(id=id, description=description, version=version, provider=provider,
                                            request_model=request_model), "remote": remote})


def workflow(name: str | Callable | None = None, /) -> Any:
    """A workflow (`invoke_workflow {name}`) of several agents or steps."""
    return _entered(_workflow, name, {})


def tool(name: str | Callable | None = None, /, *, call_id: str | None = None, description: str | None = None,
         type: str | None = "function") -> Any:  # noqa: A002 - gen_ai.tool.type
    """A tool execution (`execute_tool {name}`). Arguments and result are recorded only when content
    capture is on."""
    return _entered(_tool, name, {**_given(call_id=call_id, description=description), "type": type},
                    _tool_call, _tool_result)


def retrieval(name: str | Callable | None = None, /, *, query: str | None = None, top_k: int | None = None,
              provider: str | None = None, request_model: str | None = None) -> Any:
    """A retrieval (`retrieval {data_source}`). As a decorator the returned documents are recorded:
    agentotel ``Document``s, dicts or objects with ``id`` and ``score``, LangChain ``(Document, score)``
    pairs (the document's ``id``, never its text) and LlamaIndex ``NodeWithScore``s; a result of
    another shape is recorded as outcome ``unknown``. In a ``with`` block, set ``record.documents``.
    The query (and the documents' text) are recorded only with content capture on."""
    return _entered(_retrieval, name, _given(query=query, top_k=top_k, provider=provider, request_model=request_model),
                    _retrieval_call, _retrieval_result)


_LLM_CALL_FIELDS = frozenset(LLMCall.__dataclass_fields__) - {"operation", "provider", "request_model"}


def llm_call(model: str | None = None, /, *, provider: str | None = None, operation: str = "chat",
             **kwargs: Any) -> ScopeFactory:
    """An LLM call (`{operation} {model}`) the app makes by means agentotel does not capture itself.
    In the ``with`` block fill the yielded ``LLMCall``: ``usage``, ``response_model``, ``finish_reasons``...
    Other keywords are ``LLMCall`` fields (``temperature``, ``max_tokens``...); any other name is a
    ``TypeError`` here, when the scope is made, never when the call runs.
    """
    unknown = sorted(set(kwargs) - _LLM_CALL_FIELDS)
    if unknown:
        raise TypeError(f"llm_call() got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; "
                        f"valid: provider, operation, {', '.join(sorted(_LLM_CALL_FIELDS))}")
    return ScopeFactory(lambda name, **kw: LLMCall(operation=operation, provider=provider, request_model=name, **kw),
                        model, kwargs)


def mark_first_chunk(record: LLMCall) -> None:
    """Mark the arrival of a streamed response's first chunk on an ``llm_call`` record."""
    import time

    if record.first_chunk_at is None:
        record.first_chunk_at = time.perf_counter()
    record.stream = True
