"""The calendar-month report and the recommendations, against a fake Prometheus."""

from __future__ import annotations

from datetime import datetime, timezone

from agentotel_tools import promql as q
from agentotel_tools.cli.main import main
from agentotel_tools.prometheus import PrometheusClient
from agentotel_tools.report import MonthPeriod, collect
from agentotel_tools.report.weekly import KPIS, WeeklyReport, Period

BUILD = {key: build for key, _, _, _, build in KPIS}
NOV = datetime(2026, 11, 1, tzinfo=timezone.utc)
DEC = datetime(2026, 12, 1, tzinfo=timezone.utc)
OCT = datetime(2026, 10, 1, tzinfo=timezone.utc)


def test_a_month_is_compared_with_the_calendar_month_before():
    """November 2026 is 30 days, compared with October's 31; December rolls over to January."""
    november = MonthPeriod.of(2026, 11)
    assert (november.start, november.end, november.window) == (NOV, DEC, "30d")
    assert november.previous() == MonthPeriod.of(2026, 10)
    assert (november.previous().start, november.previous().window) == (OCT, "31d")
    assert MonthPeriod.of(2026, 12).end == datetime(2027, 1, 1, tzinfo=timezone.utc)
    assert MonthPeriod.of(2027, 1).previous().start == datetime(2026, 12, 1, tzinfo=timezone.utc)


def test_month_figures_use_each_month_as_its_window(fake_prometheus):
    """Each KPI of November is the 30d query at December 1st; October's is the 31d query at November 1st;
    the budgets table is each tenant's November spend against its monthly budget."""
    fake = fake_prometheus
    fake.answer(BUILD["cost"]({}, "30d"), DEC, 450.0)
    fake.answer(BUILD["cost"]({}, "31d"), NOV, 300.0)
    fake.answer(q.cost({}, "30d", (q.TENANT,)), DEC, ({q.TENANT: "acme"}, 400.0), ({q.TENANT: "globex"}, 50.0))
    fake.answer(f'max by ({q.TENANT}) (agentotel_budget_limit{{{q.BUDGET_PERIOD}="month"}})', DEC,
                ({q.TENANT: "acme"}, 500.0))
    report = collect(PrometheusClient(fake.url), DEC, period=MonthPeriod.of(2026, 11))
    assert (report.kpi("cost").current, report.kpi("cost").previous) == (450.0, 300.0)
    assert report.budgets == [("acme", 400.0, 500.0), ("globex", 50.0, None)]


def test_month_cli_writes_the_calendar_month_report(fake_prometheus, tmp_path, monkeypatch):
    """`agentotel report --month 2026-11` writes reports/monthly-2026-11.md with the month's title, its
    recommendations and budgets."""
    fake = fake_prometheus
    fake.answer(BUILD["escalation_rate"]({}, "30d"), DEC, 0.3)
    fake.answer(q.escalations_by_reason({}, "30d"), DEC, ({q.REASON: "legal_threat"}, 12.0), ({q.REASON: "human"}, 3.0))
    fake.answer(q.cost({}, "30d", (q.TENANT,)), DEC, ({q.TENANT: "acme"}, 400.0))
    fake.answer(f'max by ({q.TENANT}) (agentotel_budget_limit{{{q.BUDGET_PERIOD}="month"}})', DEC,
                ({q.TENANT: "acme"}, 500.0))
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--prometheus-url", fake.url, "--month", "2026-11", "--no-charts"]) == 0
    text = (tmp_path / "reports" / "monthly-2026-11.md").read_text()
    assert text.startswith("# Monthly agent report: November 2026")
    assert "2026-11-01 00:00 UTC – 2026-12-01 00:00 UTC (30 days)" in text
    assert ("- Escalation rate is 30.0% (target under 15.0%); the top reason is `legal_threat` with 12 of 15 "
            "escalations: address it first.") in text
    assert "| acme | $400 | $500 | 80.0% |" in text


def test_month_argument_is_checked(capsys):
    """A month not spelled YYYY-MM is refused with a message."""
    import pytest

    with pytest.raises(SystemExit):
        main(["report", "--month", "November"])
    assert "not a month as YYYY-MM" in capsys.readouterr().err


def _report(**kpis) -> WeeklyReport:
    from agentotel_tools.report.weekly import Breakdown, Kpi

    report = WeeklyReport(Period(OCT, NOV), {})
    for key, (current, previous) in kpis.items():
        report.kpis[key] = Kpi(key, key, "ratio", "points", current, previous)
    report.cost_by_model = Breakdown(q.MODEL, [("claude-sonnet-4", 30.0, 0.0), ("gpt-4o-mini", 10.0, 0.0)])
    report.csat_scores = {1: 3.0, 2: 2.0, 4: 5.0}
    return report


def test_recommendations_follow_the_figures():
    """Off-target KPIs each give a line citing the figure, its target and the biggest contributor; on-target
    KPIs give none; a KPI without data gives none."""
    from agentotel_tools.report.recommendations import recommend

    lines = recommend(_report(automation_rate=(0.7, 0.7), csat=(3.9, 4.0), cost_per_conversation=(0.2, 0.1),
                              resolution_rate=(0.9, 0.9), escalation_rate=(None, None)))
    assert lines == [
        "Automation rate is 70.0% (target 80.0%): review the conversations handed to humans and teach the agent "
        "the most common ones.",
        "CSAT is 3.90/5 (target 4.2); 5 of 10 ratings were 2 or less: read those conversations.",
        "Cost per conversation is $0.200 (target under $0.10); `claude-sonnet-4` makes 75.0% of the spend: move "
        "simple intents to a cheaper model.",
    ]
    assert recommend(_report(automation_rate=(0.9, 0.9), csat=(4.5, 4.4))) == []
    assert recommend(_report(automation_rate=(0.82, 0.9))) == [
        "Automation rate fell 8.0 points against the previous period: check what changed (deployments, new "
        "intents)."]


def test_recommendation_targets_are_the_dashboards():
    """The report's targets are the ones monitoring/src/config.py draws and alerts from."""
    from agentotel_tools.report import recommendations as r
    from monitoring.src import config as c

    assert r.AUTOMATION_TARGET == c.AUTOMATION_RATE.target
    assert r.RESOLUTION_TARGET == c.RESOLUTION_RATE.target
    assert r.ESCALATION_TARGET == c.ESCALATION_RATE.target
    assert r.CSAT_TARGET == c.CSAT.target
    assert r.FIRST_RESPONSE_TARGET_SECONDS == c.FIRST_RESPONSE_SECONDS.target
    assert r.COST_PER_CONVERSATION_TARGET_USD == c.COST_PER_CONVERSATION_USD.target
    assert r.LLM_ERROR_RATE_TARGET == c.LLM_ERROR_RATE.target
