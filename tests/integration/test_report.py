"""`agentotel report` against the stack after demo traffic: its figures are Prometheus' figures."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone

import pytest

from agentotel_tools.cli.main import main

pytestmark = pytest.mark.integration
PNG = b"\x89PNG\r\n\x1a\n"
SCRAPE_DEADLINE_SECONDS = 30


def _scalar(prometheus_url: str, expr: str, at: datetime) -> float:
    body = urllib.parse.urlencode({"query": expr, "time": at.timestamp()}).encode()
    with urllib.request.urlopen(prometheus_url + "/api/v1/query", data=body, timeout=30) as response:
        result = json.load(response)["data"]["result"]
    assert len(result) == 1, (expr, result)
    return float(result[0]["value"][1])


def _settled_now(prometheus_url: str) -> datetime:
    """Now, once Prometheus has stored a later scrape of the apps' metrics: every sample at or before
    it is then in, so the report and the checks read the same data."""
    end = datetime.now(timezone.utc).replace(microsecond=0)
    deadline = time.monotonic() + SCRAPE_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        body = urllib.parse.urlencode({"query": 'max(timestamp(up{job="agentotel-collector"}))'}).encode()
        with urllib.request.urlopen(prometheus_url + "/api/v1/query", data=body, timeout=30) as response:
            result = json.load(response)["data"]["result"]
        if result and float(result[0]["value"][1]) > end.timestamp():
            return end
        time.sleep(0.5)
    pytest.fail("Prometheus stored no scrape of the collector's exporter after the report's end")


def _row(text: str, metric: str) -> list:
    match = re.search(rf"^\| {re.escape(metric)} \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", text, re.MULTILINE)
    assert match, f"no row for {metric}"
    return [cell.strip() for cell in match.groups()]


def test_report_matches_prometheus(stack, demo_traffic, tmp_path):
    """The report's conversations, automation rate, CSAT and cost equal what Prometheus computes for the
    same day with independently written queries, and its charts are PNG files.

    The session's Prometheus is new, so every series was born within the day: the day's events are
    the counters' highest values (an app exports its counters from their first event on)."""
    end = _settled_now(stack.prometheus_url)
    out = tmp_path / "weekly.md"
    code = main(["report", "--prometheus-url", stack.prometheus_url, "--end", end.isoformat(), "--days", "1",
                 "--out", str(out)])
    assert code == 0
    text = out.read_text()
    url = stack.prometheus_url

    conversations = _scalar(url, "sum(max_over_time(agentotel_conversations_total[1d]))", end)
    assert conversations > 0
    assert _row(text, "Conversations")[0] == f"{round(conversations):,}"
    played = getattr(demo_traffic, "conversations", None)
    if isinstance(played, int):
        # Every conversation the demo played is counted, none lost to a series' first sample.
        assert conversations >= played

    escalated = _scalar(url, 'sum(max_over_time(agentotel_conversations_total{agentotel_conversation_outcome="escalated"}[1d])) '
                             "or vector(0)", end)
    assert _row(text, "Automation rate")[0] == f"{(1 - escalated / conversations) * 100:.1f}%"
    resolved = _scalar(url, 'sum(max_over_time(agentotel_conversations_total{agentotel_conversation_outcome="resolved"}[1d])) '
                            "or vector(0)", end)
    assert _row(text, "Resolution rate")[0] == f"{resolved / conversations * 100:.1f}%"

    csat = _scalar(url, "sum(max_over_time(agentotel_feedback_score_sum[1d])) / "
                        "sum(max_over_time(agentotel_feedback_score_count[1d]))", end)
    assert _row(text, "CSAT")[0] == f"{csat:.2f}/5"

    cost = _scalar(url, "sum(max_over_time(agentotel_llm_cost_total[1d]))", end)
    expected_cost = f"${cost:,.0f}" if cost >= 100 else f"${cost:,.2f}" if cost >= 1 else f"${cost:.4f}"
    assert _row(text, "Total LLM cost")[0] == expected_cost

    assert (tmp_path / "weekly-conversations.png").read_bytes().startswith(PNG)
    assert "![Conversations per day by outcome](weekly-conversations.png)" in text
    assert "## Intent breakdown" in text and "_No conversations in this period._" not in text

    # The recommendations cite the same figures: the demo escalates far more than the 15% target.
    recommendations = text.split("## Recommendations\n\n", 1)[1].split("\n## ", 1)[0]
    escalation = re.search(r"^- Escalation rate is ([\d.]+)% .*the top reason is `([^`]+)` with (\d+) of (\d+) "
                           r"escalations", recommendations, re.MULTILINE)
    assert escalation, recommendations
    assert escalation.group(1) == f"{escalated / conversations * 100:.1f}"
    reason, count = escalation.group(2), int(escalation.group(3))
    by_reason = _scalar(url, "sum(max_over_time(agentotel_conversation_escalations_total"
                             f'{{agentotel_escalation_reason="{reason}"}}[1d]))', end)
    assert count == round(by_reason) and int(escalation.group(4)) == round(escalated)


def test_month_report_matches_prometheus(stack, demo_traffic, tmp_path):
    """`agentotel report --month` for the current calendar month: its cost and each tenant's spend equal
    Prometheus' figures over the month, evaluated at the month's end (all of the demo's data lies in it)."""
    from agentotel_tools.report import MonthPeriod

    now = _settled_now(stack.prometheus_url)
    period = MonthPeriod.of(now.year, now.month)
    out = tmp_path / "month.md"
    code = main(["report", "--prometheus-url", stack.prometheus_url, "--month", f"{now:%Y-%m}", "--end",
                 now.isoformat(), "--no-charts", "--out", str(out)])
    assert code == 0
    text = out.read_text()
    assert text.startswith(f"# Monthly agent report: {period.start:%B %Y}")
    # The month is not over: the report stops at --end, where the checks evaluate too.
    window = period.window
    cost = _scalar(stack.prometheus_url, f"sum(max_over_time(agentotel_llm_cost_total[{window}]))", now)
    assert cost > 0
    tenants = re.findall(r"^\| (acme|globex|initech) \| ([^|]+) \|", text, re.MULTILINE)
    assert tenants, text.split("### Budgets", 1)[-1]
    for tenant, spend in tenants:
        expected = _scalar(stack.prometheus_url, "sum(max_over_time(agentotel_llm_cost_total"
                                                 f'{{agentotel_tenant_id="{tenant}"}}[{window}]))', now)
        shown = float(spend.strip().replace("$", "").replace(",", ""))
        assert shown == pytest.approx(expected, rel=0.01, abs=0.0001), tenant
