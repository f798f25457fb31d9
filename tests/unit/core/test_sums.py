"""ObservedSum: a running sum per attribute set, exported by the SDK as a monotonic counter."""

from __future__ import annotations

import logging

import pytest
from opentelemetry.sdk.metrics import Counter, MeterProvider, ObservableCounter
from opentelemetry.sdk.metrics.export import AggregationTemporality, InMemoryMetricReader, Sum

from agentotel.core import guard
from agentotel.core.sums import ObservedSum
from tests.unit.conftest import find_metric


def points(metric):
    return {tuple(sorted(dict(p.attributes).items())): p.value for p in metric.data.data_points}


@pytest.fixture
def reader():
    return InMemoryMetricReader()


@pytest.fixture
def meter(reader):
    return MeterProvider(metric_readers=[reader]).get_meter("test")


def test_totals_per_attribute_set_export_as_a_monotonic_sum(meter, reader):
    cost = ObservedSum(meter, "agentotel.llm.cost", "{USD}", "Cost")
    cost.add(0.25, {"model": "a", "agent": "x"})
    cost.add(0.5, {"agent": "x", "model": "a"})  # the same set, in another order
    cost.add(1.0, {"model": "b"})
    cost.add(2.0)
    metric = find_metric(reader, "agentotel.llm.cost")
    assert isinstance(metric.data, Sum) and metric.data.is_monotonic
    assert metric.unit == "{USD}" and metric.description == "Cost"
    assert points(metric) == {(("agent", "x"), ("model", "a")): 0.75, (("model", "b"),): 1.0, (): 2.0}
    cost.add(0.25, {"model": "b"})
    assert points(find_metric(reader, "agentotel.llm.cost"))[(("model", "b"),)] == 1.25  # cumulative


def test_delta_temporality_reports_what_was_added_since(meter):
    reader = InMemoryMetricReader(preferred_temporality={Counter: AggregationTemporality.DELTA,
                                                         ObservableCounter: AggregationTemporality.DELTA})
    cost = ObservedSum(MeterProvider(metric_readers=[reader]).get_meter("t"), "c")
    cost.add(1.0, {"m": "a"})
    assert points(find_metric(reader, "c")) == {(("m", "a"),): 1.0}
    cost.add(0.5, {"m": "a"})
    assert points(find_metric(reader, "c")) == {(("m", "a"),): 0.5}


def test_attribute_sets_beyond_the_limit_overflow_into_one(meter, reader):
    cost = ObservedSum(meter, "c", limit=3)
    for index in range(5):
        cost.add(1.0, {"tenant": f"t{index}"})
    totals = dict((tuple(sorted(a.items())), t) for a, t in cost.totals())
    assert totals[(("otel.metric.overflow", True),)] == 2.0
    assert sum(totals.values()) == 5.0 and len(totals) == 4


def test_bad_amounts_are_dropped_with_one_warning(meter, caplog):
    cost = ObservedSum(meter, "c")
    with caplog.at_level(logging.WARNING, logger="agentotel.core.sums"):
        cost.add(-1.0, {"m": "a"})
        cost.add(float("nan"), {"m": "a"})
        cost.add(float("inf"), {"m": "a"})
    assert cost.totals() == []
    assert len(caplog.records) == 1 and "c takes non-negative finite amounts" in caplog.text


def test_unhashable_attributes_are_counted_not_raised(meter):
    cost = ObservedSum(meter, "c")
    before = guard.internal_error_counts().get("metrics", 0)
    cost.add(1.0, {"models": ["a", "b"]})
    assert cost.totals() == []
    assert guard.internal_error_counts()["metrics"] == before + 1
