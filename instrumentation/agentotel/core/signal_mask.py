"""Termination signals stay with the app's main thread.

Python runs signal handlers on the main thread only, while the kernel hands a signal sent to the
process to any thread that does not block it. One that lands on a telemetry thread while the main
thread waits in a call that only a signal interrupts (a semaphore, a lock, a pipe read) sets
Python's flag and nothing more: the handler waits for the main thread's next Python step, which may
never come, and the process does not end. Telemetry threads block SIGTERM and SIGINT:
``blocked()`` around code that starts threads (a thread inherits its creator's mask),
``block_in_this_thread()`` first thing in a thread of our own.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

#: The signals that end a process and that apps and servers handle in Python.
TERMINATION = frozenset({signal.SIGTERM, signal.SIGINT}) if hasattr(signal, "pthread_sigmask") else frozenset()


def block_in_this_thread() -> None:
    """Keep the termination signals away from the calling thread (a telemetry thread)."""
    if TERMINATION:
        try:
            signal.pthread_sigmask(signal.SIG_BLOCK, TERMINATION)
        except (OSError, ValueError):  # pragma: no cover - a platform without per-thread masks
            pass


def block() -> frozenset | None:
    """Block the termination signals in the calling thread; returns the mask to ``restore``."""
    if not TERMINATION:
        return None
    try:
        return frozenset(signal.pthread_sigmask(signal.SIG_BLOCK, TERMINATION))
    except (OSError, ValueError):  # pragma: no cover
        return None


def restore(previous: frozenset | None) -> None:
    """Put back the mask ``block`` returned (a signal that came meanwhile is delivered now)."""
    if previous is not None:
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        except (OSError, ValueError):  # pragma: no cover
            pass


@contextmanager
def blocked() -> Iterator[None]:
    """Threads started inside this block never take a termination signal."""
    previous = block()
    try:
        yield
    finally:
        restore(previous)
