"""A plain program that emits spans, metrics and logs at a steady rate and times each call.

Run under ``opentelemetry-instrument``; it uses only the OpenTelemetry API and ``logging``. It
prints one JSON line (items emitted, latency percentiles per kind of call, in microseconds), then
``END <time.monotonic()>`` as its last act, so the caller can time what happens after it.
``BURST_SECONDS`` and ``BURST_RATE`` (calls of each kind per second) set the load.

A call during which the operating system preempted the thread (its involuntary context switches
went up) measures the machine's load, not the call: such calls are counted apart and left out of
the percentiles. Waiting on a lock or on I/O is a voluntary switch and stays in.
"""

import json
import logging
import os
import resource
import time

from opentelemetry import metrics, trace

SECONDS = float(os.environ.get("BURST_SECONDS", "2"))
RATE = float(os.environ.get("BURST_RATE", "2000"))

tracer = trace.get_tracer("burst")
meter = metrics.get_meter("burst")
requests = meter.create_counter("burst.requests")
latency = meter.create_histogram("burst.latency", unit="s")
log = logging.getLogger("burst")

timings = {"span": [], "counter": [], "histogram": [], "log": []}
preempted = dict.fromkeys(timings, 0)


def timed(kind, call):
    before = resource.getrusage(resource.RUSAGE_THREAD).ru_nivcsw
    started = time.perf_counter_ns()
    call()
    elapsed = time.perf_counter_ns() - started
    if resource.getrusage(resource.RUSAGE_THREAD).ru_nivcsw != before:
        preempted[kind] += 1
    else:
        timings[kind].append(elapsed)


def one_span():
    with tracer.start_as_current_span("handle request") as span:
        span.set_attribute("burst.iteration", len(timings["span"]) + preempted["span"])


period = 1.0 / RATE
deadline = time.monotonic() + SECONDS
next_at = time.monotonic()
while time.monotonic() < deadline:
    timed("span", one_span)
    timed("counter", lambda: requests.add(1, {"route": "/chat"}))
    timed("histogram", lambda: latency.record(0.25, {"route": "/chat"}))
    timed("log", lambda: log.warning("handled request %d", len(timings["log"]) + preempted["log"]))
    next_at += period
    pause = next_at - time.monotonic()
    if pause > 0:
        time.sleep(pause)


def summary(values):
    values = sorted(values)
    pick = lambda q: values[min(int(len(values) * q), len(values) - 1)] / 1000  # noqa: E731
    return {"p50": pick(0.5), "p99": pick(0.99), "p999": pick(0.999), "max": values[-1] / 1000,
            "over_1ms": sum(1 for v in values if v > 1_000_000)}


print(json.dumps({"emitted": {kind: len(values) + preempted[kind] for kind, values in timings.items()},
                  "preempted": preempted,
                  "latency_us": {kind: summary(values) for kind, values in timings.items()}}), flush=True)
print("END", time.monotonic(), flush=True)
