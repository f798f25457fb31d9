"""A SIGTERM the main thread would never act on is sent to it again.

Python runs a signal handler when its main thread next runs Python code. A signal that arrives just
before that thread blocks in C — between a ``multiprocessing`` semaphore's non-blocking try and its
wait, as an idle pool worker does at ``Pool.terminate`` — is caught at the C level and then waits
for a wake-up that never comes: the process outlives its SIGTERM. Where no other code uses Python's
wakeup fd, ``start`` has a watcher thread read it; when SIGTERM arrives and the flush handler has not
begun within ``GRACE`` seconds, the watcher sends SIGTERM to the main thread again, which interrupts
its wait. ``handler_began()`` is the flush handler's first call; ``mark_flush_handler`` and
``is_flush_handler`` tell that handler apart from an app's.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable

from ..core import signal_mask

#: Seconds the handler may take to begin before the signal is sent to the main thread again.
GRACE = 0.2
#: Times the signal is sent again before the watcher gives up on one SIGTERM.
RESENDS = 20

_began = threading.Event()
_pipe: tuple[int, int] | None = None  # (read, write) of the wakeup fd this process set


def handler_began() -> None:
    """Called first by the flush handler: the SIGTERM reached Python."""
    _began.set()


def mark_flush_handler(handler: Callable) -> Callable:
    """Mark ``handler`` as agentotel's flush-on-SIGTERM handler; returns it."""
    handler.agentotel_flush = True
    return handler


def is_flush_handler(handler) -> bool:
    """Whether ``handler`` (a SIGTERM disposition) is agentotel's flush handler."""
    return getattr(handler, "agentotel_flush", False) is True


def start() -> bool:
    """From the main thread, once the flush handler is installed: watch the wakeup fd. False when
    another wakeup fd is in use (asyncio's, an app's), which is then left as it is."""
    global _pipe, _began
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_kill"):
        return False
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    try:
        previous = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    except (ValueError, OSError):
        _close(read_fd, write_fd)
        return False
    inherited = _pipe
    if previous != -1 and (inherited is None or previous != inherited[1]):  # someone else's: put it back
        signal.set_wakeup_fd(previous)
        _close(read_fd, write_fd)
        return False
    if inherited is not None:  # a forked child: the parent's pipe is the parent's
        _close(*inherited)
    _pipe, _began = (read_fd, write_fd), threading.Event()
    with signal_mask.blocked():
        threading.Thread(target=_watch, args=(read_fd, threading.get_ident(), _began),
                         name="agentotel-sigterm-watch", daemon=True).start()
    return True


def _watch(read_fd: int, main_thread: int, began: threading.Event) -> None:
    while True:  # started with the termination signals blocked (``start``)
        try:
            received = os.read(read_fd, 64)
        except OSError:
            return
        if not received:
            return
        if signal.SIGTERM not in received or began.is_set():
            continue
        for _ in range(RESENDS):
            if began.wait(GRACE) or not is_flush_handler(signal.getsignal(signal.SIGTERM)):
                break
            try:
                signal.pthread_kill(main_thread, signal.SIGTERM)
            except (OSError, ValueError):
                return


def _close(*fds: int) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
