"""Cost: spend by provider, model, agent and tenant; per conversation; projection; budgets."""

from __future__ import annotations

from agentotel_tools import promql as q

from . import config as c
from . import rules
from .panels import RANGE, RATE, RED, Board, Target, bargauge_panel, stat_panel, table_panel, timeseries_panel

F = c.DASHBOARD_FILTERS
USD = "currencyUSD"
TENANT_FILTER = f'{q.ENV}=~"$environment", {q.TENANT}=~"$tenant"'


def _summary_row() -> list:
    return [
        stat_panel("LLM spend in range", Target(q.cost(F, RANGE), "spend", instant=True), USD, decimals=2,
                   description="LLM cost of the calls within the dashboard's time range."),
        stat_panel("Projected spend this month", Target(q.monthly_projection(F, c.PROJECTION_WINDOW), instant=True),
                   USD, decimals=2, steps=((c.COST_PER_DAY_USD.warning * q.DAYS_PER_MONTH, RED),),
                   description=f"{q.DAYS_PER_MONTH} days at the average daily spend of the last "
                               f"{c.PROJECTION_WINDOW}."),
        stat_panel("Spend rate per day", Target(f"{q.cost_rate(F, c.COST_WINDOW)} * {q.SECONDS_PER_DAY}", instant=True),
                   USD, objective=c.COST_PER_DAY_USD, decimals=2,
                   description=f"Spend of the last {c.COST_WINDOW} extrapolated to a day."),
        stat_panel("Cost per conversation", Target(q.cost_per_conversation(F, RANGE), instant=True), USD,
                   objective=c.COST_PER_CONVERSATION_USD, decimals=3,
                   description="Mean LLM cost of the conversations that ended in range."),
        stat_panel("Cost per resolved conversation", Target(q.cost_per_resolved_conversation(F, RANGE), instant=True),
                   USD, decimals=3,
                   description="All conversations' LLM cost divided by the conversations that ended resolved."),
        stat_panel("Unpriced calls", Target(q.unpriced_calls(F, RANGE), instant=True), "short", no_value="0",
                   steps=((1, RED),),
                   description="LLM calls to models missing from the pricing catalog: their cost is not counted."),
    ]


def _per_hour(label: str, legend: str) -> object:
    return timeseries_panel(f"Spend per hour by {legend}",
                            [Target(q.cost_per_hour(F, RATE, (label,)), "{{" + label + "}}")],
                            USD, stacked=True, w=12)


def _intent_row() -> list:
    return [
        bargauge_panel("Conversation cost by intent",
                       [Target(q.cost_by_intent(F, RANGE), "{{agentotel_conversation_intent}}", instant=True)], USD, w=12,
                       description="LLM cost of the conversations that ended within the time range, by intent."),
        bargauge_panel("Conversation tokens by intent",
                       [Target(q.tokens_by_intent(F, RANGE), "{{agentotel_conversation_intent}}", instant=True)],
                       "short", w=12),
    ]


def _breakdown_row() -> list:
    return [
        _per_hour(q.PROVIDER, "provider"),
        _per_hour(q.MODEL, "model"),
        _per_hour(q.AGENT, "agent"),
        _per_hour(q.TENANT, "tenant"),
        timeseries_panel("Spend per day by model",
                         [Target(q.cost(F, "1d", (q.MODEL,)), "{{gen_ai_request_model}}")],
                         USD, stacked=True, bars=True, w=12,
                         description="Each point is the spend of the 24 hours before it."),
        table_panel("Spend in range by provider and model",
                    [Target(q.cost(F, RANGE, (q.PROVIDER, q.MODEL)), instant=True)], USD, w=24, h=7),
    ]


def _conversation_row() -> list:
    window = c.COST_WINDOW
    return [
        timeseries_panel("Cost per conversation by agent",
                         [Target(q.cost_per_conversation(F, window, (q.AGENT,)), "{{gen_ai_agent_name}}")],
                         USD, objective=c.COST_PER_CONVERSATION_USD, w=8,
                         description=f"Mean over the conversations of the last {window}."),
        timeseries_panel("Tokens per conversation by agent",
                         [Target(q.tokens_per_conversation(F, window, (q.AGENT,)), "{{gen_ai_agent_name}}")],
                         "short", objective=c.TOKENS_PER_CONVERSATION, w=8),
        timeseries_panel("Cost per resolved conversation",
                         [Target(q.cost_per_resolved_conversation(F, window, (q.AGENT,)), "{{gen_ai_agent_name}}")],
                         USD, w=8),
        timeseries_panel("Spend rate per day by service (alerting view)",
                         [Target(f'{rules.COST_RATE}{{{q.ENV}=~"$environment", {q.SERVICE}=~"$service"}} * '
                                 f"{q.SECONDS_PER_DAY}", "{{service_name}}")],
                         USD, objective=c.COST_PER_DAY_USD, w=24, h=7,
                         description="The recorded spend rate that the cost-per-day alerts evaluate."),
    ]


def _budget_row() -> list:
    return [
        bargauge_panel("Spend budget used", [
            Target(f"{rules.BUDGET_USAGE}{{{TENANT_FILTER}}}", "{{agentotel_tenant_id}} / {{agentotel_budget_period}}",
                   instant=True)],
            "percentunit", objective=c.BUDGET_USAGE, max_value=1.2, w=12,
            description="Spend over each tenant's budget (`agentotel.budget.limit`); day = the last 24h, "
                        "month = the last 30 days."),
        bargauge_panel("Token budget used", [
            Target(f"{rules.TOKEN_BUDGET_USAGE}{{{TENANT_FILTER}}}",
                   "{{agentotel_tenant_id}} / {{agentotel_budget_period}}", instant=True)],
            "percentunit", objective=c.BUDGET_USAGE, max_value=1.2, w=12),
        table_panel("Unpriced calls by model",
                    [Target(q.unpriced_calls(F, RANGE, (q.PROVIDER, q.MODEL)), instant=True)], w=24, h=6,
                    description="Add these models to the pricing catalog."),
    ]


def build() -> dict:
    return (Board("agentotel-cost", "agentotel / Cost",
                  "LLM spend by provider, model, agent and tenant; per conversation; monthly projection; budgets.",
                  tags=("cost",))
            .row("Summary", _summary_row())
            .row("Spend", _breakdown_row())
            .row("Per conversation", _conversation_row())
            .row("By intent", _intent_row())
            .row("Budgets and pricing", _budget_row())
            .build())
