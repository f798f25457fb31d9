"""The Prometheus client the report and the demo guide share, against a fake Prometheus."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from agentotel_tools.prometheus import PrometheusClient, PrometheusError

END = datetime(2025, 3, 10, tzinfo=timezone.utc)


def test_instant_query_at_a_time_and_at_prometheus_now(fake_prometheus):
    """``query`` sends the evaluation time it is given, and none without one (Prometheus' now)."""
    fake_prometheus.answer("up", END, ({"job": "a"}, 1))
    fake_prometheus.answer("up", None, ({"job": "b"}, 0))
    client = PrometheusClient(fake_prometheus.url)
    assert [(s.labels, s.value) for s in client.query("up", END)] == [({"job": "a"}, 1.0)]
    assert [(s.labels, s.value) for s in client.query("up")] == [({"job": "b"}, 0.0)]
    assert [t for _, _, t in fake_prometheus.requests] == [round(END.timestamp()), None]


def test_query_error_raises(fake_prometheus):
    """A query Prometheus rejects raises PrometheusError with its message."""
    fake_prometheus.fail("bad(")
    with pytest.raises(PrometheusError, match="parse error"):
        PrometheusClient(fake_prometheus.url).query("bad(", END)


def test_unreachable():
    """An unreachable Prometheus raises PrometheusError naming the URL."""
    with pytest.raises(PrometheusError, match="127.0.0.1:9"):
        PrometheusClient("http://127.0.0.1:9", timeout=2).query("up", END)


def test_nan_is_no_value(fake_prometheus):
    """A NaN result (0/0) reads as no value."""
    fake_prometheus.answer("x", END, float("nan"))
    assert PrometheusClient(fake_prometheus.url).scalar("x", END) is None
