"""Background process handling: pid files, liveness, graceful stop and SIGKILL escalation."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from agentotel_tools.stack import process


def _spawn_python(tmp_path, code: str) -> subprocess.Popen:
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(code))
    proc = process.spawn(
        [sys.executable, "-u", str(script)],
        dict(os.environ),
        tmp_path / "logs" / "child.log",
        tmp_path / "run" / "child.pid",
        cwd=tmp_path,
    )
    return proc


@pytest.fixture()
def reap():
    procs = []
    yield procs.append
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def test_spawned_process_is_found_through_its_pid_file_and_logs_output(tmp_path, reap):
    """A started component can be found again by a later command, and its output lands in its log."""
    proc = _spawn_python(tmp_path, "import time\nprint('ready', flush=True)\ntime.sleep(60)\n")
    reap(proc)
    assert process.running_pid(tmp_path / "run" / "child.pid") == proc.pid
    assert process.wait_until(lambda: "ready" in process.tail(tmp_path / "logs" / "child.log"), 10)
    # Its own session: a Ctrl-C in the starting terminal does not reach it.
    assert os.getsid(proc.pid) == proc.pid


def test_stop_ends_a_cooperative_process_with_sigterm(tmp_path, reap):
    """stop() sends SIGTERM first, so components can flush and shut down cleanly."""
    proc = _spawn_python(
        tmp_path,
        """
        import signal, sys, time
        def bye(*_):
            print('got SIGTERM', flush=True)
            sys.exit(0)
        signal.signal(signal.SIGTERM, bye)
        print('ready', flush=True)
        time.sleep(60)
        """,
    )
    reap(proc)
    assert process.wait_until(lambda: "ready" in process.tail(tmp_path / "logs" / "child.log"), 10)
    assert process.stop(proc.pid, timeout=10, proc=proc) == "stopped"
    assert "got SIGTERM" in process.tail(tmp_path / "logs" / "child.log")


def test_stop_escalates_to_sigkill_after_the_deadline(tmp_path, reap):
    """A process that ignores SIGTERM is killed once the stop deadline passes."""
    proc = _spawn_python(
        tmp_path,
        """
        import signal, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print('ready', flush=True)
        time.sleep(60)
        """,
    )
    reap(proc)
    assert process.wait_until(lambda: "ready" in process.tail(tmp_path / "logs" / "child.log"), 10)
    assert process.stop(proc.pid, timeout=0.5, proc=proc) == "killed"
    assert proc.poll() is not None


def test_a_reused_pid_is_not_taken_for_the_component(tmp_path):
    """A stale pid file whose pid now runs another program is treated as not running."""
    pid_file = tmp_path / "jaeger.pid"
    process.write_pid_file(pid_file, os.getpid(), "/nonexistent/jaeger")
    assert process.running_pid(pid_file) is None
    process.write_pid_file(pid_file, os.getpid(), sys.executable)
    assert process.running_pid(pid_file) == os.getpid()


def test_a_zombie_counts_as_not_running(tmp_path, reap):
    """A killed child that was not reaped yet is reported as gone, so it can be restarted."""
    proc = _spawn_python(tmp_path, "import time\ntime.sleep(60)\n")
    reap(proc)
    os.kill(proc.pid, 9)
    assert process.wait_until(lambda: not process.is_alive(proc.pid), 10)
    assert proc.poll() is not None  # reaped only now


def test_http_ok_and_port_open_on_a_closed_port():
    """Health probes report a closed port as unhealthy instead of raising."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert not process.port_open(port)
    assert not process.http_ok(f"http://127.0.0.1:{port}/health", timeout=0.5)


def test_a_component_restarted_by_another_command_is_found(tmp_path, reap):
    """A Stack whose own process of a component ended finds the one another command started since
    (through the pid file), and reports none when nobody runs it."""
    from pathlib import Path

    from agentotel_tools.stack.layout import Layout
    from agentotel_tools.stack.manager import Stack

    stack = Stack(Layout.discover(tmp_path / "stack", repo=Path(__file__).resolve().parents[3]))
    pid_file = stack.layout.pid_file("jaeger")
    ended = process.spawn([sys.executable, "-c", "pass"], dict(os.environ), tmp_path / "a.log", pid_file, cwd=tmp_path)
    reap(ended)
    ended.wait(timeout=10)
    stack._procs["jaeger"] = ended
    assert stack.pid("jaeger") is None
    again = process.spawn([sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ), tmp_path / "b.log",
                          pid_file, cwd=tmp_path)
    reap(again)
    assert stack.pid("jaeger") == again.pid
    assert stack.stop("jaeger", timeout=10) == "stopped"
    assert again.poll() is not None and stack.pid("jaeger") is None
