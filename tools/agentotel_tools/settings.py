"""The ``agentotel`` command's settings: the environment variables it reads, with their defaults.

All are optional; each function below reads one from ``environ`` (default ``os.environ``).

``AGENTOTEL_HOME``
    The repository (holds ``collector/`` and ``deploy/local/``). Default: the checkout around the
    current directory, else the one the tools are installed editable from (``stack.layout``).
``AGENTOTEL_CACHE``
    Built binaries (``bin/``) and build stamps. Default ``$XDG_CACHE_HOME/agentotel`` or
    ``~/.cache/agentotel``, the same as ``scripts/lib.sh``.
``AGENTOTEL_STACK_DIR``
    The local stack's run directory: state file, logs, pid files and data. Default
    ``<repository>/.agentotel/stack`` (git-ignored).
``AGENTOTEL_PROMETHEUS_URL``
    Prometheus for ``agentotel report``. Default: the running local stack's, else
    ``DEFAULT_PROMETHEUS_URL``.
``AGENTOTEL_JAEGER_URL``
    Jaeger's query API for ``agentotel traces`` and ``trace``. Default: the running local stack's,
    else ``DEFAULT_JAEGER_URL``.

The instrumentation's own settings are ``agentotel.config``'s; none of these reaches an app.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional

AGENTOTEL_HOME = "AGENTOTEL_HOME"
AGENTOTEL_CACHE = "AGENTOTEL_CACHE"
AGENTOTEL_STACK_DIR = "AGENTOTEL_STACK_DIR"
AGENTOTEL_PROMETHEUS_URL = "AGENTOTEL_PROMETHEUS_URL"
AGENTOTEL_JAEGER_URL = "AGENTOTEL_JAEGER_URL"

#: Every variable above, in the order docs/configuration.md lists them.
VARIABLES = (AGENTOTEL_HOME, AGENTOTEL_CACHE, AGENTOTEL_STACK_DIR, AGENTOTEL_PROMETHEUS_URL, AGENTOTEL_JAEGER_URL)

#: The local stack's Prometheus and Jaeger query API on their documented ports (``stack.ports``).
DEFAULT_PROMETHEUS_URL = "http://127.0.0.1:9090"
DEFAULT_JAEGER_URL = "http://127.0.0.1:16686"
#: The stack's run directory, relative to the repository, when ``AGENTOTEL_STACK_DIR`` is unset.
DEFAULT_STACK_DIR = Path(".agentotel") / "stack"


def _value(name: str, environ: Optional[Mapping[str, str]]) -> Optional[str]:
    """The variable's value, or None when it is unset or empty."""
    return (os.environ if environ is None else environ).get(name) or None


def home(environ: Optional[Mapping[str, str]] = None) -> Optional[Path]:
    """``AGENTOTEL_HOME`` as a path, or None when unset (the layout then looks for the repository)."""
    value = _value(AGENTOTEL_HOME, environ)
    return Path(value).expanduser() if value else None


def cache_dir(environ: Optional[Mapping[str, str]] = None) -> Path:
    """Where the build scripts put binaries and stamps."""
    value = _value(AGENTOTEL_CACHE, environ)
    if value:
        return Path(value).expanduser()
    xdg = _value("XDG_CACHE_HOME", environ)
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "agentotel"


def stack_dir(repo: Path, environ: Optional[Mapping[str, str]] = None) -> Path:
    """The local stack's run directory for the repository ``repo``."""
    value = _value(AGENTOTEL_STACK_DIR, environ)
    return Path(value).expanduser() if value else repo / DEFAULT_STACK_DIR


def prometheus_url(environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """``AGENTOTEL_PROMETHEUS_URL``, or None when unset (the caller falls back to the local stack)."""
    return _value(AGENTOTEL_PROMETHEUS_URL, environ)


def jaeger_url(environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """``AGENTOTEL_JAEGER_URL``, or None when unset (the caller falls back to the local stack)."""
    return _value(AGENTOTEL_JAEGER_URL, environ)
