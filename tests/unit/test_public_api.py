"""The public surface is pinned: adding or removing a name is a deliberate change."""

import agentotel


def test_public_names():
    """agentotel.__all__ lists exactly the supported API."""
    assert sorted(agentotel.__all__) == sorted([
        "Document", "HealthChecks", "JsonFormatter", "LLMCall", "PricingError", "Telemetry", "ToolCall", "Usage",
        "__version__", "agent", "configure", "conversation", "internal_error_counts", "llm_call",
        "mark_first_chunk", "record_business_event", "record_evaluation", "record_feedback", "record_first_response", "record_outcome", "retrieval",
        "set_intent", "span_processors", "tool", "workflow", "wrap_context",
    ])
    for name in agentotel.__all__:
        assert hasattr(agentotel, name), name


def test_import_makes_no_network_access(monkeypatch):
    """Importing and building the pricing engine opens no socket."""
    import importlib
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("network access at import")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    import agentotel.cost as cost

    importlib.reload(cost)
    cost.CostEngine(cost.load_catalog())
