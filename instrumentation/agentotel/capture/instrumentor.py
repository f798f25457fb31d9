"""``LLMInstrumentor``: zero-code capture of LLM calls made over httpx or httpx2.

Enabled by ``opentelemetry-instrument`` (entry point ``agentotel_llm``) or by hand::

    LLMInstrumentor().instrument()                       # global providers, AGENTOTEL_LLM_* settings
    LLMInstrumentor().instrument(tracer_provider=tp, meter_provider=mp, logger_provider=lp,
                                 base_urls={"http://127.0.0.1:4000": "openai"})

``WRAPS`` is the one table that drives both wrapping and unwrapping.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from typing import Any

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor
from opentelemetry.instrumentation.utils import unwrap
from wrapt import wrap_function_wrapper

from ..config import settings
from ..core.runtime import emitter_for
from .interceptor import Interceptor
from .package import _instruments
from .routes import Router
from .streams import Kit

#: (module, class, method, async?) for every method capture wraps, when the module is importable.
WRAPS: tuple[tuple[str, str, str, bool], ...] = (
    ("httpx", "Client", "send", False),
    ("httpx", "AsyncClient", "send", True),
    ("httpx2", "Client", "send", False),
    ("httpx2", "AsyncClient", "send", True),
)


def _import(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


class LLMInstrumentor(BaseInstrumentor):
    """Captures OpenAI, Anthropic, Gemini and OpenAI-compatible calls at the HTTP client."""

    _wrapped: list[tuple[type, str]] = []
    interceptor: Interceptor | None = None

    def instrumentation_dependencies(self) -> Collection[str]:
        return _instruments

    def _instrument(self, **kwargs: Any) -> None:
        """Keywords: ``tracer_provider``, ``meter_provider``, ``logger_provider`` (default: the
        process-wide emitter on the global providers), ``cost_rollup`` (the ``CostRollup`` on that
        tracer provider), ``base_urls`` (extra ``{base_url: provider}``
        over ``AGENTOTEL_LLM_BASE_URLS``), ``any_host`` (over ``AGENTOTEL_LLM_ANY_HOST``) and
        ``http_spans`` (over ``AGENTOTEL_LLM_HTTP_SPANS``)."""
        current = settings()
        emitter = emitter_for(kwargs)
        any_host = kwargs.get("any_host")
        http_spans = kwargs.get("http_spans")
        router = Router({**current.llm_base_urls, **(kwargs.get("base_urls") or {})},
                        any_host=current.llm_any_host if any_host is None else any_host)
        self.interceptor = interceptor = Interceptor(
            router, emitter, http_spans=current.llm_http_spans if http_spans is None else http_spans)
        self._wrapped = []
        kits: dict[str, Kit] = {}
        for module_name, cls_name, method, is_async in WRAPS:
            module = _import(module_name)
            if module is None:
                continue
            kit = kits.get(module_name) or kits.setdefault(module_name, Kit(module))
            wrapper = interceptor.async_send(kit) if is_async else interceptor.sync_send(kit)
            wrap_function_wrapper(module, f"{cls_name}.{method}", wrapper)
            self._wrapped.append((getattr(module, cls_name), method))

    def _uninstrument(self, **kwargs: Any) -> None:
        for cls, method in self._wrapped:
            unwrap(cls, method)
        self._wrapped = []
        self.interceptor = None
