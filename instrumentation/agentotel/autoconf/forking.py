"""Telemetry across fork: pre-fork servers' workers and ``multiprocessing`` children.

A forked child inherits the parent's pipeline. The SDK's batch processors and metric reader
restart their threads there and drop the parent's queue; agentotel's locks are made anew
(``core.forks``) and its drop counts start from zero. What ``prepare`` adds, for the installed
pipeline:

- Before any fork, the modules the exporters import on their first export are imported: a child
  forked during that import would wait for it forever.
- In every forked child, the metrics SDK's state gets new locks (``metric_locks``), and the
  exporters' HTTP connection pools are emptied: a keep-alive connection
  shared with the parent would carry both processes' requests and mix their answers (an export
  seen as failed is retried, and arrives twice).
- ``multiprocessing`` children end with ``os._exit`` after their own exit functions and never run
  ``atexit``: each child registers the pipeline's bounded ``shutdown`` as a ``multiprocessing``
  finalizer, so it flushes on an orderly exit (the target returned, a pool worker's end).
- Pre-fork servers that reset SIGTERM to its default in each worker and re-raise it after their
  graceful shutdown (gunicorn's uvicorn workers) would have the worker die without running
  ``atexit``: once they reset it, the flush-on-SIGTERM handler is installed again.

Each child also keeps the parent's SIGTERM handler when it was agentotel's: it flushes (bounded),
then dies of the signal; it never waits for a lock a parent thread held. The export threads a child
restarts block the termination signals (``core.signal_mask``), so a SIGTERM always reaches the
child's main thread, where the handler runs; a child gets a watcher of its own that sends a SIGTERM
the main thread missed again (``sigterm_watch``).
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import sys
import threading
import weakref
from collections.abc import Callable

from ..core import signal_mask
from . import metric_locks, sigterm_watch

_log = logging.getLogger("agentotel")

#: Worker classes that reset SIGTERM to its default in ``init_signals``: (module, class).
SIGTERM_RESETTING_WORKERS = (("uvicorn.workers", "UvicornWorker"), ("uvicorn.workers", "UvicornH11Worker"),
                             ("uvicorn_worker", "UvicornWorker"), ("uvicorn_worker", "UvicornH11Worker"))
#: Modules the OTLP/HTTP exporters import on their first export (``requests`` looks for a
#: ``~/.netrc`` on every request, importing ``netrc`` and ``shlex`` the first time).
EXPORT_PATH_IMPORTS = ("netrc", "shlex")
#: Finalizers of higher priority run first when a ``multiprocessing`` child exits.
_EXIT_PRIORITY = 100

_current: weakref.ref | None = None
#: The forking thread's signal mask, put back once the fork's hooks have run.
_fork_mask = threading.local()
_handler_factory: Callable | None = None
_hooked = False


def prepare(pipeline, sigterm_handler: Callable | None) -> None:
    """Make ``pipeline`` (the installed one) safe across fork; ``sigterm_handler(pipeline)`` makes
    the flush-on-SIGTERM handler (None: flushing on SIGTERM is off)."""
    global _current, _handler_factory, _hooked
    _current = weakref.ref(pipeline)
    _handler_factory = sigterm_handler
    import_export_path()
    if _hooked:
        return
    _hooked = True
    if hasattr(os, "register_at_fork"):
        # Registered after the SDK's own hooks, so the child's restarted export threads are started
        # while the termination signals are still blocked, and keep them blocked.
        os.register_at_fork(before=_block_signals_for_fork, after_in_parent=_restore_signals,
                            after_in_child=_after_fork_in_child)
    if sigterm_handler is not None:
        _hook_workers()


def import_export_path() -> None:
    """Import now what the exporters import on their first export. A child forked while an export
    thread of the parent is importing a module finds it half-imported, its lock held by a thread it
    does not have, and its own exports wait for that import forever."""
    for name in EXPORT_PATH_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _pipeline():
    return _current() if _current is not None else None


def _block_signals_for_fork() -> None:
    _fork_mask.previous = signal_mask.block()


def _restore_signals() -> None:
    signal_mask.restore(getattr(_fork_mask, "previous", None))
    _fork_mask.previous = None


def _after_fork_in_child() -> None:
    try:
        _prepare_child()
    finally:
        _restore_signals()


def _prepare_child() -> None:
    pipeline = _pipeline()
    if pipeline is None:
        return
    try:
        metric_locks.renew(pipeline.meter_provider)
        if sigterm_watch.is_flush_handler(signal.getsignal(signal.SIGTERM)):  # the parent's watcher is not here
            sigterm_watch.start()
        for exporter in pipeline.exporters:
            forget_connections(exporter)
        mp_util = sys.modules.get("multiprocessing.util")
        if mp_util is not None:
            # run by multiprocessing in the child once its own state is reset, just after this
            mp_util.register_after_fork(pipeline, _flush_at_process_exit)
    except Exception:  # noqa: BLE001 - a fork must never fail because of telemetry
        pass


def _flush_at_process_exit(pipeline) -> None:
    """In a ``multiprocessing`` child: shut the pipeline down (bounded) when the child exits."""
    import multiprocessing.util as mp_util

    mp_util.Finalize(pipeline, pipeline.shutdown, exitpriority=_EXIT_PRIORITY)


def _sessions(exporter):
    """The ``requests`` sessions an exporter sends with (OTLP/HTTP), however deep it is wrapped."""
    seen = 0
    node = exporter
    while node is not None and seen < 8:  # the counting wrappers, a metric reader's exporter
        seen += 1
        for path in (("_client", "_transport", "_session"), ("_session",)):
            found = node
            for name in path:
                found = getattr(found, name, None)
            if found is not None and hasattr(found, "adapters"):
                yield found
        node = getattr(node, "_inner", None) or getattr(node, "_exporter", None)


def forget_connections(exporter) -> int:
    """Empty the connection pools of ``exporter``'s HTTP sessions (in a forked child: those
    connections are the parent's). Returns how many pools were emptied."""
    emptied = 0
    for session in _sessions(exporter):
        for adapter in list(session.adapters.values()):
            managers = [getattr(adapter, "poolmanager", None), *getattr(adapter, "proxy_manager", {}).values()]
            for manager in managers:
                if manager is not None and hasattr(manager, "clear"):
                    manager.clear()
                    emptied += 1
    return emptied


def _reinstall_sigterm_flush(wrapped, instance, args, kwargs):
    """After a worker's ``init_signals``: a SIGTERM left at its default flushes first again."""
    result = wrapped(*args, **kwargs)
    try:
        pipeline = _pipeline()
        if (pipeline is not None and _handler_factory is not None
                and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL):
            signal.signal(signal.SIGTERM, _handler_factory(pipeline))
            sigterm_watch.start()
    except Exception as exc:  # noqa: BLE001 - never in the way of the server's start
        _log.debug("agentotel: cannot install the SIGTERM flush in the worker: %r", exc)
    return result


def _hook_workers() -> None:
    from wrapt import register_post_import_hook, wrap_function_wrapper

    def hook(module_name: str, class_name: str):
        def wrap(module):
            cls = getattr(module, class_name, None)
            if cls is not None and "init_signals" in vars(cls):
                wrap_function_wrapper(module, f"{class_name}.init_signals", _reinstall_sigterm_flush)
        return wrap

    for module_name, class_name in SIGTERM_RESETTING_WORKERS:
        register_post_import_hook(hook(module_name, class_name), module_name)
