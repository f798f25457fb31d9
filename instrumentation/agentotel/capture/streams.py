"""Response-body taps: the bytes of a streamed response pass through to the application unchanged,
and a copy of each chunk is fed to the call's parser on the way.

httpx and httpx2 only iterate byte streams of their own base classes, so a tap class is made per
module (``Kit``). A tap ends its call when the stream is exhausted, closed (``close()``, an early
``break`` that closes the response), fails, or is dropped (the generator's ``GeneratorExit``); the
call's weak-reference finaliser on the response covers a body that is never iterated at all.
"""

from __future__ import annotations

from types import FunctionType, ModuleType
from typing import Any


class _SyncTap:
    def __init__(self, inner: Any, call: Any):
        self._inner = inner
        self._call = call

    def __iter__(self):
        call = self._call
        try:
            for chunk in self._inner:
                call.feed(chunk)
                yield chunk
        except GeneratorExit:
            call.finish(None)
            raise
        except BaseException as exc:
            call.finish(exc)
            raise
        call.finish(None)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._call.finish(None)


class _AsyncTap:
    def __init__(self, inner: Any, call: Any):
        self._inner = inner
        self._call = call

    async def __aiter__(self):
        call = self._call
        try:
            async for chunk in self._inner:
                call.feed(chunk)
                yield chunk
        except GeneratorExit:
            call.finish(None)
            raise
        except BaseException as exc:
            call.finish(exc)
            raise
        call.finish(None)

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._call.finish(None)


def _joined(output) -> bytes:
    """httpx's decoders return bytes, httpx2's an iterator of bytes."""
    return output if isinstance(output, bytes) else b"".join(output)


class _Chain:
    """The module's own content decoders, undone in reverse order of application."""

    def __init__(self, decoders: list):
        self._decoders = decoders

    def decode(self, data: bytes) -> bytes:
        for decoder in self._decoders:
            data = _joined(decoder.decode(data))
        return data

    def flush(self) -> bytes:
        data = b""
        for decoder in self._decoders:
            data = _joined(decoder.decode(data)) + _joined(decoder.flush())
        return data


#: The transports of the OpenTelemetry httpx instrumentation that wrap a client's own.
_OTEL_TRANSPORTS = frozenset({"SyncOpenTelemetryTransport", "AsyncOpenTelemetryTransport"})


class Kit:
    """Tap classes, content decoders and transport checks for one httpx-compatible module."""

    def __init__(self, module: ModuleType):
        self.module = module
        self._stock_transports = {module.HTTPTransport: "handle_request",
                                  module.AsyncHTTPTransport: "handle_async_request"}
        self.sync_stream = module.SyncByteStream
        self.async_stream = module.AsyncByteStream
        self.sync_tap = type("SyncTap", (_SyncTap, module.SyncByteStream), {"__module__": __name__})
        self.async_tap = type("AsyncTap", (_AsyncTap, module.AsyncByteStream), {"__module__": __name__})
        decoders = getattr(module, "_decoders", None)
        self._decoders: dict[str, type] = dict(getattr(decoders, "SUPPORTED_DECODERS", {}) or {})

    def sends_unobserved(self, client: Any, url: Any) -> bool:
        """True when no code but the module's own runs while ``client`` sends to ``url``: no event
        hooks, and the module's stock transport with its send method unwrapped (the OpenTelemetry
        httpx instrumentation wraps it, on the class or on the transport). Unsure is False."""
        try:
            hooks = client.event_hooks
            if hooks.get("request") or hooks.get("response"):
                return False
            return self._stock_send(client, url) is True
        except Exception:  # noqa: BLE001 - another version of the module: assume it is observed
            return False

    def _stock_send(self, client: Any, url: Any) -> bool | None:
        """True: ``client`` sends to ``url`` through the module's stock transport, its send method
        unwrapped; False: that method is wrapped (on the class or the transport); None: another
        transport."""
        transport = client._transport_for_url(url)  # noqa: SLF001 - honours mounts and proxies
        method = self._stock_transports.get(type(transport))
        if method is None:
            # the httpx instrumentation's own transport (``SyncOpenTelemetryTransport``...) wraps another
            return False if type(transport).__name__ in _OTEL_TRANSPORTS else None
        if method in getattr(transport, "__dict__", ()):
            return False
        return type(type(transport).__dict__.get(method)) is FunctionType

    def transport_instrumented(self, client: Any, url: Any) -> bool:
        """True when an HTTP instrumentation (the OpenTelemetry httpx instrumentation, globally or
        per client) wraps the transport ``client`` sends to ``url`` with. Unsure is False."""
        try:
            return client is not None and self._stock_send(client, url) is False
        except Exception:  # noqa: BLE001
            return False

    def tap(self, stream: Any, call: Any):
        """A tap around a response's byte stream, or None when the stream is of an unknown kind."""
        if isinstance(stream, self.sync_stream):
            return self.sync_tap(stream, call)
        if isinstance(stream, self.async_stream):
            return self.async_tap(stream, call)
        return None

    def decoder(self, content_encoding: str | None):
        """(ok, decoder): a decoder for the body's content coding (None for identity); ok is False
        when the coding is one this module cannot undo, so the body cannot be parsed."""
        if not content_encoding:
            return True, None
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if not codings:
            return True, None
        if any(c not in self._decoders for c in codings):
            return False, None
        return True, _Chain([self._decoders[c]() for c in reversed(codings)])
