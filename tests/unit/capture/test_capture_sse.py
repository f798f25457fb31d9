"""The incremental SSE parser: events are the same however the bytes are split."""

from __future__ import annotations

import pytest

from agentotel.capture.sse import SSEParser

from .conftest import recorded_bytes

SAMPLE = ("event: message_start\r\ndata: {\"a\": \"é€\"}\r\n\r\n"
          ": keep-alive comment\n\n"
          "data: first line\ndata:second line\n\n"
          "event: delta\rdata: {\"text\": \"日本\"}\r\r"
          "data: [DONE]\n\n").encode()
EXPECTED = [("message_start", '{"a": "é€"}'), ("message", "first line\nsecond line"),
            ("delta", '{"text": "日本"}'), ("message", "[DONE]")]


def parse(chunks) -> list[tuple[str, str]]:
    events = []
    parser = SSEParser(lambda name, data: events.append((name, data)))
    for chunk in chunks:
        parser.feed(chunk)
    return events


class TestSSEParser:
    def test_whole_body(self):
        """Events, names, multi-line data, comments and all three line endings parse as specified."""
        assert parse([SAMPLE]) == EXPECTED

    @pytest.mark.parametrize("cut", range(1, len(SAMPLE)))
    def test_split_at_every_byte(self, cut):
        """A body split in two at any byte (inside UTF-8, between CR and LF) gives the same events."""
        assert parse([SAMPLE[:cut], SAMPLE[cut:]]) == EXPECTED

    def test_one_byte_at_a_time(self):
        """A body delivered one byte per chunk gives the same events."""
        assert parse([SAMPLE[i:i + 1] for i in range(len(SAMPLE))]) == EXPECTED

    def test_truncated_event_is_dropped(self):
        """An event without its closing blank line (a cut stream) is not dispatched."""
        assert parse([b"data: one\n\ndata: two\n"]) == [("message", "one")]

    def test_recorded_anthropic_stream(self):
        """A recorded Anthropic stream yields its 13 events with their names."""
        events = parse([recorded_bytes("anthropic_stream.txt")])
        assert len(events) == 13
        assert events[0][0] == "message_start" and events[-1][0] == "message_stop"
