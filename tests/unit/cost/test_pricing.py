"""The cost engine: exact amounts for each accounting rule, alias, override and failure."""

from __future__ import annotations

import pytest

from agentotel.core.records import Usage
from agentotel.cost import BUNDLED_CATALOG, CostEngine, PricingError, load_catalog

M = 1_000_000

# (case, provider, model, usage, expected total, expected breakdown (input, output, cache_read, cache_write))
CASES = [
    ("plain chat", "openai", "gpt-4o", Usage(M, M), 12.50, (2.50, 10.00, 0, 0)),
    ("dated snapshot", "openai", "gpt-4o-2024-08-06", Usage(M, 0), 2.50, (2.50, 0, 0, 0)),
    # OpenAI's prompt_tokens include cached tokens: 600k fresh at 2.50 + 400k cached at 1.25
    ("cached input inside input", "openai", "gpt-4o", Usage(M, 0, cache_read_input_tokens=400_000), 2.00, (1.50, 0, 0.50, 0)),
    # Anthropic reports cache reads and writes beside input_tokens
    ("anthropic cache writes and reads", "anthropic", "claude-sonnet-4-5",
     Usage(M, M, cache_read_input_tokens=M, cache_creation_input_tokens=M), 3.00 + 15.00 + 0.30 + 3.75, (3.00, 15.00, 0.30, 3.75)),
    # OpenAI's completion_tokens include reasoning tokens: billed once, as output
    ("openai reasoning inside output", "openai", "o4-mini", Usage(0, M, reasoning_output_tokens=600_000), 4.40, (0, 4.40, 0, 0)),
    # Gemini's thoughtsTokenCount is beside candidatesTokenCount, billed as output
    ("gemini thoughts beside output", "gcp.gemini", "gemini-2.5-flash", Usage(M, M, reasoning_output_tokens=M), 0.30 + 5.00, (0.30, 5.00, 0, 0)),
    ("gemini resource name", "gcp.gemini", "models/gemini-2.5-pro", Usage(M, 0), 1.25, (1.25, 0, 0, 0)),
    ("provider prefix", None, "anthropic/claude-haiku-4-5", Usage(M, M), 6.00, (1.00, 5.00, 0, 0)),
    ("azure bills as openai", "azure.ai.openai", "gpt-4o-mini", Usage(M, M), 0.75, (0.15, 0.60, 0, 0)),
    ("mistral release tag", "mistral_ai", "mistral-large-2411", Usage(M, M), 8.00, (2.00, 6.00, 0, 0)),
    ("embeddings", "openai", "text-embedding-3-large", Usage(M), 0.13, (0.13, 0, 0, 0)),
]


@pytest.mark.parametrize("case, provider, model, usage, total, parts", CASES, ids=[c[0] for c in CASES])
def test_cost_cases(case, provider, model, usage, total, parts):
    """Each token-accounting rule prices a call to the exact expected amount."""
    engine = CostEngine(load_catalog())
    cost = engine.price(provider, model, engine.counts(provider, usage))
    assert cost is not None
    assert cost.total == pytest.approx(total)
    assert (cost.input, cost.output, cost.cache_read, cost.cache_write) == pytest.approx(parts)
    assert cost.currency == "USD"


def test_semantic_convention_counts_include_sub_counts():
    """Normalised input includes cache tokens and output includes reasoning, for every provider."""
    engine = CostEngine(load_catalog())
    anthropic = engine.counts("anthropic", Usage(100, 50, cache_read_input_tokens=1000, cache_creation_input_tokens=200))
    assert (anthropic.input, anthropic.output) == (1300, 50)
    gemini = engine.counts("gcp.gemini", Usage(100, 50, reasoning_output_tokens=30))
    assert (gemini.input, gemini.output) == (100, 80)


def test_unknown_model_is_unpriced():
    """An unknown model gives no price (never $0)."""
    engine = CostEngine(load_catalog())
    assert engine.price("openai", "gpt-unknown-9", engine.counts("openai", Usage(10, 10))) is None


def test_user_alias_from_environment_setting():
    """An alias such as an Azure deployment name prices as its model."""
    engine = CostEngine(load_catalog(aliases={"prod-chat-deployment": "gpt-4.1"}))
    cost = engine.price("azure.ai.openai", "prod-chat-deployment", engine.counts("openai", Usage(M, M)))
    assert cost.total == pytest.approx(10.00) and cost.priced_model == "gpt-4.1"


def test_override_file_merges_over_catalog(tmp_path):
    """An override file changes one price and adds a model; the rest of the catalog stays."""
    override = tmp_path / "prices.yaml"
    override.write_text(
        "version: acme-2026-11\n"
        "providers:\n"
        "  openai:\n"
        "    models:\n"
        "      gpt-4o: {input: 1.00, output: 4.00}\n"
        "      acme-ft-1: {input: 3.00, output: 12.00}\n"
    )
    catalog = load_catalog(override)
    engine = CostEngine(catalog)
    counts = engine.counts("openai", Usage(M, M))
    assert engine.price("openai", "gpt-4o", counts).total == pytest.approx(5.00)
    assert engine.price("openai", "acme-ft-1", counts).total == pytest.approx(15.00)
    assert engine.price("openai", "gpt-4o-mini", counts).total == pytest.approx(0.75)
    assert catalog.version == "acme-2026-11"


@pytest.mark.parametrize("content, problem", [
    ("providers: [unclosed", "not valid YAML"),
    ("- a list", "top level must be a mapping"),
    ("providers:\n  openai:\n    models:\n      gpt-4o: {input: -1}\n", "non-negative number"),
    ("providers:\n  openai:\n    models:\n      gpt-4o: {output: 1}\n", "no 'input' price"),
    ("providers:\n  openai:\n    models:\n      gpt-4o: {input: 1, outptu: 2}\n", "unknown keys"),
    ("providers:\n  openai:\n    accounting: {input_includes_cache_read: maybe}\n", "true or false"),
])
def test_broken_override_names_file_and_problem(tmp_path, content, problem):
    """A broken override file fails with a message naming the file and the problem."""
    path = tmp_path / "broken.yaml"
    path.write_text(content)
    with pytest.raises(PricingError) as info:
        load_catalog(path)
    assert str(path) in str(info.value) and problem in str(info.value)


def test_missing_override_file(tmp_path):
    """A missing override file is reported with its path."""
    with pytest.raises(PricingError, match="cannot be read"):
        load_catalog(tmp_path / "absent.yaml")


def test_configure_fails_at_startup_on_broken_file(tmp_path):
    """configure() raises at start-up for a broken pricing file, not at the first LLM call."""
    import agentotel
    from agentotel.config import Settings, reset_settings

    path = tmp_path / "bad.yaml"
    path.write_text("providers: {openai: {models: {gpt-4o: {input: abc}}}}")
    try:
        with pytest.raises(PricingError, match="bad.yaml"):
            agentotel.configure(settings=Settings(pricing_file=str(path)), set_global=False)
    finally:
        reset_settings(None)


def test_bundled_catalog_is_versioned_and_dated():
    """The bundled catalog carries a version, a date and the four providers."""
    import yaml

    data = yaml.safe_load(BUNDLED_CATALOG.read_text())
    assert data["version"] and data["effective_date"]
    assert {"openai", "anthropic", "gcp.gemini", "mistral_ai"} <= set(data["providers"])
