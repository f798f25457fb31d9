"""The OTLP encoding of spans: the SDK's encoder against a direct protobuf writer, in one run.

The SDK's OTLP exporters encode a batch with ``encode_spans(spans).SerializePartialToString()``:
a protobuf message object for every span, attribute, key and value, then serialised. In the whole
stack benchmark (``stack_overhead.py --breakdown``) that encoding is one of the larger stages of
agentotel's cost per call. ``DirectEncoder`` is a candidate cheaper path: it writes the same
``ExportTraceServiceRequest`` bytes straight from the spans, and keeps the encoded bytes of
attribute key/value pairs it has seen (an LLM span's operation, provider, model, server, currency...
repeat from call to call). The run checks that both produce the same message (parsed back and
compared) before it times them on the spans of real captured calls.

Run: .venv/bin/python benchmarks/otlp_encoding.py [--spans 512] [--repeat 30]
"""

from __future__ import annotations

import argparse
import struct
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans  # noqa: E402
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest  # noqa: E402

_pack_double = struct.Struct("<d").pack
_pack_fixed64 = struct.Struct("<Q").pack
_pack_fixed32 = struct.Struct("<I").pack


def _varint(value: int) -> bytes:
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _any_value(value) -> bytes:
    if isinstance(value, bool):
        return b"\x10" + (b"\x01" if value else b"\x00")
    if isinstance(value, str):
        return _field(1, value.encode())
    if isinstance(value, int):
        return b"\x18" + _varint(value)
    if isinstance(value, float):
        return b"\x21" + _pack_double(value)
    if isinstance(value, bytes):
        return _field(7, value)
    if isinstance(value, (list, tuple)):
        return _field(5, b"".join(_field(1, _any_value(item)) for item in value))
    return _field(1, str(value).encode())


class DirectEncoder:
    """Spans to ``ExportTraceServiceRequest`` bytes without protobuf message objects."""

    def __init__(self, cache_size: int = 4096):
        self._pairs: dict = {}
        self._cache_size = cache_size
        self._resources: dict[int, bytes] = {}
        self._scopes: dict = {}

    def _attributes(self, number: int, attributes) -> bytes:
        pairs = self._pairs
        out = []
        for key, value in attributes.items():
            cache_key = (key, value) if not isinstance(value, float) else None
            encoded = pairs.get(cache_key) if cache_key is not None else None
            if encoded is None:
                encoded = _field(number, _field(1, key.encode()) + _field(2, _any_value(value)))
                if cache_key is not None and len(pairs) < self._cache_size:
                    pairs[cache_key] = encoded
            out.append(encoded)
        return b"".join(out)

    def _resource(self, resource) -> bytes:
        encoded = self._resources.get(id(resource))
        if encoded is None:
            encoded = self._resources[id(resource)] = _field(1, self._attributes(1, resource.attributes))
        return encoded

    def _scope(self, scope) -> bytes:
        key = (scope.name, scope.version) if scope is not None else None
        encoded = self._scopes.get(key)
        if encoded is None:
            body = b""
            if scope is not None:
                body = _field(1, scope.name.encode()) + (_field(2, scope.version.encode()) if scope.version else b"")
            encoded = self._scopes[key] = _field(1, body)
        return encoded

    def _span(self, span) -> bytes:
        context = span.context
        parts = [b"\x0a\x10" + context.trace_id.to_bytes(16, "big"), b"\x12\x08" + context.span_id.to_bytes(8, "big")]
        if context.trace_state:
            parts.append(_field(3, context.trace_state.to_header().encode()))
        if span.parent is not None:
            parts.append(b"\x22\x08" + span.parent.span_id.to_bytes(8, "big"))
        parts.append(_field(5, span.name.encode()))
        parts.append(b"\x30" + _varint(span.kind.value + 1))
        parts.append(b"\x39" + _pack_fixed64(span.start_time) + b"\x41" + _pack_fixed64(span.end_time))
        if span.attributes:
            parts.append(self._attributes(9, span.attributes))
        if span.dropped_attributes:
            parts.append(b"\x50" + _varint(span.dropped_attributes))
        for event in span.events:
            body = b"\x09" + _pack_fixed64(event.timestamp) + _field(2, event.name.encode())
            if event.attributes:
                body += self._attributes(3, event.attributes)
            parts.append(_field(11, body))
        for link in span.links:
            body = (b"\x0a\x10" + link.context.trace_id.to_bytes(16, "big")
                    + b"\x12\x08" + link.context.span_id.to_bytes(8, "big"))
            if link.attributes:
                body += self._attributes(4, link.attributes)
            body += b"\x35" + _pack_fixed32(_span_flags(link.context))
            parts.append(_field(13, body))
        status = span.status
        body = b""
        if status is not None:
            body = (_field(2, status.description.encode()) if status.description else b"") + (
                b"\x18" + _varint(status.status_code.value) if status.status_code.value else b"")
        parts.append(_field(15, body))
        parts.append(b"\x85\x01" + _pack_fixed32(_span_flags(span.parent)))
        return _field(2, b"".join(parts))

    def encode(self, spans) -> bytes:
        grouped: dict = {}
        for span in spans:
            grouped.setdefault(id(span.resource), (span.resource, {}))[1].setdefault(
                span.instrumentation_scope, []).append(span)
        out = []
        for resource, scopes in grouped.values():
            body = [self._resource(resource)]
            for scope, members in scopes.items():
                scope_body = self._scope(scope) + b"".join(self._span(span) for span in members)
                if scope is not None and scope.schema_url:
                    scope_body += _field(3, scope.schema_url.encode())
                body.append(_field(2, scope_body))
            if resource.schema_url:
                body.append(_field(3, resource.schema_url.encode()))
            out.append(_field(1, b"".join(body)))
        return b"".join(out)


