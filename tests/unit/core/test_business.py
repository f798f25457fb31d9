"""Business events: counted and summed by name and bounded attributes; unknown keys dropped."""

from __future__ import annotations

import logging

import agentotel
from agentotel.config import Settings


def test_counted_and_summed_by_name_and_attributes(telemetry):
    """Each event adds 1 to the count and its value to the sum, labelled by name, campaign, agent, tenant."""
    with agentotel.conversation("c1", tenant="acme", agent="marketing"):
        agentotel.record_business_event("lead_generated", campaign="spring")
        agentotel.record_business_event("lead_generated", campaign="spring")
        agentotel.record_business_event("revenue", 120.5, currency="USD", campaign="spring")
    counts = {a["agentotel.business.event.name"]: p.value for a, p in telemetry.points("agentotel.business.events")}
    values = {a["agentotel.business.event.name"]: p.value for a, p in telemetry.points("agentotel.business.value")}
    assert counts == {"lead_generated": 2, "revenue": 1}
    assert values == {"lead_generated": 2, "revenue": 120.5}
    for attrs, _ in telemetry.points("agentotel.business.events"):
        assert attrs["agentotel.business.campaign"] == "spring" and attrs["agentotel.tenant.id"] == "acme"
        assert attrs["gen_ai.agent.name"] == "marketing" and "gen_ai.conversation.id" not in attrs


def test_span_event_keeps_the_attributes(telemetry):
    """The current span gets an agentotel.business.event event with the attributes as given."""
    with agentotel.agent("marketing"):
        agentotel.record_business_event("conversion", conversion_type="signup", source="newsletter")
    (event,) = [e for e in telemetry.span("invoke_agent marketing").events if e.name == "agentotel.business.event"]
    assert event.attributes["agentotel.business.conversion_type"] == "signup"
    assert event.attributes["agentotel.business.source"] == "newsletter"


def test_unknown_keys_dropped_and_values_bounded(make_telemetry, caplog):
    """A key outside the allowed set is dropped (said once); values past the bound become `other`;
    a bad value counts as 1; nothing raises."""
    telemetry = make_telemetry(Settings(max_label_values=2))
    with caplog.at_level(logging.WARNING, logger="agentotel"):
        for campaign in ("a", "b", "c"):
            agentotel.record_business_event("lead_generated", campaign=campaign, email="x@example.com")
        agentotel.record_business_event("lead_generated", "many")
    campaigns = sorted(a.get("agentotel.business.campaign", "-") for a, _ in telemetry.points("agentotel.business.events"))
    assert campaigns == ["-", "a", "b", "other"]
    assert all("agentotel.business.email" not in a for a, _ in telemetry.points("agentotel.business.events"))
    assert sum("'email' is not one of" in r.getMessage() for r in caplog.records) == 1
    assert sum(p.value for _, p in telemetry.points("agentotel.business.value")) == 4
