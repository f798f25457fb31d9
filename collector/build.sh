#!/usr/bin/env bash
# Builds the agentotel-collector distribution from collector/builder-config.yaml with the
# OpenTelemetry Collector Builder (ocb) and installs it as $AGENTOTEL_CACHE/bin/agentotel-collector.
#
# Idempotent: the build is skipped when the binary exists and was built from the same manifest,
# the same build script and the same Go toolchain. Safe to run concurrently (a lock serialises
# builds). Progress goes to stderr; the last stdout line is the binary's path.
#
#   collector/build.sh           build if needed, print the binary's path
#   collector/build.sh --check   exit 0 (and print the path) only if the binary is current; never builds
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../scripts/lib.sh
source "$here/../scripts/lib.sh"

OCB_VERSION="v0.161.0"   # keep equal to the release every module in builder-config.yaml is pinned to
manifest="$here/builder-config.yaml"
bin="$AGENTOTEL_CACHE/bin/agentotel-collector"
ocb_dir="$AGENTOTEL_CACHE/tools/ocb-$OCB_VERSION"
ocb="$ocb_dir/builder"
work="$AGENTOTEL_CACHE/build/collector"

command -v go >/dev/null || die "go is not installed (the collector is built from the Go module proxy)"
# Go build parallelism stays modest: the machine is shared with other builds and tests.
export GOFLAGS="${GOFLAGS} -p=2"

key="$( (cat "$manifest" "${BASH_SOURCE[0]}"; go version) | sha256sum | cut -c1-16)"
up_to_date() {
  if [ -x "$bin" ] && cached agentotel-collector "$key"; then
    note "agentotel-collector is up to date ($key)"
    echo "$bin"
    return 0
  fi
  return 1
}
up_to_date && exit 0
[ "${1:-}" = "--check" ] && exit 1

# One build at a time; a build that finished while we waited is reused.
mkdir -p "$work"
exec 9>"$work/.lock"
flock 9
up_to_date && exit 0

if [ ! -x "$ocb" ]; then
  step "Installing ocb $OCB_VERSION (go install go.opentelemetry.io/collector/cmd/builder)"
  GOBIN="$ocb_dir" go install "go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION"
fi

step "Building agentotel-collector with ocb $OCB_VERSION (first build takes several minutes)"
start=$SECONDS
# ocb is silent while `go build` compiles; a heartbeat shows the build is alive.
( trap 'kill "$nap" 2>/dev/null; exit 0' TERM
  while :; do sleep 30 & nap=$!; wait "$nap"; note "still building... $((SECONDS - start))s"; done ) &
heartbeat=$!
stop_heartbeat() { kill "$heartbeat" 2>/dev/null || true; wait "$heartbeat" 2>/dev/null || true; }
trap stop_heartbeat EXIT

rm -rf "$work/agentotel-collector-src"
(cd "$work" && "$ocb" --config "$manifest") >&2 \
  || die "ocb failed (see the output above)"

stop_heartbeat
install -m 0755 "$work/agentotel-collector-src/agentotel-collector" "$bin.tmp"
mv -f "$bin.tmp" "$bin"
stamp agentotel-collector "$key"
note "built in $((SECONDS - start))s: $bin"
echo "$bin"
