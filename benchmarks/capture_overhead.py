"""Per-call overhead of LLM capture on a real `openai` chat call, measured in one run.

The same `client.chat.completions.create` call goes to the fake provider (in this process, over a
kept-alive loopback connection) under each configuration:

- ``none``: nothing instrumented (the baseline);
- ``agentotel``: agentotel's zero-code capture (``LLMInstrumentor``), its emitter ending spans in the
  background (the default, ``AGENTOTEL_DEFERRED_EMIT=true``);
  with nothing else instrumented its LLM span starts in the background when the call ends
  (``core.pending``: no code runs inside the send that could look at it);
- ``agentotel-sync``: the same with every step of the end on the caller's thread (``false``);
- ``httpx``: the OpenTelemetry httpx instrumentation alone (an HTTP client span per request);
- ``agentotel+httpx``: agentotel with the httpx instrumentation on too, as ``opentelemetry-instrument``
  sets things up by default: the LLM span must be current during the send (its context is injected
  into the request), so it starts on the caller's thread; the httpx instrumentation is suppressed
  under the captured call (one span per call), so its span is not made;
- ``openai-v2``: the OpenTelemetry ``opentelemetry-instrumentation-openai-v2`` instrumentation;
- ``both``: both on, agentotel adopting the openai-v2 span (one span, cost added to it);
- ``capture-only``: agentotel's capture with an emitter that emits nothing: routing, JSON parsing
  and translation alone, to tell capture's share of the overhead from the emit core's.

Configurations are interleaved in blocks, in a shuffled order each round, so drift (CPU frequency,
other processes) hits all of them alike; the first calls after each switch (cold caches, the new
instrumentation's first look-ups) are not counted, and the median of many calls resists outliers.
All use the same SDK providers: spans go to a processor that drops them and metrics to an in-memory
reader, so export cost is left out; configurations with agentotel also run its span processors
(conversation stamping, cost roll-up, secret scrubbing) before that. With ``--parent`` every call,
the baseline's too, is made inside a span of its own, as an agent's LLM calls are: agentotel then
reads and prices the response on the caller's thread, to roll its cost up onto that open span.
Overhead is a configuration's median (and p90) latency minus the baseline's: what the caller waits
for. ``paired`` is steadier against drift: in each round, the
median of the configuration's block minus the median of the baseline's block; the median of those
differences over the rounds. Latency also moves with the scheduling of three busy threads (the
caller, agentotel's worker, the provider) on two cores; the caller's CPU time per call does not:
*caller CPU median* is the median of the calling thread's CPU time per call minus the baseline's,
*caller CPU mean* the same as a mean (pauses such as garbage collection included). *Process CPU* is the process's CPU time over a configuration's blocks
(after draining agentotel's background worker, so its work is counted) divided by their calls, minus
the baseline's; with the fake provider in this process that includes the server's (equal) share.

With ``--server-process`` the fake provider runs in a child process; with ``--canned`` a child
process answers every call with the fake provider's recorded answer and does no other work
(``canned_provider.py``): on a 2-core machine the client, agentotel's worker and a busy provider
are three threads for two cores, which a remote provider is not.

Run: .venv/bin/python benchmarks/capture_overhead.py [--rounds 40] [--calls 100] [--server-process | --canned]
     [--parent] [--configs agentotel,openai-v2]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import openai
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.trace import INVALID_SPAN

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from demo.fake_provider import start_fake_provider  # noqa: E402

from agentotel.capture import LLMInstrumentor  # noqa: E402
from agentotel.core import deferral  # noqa: E402
from agentotel.core.emitter import Operation  # noqa: E402
from agentotel.processors import CostRollup, span_processors  # noqa: E402

try:
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
except ImportError:  # not installed: the comparison is left out
    OpenAIInstrumentor = None
from opentelemetry.instrumentation.httpx import HTTPX2ClientInstrumentor, HTTPXClientInstrumentor  # noqa: E402


class Drop(SpanProcessor):
    def on_end(self, span):
        pass


class SilentEmitter:
    """Takes records and emits nothing (the ``capture-only`` configuration). It ends nothing in
    the background, so capture reads every body on the caller's thread."""

    deferred = False

    class settings:  # noqa: N801 - stands for agentotel.config.Settings
        capture_any_content = False
        llm_baggage = True

    def start(self, record, context=None, start_time=None, pending=False):
        return Operation(record, INVALID_SPAN, None, {})

    def end(self, op, error=None):
        if op.complete is not None:  # read what capture left unread, as the emitter would
            op.complete()


