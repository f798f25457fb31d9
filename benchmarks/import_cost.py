"""What importing agentotel and starting the distro cost, against the OpenTelemetry openai-v2
instrumentation measured in the same run.

Each case is a fresh process; the figures are its wall time from start to exit and its peak RSS
(``wait4``'s ``ru_maxrss``):

- ``python``: ``python -c pass``, the interpreter alone (the floor);
- ``import agentotel (API only)``: ``import agentotel`` in the environment of
  tests/support/api_only_env.py (``opentelemetry-api`` and agentotel's non-OpenTelemetry
  dependencies, no SDK; built and cached on first use);
- ``import agentotel (dev)``: ``import agentotel`` in this environment (SDK installed, not loaded);
- ``import openai-v2``: ``from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor``;
- ``distro: agentotel``: ``opentelemetry-instrument python -c pass`` with agentotel's distro and
  configurator, its instrumentors (openai-v2's left out), exporters ``none``;
- ``distro: openai-v2``: the same as a user of openai-v2 runs it: the SDK's own configurator, the
  openai-v2 instrumentation (agentotel's instrumentors and distro left out).

Rounds run every case once in a shuffled order, so drift on a shared machine hits all alike; the
figures are medians over rounds, and ratios of medians: the imports against ``import openai-v2``,
the distro against ``distro: openai-v2``.

    .venv/bin/python benchmarks/import_cost.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.stack_overhead import sdk_configurator_path  # noqa: E402
from tests.support.api_only_env import api_only_python  # noqa: E402

AGENTOTEL_INSTRUMENTORS = ("agentotel_llm,agentotel_langchain,agentotel_openai_agents,agentotel_pydantic_ai,"
                           "agentotel_llamaindex,agentotel_crewai")


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process running ``command``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command} exited {process.returncode}: {process.stderr.read().decode()[-2000:]}")
    process.stderr.close()
    return elapsed, usage.ru_maxrss / 1024


def cases(extra_path: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    base = {key: value for key, value in os.environ.items() if not key.startswith(("OTEL_", "AGENTOTEL_"))}
    python = sys.executable
    instrument = shutil.which("opentelemetry-instrument", path=str(Path(python).parent))
    quiet = dict(base, OTEL_TRACES_EXPORTER="none", OTEL_METRICS_EXPORTER="none", OTEL_LOGS_EXPORTER="none",
                 OTEL_SERVICE_NAME="import-cost")
    return {
        "python": ([python, "-c", "pass"], base),
        "import agentotel (API only)": ([str(api_only_python()), "-c", "import agentotel"], base),
        "import agentotel (dev)": ([python, "-c", "import agentotel"], base),
        "import openai-v2": ([python, "-c", "from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor"],
                             base),
        "distro: agentotel": ([instrument, python, "-c", "pass"],
                              dict(quiet, OTEL_PYTHON_DISABLED_INSTRUMENTATIONS="openai,openai_v2")),
        "distro: openai-v2": ([instrument, python, "-c", "pass"],
                              dict(quiet, OTEL_PYTHON_DISABLED_INSTRUMENTATIONS=AGENTOTEL_INSTRUMENTORS,
                                   OTEL_PYTHON_DISTRO="none", OTEL_PYTHON_CONFIGURATOR="sdk_configurator",
                                   PYTHONPATH=str(extra_path))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        table = cases(sdk_configurator_path(Path(directory)))
        for command, env in table.values():  # warm the file cache; not measured
            run_once(command, env)
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in table}
        for _ in range(args.rounds):
            order = list(table)
            random.shuffle(order)
            for name in order:
                results[name].append(run_once(*table[name]))
    medians = {name: (statistics.median(t for t, _ in runs), statistics.median(m for _, m in runs))
               for name, runs in results.items()}
    against = {"import agentotel (API only)": "import openai-v2", "import agentotel (dev)": "import openai-v2",
               "distro: agentotel": "distro: openai-v2"}
    print(f"{args.rounds} rounds, medians; ratios against the case named")
    print(f"{'case':32} {'wall ms':>8} {'over python':>12} {'peak RSS MiB':>13}  ratio (wall, RSS)")
    floor = medians["python"][0]
    for name, (wall, rss) in medians.items():
        ratio = ""
        if name in against:
            base_wall, base_rss = medians[against[name]]
            ratio = f"{wall / base_wall:.2f}x, {rss / base_rss:.2f}x vs {against[name]}"
        print(f"{name:32} {wall * 1000:8.0f} {(wall - floor) * 1000:12.0f} {rss:13.1f}  {ratio}")


if __name__ == "__main__":
    main()
