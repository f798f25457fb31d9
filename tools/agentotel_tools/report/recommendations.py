"""The report's recommendations: what to do next, computed from the period's figures.

Each rule compares a KPI of the report with its target (the same targets the dashboards draw and
the alerts start from, monitoring/src/config.py; a test keeps the two equal) and, when it is off,
says by how much and points at the biggest contributor the report found (the top escalation
reason, the most expensive model, the most frequent error). No rule fires on a KPI without data.
"""

from __future__ import annotations

from typing import Optional

from .weekly import WeeklyReport

# KPI targets (see the module docstring).
AUTOMATION_TARGET = 0.80
RESOLUTION_TARGET = 0.75
ESCALATION_TARGET = 0.15
CSAT_TARGET = 4.2
FIRST_RESPONSE_TARGET_SECONDS = 30
COST_PER_CONVERSATION_TARGET_USD = 0.10
LLM_ERROR_RATE_TARGET = 0.01
# A KPI that moved this much against the previous period is worth a line even when on target.
TREND_POINTS = 0.05


def _current(report: WeeklyReport, key: str) -> Optional[float]:
    kpi = report.kpis.get(key)
    return None if kpi is None else kpi.current


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _top(breakdown) -> Optional[tuple]:
    rows = [row for row in (breakdown.rows if breakdown else []) if row[1]]
    return rows[0] if rows else None


def recommend(report: WeeklyReport) -> list:
    """Recommendations for ``report``, most pressing first; empty when every KPI is on target."""
    out = []
    automation, escalation = _current(report, "automation_rate"), _current(report, "escalation_rate")
    reason = _top(report.escalation_reasons)
    if escalation is not None and escalation > ESCALATION_TARGET:
        line = f"Escalation rate is {_pct(escalation)} (target under {_pct(ESCALATION_TARGET)})"
        if reason:
            line += (f"; the top reason is `{reason[0]}` with {round(reason[1]):,} of "
                     f"{round(report.escalation_reasons.total):,} escalations: address it first")
        out.append(line + ".")
    if automation is not None and automation < AUTOMATION_TARGET:
        out.append(f"Automation rate is {_pct(automation)} (target {_pct(AUTOMATION_TARGET)}): review the "
                   "conversations handed to humans and teach the agent the most common ones.")
    resolution = _current(report, "resolution_rate")
    if resolution is not None and resolution < RESOLUTION_TARGET:
        out.append(f"Resolution rate is {_pct(resolution)} (target {_pct(RESOLUTION_TARGET)}): look at the "
                   "abandoned conversations for unanswered questions.")
    csat = _current(report, "csat")
    if csat is not None and csat < CSAT_TARGET:
        low = sum(n for score, n in report.csat_scores.items() if score <= 2)
        total = sum(report.csat_scores.values())
        line = f"CSAT is {csat:.2f}/5 (target {CSAT_TARGET:g})"
        if total:
            line += f"; {round(low):,} of {round(total):,} ratings were 2 or less: read those conversations"
        out.append(line + ".")
    first = _current(report, "first_response")
    if first is not None and first > FIRST_RESPONSE_TARGET_SECONDS:
        out.append(f"Average first response takes {first:.1f}s (target under {FIRST_RESPONSE_TARGET_SECONDS}s): "
                   "stream the first answer or use a faster model for it.")
    errors = _current(report, "llm_error_rate")
    if errors is not None and errors > LLM_ERROR_RATE_TARGET:
        line = f"LLM error rate is {_pct(errors)} (target under {_pct(LLM_ERROR_RATE_TARGET)})"
        if report.errors:
            etype, operation, count, _ = report.errors[0]
            line += f"; most frequent: `{etype}` on {operation} ({round(count):,} times)"
        out.append(line + ": add retries with a fallback provider.")
    per_conversation = _current(report, "cost_per_conversation")
    if per_conversation is not None and per_conversation > COST_PER_CONVERSATION_TARGET_USD:
        line = (f"Cost per conversation is ${per_conversation:.3f} (target under "
                f"${COST_PER_CONVERSATION_TARGET_USD:.2f})")
        model = _top(report.cost_by_model)
        if model and report.cost_by_model.total:
            line += (f"; `{model[0]}` makes {_pct(model[1] / report.cost_by_model.total)} of the spend: move "
                     "simple intents to a cheaper model")
        out.append(line + ".")
    unpriced = _current(report, "unpriced_calls")
    if unpriced:
        out.append(f"{round(unpriced):,} LLM calls had no price: add their models to the pricing catalog so the "
                   "cost figures are complete.")
    kpi = report.kpis.get("automation_rate")
    if kpi is not None and kpi.delta is not None and kpi.delta <= -TREND_POINTS and not (
            automation is not None and automation < AUTOMATION_TARGET):
        out.append(f"Automation rate fell {abs(kpi.delta) * 100:.1f} points against the previous period: check "
                   "what changed (deployments, new intents).")
    return out
