"""Builds or installs what the stack runs, by calling the project's build scripts.

The scripts are cached (a second run only checks stamps), print progress on stderr, and are the
same ones ``scripts/setup.sh`` runs, so the CLI and a fresh setup install things the same way.
"""

from __future__ import annotations

import subprocess
import sys
from typing import TextIO

from .layout import Layout


class BuildError(RuntimeError):
    """A build script failed."""


def run_build_scripts(layout: Layout, stream: TextIO | None = None) -> None:
    """Runs collector/build.sh and deploy/local/build-backends.sh, relaying their progress."""
    out = stream if stream is not None else sys.stderr
    for script in (layout.collector_build_script, layout.backends_build_script):
        if not script.exists():
            raise BuildError(f"missing build script {script}")
        # Progress comes on stderr and is relayed line by line (STREAM need not be a real file);
        # the collector script's stdout (the binary path) is not needed: binaries are found in
        # the cache by name.
        proc = subprocess.Popen(
            ["bash", str(script)],
            cwd=layout.repo,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        assert proc.stderr is not None
        for line in proc.stderr:
            out.write(line)
            out.flush()
        if proc.wait() != 0:
            raise BuildError(f"{script.relative_to(layout.repo)} failed with exit code {proc.returncode}")
