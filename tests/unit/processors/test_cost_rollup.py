"""CostRollup: each LLM call's tokens and cost summed once onto the open agent, workflow and local
root spans above it, handed over by the emitter it was given."""

from __future__ import annotations

import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace

from agentotel.core.emitter import Emitter
from agentotel.core.records import AgentInvocation, Usage, Workflow
from agentotel.processors import CostRollup, cost_rollup_in, span_processors
from tests.support.operations import llm_call, worker_held


class TestRollUpThroughTheEmitter:
    def test_parent_ending_right_after_its_child(self, telemetry):
        """An agent span and a foreign root span ended right after their LLM child carry its cost once."""
        root = telemetry.tracer("web.server").start_span("POST /chat")
        root_ctx = trace.set_span_in_context(root)
        emitter = telemetry.emitter
        with worker_held():
            agent = emitter.start(AgentInvocation(name="support"), context=root_ctx)
            child = llm_call(emitter, context=trace.set_span_in_context(agent.span))
            emitter.end(agent)
            root.end()  # synchronously, while the child's span is not yet ended
        cost = telemetry.span("chat gpt-4o").attributes["agentotel.cost.total"]
        for name in ("invoke_agent support", "POST /chat"):
            attributes = telemetry.span(name).attributes
            assert attributes["agentotel.usage.llm_calls"] == 1, name
            assert attributes["agentotel.usage.input_tokens"] == 1000
            assert attributes["agentotel.usage.output_tokens"] == 100
            assert attributes["agentotel.cost.total"] == pytest.approx(cost)
        assert child.own
        assert telemetry.rollup.open_spans() == 0

    def test_adopted_llm_spans_roll_up(self, telemetry):
        """Another instrumentation's LLM span that agentotel adopted is rolled up, exactly once."""
        from opentelemetry import context as otel_context

        from agentotel.core.records import LLMCall, Usage

        tracer = telemetry.tracer()
        with tracer.start_as_current_span("invoke_agent other", attributes={"gen_ai.operation.name": "invoke_agent"}):
            with tracer.start_as_current_span("chat x", attributes={"gen_ai.operation.name": "chat"}) as llm:
                op = telemetry.emitter.adopt(llm, LLMCall(provider="openai", request_model="gpt-4o-mini",
                                                          usage=Usage(7, 3)), context=otel_context.get_current())
                telemetry.emitter.end(op)
        a = telemetry.span("invoke_agent other").attributes
        assert a["agentotel.usage.llm_calls"] == 1 and a["agentotel.usage.input_tokens"] == 7
        assert a["agentotel.cost.total"] == pytest.approx((7 * 0.15 + 3 * 0.6) / 1e6)

    def test_llm_spans_not_adopted_are_not_counted(self, telemetry):
        """Another instrumentation's LLM span that agentotel did not adopt is the same call recorded
        twice (beside OpenLLMetry's LangChain spans): the agent counts only agentotel's own."""
        import agentotel

        with agentotel.agent("support"):
            with telemetry.tracer("opentelemetry.instrumentation.langchain").start_as_current_span(
                    "ChatOpenAI.chat", attributes={"gen_ai.operation.name": "chat"}) as theirs:
                theirs.set_attributes({"gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 40})
            with agentotel.llm_call("gpt-4o-mini", provider="openai") as call:
                call.usage = agentotel.Usage(100, 40)
        a = telemetry.span("invoke_agent support").attributes
        assert a["agentotel.usage.llm_calls"] == 1 and a["agentotel.usage.input_tokens"] == 100


class TestCostRollup:
    def test_unknown_parent_takes_nothing(self):
        """A parent span the processor never saw start is not added to and awaits nothing."""
        rollup = CostRollup()
        assert rollup.add_under(1234, 10, 5, 0.1, "USD") is False
        assert rollup.awaits(1234) is False

    def test_workflow_and_agent_both_take_the_call(self, telemetry):
        """A call under an agent under a workflow adds to both, and every span is forgotten at its end."""
        emitter = telemetry.emitter
        workflow = emitter.start(Workflow(name="triage"))
        agent = emitter.start(AgentInvocation(name="support"), context=trace.set_span_in_context(workflow.span))
        llm_call(emitter, usage=Usage(20, 10), context=trace.set_span_in_context(agent.span))
        emitter.end(agent)
        emitter.end(workflow)
        for name in ("invoke_workflow triage", "invoke_agent support"):
            attributes = telemetry.span(name).attributes
            assert attributes["agentotel.usage.llm_calls"] == 1, name
            assert attributes["agentotel.usage.input_tokens"] == 20, name
        assert telemetry.rollup.open_spans() == 0

    def test_awaits_only_under_an_open_target(self, telemetry):
        """``awaits`` is true under an open agent span and false once it ended."""
        emitter = telemetry.emitter
        agent = emitter.start(AgentInvocation(name="support"), context=otel_context.Context())
        agent_id = agent.span.get_span_context().span_id
        assert telemetry.rollup.awaits(agent_id)
        emitter.end(agent)
        telemetry.spans()  # waits for the worker to end the span
        assert not telemetry.rollup.awaits(agent_id)

    def test_an_emitter_without_a_rollup_adds_nothing(self, telemetry):
        """The roll-up is wiring, not a look-up: an emitter not handed the processor leaves parents bare."""
        bare = Emitter(telemetry.tracer_provider, telemetry.meter_provider, settings=telemetry.emitter.settings)
        agent = bare.start(AgentInvocation(name="support"))
        llm_call(bare, context=trace.set_span_in_context(agent.span))
        bare.end(agent)
        assert "agentotel.usage.llm_calls" not in telemetry.span("invoke_agent support").attributes


class TestSpanProcessors:
    def test_the_rollup_given_is_the_one_added(self):
        """``span_processors(rollup)`` includes that very processor, found again by ``cost_rollup_in``."""
        rollup = CostRollup()
        processors = span_processors(rollup)
        assert cost_rollup_in(processors) is rollup
        assert isinstance(cost_rollup_in(span_processors()), CostRollup)


def test_an_app_provider_with_span_processors_rolls_up_through_the_decorators():
    """An app that adds ``span_processors()`` to a provider of its own (no ``configure()``) gets the
    cost of its LLM calls on the agent span: the roll-up is handed to the process-wide emitter."""
    import json
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import json
        import agentotel
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        provider, exporter = TracerProvider(), InMemorySpanExporter()
        for processor in agentotel.span_processors():
            provider.add_span_processor(processor)
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        with agentotel.agent("support"):
            with agentotel.llm_call("gpt-4o", provider="openai") as call:
                call.usage = agentotel.Usage(1000, 100)
        from agentotel.core import deferral
        deferral.worker.drain(10)  # the spans' ends run in the background
        provider.force_flush()
        print(json.dumps({span.name: dict(span.attributes) for span in exporter.get_finished_spans()}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    spans = json.loads(done.stdout.strip().splitlines()[-1])
    cost = spans["chat gpt-4o"]["agentotel.cost.total"]
    assert cost > 0
    assert spans["invoke_agent support"]["agentotel.cost.total"] == pytest.approx(cost)
    assert spans["invoke_agent support"]["agentotel.usage.llm_calls"] == 1
