"""Telemetry threads never take a termination signal meant for the app's main thread."""

from __future__ import annotations

import signal
import threading

import pytest

from agentotel.core import deferral, signal_mask

pytestmark = pytest.mark.skipif(not signal_mask.TERMINATION, reason="needs per-thread signal masks")


def mask_of_new_thread(start=lambda target: threading.Thread(target=target).start()) -> set[int]:
    """The signal mask a thread started by ``start`` runs with."""
    seen: list[set[int]] = []
    done = threading.Event()

    def read_mask():
        seen.append(set(signal.pthread_sigmask(signal.SIG_BLOCK, [])))
        done.set()

    start(read_mask)
    assert done.wait(5)
    return seen[0]


def test_threads_started_inside_blocked_keep_the_signals_away():
    before = set(signal.pthread_sigmask(signal.SIG_BLOCK, []))
    with signal_mask.blocked():
        inside = mask_of_new_thread()
    assert {signal.SIGTERM, signal.SIGINT} <= inside
    # the caller's own mask is back, and a thread started afterwards takes the signals again
    assert set(signal.pthread_sigmask(signal.SIG_BLOCK, [])) == before
    assert signal.SIGTERM not in mask_of_new_thread()


def test_block_in_this_thread_leaves_other_threads_alone():
    def start(target):
        def blocked_then_read():
            signal_mask.block_in_this_thread()
            target()
        threading.Thread(target=blocked_then_read).start()

    assert signal.SIGTERM in mask_of_new_thread(start)
    assert signal.SIGTERM not in set(signal.pthread_sigmask(signal.SIG_BLOCK, []))


def test_the_emit_worker_blocks_the_termination_signals():
    seen: list[set[int]] = []
    worker = deferral.Worker()
    worker.submit([(lambda: seen.append(set(signal.pthread_sigmask(signal.SIG_BLOCK, []))),)])
    assert worker.drain(5)
    assert seen and {signal.SIGTERM, signal.SIGINT} <= seen[0]
