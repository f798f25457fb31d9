#!/usr/bin/env bash
# Installs the tools that check and run the monitoring code: Prometheus 2.42 (promtool) and
# Alertmanager 0.25 (amtool), from Debian's packages. Idempotent: a second run only checks.
#
# The packages ship systemd/init services that would start on install and hold ports 9090, 9093
# and 9100; the project starts its own Prometheus on free loopback ports instead, so service
# starts are refused for the duration of the install (policy-rc.d exit 101) and any unit that
# still came up is stopped.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

packages=(prometheus prometheus-alertmanager)

have_all() {
    command -v promtool >/dev/null && command -v amtool >/dev/null \
        && command -v prometheus >/dev/null && command -v prometheus-alertmanager >/dev/null
}

if have_all; then
    note "prometheus $(prometheus --version 2>&1 | head -n1 | awk '{print $3}'), amtool present"
    exit 0
fi

step "Installing ${packages[*]} (Debian packages, services kept stopped)"
[ "$(id -u)" = 0 ] || die "installing Debian packages needs root"

policy=/usr/sbin/policy-rc.d
created_policy=""
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# Refuse service starts while agentotel installs packages.\nexit 101\n' > "$policy"
    chmod 0755 "$policy"
    created_policy=1
fi
cleanup() { [ -n "$created_policy" ] && rm -f "$policy"; return 0; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
# --no-install-recommends keeps out prometheus-node-exporter, another service on a fixed port.
if ! apt-get install -y --no-install-recommends "${packages[@]}" >&2; then
    note "package lists look stale; updating once"
    apt-get update >&2
    apt-get install -y --no-install-recommends "${packages[@]}" >&2
fi

# Where systemd runs, the units may still be enabled or started by triggers: stop them.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    for unit in prometheus prometheus-alertmanager; do
        systemctl disable --now "$unit" >/dev/null 2>&1 || true
    done
fi

have_all || die "promtool/amtool missing after install"
note "installed: $(promtool --version 2>&1 | head -n1)"
