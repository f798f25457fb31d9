"""The weekly report: conversations, automation, response times, CSAT, escalations, intents, top
errors and cost, each against the previous period, as Markdown with PNG charts.

Its figures come from ``promql``, the module that also spells the dashboards' and alerts' queries.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Optional

from ..prometheus import PrometheusClient, PrometheusError
from .markdown import render
from .weekly import Kpi, MonthPeriod, Period, WeeklyReport, collect

__all__ = ["Kpi", "MonthPeriod", "Period", "PrometheusClient", "PrometheusError", "WeeklyReport", "collect",
           "write_report"]


def write_report(prometheus_url: str, out: Path, end: datetime, days: float = 7,
                 filters: Optional[dict] = None, charts: bool = True,
                 period: Optional[Period] = None) -> WeeklyReport:
    """Query Prometheus, write the Markdown report to ``out`` and its charts beside it. ``period``
    (a ``MonthPeriod``) replaces ``end`` and ``days``."""
    client = PrometheusClient(prometheus_url)
    report = collect(client, end, days, filters, period)
    drawn = {}
    if charts:
        from . import charts as chart_module

        drawn = chart_module.render(client, report, out.parent, out.stem)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(report, drawn), encoding="utf-8")
    return report
