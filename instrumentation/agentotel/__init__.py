"""agentotel."""
