#!/usr/bin/env bash
# The main job: set up what the demo needs (cached; helm and the Kubernetes schemas, which only the
# tests use, are left out), start the local stack (collector, Prometheus, Jaeger,
# VictoriaLogs on loopback), run the demo support agent with traffic through it, and print what to
# look at. Extra arguments go to `agentotel demo` (e.g. --conversations 50).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --demo
source scripts/lib.sh
step "Starting the local stack"
.venv/bin/agentotel stack up
step "Running the demo agent and its traffic"
.venv/bin/agentotel demo "$@"
