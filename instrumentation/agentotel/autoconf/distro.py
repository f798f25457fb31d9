"""The ``opentelemetry_distro`` entry point: agentotel's defaults for ``opentelemetry-instrument``."""

from __future__ import annotations

import logging
import os

from opentelemetry.instrumentation.distro import BaseDistro

from .environment import CONVERSATION_PROPAGATOR, DEFAULTS, PROPAGATORS

_log = logging.getLogger("agentotel")


def _propagator_registered() -> bool:
    from opentelemetry.util._importlib_metadata import entry_points

    return any(True for _ in entry_points(group="opentelemetry_propagator", name=CONVERSATION_PROPAGATOR))


def _default_propagator():
    from opentelemetry.baggage.propagation import W3CBaggagePropagator
    from opentelemetry.propagators.composite import CompositePropagator
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    from .propagator import ConversationHeaderPropagator

    return CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator(),
                                ConversationHeaderPropagator()])


class AgentOtelDistro(BaseDistro):
    """Sets agentotel's defaults (never overriding the user) and its propagators."""

    def _configure(self, **kwargs):
        for name, value in DEFAULTS.items():
            os.environ.setdefault(name, value)
        if "OTEL_PROPAGATORS" in os.environ:
            return  # the user's choice; opentelemetry.propagate has already loaded it
        # opentelemetry.propagate read OTEL_PROPAGATORS when opentelemetry-instrument imported it,
        # before any distro ran, so the default is installed directly as well.
        from opentelemetry import propagate

        propagate.set_global_textmap(_default_propagator())
        if _propagator_registered():
            os.environ["OTEL_PROPAGATORS"] = PROPAGATORS  # for child processes
        else:
            _log.debug("agentotel: entry point %s not registered; OTEL_PROPAGATORS left unset",
                       CONVERSATION_PROPAGATOR)
