"""The app ``stack_overhead.py`` runs, under ``opentelemetry-instrument`` or bare: the same `openai`
chat call, in blocks the runner asks for (``main``), each call timed. At the end it prints the
process's CPU time per call from the first measured call until everything it produced was exported
(the emitter's worker drained, spans and metrics flushed to the receiver).

With ``BENCH_BREAKDOWN=1`` it first puts a CPU-time probe around each stage of the telemetry stack
(``Probes``) and adds the CPU time per call of each stage to its line. Each probe counts the CPU
time of its thread inside the stage minus the time inside stages nested in it, so no time is
counted twice; the probes' own cost (a clock read on entry and exit) makes the stages look a little
dearer than they are.

Environment: ``BENCH_BASE_URL`` (the provider, required), ``BENCH_WARMUP`` (calls before the
measured ones, 50), ``BENCH_BREAKDOWN``.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import defaultdict

import openai


class Probes:
    """CPU time per stage, exclusive of nested stages, over all threads."""

    def __init__(self):
        self.totals: dict[str, int] = defaultdict(int)
        self._local = threading.local()

    def wrap(self, fn, stage: str):
        clock = time.thread_time_ns
        local = self._local
        totals = self.totals

        def probed(*args, **kwargs):
            stack = getattr(local, "stack", None)
            if stack is None:
                stack = local.stack = []
            stack.append(0)
            start = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = clock() - start
                nested = stack.pop()
                totals[stage] += elapsed - nested
                if stack:
                    stack[-1] += elapsed

        probed.__wrapped__ = fn
        return probed

    def patch(self, owner, name: str, stage: str) -> None:
        """Probe ``owner.name`` (a class's function or an instance's bound method), if it exists."""
        fn = getattr(owner, name, None)
        if fn is None:
            return
        if isinstance(owner, type):
            fn = owner.__dict__.get(name, fn)
            if isinstance(fn, (staticmethod, classmethod)):
                return
        try:
            setattr(owner, name, self.wrap(fn, stage))
        except (AttributeError, TypeError):  # an instance with __slots__: left unprobed
            pass


def install_probes() -> Probes:
    """Probes around every stage, on the providers ``opentelemetry-instrument`` configured."""
    from opentelemetry import trace
    from opentelemetry.sdk.metrics._internal import instrument as sdk_instruments
    from opentelemetry.sdk.metrics.export import MetricReader
    from opentelemetry.sdk.trace import Span, Tracer, TracerProvider

    probes = Probes()
    # agentotel's own code: capture (routing, reading bodies, translating) and the emit core
    try:
        from agentotel.capture.call import Call
        from agentotel.capture.interceptor import Interceptor
        from agentotel.core.emitter import Emitter

        for name in ("begin",):
            probes.patch(Interceptor, name, "agentotel capture and emit")
        for name in ("attach", "on_response", "finish", "complete"):
            probes.patch(Call, name, "agentotel capture and emit")
        for name in ("end", "_end_llm_later", "_emit_llm", "start", "adopt"):
            probes.patch(Emitter, name, "agentotel capture and emit")
    except ImportError:
        pass
    # SDK spans: starting, attributes, ending (span processors excluded)
    probes.patch(Tracer, "start_span", "SDK spans")
    for name in ("end", "set_attributes", "set_attribute", "set_status", "update_name"):
        probes.patch(Span, name, "SDK spans")
    # span processors: every processor of the provider (the batch processor's queueing included)
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        for processor in provider._active_span_processor._span_processors:  # noqa: SLF001
            probes.patch(processor, "on_start", "span processors")
            probes.patch(processor, "on_end", "span processors")
            probes.patch(processor, "_on_ending", "span processors")
    # metric points: the SDK's synchronous instruments
    for cls, name in ((sdk_instruments.Counter, "add"), (sdk_instruments.UpDownCounter, "add"),
                      (sdk_instruments.Histogram, "record")):
        probes.patch(cls, name, "metric points")
    # exporting: encoding and sending, and the wrappers around the exporters
    try:
        from opentelemetry.exporter.otlp.proto.http import trace_exporter as http_traces

        probes.patch(http_traces, "encode_spans", "span export: OTLP encoding")
        probes.patch(http_traces.OTLPSpanExporter, "export", "span export: HTTP")
    except ImportError:
        pass
    try:
        from opentelemetry.exporter.otlp.proto.http import metric_exporter as http_metrics

        probes.patch(http_metrics.OTLPMetricExporter, "export", "metric export")
    except ImportError:
        pass
    probes.patch(MetricReader, "collect", "metric export")
    try:
        from agentotel.autoconf import exporting

        probes.patch(exporting.CountingSpanExporter, "export", "agentotel exporter wrappers")
        probes.patch(exporting.CountingMetricExporter, "export", "agentotel exporter wrappers")
    except ImportError:
        pass
    return probes


def flush() -> None:
    """Export everything the calls produced: agentotel's pipeline, or the SDK's providers."""
    pipeline = None
    if "agentotel.autoconf.pipeline" in sys.modules:
        from agentotel.autoconf.pipeline import installed

        pipeline = installed()
    if pipeline is not None:
        pipeline.force_flush(30)
        return
    from opentelemetry import metrics, trace

    for provider in (trace.get_tracer_provider(), metrics.get_meter_provider()):
        force_flush = getattr(provider, "force_flush", None)
        if force_flush is not None:
            force_flush(30_000)


def main() -> None:
    """Warm up, say READY, then serve the runner's commands on stdin: ``run N`` makes N calls and
    prints their latencies (µs); ``finish`` exports what is left and prints the CPU time per call."""
    base_url = os.environ["BENCH_BASE_URL"]
    warmup = int(os.environ.get("BENCH_WARMUP", "50"))
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="sk-bench", max_retries=0)
    messages = [{"role": "user", "content": "Where is my order A-1001?"}]

    def call() -> None:
        client.chat.completions.create(model="gpt-4o-mini", messages=messages, temperature=0.2)

    for _ in range(warmup):
        call()
    flush()
    probes = install_probes() if os.environ.get("BENCH_BREAKDOWN") == "1" else None
    calls = 0
    cpu_start = time.process_time()
    print("READY", flush=True)
    for command in sys.stdin:
        verb, _, count = command.strip().partition(" ")
        if verb == "run":
            latencies = []
            for _ in range(int(count)):
                start = time.perf_counter()
                call()
                latencies.append(round((time.perf_counter() - start) * 1e6, 1))
            calls += len(latencies)
            print("BLOCK " + json.dumps(latencies), flush=True)
        elif verb == "finish":
            break
    flush()
    cpu = time.process_time() - cpu_start
    line = {"calls": calls, "cpu_us": cpu / max(calls, 1) * 1e6}
    if probes is not None:
        line["stages_us"] = {stage: total / 1e3 / max(calls, 1) for stage, total in probes.totals.items()}
    print("DONE " + json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
