#!/usr/bin/env bash
# Fetches the CustomResourceDefinitions that our Kubernetes manifests use, from the Go modules that
# ship them (the Go module proxy is the one source of them reachable here), into the Go module cache.
# A second run finds them in the cache and returns at once.
# Prints one line per CRD folder: "<name> <folder of CRD YAML files>".
#   prometheus-operator:    PrometheusRule, ServiceMonitor, AlertmanagerConfig (monitoring.coreos.com)
#   opentelemetry-operator: Instrumentation (opentelemetry.io)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../scripts/lib.sh
source "$here/../../scripts/lib.sh"

# prometheus-operator: the release kube-prometheus-stack 88.5.3 deploys (its appVersion). The
# opentelemetry-operator release the chart deploys (0.158.0) is not served by the Go module proxy;
# tests/deploy/test_chart_renders.py validates against the CRDs that chart renders instead.
PROMETHEUS_OPERATOR_VERSION="${PROMETHEUS_OPERATOR_VERSION:-v0.93.1}"
OPENTELEMETRY_OPERATOR_VERSION="${OPENTELEMETRY_OPERATOR_VERSION:-v0.140.0}"

command -v go >/dev/null || die "go is required to fetch CRDs (expected in /usr/local/go/bin)"

# module_dir MODULE@VERSION: the module's extracted folder in the Go module cache.
module_dir() {
  local out
  # Run outside any module: a CRD fetch must not touch a go.mod of the work tree.
  out="$(cd "$AGENTOTEL_CACHE" && GOFLAGS=-mod=mod go mod download -json "$1")" \
    || die "go mod download $1 failed: $out"
  python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])' <<<"$out"
}

step "CRDs from the Go module proxy (prometheus-operator $PROMETHEUS_OPERATOR_VERSION, opentelemetry-operator $OPENTELEMETRY_OPERATOR_VERSION)"
prom="$(module_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")/example/prometheus-operator-crd"
otel="$(module_dir "github.com/open-telemetry/opentelemetry-operator@$OPENTELEMETRY_OPERATOR_VERSION")/config/crd/bases"
[ -f "$prom/monitoring.coreos.com_prometheusrules.yaml" ] || die "no PrometheusRule CRD in $prom"
[ -f "$otel/opentelemetry.io_instrumentations.yaml" ] || die "no Instrumentation CRD in $otel"
echo "prometheus-operator $prom"
echo "opentelemetry-operator $otel"
