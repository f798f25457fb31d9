#!/usr/bin/env bash
# Builds the OCI image of the agentotel-collector distribution without Docker: collector/image/
# (a small Go program on go-containerregistry, from the Go module proxy) writes an OCI image layout
# from the static binary that collector/build.sh made, the CA bundle and the collector configs.
#
# Base: none (scratch). The binary is static (CGO_ENABLED=0), so the image needs no libc, shell or
# package manager: only the CA certificates (for TLS exporters) and the configs. It runs as the
# non-root user 10001, like the upstream collector images.
#
# Cached: the image is rebuilt only when the binary, the configs, the CA bundle or the tool change.
# Prints the OCI layout folder as its last stdout line; beside it, agentotel-collector.tar is the same
# image as a `docker load` tarball tagged $IMAGE_REF.
#
#   collector/image.sh                       build if needed
#   crane push "$(collector/image.sh | tail -n1)" ghcr.io/agentotel/agentotel-collector:0.161.0
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../scripts/lib.sh
source "$here/../scripts/lib.sh"

command -v go >/dev/null || die "go is not installed (the image tool is built from the Go module proxy)"
# The name and tag deploy/ uses (deploy/helm/src/gateway-settings.yaml); the tag is the release our
# distribution is built from (builder-config.yaml dist.version).
version="$(awk '/^  version:/ {print $2; exit}' "$here/builder-config.yaml")"
IMAGE_REF="${IMAGE_REF:-ghcr.io/agentotel/agentotel-collector:$version}"
ca_bundle="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
[ -f "$ca_bundle" ] || die "no CA bundle at $ca_bundle (Debian package ca-certificates)"

bin="$(bash "$here/build.sh" | tail -n1)"

tool_key="$( (cat "$here/image/go.mod" "$here/image/go.sum" "$here/image/main.go"; go version) | sha256sum | cut -c1-16)"
tool="$AGENTOTEL_CACHE/tools/ociimage-$tool_key/ociimage"
if [ ! -x "$tool" ]; then
  step "Building the OCI image tool (go-containerregistry, from the Go module proxy)"
  (cd "$here/image" && CGO_ENABLED=0 go build -p 2 -trimpath -o "$tool.tmp" .) >&2 || die "building collector/image failed"
  mv -f "$tool.tmp" "$tool"
fi

key="$( (sha256sum "$bin" "$ca_bundle" "$here/config.yaml" "$here"/overlays/*.yaml | cut -d' ' -f1; \
         echo "$tool_key $IMAGE_REF ${SOURCE_DATE_EPOCH:-0}") | sha256sum | cut -c1-16)"
out="$AGENTOTEL_CACHE/image/$key"
if [ -f "$out/oci/index.json" ] && [ -f "$out/agentotel-collector.tar" ]; then
  note "agentotel-collector image is up to date ($out/oci)"
  echo "$out/oci"
  exit 0
fi

step "Writing the agentotel-collector OCI image ($IMAGE_REF)"
mkdir -p "$out"
digest="$("$tool" -binary "$bin" -ca-certs "$ca_bundle" -configs "$here" -version "$version" \
  -created "${SOURCE_DATE_EPOCH:-0}" -out "$out/oci.tmp" -tar "$out/agentotel-collector.tar.tmp" -tag "$IMAGE_REF")" \
  || die "writing the image failed"
rm -rf "$out/oci"
mv -f "$out/oci.tmp" "$out/oci"
mv -f "$out/agentotel-collector.tar.tmp" "$out/agentotel-collector.tar"
note "image $IMAGE_REF: $digest"
echo "$out/oci"
