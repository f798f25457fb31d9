"""Integration fixtures: the whole local stack (collector, Jaeger, VictoriaLogs, Prometheus) on
free loopback ports, started once per test session by the stack manager and stopped at the end.

The ``stack`` fixture yields an ``agentotel.stack.Stack``:

- endpoints: ``collector_otlp_grpc`` (host:port), ``collector_otlp_http`` (base URL),
  ``collector_health_url``, ``collector_metrics_url`` (the collector's own otelcol_* metrics),
  ``collector_prometheus_exporter_url`` (the apps' metrics), ``jaeger_query_url``,
  ``prometheus_url``, ``victorialogs_url``;
- fault injection on a component (``collector``, ``jaeger``, ``victoria-logs``, ``prometheus``):
  ``stop(name)`` (SIGTERM, then SIGKILL after a deadline), ``kill(name)`` (SIGKILL at once, as a
  crash), ``start(name)`` (same ports and data; waits until healthy), ``restart(name)``,
  ``is_healthy(name)``, ``pid(name)``, ``log_tail(name)``;
- ``up(build=False)`` starts again whatever a test left stopped.

A test that stops or kills a component must start it again (in a ``finally``) so the tests after
it find the stack whole.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agentotel.stack import COMPONENTS, Layout, Ports, Stack
from agentotel.stack.components import BINARIES


#: The checkout these tests belong to (not necessarily the one the venv's package points at).
REPO = Path(__file__).resolve().parents[2]


def _missing_binaries(layout: Layout) -> list[str]:
    return [exe for exe in BINARIES.values() if not layout.binary(exe).exists()]


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The local stack on free loopback ports, healthy, for the whole session."""
    layout = Layout.discover(tmp_path_factory.mktemp("agentotel-stack"), repo=REPO)
    stack = Stack(layout, ports=Ports.free(), out=sys.stderr)
    try:
        # setup.sh builds everything first; only a missing binary is built here.
        stack.up(build=bool(_missing_binaries(layout)))
        yield stack
    finally:
        results = stack.down()
        killed = [name for name, result in results.items() if result == "killed"]
        if killed:
            print(f"stack teardown: {', '.join(killed)} ignored SIGTERM and was killed", file=sys.stderr)


@pytest.fixture()
def whole_stack(stack):
    """The session's stack with every component running (restarts what an earlier test stopped)."""
    stack.up(build=False)
    yield stack
    down = [name for name in COMPONENTS if stack.pid(name) is None]
    assert not down, f"the test left {', '.join(down)} stopped"
