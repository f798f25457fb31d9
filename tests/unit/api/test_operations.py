"""The manual API: every decorator form ends its span exactly once and never changes results."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from opentelemetry.trace import StatusCode

import agentotel
from agentotel import threads
from agentotel.config import Settings


class TestDecoratorForms:
    def test_plain_function(self, telemetry):
        """A decorated function returns its value unchanged inside one span."""
        @agentotel.tool("lookup_order")
        def lookup(order_id):
            return {"id": order_id}

        assert lookup("A1") == {"id": "A1"}
        assert telemetry.span("execute_tool lookup_order").attributes["gen_ai.tool.name"] == "lookup_order"

    def test_bare_decorator_uses_function_name(self, telemetry):
        """`@tool` without arguments names the span after the function."""
        @agentotel.tool
        def check_shipping():
            return 1

        check_shipping()
        telemetry.span("execute_tool check_shipping")

    async def test_coroutine(self, telemetry):
        """A decorated coroutine's span covers the awaited work."""
        @agentotel.agent("support")
        async def handle():
            await asyncio.sleep(0.01)
            return "done"

        assert await handle() == "done"
        span = telemetry.span("invoke_agent support")
        assert (span.end_time - span.start_time) >= 10_000_000

    def test_generator(self, telemetry):
        """A decorated generator's span ends once when it is exhausted, with all items passed on."""
        @agentotel.workflow("pipeline")
        def steps():
            yield 1
            yield 2

        assert list(steps()) == [1, 2]
        assert len(telemetry.spans()) == 1

    def test_generator_closed_early(self, telemetry):
        """Breaking out of a decorated generator ends its span once, without an error."""
        @agentotel.workflow("pipeline")
        def steps():
            yield from range(10)

        for item in steps():
            if item == 2:
                break
        import gc
        gc.collect()
        span = telemetry.span("invoke_workflow pipeline")
        assert span.status.status_code != StatusCode.ERROR

    def test_generator_context_only_during_steps(self, telemetry):
        """Between steps of a generator the caller is not inside the generator's span."""
        from opentelemetry import trace

        @agentotel.workflow("pipeline")
        def steps():
            yield trace.get_current_span().get_span_context().span_id

        gen = steps()
        inner = next(gen)
        outside = trace.get_current_span().get_span_context().span_id
        assert inner != 0 and outside != inner
        gen.close()

    async def test_async_generator(self, telemetry):
        """A decorated async generator ends its span once on exhaustion."""
        @agentotel.retrieval("kb")
        async def search(query):
            yield {"id": "d1", "score": 0.7}
            yield {"id": "d2", "score": 0.4}

        items = [d async for d in search("refund")]
        assert [d["id"] for d in items] == ["d1", "d2"]
        span = telemetry.span("retrieval kb")
        assert span.attributes["agentotel.retrieval.document.ids"] == ("d1", "d2")

    def test_exception_inside(self, telemetry):
        """An exception propagates unchanged and the span records it."""
        @agentotel.tool("refund")
        def refund():
            raise ValueError("limit")

        with pytest.raises(ValueError, match="limit"):
            refund()
        span = telemetry.span("execute_tool refund")
        assert span.status.status_code == StatusCode.ERROR
        assert span.attributes["error.type"] == "ValueError"

    async def test_exception_inside_async_generator(self, telemetry):
        """An exception in an async generator ends its span once as an error."""
        @agentotel.workflow("w")
        async def gen():
            yield 1
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            async for _ in gen():
                pass
        assert telemetry.span("invoke_workflow w").attributes["error.type"] == "RuntimeError"

    def test_context_manager_and_nesting(self, telemetry):
        """`with` scopes nest: tool and LLM spans are children of the agent span."""
        with agentotel.agent("support"):
            with agentotel.llm_call("gpt-4o", provider="openai") as call:
                call.usage = agentotel.Usage(100, 10)
            with agentotel.tool("lookup"):
                pass
        agent = telemetry.span("invoke_agent support")
        for name in ("chat gpt-4o", "execute_tool lookup"):
            child = telemetry.span(name)
            assert child.parent.span_id == agent.context.span_id
            assert child.attributes["gen_ai.agent.name"] == "support"

    def test_telemetry_failure_does_not_reach_the_app(self, telemetry, monkeypatch):
        """When the emitter breaks, the decorated code still runs and returns its value."""
        def broken(*a, **k):
            raise RuntimeError("emitter down")

        monkeypatch.setattr(telemetry.emitter, "start", broken)
        before = agentotel.internal_error_counts().get("api", 0)

        @agentotel.tool("t")
        def work():
            return 42

        assert work() == 42
        assert agentotel.internal_error_counts()["api"] == before + 1


class TestToolContent:
    def test_arguments_and_result_only_with_capture(self, make_telemetry):
        """Tool arguments and results are recorded only when content capture is on."""
        t = make_telemetry(Settings(capture_content="span"))

        @agentotel.tool("lookup", call_id="c-9")
        def lookup(order_id, verbose=False):
            return {"status": "shipped"}

        lookup("A7", verbose=True)
        a = t.span("execute_tool lookup").attributes
        assert a["gen_ai.tool.call.id"] == "c-9"
        assert '"order_id":"A7"' in a["gen_ai.tool.call.arguments"]
        assert "shipped" in a["gen_ai.tool.call.result"]


