#!/usr/bin/env bash
# Builds and installs the local stack's backends, each cached so a second run is fast:
# - Jaeger (all-in-one, v2 binary) and VictoriaLogs, built from the Go module proxy into
#   $AGENTOTEL_CACHE/bin as tool dependencies of scratch modules under $AGENTOTEL_CACHE/src;
# - Prometheus and promtool from Debian's package, without letting apt start a system service
#   (the stack runs its own Prometheus on a port of its choosing).
# Usage: deploy/local/build-backends.sh [jaeger|victoria-logs|prometheus]...  (default: all)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../scripts/lib.sh
source "$repo/scripts/lib.sh"

JAEGER_VERSION=v1.76.0
JAEGER_PKG=github.com/jaegertracing/jaeger/cmd/jaeger
VICTORIALOGS_VERSION=v1.52.1
VICTORIALOGS_PKG=github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs

# Two cores are shared with other builds and tests: keep Go's parallelism modest.
export GOMAXPROCS="${GOMAXPROCS:-2}"
GO_BUILD_JOBS="${GO_BUILD_JOBS:-2}"

# count_progress NAME: reads lines, prints "NAME: N packages compiled" every 100 lines.
count_progress() {
  local count=0
  while IFS= read -r _; do
    count=$((count + 1))
    if [ $((count % 100)) -eq 0 ]; then note "$1: $count packages compiled"; fi
  done
}

# build_go_tool NAME PACKAGE VERSION [LDFLAGS]: builds PACKAGE@VERSION into $AGENTOTEL_CACHE/bin/NAME.
build_go_tool() {
  local name="$1" pkg="$2" version="$3" ldflags="${4:-}"
  local bin="$AGENTOTEL_CACHE/bin/$name"
  local key="$pkg@$version $(go env GOVERSION) $ldflags"
  key="$(printf '%s' "$key" | sha256sum | cut -c1-16)"
  if [ -x "$bin" ] && cached "$name" "$key"; then
    note "$name $version: cached ($bin)"
    return 0
  fi
  local src="$AGENTOTEL_CACHE/src/$name"
  local log="$AGENTOTEL_CACHE/src/$name.build.log"
  local started=$SECONDS
  step "building $name $version (several minutes on a small machine; log: $log)"
  rm -rf "$src" && mkdir -p "$src"
  (
    cd "$src"
    go mod init "agentotel.local/build/$name" >/dev/null 2>&1
    note "$name: resolving $pkg@$version"
    go get -tool "$pkg@$version" >"$log" 2>&1 || { tail -n 30 "$log" >&2; die "go get $pkg@$version failed"; }
    note "$name: compiling"
    # -v lists each package as it is compiled: a progress line every 100 of them.
    if ! go build -p "$GO_BUILD_JOBS" -trimpath -v -ldflags "-s -w $ldflags" -o "$bin.tmp" "$pkg" 2>&1 |
      tee -a "$log" | count_progress "$name"; then
      tail -n 30 "$log" >&2
      die "go build $pkg failed"
    fi
  )
  mv -f "$bin.tmp" "$bin"
  stamp "$name" "$key"
  note "$name: built in $((SECONDS - started))s -> $bin"
}

# ensure_prometheus: installs Debian's prometheus package when prometheus or promtool is missing.
ensure_prometheus() {
  if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
    note "prometheus: $(prometheus --version 2>&1 | head -n1)"
    return 0
  fi
  step "installing prometheus from Debian's package"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "installing prometheus needs root: run this script as root or install sudo"
    sudo=sudo
  fi
  # policy-rc.d exit 101 forbids service starts during the install, so no system Prometheus
  # takes port 9090; it is removed afterwards whether the install worked or not.
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && created=1
  fi
  local rc=0
  apt_install() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >&2; }
  # A fresh machine may not have package lists yet: update once and retry.
  apt_install || { note "apt-get install failed; running apt-get update and retrying"; $sudo apt-get update >&2 && apt_install; } || rc=$?
  if [ "$created" = 1 ]; then $sudo rm -f "$policy"; fi
  [ "$rc" -eq 0 ] || die "apt-get install prometheus failed"
  # With systemd present the unit may still be enabled for the next boot: disable it.
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now prometheus prometheus-node-exporter >/dev/null 2>&1 || true
  fi
  note "prometheus: $(prometheus --version 2>&1 | head -n1)"
}

# One build at a time (setup.sh and `agentotel stack up` may run together); a second caller
# waits, then finds the binaries cached.
mkdir -p "$AGENTOTEL_CACHE/src"
exec 9>"$AGENTOTEL_CACHE/src/.build-backends.lock"
flock 9

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(jaeger victoria-logs prometheus)
for target in "${targets[@]}"; do
  case "$target" in
    jaeger) build_go_tool jaeger "$JAEGER_PKG" "$JAEGER_VERSION" ;;
    victoria-logs)
      build_go_tool victoria-logs "$VICTORIALOGS_PKG" "$VICTORIALOGS_VERSION" \
        "-X github.com/VictoriaMetrics/VictoriaMetrics/lib/buildinfo.Version=victoria-logs-$VICTORIALOGS_VERSION" ;;
    prometheus) ensure_prometheus ;;
    *) die "unknown backend: $target (jaeger, victoria-logs, prometheus)" ;;
  esac
done
