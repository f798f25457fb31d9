"""An incremental server-sent-events parser, fed bytes as the application reads them.

Chunks may split anywhere: inside a line, between ``\\r`` and ``\\n``, inside a UTF-8 sequence.
Lines are decoded only when complete. An event is dispatched at its blank line; a trailing event
without one (a truncated stream) is dropped, as the SSE specification says.
"""

from __future__ import annotations

from collections.abc import Callable

OnEvent = Callable[[str, str], None]


class SSEParser:
    """Calls ``on_event(event_name, data)`` for each complete event (name ``message`` by default)."""

    __slots__ = ("_buffer", "_event", "_data", "_on_event")

    def __init__(self, on_event: OnEvent):
        self._buffer = b""
        self._event = ""
        self._data: list[str] = []
        self._on_event = on_event

    def feed(self, chunk: bytes) -> None:
        buffer = self._buffer + chunk if self._buffer else chunk
        start = 0
        end = len(buffer)
        while start < end:
            lf = buffer.find(b"\n", start)
            cr = buffer.find(b"\r", start, lf if lf != -1 else end)
            if cr != -1:
                if cr + 1 == end:
                    break  # a lone \r at the end: wait to see whether \n follows
                self._line(buffer[start:cr])
                start = cr + 2 if buffer[cr + 1:cr + 2] == b"\n" else cr + 1
            elif lf != -1:
                self._line(buffer[start:lf])
                start = lf + 1
            else:
                break
        self._buffer = buffer[start:]

    def _line(self, raw: bytes) -> None:
        if not raw:
            if self._data:
                data = "\n".join(self._data)
                event = self._event or "message"
                self._data = []
                self._event = ""
                self._on_event(event, data)
            else:
                self._event = ""
            return
        if raw[:1] == b":":
            return  # comment (keep-alive)
        line = raw.decode("utf-8", "replace")
        field, sep, value = line.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._event = value
