"""scripts/install-tools.sh: the tools the monitoring tests need, installed idempotently."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from tests.monitoring.helpers import run, tool

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "install-tools.sh"


def test_script_parses():
    """The script is valid bash."""
    assert run("bash", "-n", str(SCRIPT)).returncode == 0


def test_second_run_is_a_quick_no_op():
    """With the tools installed, the script only reports their versions (no apt run) and exits 0."""
    for name in ("promtool", "amtool"):
        tool(name)  # a missing one fails with how to install it
    started = time.monotonic()
    result = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "prometheus 2." in result.stderr
    assert "Installing" not in result.stderr
    assert time.monotonic() - started < 10
