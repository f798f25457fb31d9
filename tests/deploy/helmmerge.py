"""Helm's value coalescing, re-implemented for checks that run without a chart.

`helm install -f values.yaml` deep-merges user values over the chart's values.yaml:
maps merge key by key, a `null` removes the key, anything else (lists, scalars) replaces.
"""

from __future__ import annotations

import copy
from typing import Any


def coalesce(defaults: Any, overrides: Any) -> Any:
    """Return `overrides` merged over `defaults` with Helm's semantics (inputs are not modified)."""
    if not isinstance(defaults, dict) or not isinstance(overrides, dict):
        return strip_nulls(copy.deepcopy(overrides))
    merged = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = coalesce(merged[key], value)
        else:
            merged[key] = strip_nulls(copy.deepcopy(value))
    return merged


def strip_nulls(value: Any) -> Any:
    """Drop keys whose value is null at any depth of nested maps; list items are left as they are."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    return value
