"""The background worker that does the OpenTelemetry SDK's share of ending an operation.

Ending an LLM call's span costs the SDK far more than agentotel's own bookkeeping: validating some
twenty span attributes and four metric points, then the span processors' ``on_end``. None of it has
to happen on the app's thread. ``Emitter.end`` prepares a short list of steps (set these attributes,
record these points, end the span at this time) and ``submit`` hands it to one daemon thread, which
runs the lists in the order they came and the steps of a list in order, so a span's attributes are
always set before it ends.

The thread works in batches: after emptying the queue it rests ``LINGER`` seconds before it looks
again. Under the GIL every hand-over between the app's thread and this one costs both of them (and
running the same SDK code many times in a row is cheaper than once per call, cache-cold), so fewer,
bigger batches cost less CPU in all and disturb the app's thread less; export is delayed by at most
that, far below the batch span processor's own delay.

- Bounded: when ``MAX_PENDING`` lists wait already, the caller runs its list itself — slower, never
  dropped.
- ``drain(timeout)`` waits until every list handed over so far has run; the pipeline's flush and
  shutdown call it first, and an exit handler calls it before the interpreter stops (after which
  lists run on the caller's thread).
- A failing step is reported through ``guard`` (as the ``emitter`` component); the list's other
  steps still run and the thread lives on.
- The thread starts on first use, and again in a forked child, whose inherited queue is dropped
  (those lists belong to the parent, which exports them).
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable, Sequence
from queue import SimpleQueue
from typing import Any

from . import guard, signal_mask

#: Lists of steps waiting for the worker beyond which callers run their own.
MAX_PENDING = 4096
#: Seconds the worker rests after a batch, so the next one is bigger; ``drain`` cuts the rest short.
LINGER = 0.05

#: One step: a callable and its positional arguments.
Step = tuple[Callable[..., Any], ...]

_COMPONENT = "emitter"


def run(steps: Sequence[Step]) -> None:
    """Run every step in order; a failing one is reported and the next ones still run."""
    for step in steps:
        try:
            step[0](*step[1:])
        except Exception as exc:  # noqa: BLE001
            guard.report(_COMPONENT, exc)


class Worker:
    def __init__(self, max_pending: int = MAX_PENDING):
        self.max_pending = max_pending
        self._exit_hook = False
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()  # in a forked child, the parent's may have been held
        self._queue: SimpleQueue = SimpleQueue()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(self, steps: Sequence[Step]) -> bool:
        """Hand ``steps`` to the worker; runs them here when it cannot take them. True when queued."""
        if self._thread is None and not self._start():
            run(steps)
            return False
        queue = self._queue
        if queue.qsize() >= self.max_pending:
            run(steps)
            return False
        queue.put(steps)
        return True

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until everything submitted so far has run, at most ``timeout`` seconds (None: no
        limit). True when it has."""
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return True
        done = threading.Event()
        self._queue.put(done)
        self._wake.set()
        return done.wait(timeout)

    def pending(self) -> int:
        """Lists waiting for the worker (approximate)."""
        return self._queue.qsize()

    def _start(self) -> bool:
        with self._lock:
            if self._closed:
                return False
            if self._thread is not None:
                return True
            thread = threading.Thread(target=self._loop, args=(self._queue,), name="agentotel-emit", daemon=True)
            try:
                thread.start()
            except RuntimeError:  # at interpreter shutdown no thread can start: run on the caller's
                self._closed = True
                return False
            self._thread = thread
            if not self._exit_hook:
                self._exit_hook = True
                atexit.register(self._at_exit)
            return True

    def _loop(self, queue: SimpleQueue) -> None:
        signal_mask.block_in_this_thread()
        wake = self._wake
        while True:
            item = queue.get()
            while True:
                try:
                    if isinstance(item, threading.Event):
                        item.set()
                    else:
                        run(item)
                except BaseException as exc:  # noqa: BLE001 - the worker must outlive anything a step does
                    guard.report(_COMPONENT, exc)
                if queue.empty():
                    break
                item = queue.get()
            del item
            if LINGER:
                wake.wait(LINGER)
                wake.clear()

    def _at_exit(self) -> None:
        from ..config import settings

        with self._lock:
            self._closed = True  # from now on lists run on the caller's thread
        self.drain(settings().shutdown_timeout)
        with self._lock:
            self._thread = None


#: The process's one worker.
worker = Worker()

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=worker._reset)
