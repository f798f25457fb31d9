"""A stream read after its step ended: items unchanged, read in the step's context, the end once."""

from __future__ import annotations

import pytest
from opentelemetry import context as otel_context

from agentotel.frameworks.streams import afollow, follow

KEY = otel_context.create_key("test.step")


def test_items_pass_and_end_once():
    """Every item passes through unchanged, each read with the step's context current; end once, no error."""
    ends, seen = [], []

    def source():
        for item in (1, 2):
            seen.append(otel_context.get_value(KEY))
            yield item

    ctx = otel_context.set_value(KEY, "step")
    assert list(follow(source(), ctx, ends.append)) == [1, 2]
    assert seen == ["step", "step"] and ends == [None]
    assert otel_context.get_value(KEY) is None


def test_failure_ends_with_the_error():
    """A stream that fails ends the step with its error and raises it to the reader unchanged."""
    ends = []

    def source():
        yield 1
        raise RuntimeError("cut")

    with pytest.raises(RuntimeError, match="cut"):
        list(follow(source(), otel_context.get_current(), ends.append))
    assert [type(e) for e in ends] == [RuntimeError]


async def test_async_stream():
    """An async stream passes through too, and ends the step when closed early."""
    ends = []

    async def source():
        for item in (1, 2, 3):
            yield item

    stream = afollow(source(), otel_context.get_current(), ends.append)
    assert await stream.__anext__() == 1
    await stream.aclose()
    assert ends == [None]
