#!/usr/bin/env bash
# Debian packages: Prometheus (prometheus, promtool) and Alertmanager (amtool).
# The packages' own services are kept from starting: the project starts its own Prometheus on
# free loopback ports and must not find 9090/9093 taken.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

step "Debian packages (prometheus, prometheus-alertmanager)"
if command -v promtool >/dev/null && command -v prometheus >/dev/null && command -v amtool >/dev/null; then
  note "already installed: $(prometheus --version 2>&1 | head -n1)"
  exit 0
fi
[ "$(id -u)" = 0 ] || die "installing Debian packages needs root (apt-get install prometheus prometheus-alertmanager)"
policy=/usr/sbin/policy-rc.d
created_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=1
fi
trap '[ -n "$created_policy" ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends prometheus prometheus-alertmanager; then
  note "refreshing the package lists"
  apt-get update
  apt-get install -y --no-install-recommends prometheus prometheus-alertmanager
fi
# Stop anything the packages started despite the policy (e.g. where a service manager runs).
pkill -x prometheus 2>/dev/null || true
pkill -x prometheus-alertmanager 2>/dev/null || true
note "installed: $(prometheus --version 2>&1 | head -n1)"
