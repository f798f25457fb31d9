"""What the whole telemetry stack costs per LLM call, run as users run it: agentotel against the
OpenTelemetry openai-v2 instrumentation, in one run.

Each configuration is a process of its own running ``stack_app.py`` (the same `openai` chat call in
a loop, real HTTP to the fake provider in a child process):

- ``none``: ``python stack_app.py``, nothing instrumented, no SDK (the baseline);
- ``agentotel``: ``opentelemetry-instrument python stack_app.py`` with agentotel installed, as its
  users run it: agentotel's distro and configurator, its LLM capture, the httpx instrumentation;
  no ``AGENTOTEL_LLM_BASE_URLS`` (the provider's host is in no table: capture finds it alone);
- ``agentotel+http-spans``: the same with ``AGENTOTEL_LLM_HTTP_SPANS=true`` (the httpx span kept
  under each LLM span, as before one span per call);
- ``agentotel-inline`` (only with ``--configs``): ``agentotel`` with ``AGENTOTEL_DEFERRED_EMIT=false``,
  every step of ending a call on the app's thread, no background worker;
- ``openai-v2``: ``opentelemetry-instrument python stack_app.py`` as a user of the OpenTelemetry
  ``opentelemetry-instrumentation-openai-v2`` runs it: the SDK's own configurator (what the
  ``opentelemetry-distro`` package registers), the openai-v2 instrumentation and the httpx one.

All export over OTLP/HTTP (protobuf) to a local receiver (``otlp_sink.py``, a child process that
accepts and discards), traces, metrics and logs, with the SDK's default batching and intervals.
Every process starts and warms up first; then, round after round, each makes a block of calls in
turn, in a shuffled order each round, while the others wait: so drift on a shared machine hits them
alike, and start-up is not measured. Figures per configuration: *overhead*, the median over rounds
of (the median latency of the configuration's block − the baseline's in the same round): what the
app waits for; *process CPU*, the process's CPU time per call from its first measured call until all
it produced was exported (its background threads included, also while it waits for its turn), and
*CPU over base*, that minus the baseline's. ``--breakdown`` adds a second process per instrumented
configuration, in the same rotation, with CPU probes around each stage of the stack
(``stack_app.Probes``): the CPU time per call of each stage; *unprobed* is the rest of that
process's CPU over the baseline's (instrumentation wrappers not probed, the interpreter's share,
the probes' own cost).

Run: .venv/bin/python benchmarks/stack_overhead.py [--rounds 60] [--calls 30] [--breakdown]
     [--configs agentotel,openai-v2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "benchmarks" / "stack_app.py"
INSTRUMENTED = ("agentotel", "agentotel+http-spans", "openai-v2")
OPTIONAL = ("agentotel-inline",)

# What the opentelemetry-distro package registers: the SDK's own configurator, under the name the
# openai-v2 configuration selects. Written to a temporary directory on that process's path only.
_SDK_CONFIGURATOR = """[opentelemetry_configurator]
sdk_configurator = opentelemetry.sdk._configuration:_OTelSDKConfigurator
"""


class Child:
    """A server in a child process that prints "... listening on URL" when ready."""

    def __init__(self, command: list[str]):
        self.process = subprocess.Popen([sys.executable, *command], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if "http://" not in line:
            self.process.kill()
            raise RuntimeError(f"{command} did not start: {line!r}")
        self.url = line.strip().rsplit(" ", 1)[-1]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def sdk_configurator_path(directory: Path) -> Path:
    dist = directory / "sdk_configurator_entry_point-0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: sdk-configurator-entry-point\nVersion: 0\n")
    (dist / "entry_points.txt").write_text(_SDK_CONFIGURATOR)
    return directory


def environment(name: str, provider: str, sink: str, warmup: int, breakdown: bool,
                extra_path: Path) -> tuple[list[str], dict[str, str]]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("OTEL_", "AGENTOTEL_"))}
    env.update(BENCH_BASE_URL=provider, BENCH_WARMUP=str(warmup),
               BENCH_BREAKDOWN="1" if breakdown else "0")
    command = [sys.executable, str(APP)]
    if name == "none":
        return command, env
    instrument = shutil.which("opentelemetry-instrument", path=str(Path(sys.executable).parent))
    env.update(OTEL_SERVICE_NAME="stack-bench", OTEL_EXPORTER_OTLP_ENDPOINT=sink,
               OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf", OTEL_TRACES_EXPORTER="otlp",
               OTEL_METRICS_EXPORTER="otlp", OTEL_LOGS_EXPORTER="otlp")
    if name.startswith("agentotel"):
        env["OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"] = "openai,openai_v2,fastapi"
        if name == "agentotel+http-spans":
            env["AGENTOTEL_LLM_HTTP_SPANS"] = "true"
        if name == "agentotel-inline":
            env["AGENTOTEL_DEFERRED_EMIT"] = "false"
    else:  # openai-v2, set up as without agentotel
        env.update(OTEL_PYTHON_DISABLED_INSTRUMENTATIONS="agentotel_llm,fastapi",
                   OTEL_PYTHON_DISTRO="none", OTEL_PYTHON_CONFIGURATOR="sdk_configurator",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(extra_path), env.get("PYTHONPATH")])))
    return [instrument, *command], env


class App:
    """One configuration's app process, warmed up, making calls in blocks on request."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]):
        self.name = name
        self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)

    def _line(self, prefix: str) -> str:
        for line in self.process.stdout:
            if line.startswith(prefix):
                return line[len(prefix):]
        raise RuntimeError(f"{self.name} ended ({self.process.wait()}): {self.process.stderr.read()[-4000:]}")

    def ready(self) -> None:
        self._line("READY")

    def block(self, calls: int) -> list[float]:
        self.process.stdin.write(f"run {calls}\n")
        self.process.stdin.flush()
        return json.loads(self._line("BLOCK "))

    def finish(self) -> dict:
        self.process.stdin.write("finish\n")
        self.process.stdin.flush()
        outcome = json.loads(self._line("DONE "))
        self.process.wait(timeout=60)
        return outcome

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--calls", type=int, default=30, help="calls per configuration per round")
    parser.add_argument("--warmup", type=int, default=50, help="calls per process before the measured ones")
    parser.add_argument("--breakdown", action="store_true", help="also run each configuration with stage probes")
    parser.add_argument("--configs", help="comma-separated instrumented configurations (default: all)")
    args = parser.parse_args()
    configs = list(INSTRUMENTED)
    if args.configs:
        configs = [c.strip() for c in args.configs.split(",")]
        unknown = set(configs) - set(INSTRUMENTED) - set(OPTIONAL)
        if unknown:
            parser.error(f"unknown configurations: {sorted(unknown)} "
                         f"(known: {', '.join(INSTRUMENTED + OPTIONAL)})")

    names = ["none", *configs]
    provider = Child(["-m", "demo.fake_provider", "--host", "127.0.0.2", "--port", "0"])
    sink = Child([str(ROOT / "benchmarks" / "otlp_sink.py")])
    apps: dict[tuple[str, bool], App] = {}
    blocks: dict[str, list[list[float]]] = {name: [] for name in names}
    finished: dict[tuple[str, bool], dict] = {}
    order = random.Random(13)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            extra_path = sdk_configurator_path(Path(tmp))
            for name in names:
                for probed in (False, True) if args.breakdown and name != "none" else (False,):
                    command, env = environment(name, provider.url, sink.url, args.warmup, probed, extra_path)
                    apps[(name, probed)] = App(name, command, env)
            for app in apps.values():
                app.ready()
            for number in range(1, args.rounds + 1):
                for key in order.sample(list(apps), len(apps)):
                    latencies = apps[key].block(args.calls)
                    if not key[1]:
                        blocks[key[0]].append(latencies)
                if number % 10 == 0:
                    line = "  ".join(f"{name} {statistics.median(blocks[name][-1]):.0f}" for name in names)
                    print(f"round {number}: block median µs  {line}", file=sys.stderr, flush=True)
            for key, app in apps.items():
                finished[key] = app.finish()
    finally:
        for app in apps.values():
            app.kill()
        provider.stop()
        sink.stop()
    report(names, configs, blocks, finished, args)


