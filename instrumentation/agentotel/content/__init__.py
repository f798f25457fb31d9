"""Captured content (prompts, completions, tool arguments and results, retrieval queries):
the opt-in switch, serialisation and the redaction pipeline."""
