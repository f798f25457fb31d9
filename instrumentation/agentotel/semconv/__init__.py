"""Semantic-convention names, resolved once for the chosen stability mode.

``GENAI`` holds the GenAI names: v1.41.0 by default, the newest development names when
``OTEL_SEMCONV_STABILITY_OPT_IN`` contains ``gen_ai_latest_experimental``. Emitting code reads
names from ``GENAI`` and from ``agentotel_names``; nothing else spells an attribute name.
"""

from __future__ import annotations

from types import SimpleNamespace

from . import agentotel_names, genai


def resolve(latest_experimental: bool) -> SimpleNamespace:
    values = {key: value for key, value in vars(genai).items() if key.isupper()}
    if latest_experimental:
        try:
            from . import latest
        except ImportError:  # pragma: no cover - latest.py ships with the package
            latest = None
        if latest is not None:
            values.update(getattr(latest, "ADDITIONS", {}))
            values.update(getattr(latest, "RENAMES", {}))
            if getattr(latest, "SCHEMA_URL", None):
                values["SCHEMA_URL"] = latest.SCHEMA_URL
    return SimpleNamespace(**values)


def _initial() -> SimpleNamespace:
    from ..config import settings

    return resolve(settings().latest_experimental)


GENAI = _initial()

__all__ = ["GENAI", "agentotel_names", "genai", "resolve"]
