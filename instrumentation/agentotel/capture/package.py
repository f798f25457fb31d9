"""What the LLM capture instruments.

Capture hooks whichever of ``httpx`` and ``httpx2`` (the fork that recent ``openai``, ``anthropic``
and ``google-genai`` SDKs use) is importable, so it declares no hard dependency: the instrumentor
must load when only one of them is installed.
"""

_instruments: tuple[str, ...] = ()
_instruments_any = ("httpx >= 0.23.0", "httpx2 >= 2.0.0")
