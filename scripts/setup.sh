#!/usr/bin/env bash
# Set up everything the project needs on this machine. Idempotent and cached: a second run
# only checks stamps. Steps:
#   1. Debian packages: Prometheus and Alertmanager (promtool, amtool), by scripts/install-tools.sh.
#   2. The Python environment in .venv: agentotel (the package apps install) with its dev extras and
#      agentotel-tools (tools/: the `agentotel` command, with its report and demo extras), both editable.
#   3. Our OpenTelemetry Collector distribution (ocb), Jaeger and VictoriaLogs (Go module proxy).
#   4. For the tests only: helm and the Kubernetes CRD schemas (Go module proxy), and the agent
#      frameworks' test environments in .venv-frameworks (scripts/framework-envs.sh).
# Built binaries live in $AGENTOTEL_CACHE (~/.cache/agentotel), so fresh clones reuse them.
#
#   bash scripts/setup.sh          everything the tests need
#   bash scripts/setup.sh --demo   only what scripts/demo.sh runs (steps 1-3)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
for_demo=false
case "${1:-}" in
  --demo) for_demo=true ;;
  "") ;;
  *) die "usage: scripts/setup.sh [--demo]" ;;
esac

step "Debian packages (prometheus, prometheus-alertmanager)"
bash scripts/install-tools.sh

step "Python environment (.venv)"
py_key=$(hash_of pyproject.toml tools/pyproject.toml scripts/setup.sh)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.agentotel-stamp 2>/dev/null)" != "$py_key" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  note "installing agentotel and agentotel-tools (editable) with their extras"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --progress-bar on -e '.[dev]' -e './tools[report,demo]'
  printf '%s' "$py_key" > .venv/.agentotel-stamp
else
  note "up to date"
fi

step "OpenTelemetry Collector (ocb build)"
bash collector/build.sh >/dev/null
step "Jaeger and VictoriaLogs"
bash deploy/local/build-backends.sh >/dev/null
if $for_demo; then
  step "Set-up complete (the demo's part: helm and the CRD schemas are for the tests)"
  exit 0
fi
step "helm"
bash deploy/tools/install-helm.sh >/dev/null
step "Kubernetes CRD schemas (Go module proxy)"
bash deploy/tools/fetch-crds.sh >/dev/null
step "Agent framework test environments (.venv-frameworks)"
bash scripts/framework-envs.sh
step "Set-up complete"
