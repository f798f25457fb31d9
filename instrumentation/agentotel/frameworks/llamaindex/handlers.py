"""LlamaIndex's span and event handler interfaces, forwarding to ``translator.Translator``."""

from __future__ import annotations

from typing import Any

from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.span_handlers import BaseSpanHandler
from pydantic import PrivateAttr

from .translator import Translator


class AgentotelSpanHandler(BaseSpanHandler[Any]):
    """Every dispatcher span to the translator; keeps no spans of its own."""

    _translator: Translator = PrivateAttr()

    def __init__(self, translator: Translator):
        super().__init__()
        self._translator = translator

    @classmethod
    def class_name(cls) -> str:
        return "AgentotelSpanHandler"

    def span_enter(self, id_, bound_args, instance=None, parent_id=None, tags=None, **kwargs: Any) -> None:
        self._translator.span_enter(id_, instance, bound_args, parent_id)

    def span_exit(self, id_, bound_args, instance=None, result=None, **kwargs: Any) -> None:
        self._translator.span_exit(id_, result)

    def span_drop(self, id_, bound_args, instance=None, err=None, **kwargs: Any) -> None:
        self._translator.span_drop(id_, err)

    def new_span(self, *args: Any, **kwargs: Any) -> None:
        return None

    def prepare_to_exit_span(self, *args: Any, **kwargs: Any) -> None:
        return None

    def prepare_to_drop_span(self, *args: Any, **kwargs: Any) -> None:
        return None


class AgentotelEventHandler(BaseEventHandler):
    """Every dispatcher event to the translator (it reads the retrieval events)."""

    _translator: Translator = PrivateAttr()

    def __init__(self, translator: Translator):
        super().__init__()
        self._translator = translator

    @classmethod
    def class_name(cls) -> str:
        return "AgentotelEventHandler"

    def handle(self, event: Any, **kwargs: Any) -> None:
        self._translator.event(event)
