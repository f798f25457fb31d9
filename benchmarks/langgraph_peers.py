"""The same LangGraph app under agentotel, OpenLLMetry and OpenInference, side by side, in one run.

The app is ``tests/integration/frameworks/apps/langgraph_app.py`` (``create_react_agent`` with
ChatOpenAI and two tools, one of which reads a LangChain retriever); one run is one agent step, a
tool call round: the model asks for the tool, the tool runs, the model answers. Each configuration
runs in a child process of its own — the peers in their environments (``.venv-peers/<name>``, made
by ``tests/integration/frameworks/peer_envs.py``), each instrumentation set up in code on an
in-memory SDK pipeline, with its defaults — against the fake provider in another child process:

- ``none``: no instrumentation (the baseline);
- ``agentotel``: ``agentotel_llm`` capture and ``agentotel_langchain``, agentotel's span processors;
- ``openllmetry``: OpenLLMetry's ``LangchainInstrumentor``;
- ``openinference``: OpenInference's ``LangChainInstrumentor``.

Each child profiles one run (the spans it made and what they carry), then times ``--runs`` runs:
the wall time the app waits for, and the process's CPU time including agentotel's background work
(every thread's). The
rounds alternate the configurations, so all of them see the same machine; the overhead is the
median per-run time over the baseline's, as a ratio. ``--write`` writes docs/langgraph-side-by-side.md.

Run: .venv/bin/python benchmarks/langgraph_peers.py [--rounds 3] [--runs 30] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "tests" / "integration" / "frameworks" / "apps"
DOC = ROOT / "docs" / "langgraph-side-by-side.md"
CONFIGS = ("none", "agentotel", "openllmetry", "openinference")
PEERS = {"openllmetry": "openllmetry", "openinference": "openinference"}
QUESTION = "Where is my order A-1001? [scenario:tool_call]"


# ---------------------------------------------------------------------------------- child side
def _instrument(config: str, base_url: str):
    """An in-memory SDK pipeline with ``config``'s instrumentation on it: (spans, metrics) readers."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    spans, reader = InMemorySpanExporter(), InMemoryMetricReader()
    tracer_provider, meter_provider = TracerProvider(), MeterProvider(metric_readers=[reader])
    if config == "agentotel":
        from agentotel.capture import LLMInstrumentor
        from agentotel.config import Settings
        from agentotel.core.emitter import Emitter
        from agentotel.core.runtime import set_emitter
        from agentotel.frameworks.langchain import LangChainInstrumentor
        from agentotel.processors import CostRollup, span_processors

        rollup = CostRollup()
        for processor in span_processors(rollup):
            tracer_provider.add_span_processor(processor)
        set_emitter(Emitter(tracer_provider, meter_provider, settings=Settings(), rollup=rollup))
        LLMInstrumentor().instrument(base_urls={f"{base_url}/v1": "openai"})
        LangChainInstrumentor().instrument()
    elif config == "openllmetry":
        from opentelemetry.instrumentation.langchain import LangchainInstrumentor

        LangchainInstrumentor().instrument(tracer_provider=tracer_provider, meter_provider=meter_provider)
    elif config == "openinference":
        from openinference.instrumentation.langchain import LangChainInstrumentor

        LangChainInstrumentor().instrument(tracer_provider=tracer_provider, meter_provider=meter_provider)
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    return spans, reader


def _drain() -> None:
    try:
        from agentotel.core import deferral
    except ImportError:
        return
    deferral.worker.drain(10)


