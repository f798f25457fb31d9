"""A framework's runs in flight, by the framework's run id, and the context each one's children
start in.

A framework hands its hooks a run id and the id of the parent run. ``Runs`` keeps, for each open
run, the operation it became (None for a run that is no span of its own, such as a chain) and the
OpenTelemetry context its children start in: its own span's, or, for a run without a span, its
nearest ancestor's. A run whose parent is unknown starts in the caller's current context.

``Attached`` makes a context current for the code a run executes, and restores the previous one at
the run's end only while it is still current: hooks are no ``with`` block, so when another
instrumentation attached and detached in a different order, its context is not clobbered.

``LLM_RUN_KEY`` marks the context of a framework LLM call that zero-code capture may record at the
HTTP layer: capture calls ``seen`` on the mark, so the framework records the call itself only when
nobody did (one LLM span per call either way).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace

LLM_RUN_KEY = otel_context.create_key("agentotel.framework.llm_run")
#: Runs kept at most: a framework that never ends its runs cannot grow the map without bound.
MAX_OPEN_RUNS = 10000


class LLMRun:
    """The mark of a framework LLM call in flight; ``recorded`` once someone records the call,
    ``done`` once the call ended (a mark left in a context is then ignored)."""

    __slots__ = ("recorded", "done")

    def __init__(self) -> None:
        self.recorded = False
        self.done = False


def seen(ctx=None) -> None:
    """Capture records (or adopts, or leaves to an ``llm_call()`` scope) the call sent in ``ctx``:
    the framework's LLM run in that context must not record it again. Never raises."""
    run = otel_context.get_value(LLM_RUN_KEY, ctx)
    if run is not None and not run.done:
        run.recorded = True


class Run:
    """One open run: its operation (or None), the context its children start in, its start."""

    __slots__ = ("op", "context", "started_ns", "started", "attached", "extra")

    def __init__(self, op, context, attached: "Attached | None" = None, extra: Any = None):
        self.op = op
        self.context = context
        self.started_ns = time.time_ns()
        self.started = time.perf_counter()
        self.attached = attached
        self.extra = extra


class Runs:
    """The open runs of one framework instrumentation. Thread-safe."""

    def __init__(self, limit: int = MAX_OPEN_RUNS):
        self._runs: dict[Any, Run] = {}
        self._lock = threading.Lock()
        self._limit = limit

    def context_for(self, parent_run_id) -> Any:
        """The context a child of ``parent_run_id`` starts in: the parent's, or the current one."""
        parent = self._runs.get(parent_run_id) if parent_run_id is not None else None
        return parent.context if parent is not None else otel_context.get_current()

    def get(self, run_id) -> Run | None:
        return self._runs.get(run_id)

    def open(self, run_id, run: Run) -> Run:
        with self._lock:
            if len(self._runs) >= self._limit:
                self._runs.pop(next(iter(self._runs)))  # the oldest: a run that never ended
            self._runs[run_id] = run
        return run

    def close(self, run_id) -> Run | None:
        with self._lock:
            return self._runs.pop(run_id, None)

    def __len__(self) -> int:
        return len(self._runs)


class Attached:
    """``ctx`` made current until ``restore``; the previous context comes back only while ``ctx``,
    or a context with the same current span, is still the current one (a framework may end a run in
    a copy of the context it started it in: what it attached there stays, with the same span)."""

    __slots__ = ("context", "previous")

    def __init__(self, ctx):
        self.previous = otel_context.get_current()
        self.context = ctx
        otel_context.attach(ctx)

    def restore(self) -> None:
        current = otel_context.get_current()
        if current is self.context or trace.get_current_span(current) is trace.get_current_span(self.context):
            otel_context.attach(self.previous)
