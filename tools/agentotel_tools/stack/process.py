"""Background processes with pid files and log files, health polling and stopping.

A process started here runs in its own session (so a Ctrl-C in the terminal that started the
stack does not reach it, and its whole process group can be signalled), writes stdout and
stderr to its log file, and is found again later through its pid file. A pid file counts only
while its process is alive, not a zombie, and still runs the recorded binary, so a pid reused by
another program is never signalled.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

POLL_INTERVAL = 0.2


class StartError(RuntimeError):
    """A process exited or did not become healthy in time."""


@dataclass
class ProcessInfo:
    pid: int
    binary: str


def write_pid_file(path: Path, pid: int, binary: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(f"{pid}\n{binary}\n")
    tmp.replace(path)


def read_pid_file(path: Path) -> ProcessInfo | None:
    try:
        lines = path.read_text().split("\n")
        return ProcessInfo(pid=int(lines[0]), binary=lines[1] if len(lines) > 1 else "")
    except (OSError, ValueError):
        return None


def _proc_state(pid: int) -> str | None:
    """The one-letter state from /proc/PID/stat, or None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name in parentheses may contain spaces: the state follows the last ')'.
    return stat.rsplit(")", 1)[1].split()[0]


def is_alive(pid: int, binary: str = "") -> bool:
    """True when PID runs (not a zombie) and, if BINARY is given, runs that executable."""
    state = _proc_state(pid)
    if state is None or state in ("Z", "X"):
        return False
    if binary:
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            return True  # no permission to look: trust the pid file
        exe = exe.removesuffix(" (deleted)")
        # The recorded path may be a symlink (a venv's python, /usr/bin/prometheus alternatives).
        if os.path.basename(exe) != os.path.basename(os.path.realpath(binary)):
            return False
    return True


def running_pid(pid_file: Path) -> int | None:
    info = read_pid_file(pid_file)
    if info and is_alive(info.pid, info.binary):
        return info.pid
    return None


def spawn(argv: list[str], env: dict[str, str], log_file: Path, pid_file: Path, cwd: Path) -> subprocess.Popen:
    """Starts ARGV with exactly ENV, in its own session, output appended to LOG_FILE; records its pid."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    cwd.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(argv)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
    write_pid_file(pid_file, proc.pid, argv[0])
    return proc


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, sig)


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = POLL_INTERVAL) -> bool:
    """Polls PREDICATE until it is true or TIMEOUT seconds have passed; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def stop(pid: int, binary: str = "", timeout: float = 15.0, proc: subprocess.Popen | None = None) -> str:
    """SIGTERM to the process group, then SIGKILL after TIMEOUT seconds. Returns how it ended."""

    def gone() -> bool:
        if proc is not None:
            return proc.poll() is not None
        return not is_alive(pid, binary)

    if gone():
        return "not running"
    _signal_group(pid, signal.SIGTERM)
    if wait_until(gone, timeout):
        return "stopped"
    _signal_group(pid, signal.SIGKILL)
    if not wait_until(gone, 5.0):
        raise StartError(f"process {pid} survived SIGKILL")
    return "killed"


def kill(pid: int, proc: subprocess.Popen | None = None) -> None:
    """SIGKILL at once (the crash a fault test simulates), and wait for the process to go."""
    _signal_group(pid, signal.SIGKILL)
    if proc is not None:
        proc.wait(timeout=10)
    else:
        wait_until(lambda: not is_alive(pid), 10.0)


def http_ok(url: str, timeout: float = 2.0) -> bool:
    """True when URL answers a GET with a 2xx status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def tail(path: Path, lines: int = 40) -> str:
    """The last LINES lines of a text file ('' when it does not exist)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            data = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])
