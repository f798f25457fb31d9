#!/usr/bin/env python3
"""Writes every generated file of the repository from its source, or checks that none is stale.

    .venv/bin/python scripts/generate.py          # rewrite the files that differ
    .venv/bin/python scripts/generate.py --check  # write nothing; exit 1 naming each stale file

The stages run in order, each reading what the ones before it wrote:

1. monitoring/dashboards/ (Grafana dashboards, provisioning) and monitoring/rules/ (Prometheus
   recording and alerting rules, their promtool tests)  <- monitoring/src/
2. deploy/helm/gateway-values.yaml                      <- deploy/helm/src/ + collector/ config
   deploy/k8s/charts/agentotel-monitoring/files/         <- monitoring/ (with the Alertmanager routing)
   deploy/compose/grafana/datasources.yaml               <- monitoring/dashboards/provisioning/

Each area's generator is a library with `outputs() -> {path: text}`; this script only compares and
writes. Exit status: 0 all current (or written), 1 stale files (--check), 2 a source outside the
repository is missing (the collector chart's values.yaml, ../shared/reference/).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
DEPLOY_GENERATORS = ("helm", "k8s", "compose")
COMMAND = ".venv/bin/python scripts/generate.py"

Outputs = Callable[[], dict[Path, str]]


def deploy_generator(area: str):
    """deploy/<area>/generate.py, imported by path (deploy/ is not a package)."""
    path = REPO / "deploy" / area / "generate.py"
    spec = importlib.util.spec_from_file_location(f"deploy_{area}_generate", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _deploy_outputs() -> dict[Path, str]:
    files: dict[Path, str] = {}
    for area in DEPLOY_GENERATORS:
        files.update(deploy_generator(area).outputs())
    return files


def stages() -> list[Outputs]:
    """The generators in the order they must run: deploy/ reads the monitoring files."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))  # monitoring.src is a package of the repository, not of the wheel
    from monitoring.src import generate as monitoring

    return [monitoring.outputs, _deploy_outputs]


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/generate.py", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 naming each stale file")
    args = parser.parse_args(argv)
    stale: list[Path] = []
    for outputs in stages():
        try:
            files = outputs()
        except FileNotFoundError as missing:  # a source outside the repository (the chart's defaults)
            print(f"error: {missing}", file=sys.stderr)
            return 2
        for path, text in files.items():
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                continue
            if args.check:
                stale.append(path)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {_shown(path)}")
    if stale:
        print(f"out of date (run {COMMAND}):", *map(_shown, stale), sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
