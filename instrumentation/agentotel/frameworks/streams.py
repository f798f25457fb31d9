"""A stream a framework's step returned, read by the app after the step ended: each item is read
in the step's context (so the LLM request it starts nests under the step's span), and the step's
operation ends when the stream does — exhausted, closed or failed. Items pass through unchanged."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from opentelemetry import context as otel_context

End = Callable[[BaseException | None], None]


def follow(stream: Iterator[Any], ctx, end: End) -> Iterator[Any]:
    error: BaseException | None = None
    try:
        while True:
            token = otel_context.attach(ctx)
            try:
                item = next(stream)
            except StopIteration:
                return
            finally:
                otel_context.detach(token)
            yield item
    except BaseException as exc:
        error = exc
        raise
    finally:
        end(error if isinstance(error, Exception) else None)


async def afollow(stream: AsyncIterator[Any], ctx, end: End) -> AsyncIterator[Any]:
    error: BaseException | None = None
    try:
        while True:
            token = otel_context.attach(ctx)
            try:
                item = await stream.__anext__()
            except StopAsyncIteration:
                return
            finally:
                otel_context.detach(token)
            yield item
    except BaseException as exc:
        error = exc
        raise
    finally:
        end(error if isinstance(error, Exception) else None)