def _span_flags(parent) -> int:
    """The SDK's ``flags``: whether the parent (or the linked span) is remote is known, and whether it is."""
    return 0x100 | (0x200 if parent is not None and parent.is_remote else 0)


def captured_spans(count: int):
    """The spans of ``count`` real captured calls (the openai SDK against the fake provider)."""
    import openai
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from agentotel.capture import LLMInstrumentor
    from agentotel.core import deferral
    from agentotel.processors import CostRollup, span_processors
    from demo.fake_provider import start_fake_provider

    provider = start_fake_provider()
    tracer_provider = TracerProvider()
    exporter = InMemorySpanExporter()
    rollup = CostRollup()
    for processor in span_processors(rollup):
        tracer_provider.add_span_processor(processor)
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    capture = LLMInstrumentor()
    capture.instrument(tracer_provider=tracer_provider, meter_provider=MeterProvider(), cost_rollup=rollup)
    try:
        client = openai.OpenAI(base_url=f"{provider.base_url}/v1", api_key="sk-bench", max_retries=0)
        for _ in range(count):
            client.chat.completions.create(model="gpt-4o-mini", temperature=0.2,
                                           messages=[{"role": "user", "content": "Where is my order A-1001?"}])
        deferral.worker.drain(30)
    finally:
        capture.uninstrument()
        provider.stop()
    return list(exporter.get_finished_spans())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=512, help="spans per batch (the batch processor's default)")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    spans = captured_spans(args.spans)
    direct = DirectEncoder()
    sdk_bytes = encode_spans(spans).SerializePartialToString()
    ours = ExportTraceServiceRequest.FromString(direct.encode(spans))
    if ours != ExportTraceServiceRequest.FromString(sdk_bytes):
        raise SystemExit("the direct encoder's message differs from the SDK's")
    timings = {"SDK encode_spans + serialise": [], "direct writer": []}
    for _ in range(args.repeat):
        for name, encode in (("SDK encode_spans + serialise", lambda: encode_spans(spans).SerializePartialToString()),
                             ("direct writer", lambda: direct.encode(spans))):
            start = time.process_time()
            encode()
            timings[name].append((time.process_time() - start) / len(spans) * 1e6)
    base = sorted(timings["SDK encode_spans + serialise"])[len(timings["SDK encode_spans + serialise"]) // 2]
    print(f"{len(spans)} captured LLM spans ({len(spans[0].attributes)} attributes each) per batch, "
          f"{args.repeat} batches, interleaved; the same message from both (checked)")
    for name, values in timings.items():
        median = sorted(values)[len(values) // 2]
        print(f"{name:<30} {median:7.1f} µs CPU per span  {median / base:5.2f}×")


if __name__ == "__main__":
    main()
