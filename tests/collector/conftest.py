"""Fixtures for the collector tests: the built binary and `validate` on a layering."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.collector.collector_harness import build_collector

HERE = Path(__file__).resolve().parent
# A cold ocb build takes several minutes on 2 cores: the first test that needs the binary gets that
# much time, every other test keeps the project's default timeout.
COLD_BUILD_TIMEOUT = 1800


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    first = next((item for item in items
                  if HERE in Path(str(item.path)).parents and "collector_bin" in getattr(item, "fixturenames", ())),
                 None)
    if first is not None and build_collector(check_only=True) is None:
        first.add_marker(pytest.mark.timeout(COLD_BUILD_TIMEOUT))


@pytest.fixture(scope="session")
def collector_bin() -> Path:
    """The agentotel-collector binary, built by collector/build.sh if it is not current."""
    return build_collector()


@pytest.fixture(scope="session")
def validate(collector_bin: Path):
    """Run `agentotel-collector validate` on a layering; returns the CompletedProcess."""

    def run(configs: list[Path], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        args = [str(collector_bin), "validate"]
        for cfg in configs:
            args += ["--config", str(cfg)]
        return subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)

    return run
