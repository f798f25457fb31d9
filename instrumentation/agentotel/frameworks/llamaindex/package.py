"""What the LlamaIndex instrumentation needs: llama-index-core with its instrumentation dispatcher."""

_instruments: tuple[str, ...] = ("llama-index-core >= 0.12.0",)
