"""SIGTERM under the flush-on-SIGTERM handler always ends the process, forked children included.

Each case runs in a process of its own (the handler and the providers are process-wide). It installs
a pipeline the way ``opentelemetry-instrument`` does and forks a child whose main thread then waits
on a semaphore, as an idle ``multiprocessing`` pool worker does: only a handler run on that thread
interrupts the wait. The process SIGTERMs the child and prints how it ended, as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not os.path.isdir("/proc/self/task"),
                                reason="needs os.fork and /proc")

SCRIPT = textwrap.dedent("""
    import json, multiprocessing, os, signal, sys, threading, time
    from opentelemetry.sdk.resources import Resource
    from agentotel.autoconf import pipeline as pipeline_module
    from tests.support.fake_exporters import FakeLogExporter, FakeMetricExporter, FakeSpanExporter, Gate

    gate = Gate(closed=CASE == "shutdown-on-another-thread")
    pipeline = pipeline_module.build_pipeline(
        Resource.create({}), [FakeSpanExporter(gate=gate)], [FakeMetricExporter()], [FakeLogExporter()],
        logging_handler=False, shutdown_timeout=2.0)
    pipeline_module.install(pipeline)

    def sigterm_blocked(tid):
        # whether thread tid blocks SIGTERM (None: it has ended meanwhile)
        try:
            with open(f"/proc/self/task/{tid}/status") as status:
                mask = int(next(line for line in status if line.startswith("SigBlk")).split()[1], 16)
        except FileNotFoundError:
            return None
        return bool(mask & (1 << (signal.SIGTERM - 1)))

    def masks():
        main = threading.get_native_id()  # called on the main thread
        others = [sigterm_blocked(tid) for tid in map(int, os.listdir("/proc/self/task")) if tid != main]
        others = [blocked for blocked in others if blocked is not None]
        return {"main_blocks": sigterm_blocked(main), "threads": len(others), "threads_block": all(others)}

    parent_masks = masks()
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_read)
        child_masks = masks()
        if CASE == "shutdown-on-another-thread":  # a span held at a closed gate: shutdown waits there
            pipeline.tracer_provider.get_tracer("t").start_span("held").end()
            threading.Thread(target=pipeline.shutdown, daemon=True).start()
            while not pipeline.stopping:
                time.sleep(0.01)
        if CASE == "lock-held":  # interrupted holding a lock the flush needs (it reads the drop counts)
            from agentotel.autoconf import stats
            stats._registry_lock.acquire()
        if CASE == "missed":  # SIGTERM caught at the C level by another thread: the main thread sleeps on
            def catch_it_here():
                time.sleep(0.3)  # let the main thread block first
                signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
            threading.Thread(target=catch_it_here, daemon=True).start()
        os.write(ready_write, json.dumps(child_masks).encode())
        multiprocessing.Semaphore(0).acquire()
        os._exit(3)  # never reached: the wait ends only by dying
    os.close(ready_write)
    child_masks = json.loads(os.read(ready_read, 4096))
    if CASE != "missed":
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    status = None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.02)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        status = None
    print(json.dumps({"parent": parent_masks, "child": child_masks,
                      "died_of": os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else None,
                      "hung": status is None}))
""")


def run_case(case: str) -> dict:
    repo = os.getcwd()
    out = subprocess.run([sys.executable, "-c", f"CASE = {case!r}\n" + SCRIPT], capture_output=True, text=True,
                         timeout=60, cwd=repo, env={**os.environ, "PYTHONPATH": repo})
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_telemetry_threads_leave_sigterm_to_the_main_thread_in_parent_and_child():
    result = run_case("idle")
    for side in ("parent", "child"):
        assert result[side]["threads"] >= 3, result  # the batch span and log processors, the metric reader
        assert result[side]["threads_block"] and not result[side]["main_blocks"], result


def test_child_waiting_on_a_semaphore_flushes_and_dies_of_sigterm():
    result = run_case("idle")
    assert not result["hung"] and result["died_of"] == 15, result


def test_sigterm_during_a_shutdown_on_another_thread_waits_for_it_then_dies():
    """The handler does not return into the main thread's wait while another thread shuts down."""
    result = run_case("shutdown-on-another-thread")
    assert not result["hung"] and result["died_of"] == 15, result


def test_sigterm_interrupting_code_that_holds_a_lock_of_the_flush_still_ends_the_child():
    """The flush runs on a thread of its own, so the handler's wait is bounded by the shutdown
    budget even when the interrupted code holds a lock the flush needs."""
    result = run_case("lock-held")
    assert not result["hung"] and result["died_of"] == 15, result


def test_sigterm_the_main_thread_missed_is_sent_to_it_again():
    """The signal is caught by another thread while the main thread sleeps on a semaphore (as when
    it arrives between the semaphore's try and its wait): the watcher sends it to the main thread
    again, and the child flushes and dies instead of living on."""
    result = run_case("missed")
    assert not result["hung"] and result["died_of"] == 15, result


def test_shutdown_entered_again_on_the_same_thread_does_not_wait_for_itself():
    """A SIGTERM handled while the main thread's own ``shutdown`` holds its stop lock (a pool
    worker's exit flush, interrupted by ``Pool.terminate``) runs the shutdown instead of waiting for
    a lock its own thread holds; in a forked child too."""
    import threading

    from opentelemetry.sdk.resources import Resource

    from agentotel.autoconf.pipeline import build_pipeline
    from tests.support.fake_exporters import FakeSpanExporter

    pipeline = build_pipeline(Resource.create({}), [FakeSpanExporter()], logging_handler=False,
                              shutdown_timeout=2.0)
    finished = threading.Event()

    def interrupted_shutdown():
        with pipeline._stop_lock:  # where the handler interrupts the outer shutdown
            pipeline.shutdown()
        finished.set()

    threading.Thread(target=interrupted_shutdown, daemon=True).start()
    assert finished.wait(10), "shutdown waited for a lock its own thread held"
    assert not pipeline.stopping
