"""What the LLM capture instruments.

Capture hooks whichever of ``httpx`` (>= 0.23) and ``httpx2`` (>= 2.0, the fork that recent
``openai``, ``anthropic`` and ``google-genai`` SDKs use) is importable, so it declares no hard
dependency: the instrumentor must load when only one of them is installed.
"""

_instruments: tuple[str, ...] = ()
