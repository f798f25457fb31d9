"""scripts/demo.sh sets up only what the demo runs: helm and the CRD schemas are for the tests."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from deploy_support import REPO

# The install steps scripts/setup.sh calls, replaced by stubs that log their name.
STEPS = ["scripts/install-tools.sh", "collector/build.sh", "deploy/local/build-backends.sh",
         "deploy/tools/install-helm.sh", "deploy/tools/fetch-crds.sh", "scripts/framework-envs.sh"]


def run_setup(tmp_path: Path, *args: str) -> list[str]:
    """Run a copy of scripts/setup.sh whose install steps are stubs; returns the steps it ran."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    for name in ("setup.sh", "lib.sh"):
        shutil.copy(REPO / "scripts" / name, repo / "scripts" / name)
    (repo / "tools").mkdir()
    for name in ("pyproject.toml", "tools/pyproject.toml"):
        shutil.copy(REPO / name, repo / name)
    log = tmp_path / "steps.log"
    for step in STEPS:
        path = repo / step
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'echo {step} >> "{log}"\n')
    # A current virtualenv, so the pip step only checks its stamp.
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "python").symlink_to(shutil.which("python3"))
    stamped = ("pyproject.toml", "tools/pyproject.toml", "scripts/setup.sh")
    key = hashlib.sha256(b"".join((repo / name).read_bytes() for name in stamped)).hexdigest()[:16]
    (repo / ".venv" / ".agentotel-stamp").write_text(key)
    proc = subprocess.run(["bash", str(repo / "scripts" / "setup.sh"), *args], capture_output=True, text=True,
                          timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AGENTOTEL_CACHE": str(tmp_path / "cache")})
    assert proc.returncode == 0, proc.stderr
    return log.read_text().split() if log.exists() else []


def test_demo_setup_skips_the_test_tools(tmp_path):
    """`setup.sh --demo` installs Prometheus, the collector, Jaeger and VictoriaLogs, not helm, CRDs or
    the framework test environments."""
    assert run_setup(tmp_path, "--demo") == STEPS[:3]


def test_full_setup_installs_everything(tmp_path):
    """Plain `setup.sh` (what tests and CI run) also installs helm, the CRD schemas and the framework
    test environments."""
    assert run_setup(tmp_path) == STEPS


def test_demo_script_uses_the_demo_setup():
    """scripts/demo.sh runs the demo's part of the set-up."""
    assert "bash scripts/setup.sh --demo\n" in (REPO / "scripts" / "demo.sh").read_text()
