"""An app that uses every agentotel decorator and context manager with no SDK configured.

Run as a script: imports agentotel, uses the API, and prints the ``opentelemetry.sdk`` modules that
were imported (none expected) as one JSON line. ``--configure-later``: then sets up SDK providers
with in-memory exporters, uses the API again and prints what arrived there (span names and metric
names) as a second JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys

import agentotel


@agentotel.agent("support")
def answer(question: str) -> str:
    with agentotel.llm_call("gpt-4o-mini", provider="openai") as call:
        call.usage = agentotel.Usage(12, 4)
    return lookup(question)


@agentotel.tool("lookup")
def lookup(question: str) -> str:
    with agentotel.retrieval("kb") as found:
        found.documents = [agentotel.Document("doc-1", score=0.9)]
    return question.upper()


@agentotel.workflow("triage")
async def triage(question: str) -> str:
    return answer(question)


def use_everything() -> None:
    """Every decorator and context manager of the public API, and the conversation signals."""
    with agentotel.conversation("conversation-1", user_id="user-1", tenant="tenant-1"):
        agentotel.set_intent("conversation-1", "refund")
        asyncio.run(triage("where is my order"))
        agentotel.record_first_response("conversation-1")
        agentotel.record_feedback("conversation-1", 4)
        agentotel.record_evaluation("relevance", 0.8)
        agentotel.record_business_event("refund_issued", 20.0)
        agentotel.record_outcome("conversation-1", "resolved")


def sdk_modules() -> list[str]:
    return sorted(name for name in sys.modules if name.startswith("opentelemetry.sdk"))


def configure_later() -> dict:
    """SDK providers set up now, after agentotel was imported and used; what the API emits then."""
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    use_everything()
    from agentotel.core.runtime import get_emitter

    assert get_emitter().drain(10)
    data = reader.get_metrics_data()
    metric_names = sorted({metric.name for resource in data.resource_metrics for scope in resource.scope_metrics
                           for metric in scope.metrics})
    return {"spans": sorted(span.name for span in spans.get_finished_spans()), "metrics": metric_names}


if __name__ == "__main__":
    use_everything()
    print(json.dumps({"sdk_modules": sdk_modules()}), flush=True)
    if "--configure-later" in sys.argv:
        print(json.dumps(configure_later()), flush=True)
