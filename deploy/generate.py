#!/usr/bin/env python3
"""Writes every generated deployment file from its one source.

    python3 deploy/generate.py          # rewrite the files
    python3 deploy/generate.py --check  # exit 1 when a committed file differs

- deploy/helm/gateway-values.yaml          <- deploy/helm/src/gateway-settings.yaml + collector config
- deploy/k8s/charts/agentotel-monitoring/files/*.yaml  <- dashboards/ (dashboards, datasources,
  Prometheus rules, Alertmanager config)
- deploy/compose/grafana/datasources.yaml  <- dashboards/ provisioning with Compose URLs
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
REPO = DEPLOY.parent
GENERATORS = {
    "helm": DEPLOY / "helm" / "generate.py",
    "k8s": DEPLOY / "k8s" / "generate.py",
    "compose": DEPLOY / "compose" / "generate.py",
}


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"deploy_{name}_generate", GENERATORS[name])
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def outputs() -> dict[Path, str]:
    files: dict[Path, str] = {}
    for name in GENERATORS:
        files.update(load(name).outputs())
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 on a difference")
    args = parser.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        current = path.read_text() if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(str(path.relative_to(REPO)))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path.relative_to(REPO)}")
    if stale:
        print("out of date (run python3 deploy/generate.py):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
