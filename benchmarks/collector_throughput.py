"""Throughput of the agentotel collector as configured (collector/config.yaml), with zero loss.

    python benchmarks/collector_throughput.py [--duration 20] [--senders 4] [--batch 512]

Starts, on free loopback ports:
  - a sink: a second agentotel-collector (OTLP/gRPC receiver -> nop exporter) whose own
    otelcol_receiver_accepted_spans counts what arrived;
  - the collector under test: collector/config.yaml plus an overlay that sends traces to the sink
    through the same exporter settings as Jaeger/Tempo (persistent queue on file_storage with fsync,
    retry) and keeps span_metrics; a second variant swaps in an in-memory queue to show what the
    disk queue costs;
  - a closed-loop load generator: N sender threads POST pre-encoded OTLP/HTTP requests of B GenAI
    spans (attributes, leaked secrets to scrub, message content), each waiting for the answer.

For each variant it sends for --duration seconds, waits for the sink to receive every accepted span
and reports spans/second (first send to last arrival), refused spans, and the collector's CPU and
peak memory. A run with any span missing at the sink is reported as LOSS.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.collector.collector_harness import (  # noqa: E402
    BASE_CONFIG,
    Collector,
    build_collector,
    free_port,
    http_get,
    loopback_env,
    parse_prometheus,
    wait_until,
)
from tests.collector.otlp_payloads import llm_span, resource, traces_request  # noqa: E402

SINK_CONFIG = """
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{grpc_port}
extensions:
  health_check:
    endpoint: 127.0.0.1:{health_port}
exporters:
  nop:
service:
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [nop]
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: {telemetry_port}
"""

# The collector under test sends traces to the sink with the same queue/retry settings as the real
# trace exporters; {storage} is file_storage (as configured) or null (in-memory queue).
UNDER_TEST_OVERLAY = """
exporters:
  otlp_grpc/sink:
    endpoint: 127.0.0.1:{sink_port}
    tls:
      insecure: true
    sending_queue:
      enabled: true
      storage: {storage}
      sizer: requests
      queue_size: 1000
      batch: {{sizer: items, min_size: 1024, max_size: 2048, flush_timeout: 1s}}
    retry_on_failure:
      enabled: true
      max_elapsed_time: 10m
service:
  pipelines:
    traces:
      exporters: [otlp_grpc/sink, span_metrics]
    logs:
      exporters: [nop]
"""


@dataclass
class Result:
    variant: str
    sent: int
    refused: int
    arrived: int
    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    sink_cpu_seconds: float
    loadgen_cpu_seconds: float

    @property
    def spans_per_second(self) -> float:
        return self.arrived / self.seconds if self.seconds else 0.0

    @property
    def spans_per_cpu_second(self) -> float:
        """Throughput per CPU-second of the collector: steadier than spans/s on a shared machine."""
        return self.arrived / self.cpu_seconds if self.cpu_seconds else 0.0

    @property
    def lossless(self) -> bool:
        return self.arrived == self.sent


def counter(url: str, prefix: str) -> float:
    """Sum of all series of an otelcol_* counter on a collector's telemetry endpoint."""
    status, text = http_get(url)
    if status != 200:
        raise RuntimeError(f"{url} answered {status}")
    return sum(s.value for s in parse_prometheus(text) if s.name in (prefix, prefix + "_total"))


