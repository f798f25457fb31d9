"""agentotel's span and log record processors, to add before the exporting processor.

``ConversationStamper`` (``conversation``) puts the conversation scope on every span;
``CostRollup`` (``cost_rollup``) sums LLM cost and tokens onto open agent, workflow and root spans,
and is handed to the emitter by whoever builds the pipeline; ``SecretScrubber`` and ``LogScrubber``
(``secrets``) replace credentials in spans and log records. Needs the OpenTelemetry SDK.
"""

from __future__ import annotations

from opentelemetry.sdk.trace import SpanProcessor

from .conversation import ConversationStamper
from .cost_rollup import CostRollup
from .secrets import LogScrubber, SecretScrubber


def span_processors(rollup: CostRollup | None = None) -> list[SpanProcessor]:
    """agentotel's span processors in the order to add them to a ``TracerProvider``, before the
    exporting processor. ``rollup``: the ``CostRollup`` to include, which the caller hands to its
    emitter (``Emitter(rollup=...)``); when None, a new one, handed to the process-wide emitter (an
    app that builds its own provider gets cost roll-up with no other step)."""
    if rollup is None:
        from ..core import runtime

        rollup = CostRollup()
        runtime.use_cost_rollup(rollup)
    return [ConversationStamper(), rollup, SecretScrubber()]


def cost_rollup_in(processors) -> CostRollup | None:
    """The ``CostRollup`` among ``processors`` (as ``span_processors`` gave them), or None."""
    return next((p for p in processors if isinstance(p, CostRollup)), None)


def log_processors() -> list:
    """agentotel's log record processors, to add to a ``LoggerProvider`` before the exporting one."""
    return [LogScrubber()]


__all__ = ["ConversationStamper", "CostRollup", "LogScrubber", "SecretScrubber", "cost_rollup_in",
           "log_processors", "span_processors"]
