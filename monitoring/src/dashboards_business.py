"""Business: what the agents achieve for marketing and sales — leads, campaigns, content,
conversions, revenue — from ``record_business_event``."""

from __future__ import annotations

from agentotel_tools import promql as q
from agentotel.semconv import agentotel_names as A

from . import config as c
from . import rules_outcomes
from .panels import RANGE, Board, Target, bargauge_panel, stat_panel, timeseries_panel

F = c.DASHBOARD_FILTERS
W = c.BUSINESS_WINDOW
SERIES_FILTER = f'{q.ENV}=~"$environment", {q.SERVICE}=~"$service"'


def _kpi_row() -> list:
    return [
        stat_panel("Leads", Target(q.business_value(F, RANGE, A.BUSINESS_LEAD), instant=True), "short", decimals=0,
                   w=5),
        stat_panel("Conversions", Target(q.business_value(F, RANGE, A.BUSINESS_CONVERSION), instant=True), "short",
                   decimals=0, w=5),
        stat_panel("Revenue", Target(q.business_value(F, RANGE, A.BUSINESS_REVENUE), instant=True), "currencyUSD",
                   decimals=2, w=5, description="Sum of the revenue events' values (in their `currency`)."),
        stat_panel("Content produced", Target(q.business_value(F, RANGE, A.BUSINESS_CONTENT), instant=True), "short",
                   decimals=0, w=5),
        stat_panel("Campaign score", Target(q.business_value_mean(F, RANGE, A.BUSINESS_CAMPAIGN_PERFORMANCE),
                                            instant=True), "none", objective=c.CAMPAIGN_PERFORMANCE, decimals=2, w=4),
    ]


def _trend_row() -> list:
    return [
        timeseries_panel(f"Leads per {W} by campaign", [
            Target(q.business_value(F, W, A.BUSINESS_LEAD, (q.CAMPAIGN,)), "{{agentotel_business_campaign}}")],
            "short", objective=c.LEADS_PER_HOUR, stacked=True),
        timeseries_panel("Campaign performance", [
            Target(f"{rules_outcomes.CAMPAIGN_PERFORMANCE}{{{SERIES_FILTER}}}", "{{agentotel_business_campaign}}")],
            "none", objective=c.CAMPAIGN_PERFORMANCE, max_value=1,
            description=f"Mean campaign_performance value per campaign over {W} (what the alert reads)."),
        timeseries_panel(f"Revenue per {W}", [
            Target(q.business_value(F, W, A.BUSINESS_REVENUE, (q.CAMPAIGN,)), "{{agentotel_business_campaign}}")],
            "currencyUSD", stacked=True),
        timeseries_panel(f"Conversions per {W}", [
            Target(q.business_value(F, W, A.BUSINESS_CONVERSION), "conversions"),
            Target(q.business_value(F, W, A.BUSINESS_LEAD), "leads")], "short"),
        bargauge_panel("Business events by name", [
            Target(q.business_events(F, RANGE, by=(q.BUSINESS_EVENT,)), "{{agentotel_business_event_name}}",
                   instant=True)], "short", w=24, h=6),
    ]


def build() -> dict:
    return (Board("agentotel-business", "agentotel / Business",
                  "What the agents achieve for the business: leads, campaigns, content, conversions and revenue.",
                  tags=("business",))
            .row("Key figures", _kpi_row())
            .row("Trends", _trend_row())
            .build())
