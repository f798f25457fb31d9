"""Turning captured content into attribute values: JSON, redacted, capped."""

from __future__ import annotations

import json
from typing import Any

from .redaction import Pipeline


def _default(value: Any) -> Any:
    for attr in ("model_dump", "to_dict", "dict"):
        method = getattr(value, attr, None)
        if callable(method):
            try:
                return method()
            except Exception:  # noqa: BLE001 - fall through to repr
                break
    return repr(value)


class ContentSerializer:
    """Serialises content to a redacted string attribute value."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline

    def __call__(self, value: Any) -> str:
        if isinstance(value, str):
            text = value
        else:
            try:
                text = json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))
            except (TypeError, ValueError):
                text = repr(value)
        return self.pipeline(text)
