#!/usr/bin/env bash
# Run every test: set up what is missing (cached), then pytest over tests/ — unit tests, the
# collector/dashboard/deploy checks with the real tools, and the integration tests that start the
# real collector, Prometheus, Jaeger and VictoriaLogs on free loopback ports.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh tests/unit -x`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
step "pytest"
status=0
.venv/bin/python -m pytest -ra "$@" || status=$?
if [ "$status" = 5 ]; then
  echo "error: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