def report(names, configs, blocks, finished, args) -> None:
    base_blocks = [statistics.median(block) for block in blocks["none"]]
    base_cpu = finished[("none", False)]["cpu_us"]
    print(f"{args.rounds} rounds x {args.calls} calls per configuration, one process per configuration, "
          "interleaved in a shuffled order each round; OTLP/HTTP to a local receiver; httpx instrumentation on")
    print(f"{'configuration':<22} {'latency µs':>10} {'overhead µs':>11} {'process CPU µs':>14}"
          f" {'CPU over base µs':>16} {'overhead / openai-v2':>20} {'CPU / openai-v2':>15}")
    overhead, cpu_over = {}, {}
    for name in names:
        medians = [statistics.median(block) for block in blocks[name]]
        overhead[name] = statistics.median(m - b for m, b in zip(medians, base_blocks))
        cpu_over[name] = finished[(name, False)]["cpu_us"] - base_cpu
    peer = "openai-v2" if "openai-v2" in names else None
    for name in names:
        latency = statistics.median(statistics.median(block) for block in blocks[name])
        ratio = f"{overhead[name] / overhead[peer]:.2f}×" if peer and name != "none" and overhead[peer] > 0 else ""
        cpu_ratio = f"{cpu_over[name] / cpu_over[peer]:.2f}×" if peer and name != "none" and cpu_over[peer] > 0 else ""
        print(f"{name:<22} {latency:>10.0f} {overhead[name]:>11.0f} {finished[(name, False)]['cpu_us']:>14.0f}"
              f" {cpu_over[name]:>16.0f} {ratio:>20} {cpu_ratio:>15}")
    if not args.breakdown:
        return
    print()
    print("CPU per call by stage, µs (the probed process of each configuration, every thread)")
    stages = sorted({stage for (name, probed), row in finished.items() if probed for stage in row.get("stages_us", {})})
    print(f"{'stage':<32}" + "".join(f" {name:>22}" for name in configs))
    for stage in stages:
        print(f"{stage:<32}" + "".join(f" {finished[(name, True)]['stages_us'].get(stage, 0.0):>22.1f}"
                                         for name in configs))
    rest = [finished[(name, True)]["cpu_us"] - base_cpu - sum(finished[(name, True)]["stages_us"].values())
            for name in configs]
    print(f"{'unprobed (rest over baseline)':<32}" + "".join(f" {value:>22.1f}" for value in rest))
    total = [finished[(name, True)]["cpu_us"] - base_cpu for name in configs]
    print(f"{'probed process CPU over baseline':<32}" + "".join(f" {value:>22.1f}" for value in total))


if __name__ == "__main__":
    main()
