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


def test_api_alone_then_any_sdk_configured_later():
    """A process that imports agentotel and uses every decorator loads no ``opentelemetry.sdk``
    module; an SDK set up afterwards receives the decorators' spans and metrics."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    app = Path(__file__).resolve().parents[1] / "support" / "api_only_app.py"
    done = subprocess.run([sys.executable, str(app), "--configure-later"], capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "OTEL_SDK_DISABLED": "false"})
    assert done.returncode == 0, done.stderr
    before, after = (json.loads(line) for line in done.stdout.splitlines())
    assert before["sdk_modules"] == []
    assert set(after["spans"]) == {"invoke_workflow triage", "invoke_agent support", "chat gpt-4o-mini",
                                   "execute_tool lookup", "retrieval kb"}
    assert {"gen_ai.client.operation.duration", "gen_ai.client.token.usage", "agentotel.llm.cost",
            "agentotel.conversations", "agentotel.retrieval.searches"} <= set(after["metrics"])


def test_names_that_need_the_sdk_load_on_first_use():
    """``configure``, ``Telemetry`` and ``span_processors`` resolve lazily to the SDK-backed objects."""
    from agentotel.sdk import Telemetry, configure
    from agentotel.processors import span_processors

    assert agentotel.configure is configure and agentotel.Telemetry is Telemetry
    assert agentotel.span_processors is span_processors
    assert "configure" in dir(agentotel)
