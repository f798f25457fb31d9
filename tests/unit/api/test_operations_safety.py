"""The manual API never raises into the app: bad keywords fail when the scope is made, and one
scope object serves concurrent tasks and threads."""

from __future__ import annotations

import asyncio
import inspect
import threading

import pytest

import agentotel


class TestKeywords:
    @pytest.mark.parametrize("factory", ["agent", "workflow", "tool", "retrieval", "llm_call"])
    def test_misspelt_keyword_fails_at_decoration(self, factory):
        """A misspelt keyword is a TypeError naming it when the decorator is made, not at each call."""
        with pytest.raises(TypeError, match="descripton"):
            getattr(agentotel, factory)("x", descripton="typo")

    def test_signatures_are_keyword_only_and_typed(self):
        """Each factory shows its keywords, keyword-only and annotated, to IDEs and ``help()``."""
        for factory, expected in (("agent", {"id", "description", "version", "provider", "request_model", "remote"}),
                                  ("tool", {"call_id", "description", "type"}),
                                  ("retrieval", {"query", "top_k", "provider", "request_model"})):
            params = inspect.signature(getattr(agentotel, factory)).parameters
            keywords = {n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
            assert keywords == expected, factory
            assert all(params[n].annotation is not inspect.Parameter.empty for n in keywords), factory

    def test_keywords_reach_the_span(self, telemetry):
        """Keywords given to the factory are recorded on the span."""
        with agentotel.tool("refund", call_id="call-7", description="refunds an order"):
            pass
        a = telemetry.span("execute_tool refund").attributes
        assert (a["gen_ai.tool.call.id"], a["gen_ai.tool.description"], a["gen_ai.tool.type"]) == (
            "call-7", "refunds an order", "function")


class TestConcurrentEntries:
    async def test_one_scope_object_in_two_tasks(self, telemetry):
        """One ``agent(...)`` object entered by two asyncio tasks at once gives each its own span."""
        support = agentotel.agent("support")
        both_inside = asyncio.Barrier(2)

        async def turn(n):
            async with support as record:
                await both_inside.wait()
                assert record.name == "support"
                return n

        assert await asyncio.gather(turn(1), turn(2)) == [1, 2]
        spans = [s for s in telemetry.spans() if s.name == "invoke_agent support"]
        assert len(spans) == 2 and spans[0].context.span_id != spans[1].context.span_id

    def test_one_scope_object_in_two_threads(self, telemetry):
        """One ``tool(...)`` object entered on two threads at once ends both spans, each once."""
        lookup = agentotel.tool("lookup")
        both_inside = threading.Barrier(2)
        errors = []

        def work():
            try:
                with lookup:
                    both_inside.wait(5)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

        workers = [threading.Thread(target=work) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert errors == []
        assert len([s for s in telemetry.spans() if s.name == "execute_tool lookup"]) == 2

    def test_nested_in_itself(self, telemetry):
        """The same object nested in itself makes a parent and a child span."""
        step = agentotel.workflow("step")
        with step:
            with step:
                pass
        outer, inner = sorted((s for s in telemetry.spans() if s.name == "invoke_workflow step"),
                              key=lambda s: s.start_time)
        assert inner.parent.span_id == outer.context.span_id

    def test_exit_without_entry_does_not_raise(self, telemetry):
        """An exit without an entry in this context is ignored, not an AttributeError."""
        assert agentotel.tool("t").__exit__(None, None, None) is False
