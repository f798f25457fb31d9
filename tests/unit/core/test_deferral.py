"""Deferred emission: ``Emitter.end`` hands the SDK work to one background worker, in order, bounded,
drained by flush, shutdown and exit, surviving its own failures."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentotel.autoconf.pipeline import build_pipeline
from agentotel.config import Settings, load_settings
from agentotel.core import deferral, guard
from agentotel.core.emitter import Emitter
from agentotel.processors import span_processors
from tests.support.fake_exporters import FakeSpanExporter
from tests.support.operations import llm_call, worker_held


def exported_now(telemetry):
    """The spans exported so far, without waiting for the worker."""
    return list(InMemorySpanExporter.get_finished_spans(telemetry.spans_exporter))


class TestDeferred:
    def test_end_returns_before_the_span_is_exported(self, telemetry):
        """end() returns while the worker is busy; the span is exported once the worker gets to it."""
        with worker_held():
            llm_call(telemetry.emitter)
            assert exported_now(telemetry) == []
        assert telemetry.emitter.drain(5)
        assert [s.name for s in exported_now(telemetry)] == ["chat gpt-4o"]

    def test_drain_exports_everything(self, telemetry):
        """After drain(), every span ended so far is exported and every metric point recorded."""
        for _ in range(200):
            llm_call(telemetry.emitter)
        assert telemetry.emitter.drain(10)
        assert len(exported_now(telemetry)) == 200
        (_, point), = [p for p in telemetry.points("gen_ai.client.operation.duration")]
        assert point.count == 200

    def test_attributes_are_set_before_the_span_ends(self, telemetry):
        """Span processors see the usage and cost at on_end, and the span ends at the time end() was called."""
        seen = []

        class Watch(SpanProcessor):
            def on_end(self, span):
                seen.append(dict(span.attributes))

        telemetry.tracer_provider.add_span_processor(Watch())
        with worker_held():
            before = time.time_ns()
            llm_call(telemetry.emitter)
            after = time.time_ns()
            time.sleep(0.05)
        span = telemetry.span("chat gpt-4o")
        assert seen[0]["gen_ai.usage.input_tokens"] == 1000 and seen[0]["agentotel.cost.total"] > 0
        assert before <= span.end_time <= after

    def test_inline_when_switched_off(self, make_telemetry):
        """Emitter(deferred=False) and AGENTOTEL_DEFERRED_EMIT=false end spans on the caller's thread."""
        assert load_settings({"AGENTOTEL_DEFERRED_EMIT": "false"}).deferred_emit is False
        assert load_settings({}).deferred_emit is True
        telemetry = make_telemetry(Settings(deferred_emit=False))
        assert telemetry.emitter.deferred is False
        explicit = Emitter(telemetry.tracer_provider, telemetry.meter_provider, settings=Settings(), deferred=False)
        with worker_held():
            llm_call(telemetry.emitter)
            llm_call(explicit, model="gpt-4o-mini")
            assert sorted(s.name for s in exported_now(telemetry)) == ["chat gpt-4o", "chat gpt-4o-mini"]

    def test_full_queue_runs_on_the_caller(self, telemetry, monkeypatch):
        """With the queue full, end() does the work itself: the span is exported at once, nothing dropped."""
        small = deferral.Worker(max_pending=1)
        monkeypatch.setattr(deferral, "worker", small)
        with worker_held(small):
            llm_call(telemetry.emitter, model="queued")
            assert small.pending() == 1
            llm_call(telemetry.emitter, model="inline")
            assert [s.name for s in exported_now(telemetry)] == ["chat inline"]
        assert small.drain(5)
        assert sorted(s.name for s in exported_now(telemetry)) == ["chat inline", "chat queued"]

    def test_a_failing_step_is_contained_and_the_worker_lives_on(self, telemetry, monkeypatch):
        """A step that raises is counted as an emitter error; the span still ends and later work still runs."""
        before = guard.internal_error_counts().get("emitter", 0)

        def broken(*args, **kwargs):
            raise RuntimeError("broken instrument")

        monkeypatch.setattr(telemetry.emitter.instruments, "record_duration", broken)
        llm_call(telemetry.emitter, model="gpt-4o")
        assert telemetry.emitter.drain(5)
        assert guard.internal_error_counts()["emitter"] == before + 1
        monkeypatch.undo()
        llm_call(telemetry.emitter, model="gpt-4o-mini")
        assert sorted(s.name for s in telemetry.spans()) == ["chat gpt-4o", "chat gpt-4o-mini"]
        assert telemetry.span("chat gpt-4o").attributes["agentotel.cost.total"] > 0

    def test_worker_restarts_in_a_forked_child(self, telemetry):
        """In a forked child the worker starts anew and exports the child's spans."""
        llm_call(telemetry.emitter, model="parent")
        assert telemetry.emitter.drain(5)
        pid = os.fork()
        if pid == 0:  # the child: report through the exit status only
            ok = False
            try:
                llm_call(telemetry.emitter, model="child")
                ok = telemetry.emitter.drain(5) and "chat child" in [s.name for s in exported_now(telemetry)]
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0


class TestFlushAndExit:
    def _pipeline(self, exporter, **kwargs):
        pipeline = build_pipeline(Resource.create({}), [exporter], span_processors=span_processors(),
                                  logging_handler=False, **kwargs)
        return pipeline, Emitter(pipeline.tracer_provider, pipeline.meter_provider, settings=Settings())

    @staticmethod
    def _release_soon(release: threading.Event, delay=0.2):
        threading.Timer(delay, release.set).start()

    def test_force_flush_drains_the_worker_first(self):
        """Pipeline.force_flush exports spans whose end was still waiting for the worker."""
        exporter = FakeSpanExporter()
        pipeline, emitter = self._pipeline(exporter)
        release = threading.Event()
        deferral.worker.submit([(release.wait, 10)])
        llm_call(emitter)
        self._release_soon(release)
        assert pipeline.force_flush(5)
        assert [s.name for s in exporter.exported] == ["chat gpt-4o"]
        pipeline.shutdown()

    def test_shutdown_drains_the_worker_first(self):
        """Pipeline.shutdown exports spans whose end was still waiting for the worker."""
        exporter = FakeSpanExporter()
        pipeline, emitter = self._pipeline(exporter, shutdown_timeout=3)
        release = threading.Event()
        deferral.worker.submit([(release.wait, 10)])
        llm_call(emitter)
        self._release_soon(release)
        dropped = pipeline.shutdown()
        assert [s.name for s in exporter.exported] == ["chat gpt-4o"]
        assert not dropped.get("traces", {}).get("shutdown")

    def test_exit_drains_the_worker(self, tmp_path):
        """A process that ends an operation and exits at once still exports its span (atexit drain)."""
        script = tmp_path / "app.py"
        script.write_text(
            "import time\n"
            "from opentelemetry.sdk.trace import TracerProvider, SpanProcessor\n"
            "from agentotel.config import Settings\n"
            "from agentotel.core.emitter import Emitter\n"
            "from agentotel.core.records import LLMCall\n"
            "class Slow(SpanProcessor):\n"
            "    def on_end(self, span):\n"
            "        time.sleep(0.3)\n"
            "        print('exported', span.name, flush=True)\n"
            "tp = TracerProvider()\n"
            "tp.add_span_processor(Slow())\n"
            "emitter = Emitter(tp, settings=Settings())\n"
            "for model in ('a', 'b'):\n"
            "    emitter.end(emitter.start(LLMCall(provider='openai', request_model=model)))\n"
            "print('main done', flush=True)\n")
        result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == ["main done", "exported chat a", "exported chat b"]
