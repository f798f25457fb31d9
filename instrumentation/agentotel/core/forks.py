"""Locks that a forked child gets anew.

``os.fork`` copies a lock in whatever state it is: one held by another thread of the parent at that
moment (a batch being counted, a warning being logged) stays held in the child, where no thread
will ever release it, and the first use there waits forever. ``renew_in_child(owner, name)``
registers ``owner.<name>`` (an object's or a module's lock); in every forked child it is replaced by
a new ``threading.Lock`` (or what ``factory`` makes) before any other code of the child runs. ``call_in_child(owner, name)``
registers ``owner.<name>()``, to be called there after the locks are renewed (state that only the
parent's threads could finish). Owners are held weakly.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable

_renewed: list[tuple[weakref.ref, str, Callable[[], object]]] = []
_called: list[tuple[weakref.ref, str, None]] = []


def renew_in_child(owner: object, name: str = "_lock", factory: Callable[[], object] = threading.Lock) -> None:
    """Replace ``owner.<name>`` with a new lock (``factory()``) in every forked child."""
    _renewed.append((weakref.ref(owner), name, factory))


def call_in_child(owner: object, name: str) -> None:
    """Call ``owner.<name>()`` in every forked child, after the locks are renewed."""
    _called.append((weakref.ref(owner), name, None))


def _after_fork_in_child() -> None:
    for registry, act in ((_renewed, lambda owner, name, factory: setattr(owner, name, factory())),
                          (_called, lambda owner, name, _: getattr(owner, name)())):
        alive = []
        for ref, name, factory in registry:
            owner = ref()
            if owner is None:
                continue
            try:
                act(owner, name, factory)
            except Exception:  # noqa: BLE001 - a fork must never fail because of telemetry
                pass
            alive.append((ref, name, factory))
        registry[:] = alive


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
