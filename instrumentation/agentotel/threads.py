"""Carrying the OpenTelemetry context into ``ThreadPoolExecutor`` work.

asyncio tasks copy the context by themselves; threads do not. ``install()`` wraps
``ThreadPoolExecutor.submit`` so work runs in a copy of the submitter's context (the span, the
conversation baggage, the current agent); ``uninstall()`` undoes it.
"""

from __future__ import annotations

import contextvars
import functools
from concurrent.futures import ThreadPoolExecutor

_original_submit = ThreadPoolExecutor.submit


def _submit(self, fn, /, *args, **kwargs):
    ctx = contextvars.copy_context()
    return _original_submit(self, ctx.run, fn, *args, **kwargs)


def install() -> None:
    if ThreadPoolExecutor.submit is not _submit:
        ThreadPoolExecutor.submit = _submit


def uninstall() -> None:
    ThreadPoolExecutor.submit = _original_submit


def wrap(fn):
    """``fn`` bound to the current context, for threads started by other means."""
    ctx = contextvars.copy_context()

    @functools.wraps(fn)
    def run(*args, **kwargs):
        return ctx.run(fn, *args, **kwargs)

    return run