def _profile(spans: list) -> dict:
    """What one run's spans are and carry."""
    def attrs(span):
        return dict(span.attributes or {})

    text = " ".join(str(attrs(s)) for s in spans)
    llm = [s for s in spans if attrs(s).get("gen_ai.operation.name") in ("chat", "text_completion")
           or attrs(s).get("openinference.span.kind") == "LLM"]
    tools = [s for s in spans if attrs(s).get("gen_ai.operation.name") == "execute_tool"
             or attrs(s).get("openinference.span.kind") == "TOOL"]
    agents = [s for s in spans if attrs(s).get("gen_ai.operation.name") == "invoke_agent"
              or attrs(s).get("openinference.span.kind") == "AGENT"]
    retrievals = [s for s in spans if attrs(s).get("gen_ai.operation.name") == "retrieval"
                  or attrs(s).get("openinference.span.kind") == "RETRIEVER"
                  or "retriev" in s.name.lower()]
    roots = [s for s in spans if s.parent is None]

    def any_key(group, *needles):
        return any(any(n in key for n in needles) for s in group for key in attrs(s))

    return {
        "spans": len(spans),
        "traces": len({s.context.trace_id for s in spans}),
        "roots": sorted(s.name for s in roots),
        "names": sorted({s.name for s in spans}),
        "llm_spans": len(llm),
        "llm_genai_usage": all("gen_ai.usage.input_tokens" in attrs(s) for s in llm) if llm else False,
        "llm_tokens": any_key(llm, "token"),
        "llm_model": all("gen_ai.request.model" in attrs(s) for s in llm) if llm else False,
        "llm_cost": any_key(llm, "cost"),
        "agent_spans": len(agents),
        "agent_cost": any_key(agents, "cost"),
        "agent_tokens": any_key(agents, "usage", "token"),
        "tool_spans": len(tools),
        "tool_genai": all("gen_ai.tool.name" in attrs(s) for s in tools) if tools else False,
        "tool_call_id": any("gen_ai.tool.call.id" in attrs(s) for s in tools),
        "tool_arguments": "A-1001" in " ".join(str(attrs(s)) for s in tools),
        "retrieval_spans": len(retrievals),
        "retrieval_ids": "order-A-1001" in " ".join(str(attrs(s)) for s in retrievals),
        "content_by_default": "Where is my order" in text,
    }


def _metric_names(reader) -> list[str]:
    data = reader.get_metrics_data()
    names = set()
    for rm in data.resource_metrics if data else []:
        for sm in rm.scope_metrics:
            names.update(m.name for m in sm.metrics)
    return sorted(names)


def child(config: str, base_url: str, runs: int) -> dict:
    import warnings

    warnings.filterwarnings("ignore")
    os.environ["LLM_BASE_URL"] = base_url
    spans, reader = _instrument(config, base_url)
    sys.path.insert(0, str(APPS))
    import langgraph_app

    agent = langgraph_app.build_agent()
    question = {"messages": [("user", QUESTION)]}
    for _ in range(3):  # warm-up: imports, connections, caches
        agent.invoke(question)
    _drain()
    spans.clear()
    agent.invoke(question, config={"configurable": {"thread_id": "profile"}})
    _drain()
    profile = _profile(list(spans.get_finished_spans()))
    profile["metrics"] = _metric_names(reader)
    wall, cpu = [], []
    for _ in range(runs):
        spans.clear()
        w, c = time.perf_counter(), time.process_time()
        agent.invoke(question)
        wall.append(time.perf_counter() - w)  # what the app waits for
        _drain()  # agentotel's background work: in the CPU figure, not the wait
        cpu.append(time.process_time() - c)
    return {"config": config, "profile": profile, "wall": wall, "cpu": cpu}


# ---------------------------------------------------------------------------------- parent side
def _python(config: str) -> str:
    if config in PEERS:
        sys.path.insert(0, str(ROOT))
        from tests.integration.frameworks.peer_envs import peer_python

        return str(peer_python(PEERS[config]))
    return sys.executable


def _provider() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "demo.fake_provider", "--port", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if "http://" not in line:
        process.kill()
        raise RuntimeError(f"the fake provider did not start: {line!r}")
    return process, line.strip().rsplit(" ", 1)[-1]


def run(rounds: int, runs: int) -> dict:
    pythons = {config: _python(config) for config in CONFIGS}
    process, base_url = _provider()
    results: dict[str, dict] = {}
    try:
        for round_ in range(rounds):
            for config in CONFIGS:
                print(f"round {round_ + 1}/{rounds}: {config}", file=sys.stderr, flush=True)
                done = subprocess.run([pythons[config], __file__, "--child", config, "--base-url", base_url,
                                       "--runs", str(runs)], cwd=ROOT, capture_output=True, text=True, timeout=600)
                if done.returncode != 0:
                    raise RuntimeError(f"{config} failed:\n{done.stderr[-3000:]}")
                result = json.loads(done.stdout.strip().splitlines()[-1])
                entry = results.setdefault(config, {"profile": result["profile"], "wall": [], "cpu": []})
                entry["wall"] += result["wall"]
                entry["cpu"] += result["cpu"]
    finally:
        process.terminate()
        process.wait(timeout=10)
    return results


