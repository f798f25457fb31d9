"""The framework instrumentors as opentelemetry-instrument finds them: one prefixed entry point
each, and nothing done where the framework is not installed."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from agentotel.config import load_settings

FRAMEWORKS = {
    "agentotel_openai_agents": ("agentotel.frameworks.openai_agents:OpenAIAgentsInstrumentor", "openai-agents"),
    "agentotel_pydantic_ai": ("agentotel.frameworks.pydantic_ai:PydanticAIInstrumentor", "pydantic-ai-slim"),
    "agentotel_llamaindex": ("agentotel.frameworks.llamaindex:LlamaIndexInstrumentor", "llama-index-core"),
    "agentotel_crewai": ("agentotel.frameworks.crewai:CrewAIInstrumentor", "crewai"),
}


@pytest.mark.parametrize("name", list(FRAMEWORKS))
def test_entry_point(name):
    """Each framework has its own prefixed entry point (OTEL_PYTHON_DISABLED_INSTRUMENTATIONS can name it)
    whose instrumentor declares its framework as what it instruments."""
    target, package = FRAMEWORKS[name]
    (point,) = [e for e in entry_points(group="opentelemetry_instrumentor") if e.name == name]
    assert point.value == target
    dependencies = point.load()().instrumentation_dependencies()
    assert [d.split()[0] for d in dependencies] == [package]


@pytest.mark.parametrize("name", list(FRAMEWORKS))
def test_inactive_without_its_framework(name):
    """Where the framework is not installed (this environment), instrument() does nothing and raises nothing."""
    instrumentor = [e for e in entry_points(group="opentelemetry_instrumentor") if e.name == name][0].load()()
    instrumentor.instrument()
    assert not instrumentor.is_instrumented_by_opentelemetry
    instrumentor.uninstrument()


def test_export_setting():
    """AGENTOTEL_OPENAI_AGENTS_EXPORT: on by default, off with false, a bad value warns and keeps the default."""
    assert load_settings({}).openai_agents_export is True
    assert load_settings({"AGENTOTEL_OPENAI_AGENTS_EXPORT": "false"}).openai_agents_export is False
    assert load_settings({"AGENTOTEL_OPENAI_AGENTS_EXPORT": "maybe"}).openai_agents_export is True
