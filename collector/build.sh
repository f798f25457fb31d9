#!/usr/bin/env bash
# Builds the agentotel-collector distribution from collector/builder-config.yaml with the
# OpenTelemetry Collector Builder (ocb) and installs it as $AGENTOTEL_CACHE/bin/agentotel-collector.
#
# Idempotent: each build lives under $AGENTOTEL_CACHE/collector/<key>/, where <key> hashes the
# manifest, this script and the Go toolchain; bin/agentotel-collector is a link to the current one.
# The build is skipped when that binary exists, so checkouts with different manifests on one machine
# keep their own builds instead of rebuilding each other's. Safe to run concurrently (a lock per key
# serialises builds). Progress goes to stderr; the last stdout line is the binary's path.
#
#   collector/build.sh           build if needed, print the binary's path
#   collector/build.sh --check   exit 0 (and print the path) only if the binary is current; never builds
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../scripts/lib.sh
source "$here/../scripts/lib.sh"

OCB_VERSION="v0.161.0"   # keep equal to the release every module in builder-config.yaml is pinned to
manifest="$here/builder-config.yaml"
link="$AGENTOTEL_CACHE/bin/agentotel-collector"
ocb_dir="$AGENTOTEL_CACHE/tools/ocb-$OCB_VERSION"
ocb="$ocb_dir/builder"

command -v go >/dev/null || die "go is not installed (the collector is built from the Go module proxy)"
# Go build parallelism stays modest: the machine is shared with other builds and tests.
export GOFLAGS="${GOFLAGS} -p=2"

key="$( (cat "$manifest" "${BASH_SOURCE[0]}"; go version) | sha256sum | cut -c1-16)"
out="$AGENTOTEL_CACHE/collector/$key"
bin="$out/agentotel-collector"
work="$AGENTOTEL_CACHE/build/collector-$key"
up_to_date() {
  if [ -x "$bin" ]; then
    [ "$(readlink "$link" 2>/dev/null)" = "$bin" ] || ln -sfn "$bin" "$link"
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
src="$work/agentotel-collector-src"
# ocb writes the sources and go.mod, then runs `go mod tidy`, which also resolves the test-only
# imports of every dependency; k8sattributesprocessor's tests import a module that the Go module
# proxy does not serve (pkg/semconvtest), so that step fails. `go mod tidy -e` then records every
# module the binary needs and leaves that one out; `go build` below fails on anything really missing.
(cd "$work" && "$ocb" --config "$manifest" --skip-compilation) >&2 \
  || note "ocb could not resolve test-only imports of dependencies; resolving with go mod tidy -e"
[ -f "$src/go.mod" ] && [ -f "$src/components.go" ] || die "ocb generated no sources (see the output above)"
(cd "$src" && go mod tidy -e) >&2 || die "go mod tidy failed (see the output above)"
# A static binary (no cgo), so that the OCI image needs no libc (collector/image.sh).
(cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o agentotel-collector .) >&2 \
  || die "go build failed (see the output above)"

stop_heartbeat
mkdir -p "$out"
install -m 0755 "$work/agentotel-collector-src/agentotel-collector" "$bin.tmp"
mv -f "$bin.tmp" "$bin"
ln -sfn "$bin" "$link"
note "built in $((SECONDS - start))s: $bin"
echo "$bin"
