"""Where the local stack's pieces live: the repository, built binaries, configs and run state.

The stack runs from a checkout of the repository (its collector, deploy and dashboard files), which
``find_repo_root`` finds: ``AGENTOTEL_HOME``, else the current directory or one above it, else the
checkout the tools are installed editable from. Binaries come from ``AGENTOTEL_CACHE`` and run state
goes to ``AGENTOTEL_STACK_DIR`` (``settings`` holds these names and their defaults).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from .. import settings


class LayoutError(RuntimeError):
    """The repository or a required file could not be found."""


def is_repo(path: Path) -> bool:
    """Whether ``path`` is a checkout of the repository: it holds ``collector/`` and ``deploy/local/``."""
    return (path / "collector").is_dir() and (path / "deploy" / "local").is_dir()


def find_repo_root(cwd: Optional[Path] = None, environ: Optional[Mapping[str, str]] = None) -> Path:
    """The repository: ``AGENTOTEL_HOME``; else ``cwd`` (default: the current directory) or a
    directory above it; else the checkout around this module (an editable install). Raises
    ``LayoutError`` when none is one."""
    home = settings.home(environ)
    if home is not None:
        root = home.resolve()
        if not is_repo(root):
            raise LayoutError(f"{settings.AGENTOTEL_HOME}={home} has no collector/ and deploy/local/")
        return root
    here = (cwd or Path.cwd()).resolve()
    for candidate in (here, *here.parents, *Path(__file__).resolve().parents):
        if is_repo(candidate):
            return candidate
    raise LayoutError(
        "cannot find the agentotel repository (a checkout with collector/ and deploy/local/): run the "
        f"command inside a checkout, or set {settings.AGENTOTEL_HOME} to one"
    )


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
        run_dir = settings.stack_dir(repo) if run_dir is None else run_dir
        return cls(repo=repo, cache=settings.cache_dir(), run_dir=Path(run_dir).resolve())

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
