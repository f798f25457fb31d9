"""Fixtures for the monitoring-as-code tests: the real promtool, amtool and Alertmanager."""

from __future__ import annotations

import pytest

from tests.monitoring.helpers import tool


@pytest.fixture(scope="session")
def promtool() -> str:
    return tool("promtool")


@pytest.fixture(scope="session")
def amtool() -> str:
    return tool("amtool")


@pytest.fixture(scope="session")
def alertmanager_binary() -> str:
    return tool("prometheus-alertmanager")
