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
- ``openai-v2``: ``opentelemetry-instrument python stack_app.py`` as a user of the OpenTelemetry
  ``opentelemetry-instrumentation-openai-v2`` runs it: the SDK's own configurator (what the
  ``opentelemetry-distro`` package registers), the openai-v2 instrumentation and the httpx one.

All export over OTLP/HTTP (protobuf) to a local receiver (``otlp_sink.py``, a child process that
accepts and discards), traces, metrics and logs, with the SDK's default batching and intervals.
In each round every configuration runs once, in a shuffled order, so drift on a shared machine hits
them alike. Figures per configuration: *overhead*, the median over rounds of (the configuration's
median call latency − the baseline's in the same round): what the app waits for; *process CPU*, the
median over rounds of (the configuration's CPU per call − the baseline's), where a process's CPU per
call runs from its first measured call until all it produced was exported. ``--breakdown`` adds a
process per instrumented configuration with CPU probes around each stage of the stack
(``stack_app.Probes``): the CPU time per call of each stage, medians over rounds; *unprobed* is the
rest of the configuration's process CPU over the baseline (instrumentation wrappers not probed,
interpreter and GIL overhead, the probes' own cost).

Run: .venv/bin/python benchmarks/stack_overhead.py [--rounds 8] [--calls 400] [--breakdown]
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
CONFIGS = ("none", "agentotel", "agentotel+http-spans", "openai-v2")
INSTRUMENTED = CONFIGS[1:]

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


def environment(name: str, provider: str, sink: str, calls: int, warmup: int, breakdown: bool,
                extra_path: Path) -> tuple[list[str], dict[str, str]]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("OTEL_", "AGENTOTEL_"))}
    env.update(BENCH_BASE_URL=provider, BENCH_CALLS=str(calls), BENCH_WARMUP=str(warmup),
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
    else:  # openai-v2, set up as without agentotel
        env.update(OTEL_PYTHON_DISABLED_INSTRUMENTATIONS="agentotel_llm,fastapi",
                   OTEL_PYTHON_DISTRO="none", OTEL_PYTHON_CONFIGURATOR="sdk_configurator",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(extra_path), env.get("PYTHONPATH")])))
    return [instrument, *command], env


def run(name: str, args, provider: str, sink: str, extra_path: Path, breakdown: bool = False) -> dict:
    command, env = environment(name, provider, sink, args.calls, args.warmup, breakdown, extra_path)
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[len("BENCH "):])
    raise RuntimeError(f"{name} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--calls", type=int, default=400, help="measured calls per process")
    parser.add_argument("--warmup", type=int, default=50, help="calls per process before the measured ones")
    parser.add_argument("--breakdown", action="store_true", help="also run each configuration with stage probes")
    parser.add_argument("--configs", help="comma-separated instrumented configurations (default: all)")
    args = parser.parse_args()
    configs = list(INSTRUMENTED)
    if args.configs:
        configs = [c.strip() for c in args.configs.split(",")]
        unknown = set(configs) - set(INSTRUMENTED)
        if unknown:
            parser.error(f"unknown configurations: {sorted(unknown)} (known: {', '.join(INSTRUMENTED)})")

    provider = Child(["-m", "demo.fake_provider", "--host", "127.0.0.2", "--port", "0"])
    sink = Child([str(ROOT / "benchmarks" / "otlp_sink.py")])
    results: dict[str, list[dict]] = {name: [] for name in ["none", *configs]}
    stages: dict[str, list[dict]] = {name: [] for name in configs}
    order = random.Random(13)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            extra_path = sdk_configurator_path(Path(tmp))
            for number in range(1, args.rounds + 1):
                jobs = [(name, False) for name in results] + [(name, True) for name in configs if args.breakdown]
                for name, probed in order.sample(jobs, len(jobs)):
                    outcome = run(name, args, provider.url, sink.url, extra_path, probed)
                    (stages[name] if probed else results[name]).append(outcome)
                line = "  ".join(f"{name} {results[name][-1]['median_us']:.0f}µs/{results[name][-1]['cpu_us']:.0f}"
                                 for name in results)
                print(f"round {number}: median latency/CPU per call  {line}", file=sys.stderr, flush=True)
    finally:
        provider.stop()
        sink.stop()
    report(results, stages, configs, args)


def report(results, stages, configs, args) -> None:
    base = results["none"]
    print(f"{args.rounds} rounds, {args.calls} calls per process; each configuration a process per round, "
          "interleaved; OTLP/HTTP to a local receiver; httpx instrumentation on")
    print(f"{'configuration':<22} {'latency µs':>10} {'overhead µs':>11} {'process CPU µs':>14}"
          f" {'CPU over base µs':>16} {'overhead / openai-v2':>20}")
    overhead = {}
    cpu_over = {}
    for name in ["none", *configs]:
        rows = results[name]
        overhead[name] = statistics.median(r["median_us"] - b["median_us"] for r, b in zip(rows, base))
        cpu_over[name] = statistics.median(r["cpu_us"] - b["cpu_us"] for r, b in zip(rows, base))
    for name in ["none", *configs]:
        rows = results[name]
        ratio = (f"{overhead[name] / overhead['openai-v2']:.2f}×"
                 if "openai-v2" in overhead and overhead["openai-v2"] > 0 and name != "none" else "")
        print(f"{name:<22} {statistics.median(r['median_us'] for r in rows):>10.0f} {overhead[name]:>11.0f}"
              f" {statistics.median(r['cpu_us'] for r in rows):>14.0f} {cpu_over[name]:>16.0f} {ratio:>20}")
    if "openai-v2" in overhead:
        paired = [(a["median_us"] - b["median_us"]) / (o["median_us"] - b["median_us"])
                  for a, o, b in zip(results.get("agentotel", []), results["openai-v2"], base)
                  if o["median_us"] > b["median_us"]]
        if paired:
            print(f"agentotel / openai-v2 overhead, per round: "
                  f"{', '.join(f'{p:.2f}' for p in paired)} (median {statistics.median(paired):.2f})")
    if not args.breakdown:
        return
    print()
    print("CPU per call by stage, µs (median over rounds of the probed processes)")
    names = sorted({stage for rows in stages.values() for row in rows for stage in row.get("stages_us", {})})
    print(f"{'stage':<32}" + "".join(f" {name:>22}" for name in configs))
    for stage in names:
        values = [statistics.median(row.get("stages_us", {}).get(stage, 0.0) for row in stages[name])
                  for name in configs]
        print(f"{stage:<32}" + "".join(f" {value:>22.1f}" for value in values))
    unprobed = []
    for name in configs:
        probed_cpu = statistics.median(row["cpu_us"] for row in stages[name])
        total_stages = statistics.median(sum(row.get("stages_us", {}).values()) for row in stages[name])
        unprobed.append(probed_cpu - statistics.median(b["cpu_us"] for b in base) - total_stages)
    print(f"{'unprobed (rest over baseline)':<32}" + "".join(f" {value:>22.1f}" for value in unprobed))


if __name__ == "__main__":
    main()
