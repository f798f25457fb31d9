"""Pricing one LLM call: model-name normalisation, token accounting and the cost breakdown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..core.records import Usage
from .catalog import Catalog, ModelPrice

# Dated snapshots and release tags that do not change the price: gpt-4o-2024-08-06,
# claude-3-5-haiku-20241022, claude-sonnet-4@20250514, gemini-1.5-pro-002, mistral-large-2411,
# mistral-small-latest.
_SNAPSHOT = re.compile(r"(?:[-@]\d{4}-\d{2}-\d{2}|[-@]\d{8}|-\d{3,4}|-latest)$")


@dataclass(slots=True)  # not frozen: made for every priced call, and a frozen one costs 4x to make
class TokenCounts:
    """Token counts in the semantic conventions' meaning: input includes cached input, output
    includes reasoning. A value: not changed once made."""

    input: int
    output: int
    cache_read: int
    cache_write: int
    reasoning: int


@dataclass(slots=True)
class Cost:
    """The price of one call, by kind of token. A value: not changed once made."""

    total: float
    input: float
    output: float
    cache_read: float
    cache_write: float
    currency: str
    catalog_version: str
    priced_model: str


def normalize_usage(usage: Usage, rules: dict[str, bool]) -> TokenCounts:
    """Apply a provider's accounting rules so every count includes its sub-counts."""
    cache_read = usage.cache_read_input_tokens or 0
    cache_write = usage.cache_creation_input_tokens or 0
    reasoning = usage.reasoning_output_tokens or 0
    inp = usage.input_tokens or 0
    out = usage.output_tokens or 0
    if not rules["input_includes_cache_read"]:
        inp += cache_read
    if not rules["input_includes_cache_write"]:
        inp += cache_write
    if not rules["output_includes_reasoning"]:
        out += reasoning
    return TokenCounts(inp, out, cache_read, cache_write, reasoning)


class CostEngine:
    """Prices LLM calls against one catalog. Look-ups are memoised per (provider, model)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._lookup = lru_cache(maxsize=4096)(self._find)

    def find(self, provider: str | None, model: str | None) -> tuple[str, str, ModelPrice] | None:
        """(catalog provider, catalog model, price) for a model as seen on the wire, or None."""
        if not model:
            return None
        return self._lookup(provider, model)

    def _candidates(self, provider: str | None, model: str):
        cat = self.catalog
        name = model.strip().lower()
        if name.startswith("models/"):  # Gemini resource names
            name = name[len("models/"):]
        if "/" in name:
            prefix, _, rest = name.rpartition("/")
            first = prefix.split("/", 1)[0]
            if first in cat.model_prefixes:
                provider = cat.model_prefixes[first]
            name = rest
        provider = cat.price_as.get(provider, provider) if provider else provider
        seen = set()
        for candidate in (name, cat.aliases.get(name), _SNAPSHOT.sub("", name)):
            while candidate and candidate not in seen:
                seen.add(candidate)
                yield provider, candidate
                candidate = cat.aliases.get(candidate) or _SNAPSHOT.sub("", candidate)
                if candidate in seen:
                    break

    def _find(self, provider: str | None, model: str):
        prices = self.catalog.prices
        for prov, name in self._candidates(provider, model):
            if prov in prices and name in prices[prov]:
                return prov, name, prices[prov][name]
            # A proxy (LiteLLM, OpenRouter speaking OpenAI's wire format) or an unknown provider:
            # price by the model name when exactly one provider has it.
            owners = [p for p, models in prices.items() if name in models]
            if len(owners) == 1:
                return owners[0], name, prices[owners[0]][name]
        return None

    def counts(self, provider: str | None, usage: Usage) -> TokenCounts:
        return normalize_usage(usage, self.catalog.accounting_for(provider))

    def price(self, provider: str | None, model: str | None, counts: TokenCounts) -> Cost | None:
        """The cost of a call with these normalised counts, or None when the model is unknown."""
        found = self.find(provider, model)
        if found is None:
            return None
        _, name, p = found
        fresh_input = max(counts.input - counts.cache_read - counts.cache_write, 0)
        c_in = fresh_input * p.input
        c_read = counts.cache_read * p.cache_read
        c_write = counts.cache_write * p.cache_write
        c_out = counts.output * p.output
        return Cost(
            total=c_in + c_read + c_write + c_out,
            input=c_in,
            output=c_out,
            cache_read=c_read,
            cache_write=c_write,
            currency=self.catalog.currency,
            catalog_version=self.catalog.version,
            priced_model=name,
        )
