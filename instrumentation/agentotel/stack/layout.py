"""Where the local stack's pieces live: the repository, built binaries, configs and run state.

Settings read from the environment (all optional):

``AGENTOTEL_HOME``
    The repository root (holds ``collector/`` and ``deploy/local/``). Default: found from this
    package's path, since the package is installed editable from the repository.
``AGENTOTEL_CACHE``
    Where the build scripts put binaries (``bin/``). Default ``$XDG_CACHE_HOME/agentotel`` or
    ``~/.cache/agentotel``, the same default as ``scripts/lib.sh``.
``AGENTOTEL_STACK_DIR``
    The stack's run directory: state file, logs, pid files and data. Default
    ``<repo>/.agentotel/stack`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

AGENTOTEL_HOME = "AGENTOTEL_HOME"
AGENTOTEL_CACHE = "AGENTOTEL_CACHE"
AGENTOTEL_STACK_DIR = "AGENTOTEL_STACK_DIR"


class LayoutError(RuntimeError):
    """The repository or a required file could not be found."""


def _looks_like_repo(path: Path) -> bool:
    return (path / "collector").is_dir() and (path / "deploy" / "local").is_dir()


def find_repo_root() -> Path:
    """The repository root: ``AGENTOTEL_HOME`` or the checkout this package was installed from."""
    env = os.environ.get(AGENTOTEL_HOME)
    if env:
        root = Path(env).expanduser().resolve()
        if not _looks_like_repo(root):
            raise LayoutError(f"{AGENTOTEL_HOME}={env} has no collector/ and deploy/local/")
        return root
    # instrumentation/agentotel/stack/layout.py -> the repository is three levels above the package.
    for parent in Path(__file__).resolve().parents:
        if _looks_like_repo(parent):
            return parent
    raise LayoutError(
        "cannot find the agentotel repository (install the package editable from it, "
        f"or set {AGENTOTEL_HOME})"
    )


def cache_dir() -> Path:
    env = os.environ.get(AGENTOTEL_CACHE)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "agentotel"


@dataclass(frozen=True)
class Layout:
    """Paths of one stack: sources in the repository, binaries in the cache, state in ``run_dir``."""

    repo: Path
    cache: Path
    run_dir: Path

    @classmethod
    def discover(cls, run_dir: Path | str | None = None, repo: Path | str | None = None) -> "Layout":
        """The layout for REPO (default: ``find_repo_root()``) with its run directory."""
        repo = Path(repo).resolve() if repo is not None else find_repo_root()
        if run_dir is None:
            env = os.environ.get(AGENTOTEL_STACK_DIR)
            run_dir = Path(env).expanduser() if env else repo / ".agentotel" / "stack"
        return cls(repo=repo, cache=cache_dir(), run_dir=Path(run_dir).resolve())

    # Sources and configs in the repository.
    @property
    def collector_build_script(self) -> Path:
        return self.repo / "collector" / "build.sh"

    @property
    def backends_build_script(self) -> Path:
        return self.repo / "deploy" / "local" / "build-backends.sh"

    @property
    def collector_configs(self) -> list[Path]:
        return [self.repo / "collector" / "config.yaml", self.repo / "collector" / "overlays" / "local.yaml"]

    @property
    def jaeger_config(self) -> Path:
        return self.repo / "deploy" / "local" / "jaeger.yaml"

    @property
    def prometheus_template(self) -> Path:
        return self.repo / "deploy" / "local" / "prometheus.yml.tmpl"

    @property
    def prometheus_rules_glob(self) -> str:
        return str(self.repo / "monitoring" / "rules" / "*.rules.yaml")

    # Binaries.
    def binary(self, name: str) -> Path:
        """A built binary in the cache, or one installed on PATH (Prometheus comes from apt)."""
        built = self.cache / "bin" / name
        if built.exists():
            return built
        found = shutil.which(name)
        return Path(found) if found else built

    # Run state.
    @property
    def state_file(self) -> Path:
        return self.run_dir / "state.json"

    def log_file(self, component: str) -> Path:
        return self.run_dir / "logs" / f"{component}.log"

    def pid_file(self, component: str) -> Path:
        return self.run_dir / "run" / f"{component}.pid"

    def data_dir(self, component: str) -> Path:
        return self.run_dir / "data" / component

    @property
    def generated_dir(self) -> Path:
        return self.run_dir / "config"
