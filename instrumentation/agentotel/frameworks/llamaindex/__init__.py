"""``LlamaIndexInstrumentor``: LlamaIndex query engines, retrievals and agent tool calls as GenAI
spans, with no code change.

Enabled by ``opentelemetry-instrument`` (entry point ``agentotel_llamaindex``) when llama-index-core
is installed. It adds a span handler and an event handler to LlamaIndex's root instrumentation
dispatcher (``llama_index.core.instrumentation.get_dispatcher()``), which every LlamaIndex
dispatcher propagates to; ``translator`` says what becomes which span. LLM and embedding calls
are the HTTP-layer capture's (one span per call), so LlamaIndex's own LLM and embedding events are
not translated.
"""

from __future__ import annotations

from typing import Any


from ..operations import Operations
from ..instrumentor import FrameworkInstrumentor
from .package import _instruments
from .translator import Translator


class LlamaIndexInstrumentor(FrameworkInstrumentor):
    """Registers agentotel's span and event handlers with LlamaIndex's root dispatcher."""

    instruments = _instruments

    _handlers: tuple[Any, Any] | None = None

    def _instrument(self, **kwargs: Any) -> None:
        """Keywords: ``tracer_provider``, ``meter_provider``, ``logger_provider`` (default: the
        process-wide emitter on the global providers)."""
        from llama_index.core.instrumentation import get_dispatcher

        from .handlers import AgentotelEventHandler, AgentotelSpanHandler

        emitter = self.emitter_from(kwargs)
        translator = Translator(Operations("llamaindex", emitter))
        span_handler, event_handler = AgentotelSpanHandler(translator), AgentotelEventHandler(translator)
        dispatcher = get_dispatcher()
        dispatcher.add_span_handler(span_handler)
        dispatcher.add_event_handler(event_handler)
        self._handlers = (span_handler, event_handler)

    def _uninstrument(self, **kwargs: Any) -> None:
        if self._handlers is None:
            return
        from llama_index.core.instrumentation import get_dispatcher

        dispatcher = get_dispatcher()
        span_handler, event_handler = self._handlers
        dispatcher.span_handlers = [h for h in dispatcher.span_handlers if h is not span_handler]
        dispatcher.event_handlers = [h for h in dispatcher.event_handlers if h is not event_handler]
        self._handlers = None
