"""What the pydantic-ai instrumentation needs: pydantic-ai 2 with its capabilities."""

_instruments: tuple[str, ...] = ("pydantic-ai-slim >= 2.0.0",)
