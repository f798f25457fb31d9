"""The tools' settings: each read from the environment with its default, each documented."""

from __future__ import annotations

import re
from pathlib import Path

from agentotel_tools import settings

CONFIGURATION = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_defaults_without_the_variables(monkeypatch):
    """Unset (or empty), each setting is its documented default."""
    environ = {"HOME": "/home/dev", "AGENTOTEL_STACK_DIR": ""}
    monkeypatch.setenv("HOME", "/home/dev")
    assert settings.home(environ) is None
    assert settings.cache_dir(environ) == Path("/home/dev/.cache/agentotel")
    assert settings.cache_dir({"XDG_CACHE_HOME": "/var/cache"}) == Path("/var/cache/agentotel")
    assert settings.stack_dir(Path("/repo"), environ) == Path("/repo/.agentotel/stack")
    assert settings.prometheus_url(environ) is None and settings.jaeger_url(environ) is None


def test_values_from_the_environment():
    """Set, each variable is the setting."""
    environ = {"AGENTOTEL_HOME": "/src/agentotel", "AGENTOTEL_CACHE": "/tmp/cache", "AGENTOTEL_STACK_DIR": "/tmp/run",
               "AGENTOTEL_PROMETHEUS_URL": "http://prom:9090", "AGENTOTEL_JAEGER_URL": "http://jaeger:16686"}
    assert settings.home(environ) == Path("/src/agentotel")
    assert settings.cache_dir(environ) == Path("/tmp/cache")
    assert settings.stack_dir(Path("/repo"), environ) == Path("/tmp/run")
    assert settings.prometheus_url(environ) == "http://prom:9090"
    assert settings.jaeger_url(environ) == "http://jaeger:16686"


def test_every_variable_is_defined_here_and_documented():
    """The module names each AGENTOTEL_* variable once, and docs/configuration.md documents each."""
    defined = {value for name, value in vars(settings).items() if name.startswith("AGENTOTEL_")}
    assert defined == set(settings.VARIABLES)
    documented = set(re.findall(r"^\| `(AGENTOTEL_[A-Z_]+)` \|", CONFIGURATION.read_text(), re.MULTILINE))
    assert defined <= documented