class _Child:
    """A provider as a child process (``base_url``, ``stop()``), so its work does not share this
    interpreter's GIL with the measured calls: the fake provider, or the canned one."""

    def __init__(self, command: list[str]):
        self._process = subprocess.Popen([sys.executable, *command], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        line = self._process.stdout.readline()  # "... listening on http://host:port"
        if "http://" not in line:
            self._process.kill()
            raise RuntimeError(f"the provider did not start: {line!r}")
        self.base_url = line.strip().rsplit(" ", 1)[-1]

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def start_in_child() -> _Child:
    return _Child(["-m", "demo.fake_provider", "--port", "0"])


def start_canned() -> _Child:
    return _Child([str(ROOT / "benchmarks" / "canned_provider.py")])


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--calls", type=int, default=100, help="calls per configuration per round")
    parser.add_argument("--settle", type=int, default=10,
                        help="calls after each switch of configuration that are not counted")
    parser.add_argument("--canned", action="store_true",
                        help="answer from benchmarks/canned_provider.py in a child process: the recorded answer, no work")
    parser.add_argument("--parent", action="store_true",
                        help="make every call inside a span of its own, as an agent's are (the baseline's too)")
    parser.add_argument("--configs", help="comma-separated configurations to run (default: all); none is always run")
    parser.add_argument("--server-process", action="store_true",
                        help="run the fake provider in a child process instead of a thread of this one")
    args = parser.parse_args()

    tp = TracerProvider()
    tp.add_span_processor(Drop())
    # agentotel's configurations also run its span processors (conversation stamping, cost
    # roll-up, secret scrubbing), as ``opentelemetry-instrument`` with agentotel sets them up
    tp_agentotel = TracerProvider()
    rollup = CostRollup()
    for processor in span_processors(rollup):
        tp_agentotel.add_span_processor(processor)
    tp_agentotel.add_span_processor(Drop())
    mp = MeterProvider(metric_readers=[InMemoryMetricReader()])
    providers = {"tracer_provider": tp, "meter_provider": mp}
    agentotel_providers = {"tracer_provider": tp_agentotel, "meter_provider": mp, "cost_rollup": rollup}
    fake = start_canned() if args.canned else start_in_child() if args.server_process else start_fake_provider()
    client = openai.OpenAI(base_url=f"{fake.base_url}/v1", api_key="sk-bench", max_retries=0)
    capture = LLMInstrumentor()
    otel = OpenAIInstrumentor() if OpenAIInstrumentor is not None else None

    captures = ("agentotel", "agentotel-sync", "both", "capture-only", "agentotel+httpx")
    http_instrumentors = (HTTPXClientInstrumentor(), HTTPX2ClientInstrumentor())

    def enable(name: str) -> None:
        if name in captures:
            capture.instrument(**agentotel_providers, base_urls={fake.base_url: "openai"})
        if name == "agentotel-sync":
            capture.interceptor.emitter.deferred = False
        if name == "capture-only":
            capture.interceptor.emitter = SilentEmitter()
        if name in ("openai-v2", "both"):
            otel.instrument(tracer_provider=tp_agentotel if name == "both" else tp, meter_provider=mp)
        if name in ("httpx", "agentotel+httpx"):
            for instrumentor in http_instrumentors:
                instrumentor.instrument(**(agentotel_providers if name == "agentotel+httpx" else providers))

    def disable(name: str) -> None:
        if name in captures:
            capture.uninstrument()
        if name in ("openai-v2", "both"):
            otel.uninstrument()
        if name in ("httpx", "agentotel+httpx"):
            for instrumentor in http_instrumentors:
                instrumentor.uninstrument()

    messages = [{"role": "user", "content": "Where is my order A-1001?"}]

    def call() -> None:
        client.chat.completions.create(model="gpt-4o-mini", messages=messages, temperature=0.2)

    def call_in(tracer):
        """A call inside a span of its own (``--parent``): an agent turn's LLM call."""

        def call_under_parent() -> None:
            with tracer.start_as_current_span("turn"):
                call()

        return call_under_parent

    configs = ["none", "agentotel", "agentotel-sync"] + (["openai-v2", "both"] if otel is not None else []) + [
        "httpx", "agentotel+httpx", "capture-only"]
    if args.configs:
        wanted = {name.strip() for name in args.configs.split(",")}
        unknown = wanted - set(configs)
        if unknown:
            parser.error(f"unknown configurations: {', '.join(sorted(unknown))} (known: {', '.join(configs)})")
        configs = [name for name in configs if name == "none" or name in wanted]
    calls = {name: call for name in configs}
    if args.parent:
        for name in configs:
            calls[name] = call_in((tp_agentotel if name in captures else tp).get_tracer("benchmark"))
    samples: dict[str, list[float]] = {name: [] for name in configs}
    round_medians: dict[str, list[float]] = {name: [] for name in configs}  # one per round
    call_cpu: dict[str, list[float]] = {name: [] for name in configs}  # the caller's CPU, per call
    cpu: dict[str, float] = {name: 0.0 for name in configs}
    caller_cpu: dict[str, float] = {name: 0.0 for name in configs}
    try:
        for name in configs:  # warm up every code path once
            enable(name)
            for _ in range(50):
                calls[name]()
            disable(name)
        order = random.Random(7)
        for _ in range(args.rounds):
            for name in order.sample(configs, len(configs)):
                enable(name)
                cpu_start, thread_start = time.process_time(), time.thread_time()
                block = []
                for index in range(args.settle + args.calls):
                    start, start_cpu = time.perf_counter(), time.thread_time()
                    calls[name]()
                    if index >= args.settle:
                        block.append((time.perf_counter() - start) * 1e6)
                        call_cpu[name].append((time.thread_time() - start_cpu) * 1e6)
                samples[name].extend(block)
                round_medians[name].append(statistics.median(block))
                caller_cpu[name] += time.thread_time() - thread_start
                deferral.worker.drain(10)
                cpu[name] += time.process_time() - cpu_start
                disable(name)
    finally:
        fake.stop()
        tp.shutdown()
        tp_agentotel.shutdown()
        mp.shutdown()

    base_median = statistics.median(samples["none"])
    base_p90 = percentile(samples["none"], 0.9)
    calls_per_config = args.rounds * (args.settle + args.calls)
    base_cpu = cpu["none"] / calls_per_config * 1e6
    base_caller = caller_cpu["none"] / calls_per_config * 1e6
    base_call_cpu = statistics.median(call_cpu["none"])
    print(f"{args.rounds} rounds x {args.calls} calls per configuration, interleaved"
          + (", each call inside a span of its own" if args.parent else ""))
    print(f"{'configuration':<15} {'median µs':>9} {'overhead median µs':>18} {'paired µs':>9} {'overhead p90 µs':>15}"
          f" {'caller CPU median µs':>20} {'caller CPU mean µs':>18} {'process CPU µs':>14}")
    for name in configs:
        median = statistics.median(samples[name])
        p90 = percentile(samples[name], 0.9)
        process = cpu[name] / calls_per_config * 1e6 - base_cpu
        caller_mean = caller_cpu[name] / calls_per_config * 1e6 - base_caller
        caller_median = statistics.median(call_cpu[name]) - base_call_cpu
        paired = statistics.median(m - b for m, b in zip(round_medians[name], round_medians["none"]))
        print(f"{name:<15} {median:>9.0f} {median - base_median:>18.0f} {paired:>9.0f} {p90 - base_p90:>15.0f}"
              f" {caller_median:>20.0f} {caller_mean:>18.0f} {process:>14.0f}")
    if otel is None:
        print("opentelemetry-instrumentation-openai-v2 is not installed: no comparison")


if __name__ == "__main__":
    main()
