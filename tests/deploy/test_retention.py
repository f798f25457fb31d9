"""Prometheus keeps what the month-scale figures read, in every deployment we ship."""

from __future__ import annotations

from monitoring.src import config as MONITORING
from deploy_support import DEPLOY, load_yaml


def test_kubernetes_prometheus_keeps_the_documented_retention():
    """kube-prometheus-stack's Prometheus keeps PROMETHEUS_RETENTION (month budgets need 30 days)."""
    values = load_yaml(DEPLOY / "k8s" / "values" / "kube-prometheus-stack.yaml")
    assert values["prometheus"]["prometheusSpec"]["retention"] == MONITORING.PROMETHEUS_RETENTION


def test_compose_prometheus_keeps_the_documented_retention():
    """The Compose Prometheus is started with PROMETHEUS_RETENTION, not the 15-day default."""
    compose = load_yaml(DEPLOY / "compose" / "compose.yaml")
    flags = compose["services"]["prometheus"]["command"]
    assert f"--storage.tsdb.retention.time={MONITORING.PROMETHEUS_RETENTION}" in flags
