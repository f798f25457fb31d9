"""Cost of agentotel's records against a stock OpenTelemetry span, measured in one run.

Baseline: a stock SDK span with 10 attributes plus two histogram records (what a hand-written
instrumentation of one LLM call costs). Each agentotel operation is measured the same way, with
the same SDK providers (batch-less: spans go to a no-op exporter through SimpleSpanProcessor's
cheaper cousin, a processor that drops them), so the ratio shows what agentotel adds.

A second reference writes by hand, against the same SDK, exactly the telemetry that agentotel's LLM
call record emits (the same span attributes and metric points): the SDK's own cost for that
telemetry, which no instrumentation emitting it can go below.

Two figures per operation: the CPU time of the calling thread (what the app's thread pays; with
deferred emission the SDK's share of the end runs on agentotel's worker instead), and the CPU time
of the whole process (the worker included: operations are run in batches, each followed by a
drain), both per operation. Each agentotel record is measured with the emitter deferring (the
default) and with ``deferred=False``.

Run: .venv/bin/python benchmarks/core_overhead.py [--iterations N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider

import agentotel
from agentotel.config import Settings, reset_settings
from agentotel.core import deferral
from agentotel.core.emitter import Emitter
from agentotel.core.records import AgentInvocation, Document, LLMCall, Retrieval, ToolExecution, Usage, Workflow
from agentotel.core.runtime import set_emitter
from agentotel.processors import CostRollup, span_processors


class Drop(SpanProcessor):
    def on_end(self, span):
        pass


def providers(with_agentotel_processors: bool):
    """A tracer provider (with agentotel's span processors, or not), a meter provider, and the
    ``CostRollup`` among the processors (None without them)."""
    tp = TracerProvider()
    rollup = None
    if with_agentotel_processors:
        rollup = CostRollup()
        for p in span_processors(rollup):
            tp.add_span_processor(p)
    tp.add_span_processor(Drop())
    mp = MeterProvider(metric_readers=[InMemoryMetricReader()])
    return tp, mp, rollup


BATCH = 500


def measure(fn, iterations: int, repeats: int = 7) -> tuple[float, float]:
    """Medians over repeats of the caller thread's and the process's CPU time per call, in µs."""
    for _ in range(min(iterations, 2000)):
        fn()
    deferral.worker.drain()
    caller, process = [], []
    for _ in range(repeats):
        thread_cpu = 0.0
        process_start = time.process_time()
        for _ in range(0, iterations, BATCH):
            start = time.thread_time()
            for _ in range(BATCH):
                fn()
            thread_cpu += time.thread_time() - start
            deferral.worker.drain()
        done = -(-iterations // BATCH) * BATCH
        caller.append(thread_cpu / done * 1e6)
        process.append((time.process_time() - process_start) / done * 1e6)
    return statistics.median(caller), statistics.median(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20000)
    args = parser.parse_args()

    tp, mp, _ = providers(False)
    tracer = tp.get_tracer("baseline")
    meter = mp.get_meter("baseline")
    h1 = meter.create_histogram("baseline.duration", unit="s")
    h2 = meter.create_histogram("baseline.tokens", unit="{token}")
    attrs = {f"attr.{i}": f"value-{i}" for i in range(10)}
    metric_attrs = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o"}

    def baseline():
        span = tracer.start_span("chat gpt-4o", attributes=attrs)
        h1.record(0.5, metric_attrs)
        h2.record(100, metric_attrs)
        span.end()

    def baseline_same_metrics():
        span = tracer.start_span("chat gpt-4o", attributes=attrs)
        h1.record(0.5, metric_attrs)
        h2.record(100, metric_attrs)
        h2.record(100, metric_attrs)
        h1.record(0.5, metric_attrs)
        span.end()

    # What the LLM call record below emits, written by hand against the SDK: the same span (3
    # attributes at the start, 15 at the end) and the same metric points (two token-usage points and
    # a duration point with their attributes, one cost counter point). The floor for agentotel: the
    # SDK's own cost for this telemetry.
    tokens = meter.create_histogram("baseline.token.usage", unit="{token}")
    cost = meter.create_counter("baseline.cost", unit="{USD}")
    start_attrs = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o"}
    end_attrs = {"server.address": "api.openai.com", "gen_ai.request.temperature": 0.2,
                 "gen_ai.request.max_tokens": 256, "gen_ai.response.id": "chatcmpl-1",
                 "gen_ai.response.model": "gpt-4o-2024-08-06", "gen_ai.response.finish_reasons": ("stop",),
                 "gen_ai.usage.input_tokens": 1200, "gen_ai.usage.output_tokens": 300,
                 "gen_ai.usage.cache_read.input_tokens": 200, "agentotel.cost.total": 0.0051,
                 "agentotel.cost.currency": "USD", "agentotel.cost.input": 0.0025, "agentotel.cost.output": 0.003,
                 "agentotel.cost.cache_read": 0.00025, "agentotel.cost.catalog_version": "2026.11.0"}
    point_attrs = {**start_attrs, "gen_ai.response.model": "gpt-4o-2024-08-06"}
    input_attrs = {**point_attrs, "gen_ai.token.type": "input"}
    output_attrs = {**point_attrs, "gen_ai.token.type": "output"}

    def same_telemetry_by_hand():
        span = tracer.start_span("chat gpt-4o", attributes=start_attrs)
        span.set_attributes(end_attrs)
        tokens.record(1200, input_attrs)
        tokens.record(300, output_attrs)
        cost.add(0.0051, start_attrs)
        h1.record(0.5, point_attrs)
        span.end()

    tp2, mp2, rollup2 = providers(True)
    reset_settings(Settings())

    def agentotel_cases(emitter, suffix):
        def llm_record():
            op = emitter.start(LLMCall(provider="openai", request_model="gpt-4o", temperature=0.2, max_tokens=256,
                                       server_address="api.openai.com"))
            r = op.record
            r.response_id, r.response_model, r.finish_reasons = "chatcmpl-1", "gpt-4o-2024-08-06", ["stop"]
            r.usage = Usage(1200, 300, cache_read_input_tokens=200)
            emitter.end(op)

        def record_of(make):
            def run():
                emitter.end(emitter.start(make()))
            return run

        def decorated_tool():
            set_emitter(emitter)
            return tool_fn("A1")

        @agentotel.tool("lookup_order")
        def tool_fn(order_id):
            return order_id

        return [
            (f"LLM call record{suffix}", llm_record),
            (f"agent invocation record{suffix}", record_of(lambda: AgentInvocation(name="support"))),
            (f"workflow record{suffix}", record_of(lambda: Workflow(name="triage"))),
            (f"tool execution record{suffix}", record_of(lambda: ToolExecution(name="lookup_order", call_id="c1"))),
            (f"retrieval record (3 documents){suffix}", record_of(lambda: Retrieval(
                data_source="kb", documents=[Document("d1", 0.9), Document("d2", 0.5), Document("d3", 0.2)]))),
            (f"@agentotel.tool decorated function{suffix}", decorated_tool),
        ]

    cases = [
        ("stock SDK span, 10 attributes + 2 histogram records (baseline)", baseline),
        ("stock SDK span, 10 attributes + 4 metric records", baseline_same_metrics),
        ("stock SDK, the LLM call record's telemetry by hand", same_telemetry_by_hand),
        *agentotel_cases(Emitter(tp2, mp2, settings=Settings(), deferred=True, rollup=rollup2), ""),
        *agentotel_cases(Emitter(tp2, mp2, settings=Settings(), deferred=False, rollup=rollup2), ", deferred=False"),
    ]
    results = [(name, *measure(fn, args.iterations)) for name, fn in cases]
    base = results[0][1]
    print(f"{'operation':<58} {'caller µs':>9} {'× base':>7} {'CPU µs':>7} {'× base':>7}")
    for name, caller, process in results:
        print(f"{name:<58} {caller:>9.1f} {caller / base:>6.2f}× {process:>7.1f} {process / base:>6.2f}×")


if __name__ == "__main__":
    main()
