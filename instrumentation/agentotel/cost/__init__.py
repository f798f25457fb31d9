"""The cost engine: a bundled, versioned pricing catalog and the pricing of each LLM call."""

from .catalog import BUNDLED_CATALOG, Catalog, PricingError, load_catalog
from .engine import Cost, CostEngine, TokenCounts, normalize_usage

__all__ = ["BUNDLED_CATALOG", "Catalog", "Cost", "CostEngine", "PricingError", "TokenCounts", "load_catalog", "normalize_usage"]
