"""The distro: agentotel's defaults for opentelemetry-instrument, never overriding the user."""

from __future__ import annotations

import os

import pytest
from opentelemetry import propagate

from agentotel.autoconf.distro import AgentOtelDistro
from agentotel.autoconf.environment import DEFAULTS, PROPAGATORS
from agentotel.autoconf.propagator import ConversationHeaderPropagator


@pytest.fixture
def environ():
    """os.environ without any variable the distro sets, restored (with the global propagator) afterwards."""
    saved_env = dict(os.environ)
    saved_textmap = propagate.get_global_textmap()
    for name in [*DEFAULTS, "OTEL_PROPAGATORS"]:
        os.environ.pop(name, None)
    yield os.environ
    os.environ.clear()
    os.environ.update(saved_env)
    propagate.set_global_textmap(saved_textmap)


def test_defaults_fill_unset_variables(environ):
    """Unset variables get OTLP for all three signals over HTTP, exported logs, this configurator
    and a 15 s metric interval."""
    AgentOtelDistro().configure()
    assert {name: environ[name] for name in DEFAULTS} == DEFAULTS
    assert environ["OTEL_PYTHON_CONFIGURATOR"] == "agentotel"
    assert environ["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"
    assert environ["OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED"] == "true"


def test_user_values_win(environ):
    """A variable the user set (or an opentelemetry-instrument --option) is never overridden."""
    environ["OTEL_TRACES_EXPORTER"] = "console"
    environ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc"
    environ["OTEL_METRIC_EXPORT_INTERVAL"] = "60000"
    AgentOtelDistro().configure()
    assert environ["OTEL_TRACES_EXPORTER"] == "console"
    assert environ["OTEL_EXPORTER_OTLP_PROTOCOL"] == "grpc"
    assert environ["OTEL_METRIC_EXPORT_INTERVAL"] == "60000"
    assert environ["OTEL_LOGS_EXPORTER"] == "otlp"


def test_conversation_propagator_is_installed_by_default(environ):
    """Without OTEL_PROPAGATORS, the global propagator is trace context, baggage and the conversation headers."""
    AgentOtelDistro().configure()
    names = [type(p).__name__ for p in propagate.get_global_textmap()._propagators]
    assert names == ["TraceContextTextMapPropagator", "W3CBaggagePropagator", "ConversationHeaderPropagator"]
    carrier: dict[str, str] = {}
    ctx = propagate.extract({"x-conversation-id": "c-1"})
    propagate.inject(carrier, context=ctx)
    assert carrier["baggage"] == "gen_ai.conversation.id=c-1"


def test_users_propagators_are_kept(environ):
    """With OTEL_PROPAGATORS set, the distro leaves the user's propagators alone."""
    environ["OTEL_PROPAGATORS"] = "tracecontext"
    before = propagate.get_global_textmap()
    AgentOtelDistro().configure()
    assert propagate.get_global_textmap() is before
    assert environ["OTEL_PROPAGATORS"] == "tracecontext"


def test_propagator_variable_only_names_a_registered_entry_point(environ):
    """OTEL_PROPAGATORS is exported to child processes only when agentotel_conversation resolves
    (an unknown name would make every child's import of opentelemetry.propagate fail)."""
    from opentelemetry.util._importlib_metadata import entry_points

    registered = list(entry_points(group="opentelemetry_propagator", name="agentotel_conversation"))
    AgentOtelDistro().configure()
    if registered:
        assert environ["OTEL_PROPAGATORS"] == PROPAGATORS
        assert registered[0].load() is ConversationHeaderPropagator
    else:
        assert "OTEL_PROPAGATORS" not in environ
