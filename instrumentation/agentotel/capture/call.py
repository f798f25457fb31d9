"""One captured LLM request, from the request to the end of its response body.

The same object serves sync, async and streamed calls: the interceptor opens it before the request
is sent and hands it the response; a body already read is parsed at once, an unread body is tapped
and parsed as the application reads it. A body read whole is not parsed here: the call hands it to
the emitter (``Operation.complete``), with the request's body too when its span is pending (nothing
looks at it during the send); the emitter reads them in its background worker, or on the caller's
thread when an open parent span waits for the call's cost or when it defers nothing. ``finish``
ends the call exactly once, whichever comes first: the provider's terminal event, the end of the
body, ``close()``, an exception, or the response being garbage-collected. Nothing here raises into
the application: malformed JSON is skipped and anything unexpected is reported through ``guard``.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace

from ..core import guard
from ..core.emitter import Emitter, Operation
from ..core.scope import without_conversation
from .fastjson import loads
from .routes import Route
from .sse import SSEParser

try:  # the key OpenTelemetry's HTTP instrumentations check (``is_http_instrumentation_enabled``)
    from opentelemetry.context import _SUPPRESS_HTTP_INSTRUMENTATION_KEY as SUPPRESS_HTTP_KEY
except ImportError:  # pragma: no cover - an API without it: the HTTP spans stay
    SUPPRESS_HTTP_KEY = None

#: Largest unread non-SSE body kept for parsing; a bigger one still ends its call, unparsed.
MAX_BODY_BYTES = 8 * 1024 * 1024
_COMPONENT = "capture"


def parse_json(data: bytes | str | None) -> Any:
    """The JSON value of a body, or None when it is empty or not JSON."""
    if not data:
        return None
    try:
        return loads(data)
    except ValueError:  # includes UnicodeDecodeError
        return None


def call_request(translator, record, body: bytes | str | None, route: Route, content: bool) -> None:
    """Fill ``record`` from a request body. Never raises: what cannot be read is left out."""
    try:
        translator.request(record, parse_json(body), route, content)
    except Exception as exc:  # noqa: BLE001
        guard.report(_COMPONENT, exc)


class Call:
    __slots__ = ("emitter", "op", "route", "translator", "content", "make_current", "strip_baggage", "ended",
                 "suppress_http", "_inject", "_request", "_response", "_state", "_sse", "_decoder", "_body",
                 "_body_size", "_finalizer")

    def __init__(self, emitter: Emitter, op: Operation, route: Route, translator, content: bool, make_current: bool,
                 strip_baggage: bool = False, request_body: bytes | None = None, suppress_http: bool = False,
                 inject: bool = False, request=None):
        """``request_body``: the request's bytes, not read yet (a pending span: see ``complete``);
        ``suppress_http``: no HTTP instrumentation span under this call; ``inject``: put the trace
        context into ``request``'s headers as the suppressed instrumentation would have."""
        self.emitter = emitter
        self.op = op
        self.route = route
        self.translator = translator
        self.content = content
        self.make_current = make_current
        self.strip_baggage = strip_baggage
        self.suppress_http = suppress_http and SUPPRESS_HTTP_KEY is not None
        self._inject = request if inject and self.suppress_http else None
        self.ended = False
        self._request = request_body
        self._response: bytes | None = None
        self._state = None
        self._sse: SSEParser | None = None
        self._decoder = None
        self._body: list[bytes] | None = None
        self._body_size = 0
        self._finalizer = None

    @property
    def record(self):
        return self.op.record

    # ------------------------------------------------------------------ around the send
    def attach(self):
        """The context the request is sent in: our span current, so HTTP client spans nest under
        it (not an adopted span, whose owner made it current, nor a pending one: nothing looks);
        with ``strip_baggage``, no conversation scope in the W3C baggage that an HTTP
        instrumentation sends to the LLM API (its spans are still stamped with it); with
        ``suppress_http``, OpenTelemetry's HTTP instrumentations suppressed (one span per call),
        the trace context injected into the request first where one of them would have done it."""
        if not (self.make_current or self.strip_baggage or self.suppress_http):
            return None
        ctx = trace.set_span_in_context(self.op.span) if self.make_current else otel_context.get_current()
        if self.strip_baggage:
            ctx = without_conversation(ctx)
        if self.suppress_http:
            request, self._inject = self._inject, None
            if request is not None:
                try:
                    propagate.inject(request.headers, context=ctx)
                except Exception as exc:  # noqa: BLE001
                    guard.report(_COMPONENT, exc)
            ctx = otel_context.set_value(SUPPRESS_HTTP_KEY, True, ctx)
        return otel_context.attach(ctx)

    @staticmethod
    def detach(token) -> None:
        if token is not None:
            otel_context.detach(token)

    def on_response(self, response, kit) -> None:
        """Take the response: parse a read body now, or tap an unread one. Never raises."""
        try:
            record = self.record
            status = response.status_code
            record.http_status_code = status
            if status >= 400:
                record.error_type = str(status)
            try:
                body = response.content
            except Exception:  # noqa: BLE001 - ResponseNotRead: a streamed body, tapped below
                body = None
            if body is not None:
                if status < 400:
                    self._response = body
                self.finish(None)  # the emitter reads what is unread (``complete``)
                return
            self._read_request()  # a body read as it streams: the request first, here
            headers = response.headers
            if status < 400:
                ok, self._decoder = kit.decoder(headers.get("content-encoding"))
                if ok and "text/event-stream" in (headers.get("content-type") or ""):
                    self._state = self.translator.StreamState(record, self.route, self.content)
                    self._sse = SSEParser(self._event)
                elif ok:
                    self._body = []
            tap = kit.tap(response.stream, self)
            if tap is None:
                self.finish(None)
                return
            response.stream = tap
            self._finalizer = weakref.finalize(response, self.finish, None)
            self._finalizer.atexit = False
        except Exception as exc:  # noqa: BLE001
            guard.report(_COMPONENT, exc)
            self.finish(None)

    # ------------------------------------------------------------------ the bodies, read whole
    def _read_request(self) -> None:
        body, self._request = self._request, None
        if body is not None:
            record = self.record
            known = record.request_model
            call_request(self.translator, record, body, self.route, self.content)
            if record.request_model != known:
                self.emitter.model_learned(self.op)

    def _read_response(self) -> None:
        body, self._response = self._response, None
        if body is not None:
            self.translator.response(self.record, parse_json(body), self.route, self.content)

    def complete(self, cost_only: bool = False) -> bool:
        """Fill the record from the request and the response body, both already received, for a
        call the emitter was handed unread. ``cost_only``: what pricing needs (the response, and
        the request only when the response names no model). True when the record is complete;
        False leaves the rest for a call without ``cost_only``. Never raises."""
        try:
            self._read_response()
        except Exception as exc:  # noqa: BLE001
            guard.report(_COMPONENT, exc)
        if cost_only and self._request is not None and self.record.response_model:
            return False
        self._read_request()
        return True

    # ------------------------------------------------------------------ the body, chunk by chunk
    def feed(self, chunk: bytes) -> None:
        """A raw chunk of the body on its way to the application. Never raises."""
        if self.ended:
            return
        record = self.record
        if record.first_chunk_at is None and chunk and self._sse is not None:
            record.first_chunk_at = time.perf_counter()  # an event stream's first bytes
        try:
            data = self._decoder.decode(chunk) if self._decoder is not None else chunk
            self._consume(data)
        except Exception as exc:  # noqa: BLE001
            guard.report(_COMPONENT, exc)
            self._sse = self._body = self._state = None
        if self._state is not None and self._state.done:
            self.finish(None)

    def _consume(self, data: bytes) -> None:
        if self._sse is not None:
            self._sse.feed(data)
        elif self._body is not None:
            self._body_size += len(data)
            if self._body_size > MAX_BODY_BYTES:
                self._body = None
            else:
                self._body.append(data)

    def _event(self, name: str, data: str) -> None:
        self.record.chunk_count += 1
        try:
            self._state.event(name, data)
        except ValueError:
            pass  # a malformed event: skip it, keep the stream's other events
        except Exception as exc:  # noqa: BLE001
            guard.report(_COMPONENT, exc)

    # ------------------------------------------------------------------ the end
    def finish(self, error: BaseException | None) -> None:
        """End the call (once): write what the body said into the record and end the operation."""
        if self.ended:
            return
        self.ended = True
        try:
            if self._finalizer is not None:
                self._finalizer.detach()
                self._finalizer = None
            if self._decoder is not None and (self._sse is not None or self._body is not None):
                self._consume(self._decoder.flush())
            if self._state is not None:
                self._state.finish()
            elif self._body is not None:
                self.translator.response(self.record, parse_json(b"".join(self._body)), self.route, self.content)
        except Exception as exc:  # noqa: BLE001
            guard.report(_COMPONENT, exc)
        finally:
            self._sse = self._body = self._state = self._decoder = None
            if self._request is not None or self._response is not None:
                self.op.complete = self.complete
            self.emitter.end(self.op, error=error)