def proc_stats(pid: int) -> tuple[float, float]:
    """(CPU seconds, current RSS MiB) of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return cpu, rss


def payloads(batch: int, count: int = 8) -> list[bytes]:
    """Pre-encoded export requests of `batch` spans from a few services (encoding is not measured)."""
    out = []
    for i in range(count):
        spans = [llm_span(os.urandom(16), duration_s=0.05 + (j % 40) * 0.5) for j in range(batch)]
        out.append(traces_request([(resource(f"bench-agent-{i % 4}"), spans)]))
    return out


def send_load(host: str, port: int, bodies: list[bytes], batch: int, senders: int,
              duration: float) -> tuple[int, int, float]:
    """Closed-loop senders for `duration` seconds; returns (spans accepted, spans refused, start time)."""
    stop_at = time.monotonic() + duration
    accepted = [0] * senders
    refused = [0] * senders

    def sender(idx: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        n = idx
        while time.monotonic() < stop_at:
            body = bodies[n % len(bodies)]
            n += 1
            try:
                conn.request("POST", "/v1/traces", body=body, headers={"Content-Type": "application/x-protobuf"})
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                ok = False
            if ok:
                accepted[idx] += batch
            else:
                refused[idx] += batch
        conn.close()

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(senders)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(accepted), sum(refused), start


def run_variant(binary: Path, name: str, storage: str, bodies: list[bytes], args: argparse.Namespace) -> Result:
    tmp = Path(tempfile.mkdtemp(prefix=f"otelcol-bench-{name}-"))
    sink_port, sink_health, sink_telemetry = free_port(), free_port(), free_port()
    sink_cfg = tmp / "sink.yaml"
    sink_cfg.write_text(SINK_CONFIG.format(grpc_port=sink_port, health_port=sink_health,
                                           telemetry_port=sink_telemetry))
    overlay = tmp / "under-test.yaml"
    overlay.write_text(UNDER_TEST_OVERLAY.format(sink_port=sink_port, storage=storage))
    # Collector.start() polls the health endpoint named in the environment.
    sink_env = dict(os.environ, OTELCOL_HEALTH_ENDPOINT=f"127.0.0.1:{sink_health}")
    sink = Collector(binary, [sink_cfg], sink_env, tmp / "sink.log")
    under_test = Collector(binary, [BASE_CONFIG, overlay], loopback_env(tmp / "storage"), tmp / "collector.log")
    sink_url = f"http://127.0.0.1:{sink_telemetry}/metrics"
    try:
        sink.start()
        under_test.start()
        host, port = under_test.env["OTELCOL_OTLP_HTTP_ENDPOINT"].rsplit(":", 1)
        pid = under_test.proc.pid
        cpu0, _ = proc_stats(pid)
        sink_cpu0, _ = proc_stats(sink.proc.pid)
        gen_cpu0 = time.process_time()
        peak = [0.0]
        sampling = threading.Event()

        def sample_rss() -> None:
            while not sampling.is_set():
                peak[0] = max(peak[0], proc_stats(pid)[1])
                sampling.wait(0.2)

        sampler = threading.Thread(target=sample_rss, daemon=True)
        sampler.start()
        print(f"  {name}: sending for {args.duration:.0f}s with {args.senders} senders x {args.batch} spans/request",
              file=sys.stderr)
        sent, refused, start = send_load(host, int(port), bodies, args.batch, args.senders, args.duration)

        # Wait for the sink to stop growing (or to reach everything that was accepted).
        last = [-1.0, time.monotonic()]

        def drained() -> bool:
            arrived = counter(sink_url, "otelcol_receiver_accepted_spans")
            if arrived >= sent:
                return True
            if arrived != last[0]:
                last[0], last[1] = arrived, time.monotonic()
            return time.monotonic() - last[1] > 10  # no progress for 10 s: give up, report loss

        wait_until(drained, args.drain_timeout, "the sink to receive every span", interval=0.1)
        end = time.monotonic()
        arrived = int(counter(sink_url, "otelcol_receiver_accepted_spans"))
        sampling.set()
        sampler.join()
        cpu1, _ = proc_stats(pid)
        sink_cpu1, _ = proc_stats(sink.proc.pid)
        return Result(name, sent, refused, arrived, end - start, cpu1 - cpu0, peak[0],
                      sink_cpu1 - sink_cpu0, time.process_time() - gen_cpu0)
    finally:
        under_test.stop()
        sink.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sending per variant")
    parser.add_argument("--senders", type=int, default=4, help="concurrent closed-loop senders")
    parser.add_argument("--batch", type=int, default=512, help="spans per export request (SDK default 512)")
    parser.add_argument("--drain-timeout", type=float, default=300.0, help="max seconds to wait for the sink")
    parser.add_argument("--variants", default="file_storage,memory",
                        help="comma-separated: file_storage (as configured), memory (in-memory queue)")
    args = parser.parse_args()

    binary = build_collector()
    bodies = payloads(args.batch)
    print(f"request size: {len(bodies[0]) / 1024:.0f} KiB for {args.batch} spans", file=sys.stderr)
    storages = {"file_storage": "file_storage", "memory": "null"}
    results = [run_variant(binary, v, storages[v], bodies, args) for v in args.variants.split(",")]

    print(f"\n{'sending queue':<14}{'seconds':>8}{'spans sent':>12}{'arrived':>10}{'refused':>9}{'spans/s':>9}"
          f"{'spans/CPU-s':>12}{'cores':>7}{'peak RSS':>10}{'sink cores':>12}{'loadgen cores':>15}  loss")
    for r in results:
        print(f"{r.variant:<14}{r.seconds:>8.1f}{r.sent:>12}{r.arrived:>10}{r.refused:>9}{r.spans_per_second:>9.0f}"
              f"{r.spans_per_cpu_second:>12.0f}{r.cpu_seconds / r.seconds:>7.2f}{r.peak_rss_mib:>6.0f} MiB{r.sink_cpu_seconds / r.seconds:>12.2f}"
              f"{r.loadgen_cpu_seconds / r.seconds:>15.2f}  {'none' if r.lossless else 'LOSS'}")
    return 0 if all(r.lossless for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
