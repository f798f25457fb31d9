"""What the OpenAI Agents SDK instrumentation needs: the SDK with ``add_trace_processor``."""

_instruments: tuple[str, ...] = ("openai-agents >= 0.2.0",)
