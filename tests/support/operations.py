"""Operations driven through an emitter, and a way to hold its background worker, for tests."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from agentotel.core import deferral
from agentotel.core.records import LLMCall, Usage


@contextmanager
def worker_held(worker=None):
    """Keep the worker busy (on a step that waits) until the block ends."""
    worker = worker or deferral.worker
    started, release = threading.Event(), threading.Event()
    worker.submit([(lambda: (started.set(), release.wait(10)),)])
    assert started.wait(5), "the worker took the holding step"
    try:
        yield
    finally:
        release.set()


def llm_call(emitter, model="gpt-4o", usage=Usage(1000, 100), context=None):
    op = emitter.start(LLMCall(provider="openai", request_model=model), context=context)
    op.record.usage = usage
    emitter.end(op)
    return op
