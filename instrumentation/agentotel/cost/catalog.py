"""Loading and checking the pricing catalog: the bundled YAML, merged with a user override file.

A catalog that cannot be read or does not have the expected shape raises ``PricingError`` whose
message names the file and the problem, so a broken file is caught at start-up, not at the first
LLM call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BUNDLED_CATALOG = Path(__file__).with_name("pricing.yaml")
PRICE_KEYS = ("input", "output", "cache_read", "cache_write")
ACCOUNTING_KEYS = ("input_includes_cache_read", "input_includes_cache_write", "output_includes_reasoning")
DEFAULT_ACCOUNTING = {key: True for key in ACCOUNTING_KEYS}


class PricingError(ValueError):
    """A pricing catalog or override file is unreadable or malformed."""


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """Prices per single token (already divided by the catalog's ``per``)."""

    input: float
    output: float
    cache_read: float
    cache_write: float


@dataclass(frozen=True)
class Catalog:
    version: str
    currency: str
    prices: dict[str, dict[str, ModelPrice]]  # provider -> model -> price
    accounting: dict[str, dict[str, bool]]  # provider -> rule -> bool
    price_as: dict[str, str] = field(default_factory=dict)
    model_prefixes: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()

    def accounting_for(self, provider: str | None) -> dict[str, bool]:
        provider = self.price_as.get(provider, provider) if provider else provider
        return self.accounting.get(provider, DEFAULT_ACCOUNTING)


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PricingError(f"pricing file {path}: cannot be read: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PricingError(f"pricing file {path}: not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PricingError(f"pricing file {path}: the top level must be a mapping, not {type(data).__name__}")
    return data


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _number(path: Path, where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise PricingError(f"pricing file {path}: {where} must be a non-negative number, got {value!r}")
    return float(value)


def _mapping(path: Path, where: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PricingError(f"pricing file {path}: {where} must be a mapping, got {type(value).__name__}")
    return value


def _build(data: dict[str, Any], path: Path, sources: tuple[str, ...]) -> Catalog:
    per = _number(path, "per", data.get("per", 1_000_000)) or 1.0
    version = str(data.get("version") or "")
    if not version:
        raise PricingError(f"pricing file {path}: 'version' is missing")
    prices: dict[str, dict[str, ModelPrice]] = {}
    accounting: dict[str, dict[str, bool]] = {}
    for provider, entry in _mapping(path, "providers", data.get("providers")).items():
        entry = _mapping(path, f"providers.{provider}", entry)
        rules = dict(DEFAULT_ACCOUNTING)
        for rule, flag in _mapping(path, f"providers.{provider}.accounting", entry.get("accounting")).items():
            if rule not in ACCOUNTING_KEYS or not isinstance(flag, bool):
                raise PricingError(f"pricing file {path}: providers.{provider}.accounting.{rule} must be one of {ACCOUNTING_KEYS} set to true or false")
            rules[rule] = flag
        accounting[provider] = rules
        models: dict[str, ModelPrice] = {}
        for model, price in _mapping(path, f"providers.{provider}.models", entry.get("models")).items():
            where = f"providers.{provider}.models.{model}"
            price = _mapping(path, where, price)
            unknown = set(price) - set(PRICE_KEYS)
            if unknown:
                raise PricingError(f"pricing file {path}: {where} has unknown keys {sorted(unknown)}; expected {PRICE_KEYS}")
            if "input" not in price:
                raise PricingError(f"pricing file {path}: {where} has no 'input' price")
            values = {key: _number(path, f"{where}.{key}", price[key]) / per for key in price}
            models[str(model).lower()] = ModelPrice(
                input=values["input"],
                output=values.get("output", 0.0),
                cache_read=values.get("cache_read", values["input"]),
                cache_write=values.get("cache_write", values["input"]),
            )
        prices[provider] = models

    def strings(key: str) -> dict[str, str]:
        table = _mapping(path, key, data.get(key))
        for name, target in table.items():
            if not isinstance(target, str):
                raise PricingError(f"pricing file {path}: {key}.{name} must be a string, got {target!r}")
        return {str(name).lower(): target.lower() for name, target in table.items()} if key != "price_as" else dict(table)

    return Catalog(
        version=version,
        currency=str(data.get("currency") or "USD"),
        prices=prices,
        accounting=accounting,
        price_as=strings("price_as"),
        model_prefixes=strings("model_prefixes"),
        aliases=strings("aliases"),
        sources=sources,
    )


def load_catalog(override: str | Path | None = None, aliases: dict[str, str] | None = None,
                 bundled: str | Path = BUNDLED_CATALOG) -> Catalog:
    """Load the bundled catalog, merge the override file and extra aliases over it, and check it."""
    bundled = Path(bundled)
    data = _read(bundled)
    sources = [str(bundled)]
    checked_path = bundled
    if override:
        override = Path(override)
        extra = _read(override)
        _build(_merge({"version": "override"}, extra), override, ())  # name the override file in errors
        data = _merge(data, extra)
        if "version" in extra:
            data["version"] = str(extra["version"])
        else:
            data["version"] = f"{data.get('version')}+{override.name}"
        sources.append(str(override))
        checked_path = override
    if aliases:
        data = _merge(data, {"aliases": aliases})
    return _build(data, checked_path, tuple(sources))
