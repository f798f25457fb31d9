"""Locks a forked child gets anew, and the pipeline's state a forked child starts from."""

from __future__ import annotations

import os
import threading

import pytest

from agentotel.autoconf import forking, stats
from agentotel.core import forks

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def in_child(check) -> int:
    """Run ``check()`` in a forked child; its exit status (0: it returned True within 5 s)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            code = 0 if check() else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


class Owner:
    def __init__(self):
        self._lock = threading.Lock()
        forks.renew_in_child(self)


def test_lock_held_by_a_parent_thread_is_free_in_the_child():
    """A lock another thread of the parent holds at the fork can be taken at once in the child."""
    owner = Owner()
    held, release = threading.Event(), threading.Event()

    def hold():
        with owner._lock:
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    try:
        assert in_child(lambda: owner._lock.acquire(timeout=5)) == 0
    finally:
        release.set()
        thread.join()


def test_drop_counts_start_from_zero_in_the_child():
    """A child's ledger does not report what the parent accepted or lost."""
    ledger = stats.Ledger("traces")
    ledger.accept(5)
    ledger.drop(stats.QUEUE_FULL, 2)
    assert in_child(lambda: ledger.accepted == 0 and not any(ledger.snapshot().values())
                    and ledger.settle() == 0) == 0
    assert ledger.accepted == 5


def test_forget_connections_empties_the_otlp_exporters_pools():
    """The OTLP/HTTP exporter's connection pool is emptied (the wrapped exporter is found too)."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    from agentotel.autoconf.exporting import CountingSpanExporter

    exporter = OTLPSpanExporter(endpoint="http://127.0.0.1:9/v1/traces")
    session = exporter._client._transport._session
    adapter = session.get_adapter("http://127.0.0.1:9")
    adapter.poolmanager.connection_from_url("http://127.0.0.1:9")
    assert len(adapter.poolmanager.pools) == 1
    assert forking.forget_connections(CountingSpanExporter(exporter, stats.Ledger("traces"))) >= 1
    assert len(adapter.poolmanager.pools) == 0


def test_the_first_exports_import_nothing_a_fork_could_catch_half_done():
    """Once the pipeline is installed, the first export of each signal imports no module: a child
    forked while an export thread of the parent imported one would wait for that import forever."""
    import json
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import json, logging, os, sys
        from tests.support.otlp_receiver import OTLPReceiver
        receiver = OTLPReceiver().start()
        os.environ.update(OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint, OTEL_SERVICE_NAME="imports")
        import agentotel
        telemetry = agentotel.configure()
        from opentelemetry import metrics, trace
        metrics.get_meter("t").create_counter("c").add(1)
        before = set(sys.modules)
        trace.get_tracer("t").start_span("s").end()
        logging.getLogger("t").warning("hello")
        ok = telemetry.force_flush() if hasattr(telemetry, "force_flush") else None
        new = sorted(set(sys.modules) - before)
        receiver.wait_for(lambda store: store.spans(), timeout=10, what="the span")
        print(json.dumps({"new": new, "flushed": ok}))
        telemetry.shutdown() if hasattr(telemetry, "shutdown") else None
        receiver.stop()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=os.getcwd(), env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["new"] == [], result


def test_metric_locks_held_by_a_parent_thread_at_the_fork_are_free_in_the_child():
    """A child forked while the parent's periodic reader collects and exports (it holds the
    storage, view, aggregation and export locks) records the same series and flushes at once."""
    import json
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import json, os, threading, time
        from opentelemetry.sdk.resources import Resource
        from agentotel.autoconf import pipeline as pipeline_module
        from tests.support.fake_exporters import FakeMetricExporter

        pipeline = pipeline_module.build_pipeline(Resource.create({}), [], [FakeMetricExporter()], [],
                                                  logging_handler=False, shutdown_timeout=2.0)
        pipeline_module.install(pipeline)
        counter = pipeline.meter_provider.get_meter("t").create_counter("calls")
        counter.add(1, {"model": "gpt-4o"})
        consumer = pipeline.meter_provider._measurement_consumer
        (reader, storage), = consumer._reader_storages.items()
        (match,), = storage._instrument_view_instrument_matches.values()
        (aggregation,) = match._attributes_aggregation.values()
        held = [consumer._lock, storage._lock, match._lock, aggregation._lock, reader._export_lock]
        holding, release = threading.Event(), threading.Event()

        def hold():  # as the periodic reader's thread does while it collects and exports
            for lock in held:
                lock.acquire()
            holding.set()
            release.wait(30)
            for lock in reversed(held):
                lock.release()

        threading.Thread(target=hold, daemon=True).start()
        holding.wait(10)
        pid = os.fork()
        if pid == 0:
            start = time.monotonic()
            done = threading.Event()

            def work():
                counter.add(1, {"model": "gpt-4o"})
                done.set() if pipeline.force_flush(2.0) else None

            threading.Thread(target=work, daemon=True).start()
            os._exit(0 if done.wait(8) else 1)
        _, status = os.waitpid(pid, 0)
        release.set()
        print(json.dumps({"child_exit": os.waitstatus_to_exitcode(status)}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=os.getcwd(), env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"child_exit": 0}