class TestContextPropagation:
    def test_thread_pool_work_is_a_child(self, telemetry):
        """Work submitted to a ThreadPoolExecutor runs in the submitter's context."""
        threads.install()
        try:
            with agentotel.agent("support"):
                with ThreadPoolExecutor(2) as pool:
                    pool.submit(lambda: agentotel.tool("in_thread")(lambda: 1)()).result()
        finally:
            threads.uninstall()
        assert telemetry.span("execute_tool in_thread").parent.span_id == telemetry.span("invoke_agent support").context.span_id

    async def test_asyncio_tasks_are_children(self, telemetry):
        """asyncio tasks created inside a scope are children of it and keep the conversation."""
        async def step(i):
            with agentotel.tool(f"t{i}"):
                await asyncio.sleep(0)

        with agentotel.conversation("conv-7", tenant="acme"):
            with agentotel.agent("support"):
                await asyncio.gather(step(1), step(2))
        parent = telemetry.span("invoke_agent support").context.span_id
        for i in (1, 2):
            span = telemetry.span(f"execute_tool t{i}")
            assert span.parent.span_id == parent
            assert span.attributes["gen_ai.conversation.id"] == "conv-7"


class TestConversationScope:
    def test_stamps_spans_of_other_instrumentations(self, telemetry):
        """Spans from any tracer started inside the scope carry the conversation attributes."""
        with agentotel.conversation("c-42", user_id="u-1", tenant="acme"):
            with telemetry.tracer("opentelemetry.instrumentation.httpx").start_as_current_span("POST"):
                pass
        a = telemetry.span("POST").attributes
        assert a["gen_ai.conversation.id"] == "c-42"
        assert a["user.id"] == "u-1"
        assert a["agentotel.tenant.id"] == "acme"

    def test_travels_in_baggage(self, telemetry):
        """The scope is W3C baggage, so it is injected into outgoing requests."""
        from opentelemetry.baggage.propagation import W3CBaggagePropagator

        carrier = {}
        with agentotel.conversation("c-1", tenant="t1"):
            W3CBaggagePropagator().inject(carrier)
        assert "gen_ai.conversation.id=c-1" in carrier["baggage"]
        assert "agentotel.tenant.id=t1" in carrier["baggage"]

    def test_no_stamp_outside(self, telemetry):
        """Spans outside any conversation carry no conversation attributes."""
        with telemetry.tracer().start_as_current_span("plain"):
            pass
        assert "gen_ai.conversation.id" not in telemetry.span("plain").attributes


class TestRollup:
    def test_cost_and_tokens_roll_up(self, telemetry):
        """LLM cost and tokens sum onto the enclosing agent, workflow and root spans."""
        with telemetry.tracer("fastapi").start_as_current_span("POST /chat"):
            with agentotel.workflow("turn"):
                with agentotel.agent("support"):
                    for _ in range(2):
                        with agentotel.llm_call("gpt-4o-mini", provider="openai") as call:
                            call.usage = agentotel.Usage(1_000_000, 100_000)
        for name in ("invoke_agent support", "invoke_workflow turn", "POST /chat"):
            a = telemetry.span(name).attributes
            assert a["agentotel.cost.total"] == pytest.approx(2 * (0.15 + 0.06)), name
            assert a["agentotel.usage.input_tokens"] == 2_000_000
            assert a["agentotel.usage.output_tokens"] == 200_000
            assert a["agentotel.usage.llm_calls"] == 2
        assert all(p.open_spans() == 0 for p in telemetry.processors if hasattr(p, "open_spans"))

    def test_calls_from_many_threads_roll_up_to_their_sum(self, telemetry):
        """An agent fanning LLM calls out to threads: every call is counted, and the attributes the
        agent span ends with are the final totals, not one thread's stale ones."""
        import sys
        import threading

        from opentelemetry import context as otel_context

        threads, calls = 8, 50
        switch = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
        try:
            with agentotel.agent("support"):
                ctx = otel_context.get_current()

                def work():
                    token = otel_context.attach(ctx)
                    try:
                        for _ in range(calls):
                            with agentotel.llm_call("gpt-4o-mini", provider="openai") as call:
                                call.usage = agentotel.Usage(1000, 100)
                    finally:
                        otel_context.detach(token)

                workers = [threading.Thread(target=work) for _ in range(threads)]
                for worker in workers:
                    worker.start()
                for worker in workers:
                    worker.join()
        finally:
            sys.setswitchinterval(switch)
        a = telemetry.span("invoke_agent support").attributes
        assert a["agentotel.usage.llm_calls"] == threads * calls
        assert a["agentotel.usage.input_tokens"] == threads * calls * 1000
        assert a["agentotel.cost.total"] == pytest.approx(threads * calls * (1000 * 0.15 + 100 * 0.6) / 1e6)

    def test_a_call_recorded_twice_rolls_up_once(self, telemetry):
        """Another instrumentation's LLM span inside an ``llm_call()`` scope is the same call: the
        agent counts its tokens and cost once."""
        with agentotel.agent("support"):
            with agentotel.llm_call("gpt-4o-mini", provider="openai") as call:
                with telemetry.tracer("openai-v2").start_as_current_span(
                        "chat gpt-4o-mini", attributes={"gen_ai.operation.name": "chat"}) as inner:
                    inner.set_attributes({"gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 100_000})
                call.usage = agentotel.Usage(1_000_000, 100_000)
        a = telemetry.span("invoke_agent support").attributes
        assert a["agentotel.usage.llm_calls"] == 1
        assert a["agentotel.usage.input_tokens"] == 1_000_000
        assert a["agentotel.cost.total"] == pytest.approx(0.15 + 0.06)
        assert all(p.open_spans() == 0 for p in telemetry.processors if hasattr(p, "open_spans"))
