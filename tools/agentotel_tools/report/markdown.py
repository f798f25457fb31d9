"""The report as Markdown: key metrics, intents, top issues, satisfaction, recommendations and cost,
each against the previous period; a calendar month's report adds each tenant's spend against its
monthly budget."""

from __future__ import annotations

from typing import Optional

from .weekly import POINTS, RELATIVE, Breakdown, Kpi, MonthPeriod, WeeklyReport

NA = "–"

KEY_METRICS = ("conversations", "automation_rate", "resolution_rate", "escalation_rate", "first_response",
               "resolution_time", "csat", "csat_responses", "llm_calls", "llm_error_rate")
COST_METRICS = ("cost", "cost_per_conversation", "cost_per_resolved", "tokens", "monthly_projection",
                "unpriced_calls")


def _seconds(v: float) -> str:
    if v < 60:
        return f"{v:.1f}s"
    minutes, seconds = divmod(round(v), 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def _usd(v: float) -> str:
    if v == 0:
        return "$0.00"
    if abs(v) >= 100:
        return f"${v:,.0f}"
    if abs(v) >= 1:
        return f"${v:,.2f}"
    return f"${v:.4f}"


def value(unit: str, v: Optional[float]) -> str:
    """A figure for a reader: counts rounded, ratios as percentages, durations in s/m/h, USD."""
    if v is None:
        return NA
    if unit in ("count", "tokens"):
        return f"{round(v):,}"
    if unit == "ratio":
        return f"{v * 100:.1f}%"
    if unit == "seconds":
        return _seconds(v)
    if unit == "score":
        return f"{v:.2f}/5"
    if unit == "usd":
        return _usd(v)
    return f"{v:g}"


def _signed(x: float, decimals: int) -> str:
    # round() first so that float noise (-1e-12) shows as +0.0, not -0.0
    return f"{round(x, decimals) + 0.0:+.{decimals}f}"


def change(kpi: Kpi) -> str:
    """The change against the previous period: % for amounts, pp for rates, a difference for CSAT."""
    delta = kpi.delta
    if delta is None:
        return "new" if kpi.change == RELATIVE and kpi.previous == 0 and kpi.current else NA
    if kpi.change == RELATIVE:
        return _signed(delta * 100, 1) + "%"
    if kpi.change == POINTS:
        return _signed(delta * 100, 1) + " pp"
    return _signed(delta, 2)


def _relative(current: float, previous: float) -> str:
    if not previous:
        return "new" if current else NA
    return _signed((current - previous) / previous * 100, 1) + "%"


def _kpi_table(report: WeeklyReport, keys) -> list:
    lines = ["| Metric | This period | Previous period | Change |", "|---|---:|---:|---:|"]
    for key in keys:
        kpi = report.kpis[key]
        lines.append(f"| {kpi.label} | {value(kpi.unit, kpi.current)} | {value(kpi.unit, kpi.previous)} "
                     f"| {change(kpi)} |")
    return lines


def _share(part: float, total: float) -> str:
    return f"{part / total * 100:.1f}%" if total else NA


def _breakdown_table(breakdown: Optional[Breakdown], name: str, unit: str, empty: str) -> list:
    if not breakdown or not breakdown.rows:
        return [f"_{empty}_"]
    total = breakdown.total
    lines = [f"| {name} | This period | Share | Previous period | Change |", "|---|---:|---:|---:|---:|"]
    for key, current, previous in breakdown.rows:
        lines.append(f"| {key or '(none)'} | {value(unit, current)} | {_share(current, total)} "
                     f"| {value(unit, previous)} | {_relative(current, previous)} |")
    return lines


def _image(charts: dict, key: str, alt: str) -> list:
    return ["", f"![{alt}]({charts[key]})"] if key in charts else []


def _scope(filters: dict) -> str:
    if not filters:
        return "all environments and services"
    return ", ".join(f"{label} {op} {val}" for label, (op, val) in sorted(filters.items()))


def _recommendations(report: WeeklyReport) -> list:
    if not report.recommendations:
        return ["_Every KPI with data is on target._"]
    return [f"- {text}" for text in report.recommendations]


def _budgets(report: WeeklyReport) -> list:
    if not report.budgets:
        return ["_No tenant spent or had a monthly budget in this month._"]
    lines = ["| Tenant | Spend | Monthly budget | Used |", "|---|---:|---:|---:|"]
    for tenant, spent, limit in report.budgets:
        used = f"{spent / limit * 100:.1f}%" if limit else NA
        lines.append(f"| {tenant} | {_usd(spent)} | {_usd(limit) if limit else NA} | {used} |")
    return lines


def render(report: WeeklyReport, charts: dict) -> str:
    period, previous = report.period, report.period.previous()
    monthly = isinstance(period, MonthPeriod)
    fmt = "%Y-%m-%d %H:%M UTC"
    lines = [
        f"# Monthly agent report: {period.start.strftime('%B %Y')}" if monthly else "# Weekly agent report",
        "",
        f"**Period:** {period.start.strftime(fmt)} – {period.end.strftime(fmt)} "
        f"({period.days:g} day{'' if period.days == 1 else 's'})  ",
        f"**Compared with:** {previous.start.strftime(fmt)} – {previous.end.strftime(fmt)}  ",
        f"**Scope:** {_scope(report.filters)}",
        "",
        "## Key metrics",
        "",
        *_kpi_table(report, KEY_METRICS),
        *_image(charts, "conversations", "Conversations per day by outcome"),
        "",
        "## Intent breakdown",
        "",
        *_breakdown_table(report.intents, "Intent", "count", "No conversations in this period."),
        *_image(charts, "intents", "Conversations by intent"),
        "",
        "## Top issues",
        "",
        "### Errors",
        "",
    ]
    if report.errors:
        lines += ["| Error type | Operation | Occurrences | Previous period | Change |", "|---|---|---:|---:|---:|"]
        for etype, operation, current, prev in report.errors:
            lines.append(f"| {etype} | {operation} | {value('count', current)} | {value('count', prev)} "
                         f"| {_relative(current, prev)} |")
    else:
        lines.append("_No failed GenAI operations in this period._")
    lines += ["", "### Escalation reasons", "",
              *_breakdown_table(report.escalation_reasons, "Reason", "count", "No escalations in this period."),
              "", "## Customer satisfaction", ""]
    scores = report.csat_scores
    if scores and sum(scores.values()):
        total = sum(scores.values())
        lines += ["| Score | Responses | Share |", "|---:|---:|---:|"]
        lines += [f"| {score} | {value('count', n)} | {_share(n, total)} |" for score, n in sorted(scores.items())]
        lines += _image(charts, "csat", "CSAT scores")
    else:
        lines.append("_No feedback in this period._")
    lines += ["", "## Recommendations", "", *_recommendations(report)]
    lines += ["", "## Cost summary", "", *_kpi_table(report, COST_METRICS), "",
              "Estimated monthly cost: 30 days at this period's average daily spend.", ""]
    if monthly:
        lines += ["### Budgets", "", *_budgets(report), ""]
    lines += [
              "### Cost by model", "",
              *_breakdown_table(report.cost_by_model, "Model", "usd", "No priced LLM calls in this period."),
              *_image(charts, "cost", "LLM cost per day by model"), ""]
    return "\n".join(lines)
