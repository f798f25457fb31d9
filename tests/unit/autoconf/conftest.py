"""Fixtures for the zero-code set-up tests: a clean drop ledger and settings per test, and closed
gates for exporters that must hang, all released at teardown."""

from __future__ import annotations

import pytest
from tests.support.fake_exporters import Gate

from agentotel.autoconf import stats
from agentotel.config import reset_settings


@pytest.fixture(autouse=True)
def clean_state():
    stats.reset()
    reset_settings(None)
    yield
    stats.reset()
    reset_settings(None)


@pytest.fixture
def gates():
    """Closed gates, all released at teardown so no helper thread outlives the test for long."""
    made: list[Gate] = []

    def make() -> Gate:
        gate = Gate(closed=True)
        made.append(gate)
        return gate

    yield make
    for gate in made:
        gate.release()