def _yes(value) -> str:
    return "yes" if value is True else "no" if value is False else str(value)


def render(results: dict, rounds: int, runs: int) -> str:
    base_wall = statistics.median(results["none"]["wall"])
    base_cpu = statistics.median(results["none"]["cpu"])
    peers = [c for c in CONFIGS if c != "none"]
    rows = [
        ("spans per run", "spans"), ("traces per run", "traces"), ("root spans", "roots"),
        ("LLM spans per run (2 provider calls)", "llm_spans"), ("LLM spans: token counts", "llm_tokens"),
        ("LLM spans: gen_ai.usage.* tokens", "llm_genai_usage"),
        ("LLM spans: gen_ai.request.model", "llm_model"), ("LLM spans: cost", "llm_cost"),
        ("agent spans", "agent_spans"), ("agent span: cost and tokens rolled up", "agent_cost"),
        ("tool spans", "tool_spans"), ("tool spans: gen_ai.tool.name", "tool_genai"),
        ("tool spans: gen_ai.tool.call.id", "tool_call_id"), ("tool arguments recorded by default", "tool_arguments"),
        ("retrieval spans", "retrieval_spans"), ("retrieval: document ids", "retrieval_ids"),
        ("prompt text recorded by default", "content_by_default"),
    ]
    lines = [
        "# LangGraph side by side: agentotel, OpenLLMetry, OpenInference",
        "",
        "Generated by `benchmarks/langgraph_peers.py --write` from one run: the same LangGraph app",
        "(`tests/integration/frameworks/apps/langgraph_app.py`: `create_react_agent`, ChatOpenAI, a tool",
        "that reads a LangChain retriever, a second tool) against the fake provider, under each",
        "instrumentation with its defaults. One run is one agent step: a tool call round (the model asks",
        "for the tool, the tool runs, the model answers — two provider calls).",
        "",
        "Versions: OpenLLMetry `opentelemetry-instrumentation-langchain` and OpenInference",
        "`openinference-instrumentation-langchain` as pinned in `tests/integration/frameworks/peers/`.",
        "",
        "## What one run exports",
        "",
        "| | " + " | ".join(peers) + " |",
        "|---|" + "---|" * len(peers),
    ]
    for label, key in rows:
        cells = []
        for config in peers:
            value = results[config]["profile"][key]
            cells.append(", ".join(f"`{v}`" for v in value) if isinstance(value, list) else _yes(value))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| metrics | " + " | ".join(", ".join(f"`{m}`" for m in results[c]["profile"]["metrics"]) or "none"
                                            for c in peers) + " |")
    lines += ["", "Span names per configuration:", ""]
    for config in peers:
        lines.append(f"- {config}: " + ", ".join(f"`{n}`" for n in results[config]["profile"]["names"]))
    lines += [
        "",
        "## Overhead per agent step",
        "",
        f"{rounds} rounds alternating the configurations, {runs} runs each per round; median per run, and",
        "the ratio to no instrumentation in the same run. Wall: what the app waits for; CPU: the",
        "process's, every thread's, including the work agentotel hands to its background thread.",
        "",
        "| configuration | wall ms | wall ratio | CPU ms | CPU ratio |",
        "|---|---|---|---|---|",
    ]
    for config in CONFIGS:
        wall = statistics.median(results[config]["wall"])
        cpu = statistics.median(results[config]["cpu"])
        lines.append(f"| {config} | {wall * 1000:.2f} | {wall / base_wall:.2f} | {cpu * 1000:.2f} | {cpu / base_cpu:.2f} |")
    lines += [
        "",
        "The fake provider answers at once, from another process on the same machine; a real model",
        "takes hundreds of milliseconds to seconds per call, so these ratios are the most the",
        "instrumentations can add to an agent step.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=30, help="timed runs per configuration per round")
    parser.add_argument("--write", action="store_true", help=f"write {DOC.relative_to(ROOT)}")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(child(args.child, args.base_url, args.runs)))
        return
    results = run(args.rounds, args.runs)
    page = render(results, args.rounds, args.runs)
    print(page)
    if args.write:
        DOC.write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main()
