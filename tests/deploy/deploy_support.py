"""Paths and file helpers shared by the deployment tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEPLOY = REPO / "deploy"
SHARED = REPO.parent / "shared"
CHART_REFERENCE = SHARED / "reference" / "helm-opentelemetry-collector-0.170.0"


class ManifestLoader(yaml.SafeLoader):
    """SafeLoader that reads a plain `=` as the string it is in Kubernetes (PyYAML resolves it to
    YAML 1.1's value tag, which it cannot construct; CRD enums of operators contain it)."""


ManifestLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def load_manifests(text: str) -> list[Any]:
    """The non-empty documents of a multi-document YAML stream such as `helm template` prints."""
    return [doc for doc in yaml.load_all(text, Loader=ManifestLoader) if doc is not None]


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def load_all_yaml(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def load_module(path: Path, name: str):
    """Import a generator script of deploy/ by path (deploy/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module
