#!/usr/bin/env bash
# Installs the Helm CLI into $AGENTOTEL_CACHE/bin/helm, built from the Go module proxy (no chart
# repository or download site is needed). Cached: a second run with the same version returns at once.
# Prints the binary's path as its last stdout line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../scripts/lib.sh
source "$here/../../scripts/lib.sh"

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
bin="$AGENTOTEL_CACHE/bin/helm"
# go install does not stamp Helm's version the way its release build does: set it, so that
# `helm version` and charts' `.Capabilities.HelmVersion` report the real one.
ldflags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
key="helm-$HELM_VERSION-$(go env GOVERSION 2>/dev/null)-$ldflags"

if cached helm "$key" && [ -x "$bin" ]; then
  note "helm $HELM_VERSION already installed ($bin)"
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || die "go is required to build helm (expected in /usr/local/go/bin)"
step "Building helm $HELM_VERSION from the Go module proxy (a few minutes on first run)"
start=$SECONDS
# -v lists each package as it compiles; every 50th is shown as progress.
log="$AGENTOTEL_CACHE/helm-install.log"
if ! GOBIN="$AGENTOTEL_CACHE/bin" GOMAXPROCS="${GOMAXPROCS:-2}" \
  go install -p 2 -v -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" 2>&1 \
  | tee "$log" \
  | awk '{ n++; if (n % 50 == 0) { printf "    ... %d packages compiled (%s)\n", n, $0 > "/dev/stderr"; fflush() } }'
then
  tail -n 30 "$log" >&2
  die "go install helm $HELM_VERSION failed (full log: $log)"
fi
[ -x "$bin" ] || die "helm binary missing after go install: $bin"
stamp helm "$key"
note "helm $HELM_VERSION built in $((SECONDS - start))s: $("$bin" version --short)"
echo "$bin"
