"""A virtual environment with ``opentelemetry-api`` and agentotel's other dependencies, no SDK,
and agentotel installed from its wheel without dependencies.

Built once per content (agentotel's sources, the pinned versions, the Python version) under
``$AGENTOTEL_CACHE/api-only-<hash>`` (default ``~/.cache/agentotel``); a second call returns the
cached one. The wheel is built with ``pip wheel --no-deps --no-build-isolation`` in a small build
environment of its own (setuptools and wheel), cached the same way.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: agentotel's dependencies that are not OpenTelemetry, pinned to the dev environment's versions.
NON_OTEL_DEPENDENCIES = ("pyyaml", "wrapt", "orjson")
BUILD_REQUIREMENTS = ("setuptools>=77", "wheel")


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "agentotel"
    return Path(os.environ.get("AGENTOTEL_CACHE") or default)


def requirements() -> list[str]:
    """``opentelemetry-api`` and the non-OpenTelemetry dependencies, at the versions installed here."""
    return [f"{name}=={metadata.version(name)}" for name in ("opentelemetry-api", *NON_OTEL_DEPENDENCIES)]


def _content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
    for path in sorted((ROOT / "instrumentation").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()[:16]


def _venv(path: Path, packages: list[str]) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    subprocess.run([str(path / "bin" / "python"), "-m", "pip", "install", "--quiet", *packages], check=True)


def _cached(name: str, key: str, build) -> Path:
    """``cache_dir()/name-key``, built by ``build(path)`` into a temporary directory first."""
    target = cache_dir() / f"{name}-{key}"
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=target.parent))
    try:
        build(staging)
        (staging / ".complete").write_text(key)
        # only a finished environment is moved in place (run through ``bin/python``, it is relocatable)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _build_env() -> Path:
    key = hashlib.sha256(f"{sys.version}{BUILD_REQUIREMENTS}".encode()).hexdigest()[:16]

    def build(path: Path) -> None:
        _venv(path / "venv", list(BUILD_REQUIREMENTS))

    return _cached("wheel-build", key, build) / "venv"


def api_only_python() -> Path:
    """The Python of the API-only environment (built now when its content changed)."""
    pins = requirements()
    key = _content_hash(sys.version, *pins)
    build_python = _build_env() / "bin" / "python"

    def build(path: Path) -> None:
        venv = path / "venv"
        _venv(venv, pins)
        wheels = path / "wheels"
        subprocess.run([str(build_python), "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                        "-w", str(wheels), str(ROOT)], check=True, cwd=path)
        (wheel,) = wheels.glob("agentotel-*.whl")
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
                       check=True)

    return _cached("api-only", key, build) / "venv" / "bin" / "python"
