"""The process-wide emitter.

Created on first use from the global OpenTelemetry providers (which ``opentelemetry-instrument`` or
``agentotel.configure`` install; the API's proxies make a late SDK set-up work too). ``set_emitter``
replaces it, for ``configure`` and tests; ``use_cost_rollup`` hands it the roll-up of an app that
adds ``span_processors()`` to its own provider. ``emitter_for`` makes an instrumentor's own emitter when
``instrument()`` is given providers.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from . import forks
from .emitter import Emitter
from .signals import ConversationSignals

_lock = threading.Lock()
forks.renew_in_child(sys.modules[__name__])
_emitter: Emitter | None = None
_signals: ConversationSignals | None = None
_rollup = None


def get_emitter() -> Emitter:
    global _emitter, _signals
    if _emitter is None:
        with _lock:
            if _emitter is None:
                emitter = Emitter(rollup=_rollup)
                _signals = ConversationSignals(emitter)
                _emitter = emitter
    return _emitter


def get_signals() -> ConversationSignals:
    get_emitter()
    return _signals


def set_emitter(emitter: Emitter | None) -> None:
    global _emitter, _signals
    with _lock:
        _emitter = emitter
        _signals = ConversationSignals(emitter) if emitter is not None else None


def use_cost_rollup(rollup) -> None:
    """Roll the process-wide emitter's LLM cost up through ``rollup`` (the ``CostRollup`` on the
    app's tracer provider), now and when it is created later."""
    global _rollup
    with _lock:
        _rollup = rollup
        if _emitter is not None:
            _emitter.rollup = rollup


_PROVIDERS = ("tracer_provider", "meter_provider", "logger_provider")


def emitter_for(instrument_kwargs: dict[str, Any]) -> Emitter | None:
    """An emitter on the ``tracer_provider``, ``meter_provider`` and ``logger_provider`` given to an
    instrumentor's ``instrument()``, rolling LLM cost up through its ``cost_rollup`` (the
    ``CostRollup`` on that tracer provider, if any); None (the process-wide emitter) when no provider
    is given."""
    providers = {key: instrument_kwargs.get(key) for key in _PROVIDERS}
    if not any(providers.values()):
        return None
    return Emitter(**providers, rollup=instrument_kwargs.get("cost_rollup"))
