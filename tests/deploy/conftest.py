"""Fixtures for the deployment tests: repository paths, the chart reference, helm, the collector, CRDs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from deploy_support import CHART_REFERENCE, DEPLOY, REPO, SHARED, load_yaml  # noqa: E402

# monitoring/src/config.py holds the monitoring wiring (job names) that the deployments must match.
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))

# helm and the collector are built from the Go module proxy on a cold cache (minutes on 2 cores):
# the first test that needs one gets that much time; a cached tool answers at once.
BUILD_TIMEOUT = 1800
TOOL_FIXTURES = ("helm_bin", "collector_bin", "crd_dirs")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for fixture in TOOL_FIXTURES:
        first = next((item for item in items
                      if HERE in Path(str(item.path)).parents and fixture in getattr(item, "fixturenames", ())),
                     None)
        if first is not None:
            first.add_marker(pytest.mark.timeout(BUILD_TIMEOUT))


def _last_line_of(cmd: list[str]) -> str:
    """Run a project install script (progress on stderr) and return its last stdout line."""
    proc = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=None, text=True, timeout=BUILD_TIMEOUT)
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return proc.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def chart_reference() -> Path:
    """The opentelemetry-collector chart 0.170.0 reference files (values.yaml, values.schema.json)."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the chart reference files live there")
    assert CHART_REFERENCE.is_dir(), f"{CHART_REFERENCE} is missing from {SHARED}"
    return CHART_REFERENCE


@pytest.fixture(scope="session")
def chart_defaults(chart_reference: Path) -> dict[str, Any]:
    """The chart's default values.yaml."""
    return load_yaml(chart_reference / "values.yaml")


@pytest.fixture(scope="session")
def helm_bin() -> Path:
    """The helm CLI, built from the Go module proxy by deploy/tools/install-helm.sh when not cached."""
    return Path(_last_line_of(["bash", str(DEPLOY / "tools" / "install-helm.sh")]))


@pytest.fixture(scope="session")
def collector_bin() -> Path:
    """The agentotel-collector binary, built by collector/build.sh when not current."""
    return Path(_last_line_of(["bash", str(REPO / "collector" / "build.sh")]))


@pytest.fixture(scope="session")
def crd_dirs() -> dict[str, Path]:
    """CRD folders of prometheus-operator and opentelemetry-operator, from the Go module cache."""
    proc = subprocess.run(["bash", str(DEPLOY / "tools" / "fetch-crds.sh")], cwd=REPO,
                          stdout=subprocess.PIPE, text=True, timeout=BUILD_TIMEOUT)
    assert proc.returncode == 0, "deploy/tools/fetch-crds.sh failed"
    dirs = dict(line.split(" ", 1) for line in proc.stdout.strip().splitlines())
    return {name: Path(path) for name, path in dirs.items()}


@pytest.fixture(scope="session")
def validate_config(collector_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., subprocess.CompletedProcess]:
    """Run `agentotel-collector validate` on a config dict, with the pod env the chart provides."""
    workdir = tmp_path_factory.mktemp("validate")

    def run(config: dict[str, Any], name: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        path = workdir / f"{name}.yaml"
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        env = {**os.environ, "MY_POD_IP": "127.0.0.1", **(extra_env or {})}
        return subprocess.run([str(collector_bin), "validate", "--config", str(path)],
                              env=env, capture_output=True, text=True, timeout=120)

    return run

