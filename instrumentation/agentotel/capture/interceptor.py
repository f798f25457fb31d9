"""The wrappers around ``Client.send`` / ``AsyncClient.send``: route, open the call, send, hand over.

Wrapping the client's ``send`` (rather than the transport) keeps the LLM span outside whatever the
transport does, so the HTTP client spans of the OpenTelemetry httpx instrumentation (which wraps the
transport) are always children of the LLM span, and each retry the SDK makes (a new ``send``) is a
span of its own. A request that is not an LLM call costs one memoised route look-up; a request to a
host in no table whose path is an LLM endpoint is confirmed by its sender or body
(``identity.confirm``).

One span per call: while a captured request is sent, the HTTP instrumentations are suppressed
through OpenTelemetry's own context key (``suppress_http_instrumentation``), so the httpx
instrumentation adds no HTTP client span (nor its duration point) under the LLM span; where that
instrumentation would have run, capture injects the trace context itself, so the provider still
receives the ``traceparent`` it would have sent (the LLM span's). ``http_spans`` keeps the HTTP
spans. Other requests keep theirs.
"""

from __future__ import annotations

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.instrumentation.utils import is_instrumentation_enabled

from ..core import guard
from ..core.emitter import Emitter
from ..core.records import LLMCall
from ..core.runtime import get_emitter
from ..core.scope import conversation_attributes
from .call import Call, call_request
from ..frameworks.runs import seen as framework_call_seen
from .dedup import owner_of
from .identity import confirm
from .sanitize import drop_conversation_baggage
from .providers import TRANSLATORS
from .routes import Router
from .streams import Kit

_COMPONENT = "capture"


def _request_of(args, kwargs):
    return args[0] if args else kwargs.get("request")


class Interceptor:
    """Turns LLM requests into calls. ``emitter`` None: the process-wide one at each call."""

    def __init__(self, router: Router, emitter: Emitter | None = None, http_spans: bool = False):
        self.router = router
        self.emitter = emitter
        self.http_spans = http_spans

    def begin(self, request, client=None, kit: Kit | None = None) -> Call | None:
        """The call for an LLM request, or None to let it through untouched. Never raises.

        When nothing can run inside the send with the span current (``Kit.sends_unobserved``: no
        transport instrumentation, no event hooks) and the emitter ends spans in the background,
        the span is left pending (it starts in the emitter's worker, with its original start time,
        when the call ends) and the request body is kept unread: it is read when the call ends,
        with the response (see ``Call``)."""
        try:
            route = self.router.route(request.method, request.url)
            if route is None or not is_instrumentation_enabled():
                return None
            if route.confirm:
                route = confirm(route, request)
                if route is None:
                    return None
            emitter = self.emitter or get_emitter()
            ctx = otel_context.get_current()
            framework_call_seen(ctx)  # a framework's LLM run in this context leaves the call to us
            strip = not emitter.settings.llm_baggage  # keep the conversation scope from the provider
            if strip and conversation_attributes(ctx):
                drop_conversation_baggage(request.headers)  # what an SDK injected itself
            owner = owner_of(trace.get_current_span(ctx), ctx)
            if owner is not None and owner.span is None:
                return None  # an agentotel llm_call() scope records this call
            content = emitter.settings.capture_any_content
            url = request.url
            record = LLMCall(operation=route.operation, provider=route.provider, request_model=route.model,
                             server_address=url.host, server_port=url.port or (443 if url.scheme == "https" else 80))
            translator = TRANSLATORS[route.wire]
            try:
                body = request.content
            except Exception:  # noqa: BLE001 - RequestNotRead: a streamed request body
                body = None
            if owner is None and emitter.deferred and kit is not None and kit.sends_unobserved(client, url):
                # nothing inside the send looks at the span, nor sends baggage
                return Call(emitter, emitter.start(record, ctx, pending=True), route, translator, content,
                            make_current=False, request_body=body)
            call_request(translator, record, body, route, content)
            suppress = not self.http_spans
            inject = suppress and kit is not None and kit.transport_instrumented(client, url)
            if owner is not None:
                op = emitter.adopt(owner.span, record, record_metrics=not owner.records_metrics,
                                   record_duration=not owner.records_duration, context=ctx)
                return Call(emitter, op, route, translator, content, make_current=False, strip_baggage=strip,
                            suppress_http=suppress, inject=inject, request=request)
            return Call(emitter, emitter.start(record, ctx), route, translator, content, make_current=True,
                        strip_baggage=strip, suppress_http=suppress, inject=inject, request=request)
        except Exception as exc:  # noqa: BLE001
            guard.report(_COMPONENT, exc)
            return None

    def sync_send(self, kit: Kit):
        """A wrapt wrapper for ``Client.send`` of ``kit``'s module."""

        def wrapper(wrapped, instance, args, kwargs):
            call = self.begin(_request_of(args, kwargs), instance, kit)
            if call is None:
                return wrapped(*args, **kwargs)
            token = call.attach()
            try:
                response = wrapped(*args, **kwargs)
            except BaseException as exc:
                call.finish(exc)
                raise
            finally:
                call.detach(token)
            call.on_response(response, kit)
            return response

        return wrapper

    def async_send(self, kit: Kit):
        """A wrapt wrapper for ``AsyncClient.send`` of ``kit``'s module."""

        async def wrapper(wrapped, instance, args, kwargs):
            call = self.begin(_request_of(args, kwargs), instance, kit)
            if call is None:
                return await wrapped(*args, **kwargs)
            token = call.attach()
            try:
                response = await wrapped(*args, **kwargs)
            except BaseException as exc:
                call.finish(exc)
                raise
            finally:
                call.detach(token)
            call.on_response(response, kit)
            return response

        return wrapper
