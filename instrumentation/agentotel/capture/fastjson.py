"""The JSON parser capture reads provider bodies and stream events with.

Every captured call parses its request and its response (and a stream, each event), in the
emitter's background worker or on the app's thread: orjson does it about four times faster than
the standard library on these bodies. orjson is
a dependency; where it cannot be installed the standard library's parser is used instead. What
orjson refuses and the standard library accepts (``NaN``, ``Infinity``, UTF-16 text) is parsed by
the standard library, so both read the same bodies; orjson reads an integer beyond 64 bits as a
float (no token count comes near). Both raise ``ValueError`` on malformed input.
"""

from __future__ import annotations

import json
from typing import Any

try:
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover - depends on the platform
    _orjson_loads = None


def loads(data: bytes | str) -> Any:
    """The JSON value of ``data``; ValueError when it is not JSON."""
    if _orjson_loads is not None:
        try:
            return _orjson_loads(data)
        except ValueError:
            pass
    return json.loads(data)
