"""How the weekly report shows its figures."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from agentotel_tools.report.markdown import change, render, value
from agentotel_tools.report.weekly import POINTS, RELATIVE, DIFFERENCE, Breakdown, Kpi, Period, WeeklyReport

END = datetime(2025, 3, 10, tzinfo=timezone.utc)


class TestValues:
    def test_units(self):
        """Counts are rounded, ratios are percentages, durations read in s/m/h, money in dollars."""
        assert value("count", 1234.6) == "1,235"
        assert value("ratio", 0.8234) == "82.3%"
        assert value("seconds", 12.34) == "12.3s"
        assert value("seconds", 125) == "2m 05s"
        assert value("seconds", 7260) == "2h 01m"
        assert value("score", 4.256) == "4.26/5"
        assert value("usd", 1234.5) == "$1,234"
        assert value("usd", 12.345) == "$12.35"
        assert value("usd", 0.01234) == "$0.0123"
        assert value("ratio", None) == "–"

    def test_changes(self):
        """Changes: % for amounts, percentage points for rates, difference for CSAT; unknown as a dash."""
        assert change(Kpi("c", "C", "count", RELATIVE, 120, 100)) == "+20.0%"
        assert change(Kpi("c", "C", "count", RELATIVE, 100, 100 + 1e-12)) == "+0.0%"
        assert change(Kpi("c", "C", "count", RELATIVE, 5, 0)) == "new"
        assert change(Kpi("r", "R", "ratio", POINTS, 0.78, 0.80)) == "-2.0 pp"
        assert change(Kpi("s", "S", "score", DIFFERENCE, 4.3, 4.12)) == "+0.18"
        assert change(Kpi("s", "S", "score", DIFFERENCE, 4.3, None)) == "–"


def _report() -> WeeklyReport:
    report = WeeklyReport(Period(END - timedelta(days=7), END), {"deployment_environment_name": ("=", "prod")})
    from agentotel_tools.report.weekly import KPIS

    for key, label, unit, kind, _ in KPIS:
        report.kpis[key] = Kpi(key, label, unit, kind, 10.0, 8.0)
    report.kpis["automation_rate"] = Kpi("automation_rate", "Automation rate", "ratio", POINTS, 0.82, 0.79)
    report.intents = Breakdown("intent", [("order_status", 60, 40), ("refund", 40, 50)])
    report.escalation_reasons = Breakdown("reason", [])
    report.cost_by_model = Breakdown("model", [("gpt-4o", 12.5, 10)])
    report.csat_scores = {1: 1, 2: 0, 3: 2, 4: 3, 5: 4}
    report.errors = [("RateLimitError", "chat", 12, 3)]
    return report


class TestRender:
    def test_sections_and_rows(self):
        """The report has the seeds' sections, each figure against the previous period."""
        text = render(_report(), {"conversations": "weekly-conversations.png"})
        for heading in ("# Weekly agent report", "## Key metrics", "## Intent breakdown", "## Top issues",
                        "## Customer satisfaction", "## Cost summary"):
            assert heading in text
        assert "**Period:** 2025-03-03 00:00 UTC – 2025-03-10 00:00 UTC (7 days)" in text
        assert "**Scope:** deployment_environment_name = prod" in text
        assert "| Automation rate | 82.0% | 79.0% | +3.0 pp |" in text
        assert "| order_status | 60 | 60.0% | 40 | +50.0% |" in text
        assert "| RateLimitError | chat | 12 | 3 | +300.0% |" in text
        assert "| gpt-4o | $12.50 | 100.0% | $10.00 | +25.0% |" in text
        assert "| 5 | 4 | 40.0% |" in text
        assert "_No escalations in this period._" in text

    def test_only_drawn_charts_are_linked(self):
        """A chart that was not drawn (no data) gets no image link."""
        text = render(_report(), {"conversations": "weekly-conversations.png"})
        assert "![Conversations per day by outcome](weekly-conversations.png)" in text
        assert "weekly-cost.png" not in text
