#!/bin/sh
# Build Helm from its Go module, pinned, into tests/chart/bin/helm (the chart tests use it).
# Exit 3: no Go, or one older than the module needs. A module download failure is an ordinary error.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
HELM_MODULE=helm.sh/helm/v4
HELM_VERSION=v4.3.2

if ! command -v go >/dev/null 2>&1; then
    echo "build_helm.sh: Go is not installed; Helm $HELM_VERSION builds with Go" >&2
    exit 3
fi
if [ -x "$here/bin/helm" ] && "$here/bin/helm" version --template '{{.Version}}' 2>/dev/null | grep -qx "$HELM_VERSION"; then
    echo "$here/bin/helm"
    exit 0
fi
[ -n "$(go env GOMODCACHE)" ] || export GOMODCACHE="$here/bin/.gomodcache"
case "$(go env GOCACHE)" in
    "" | off) export GOCACHE="$here/bin/.gocache" ;;
esac
# The installed Go, never a downloaded toolchain; Helm's own go.mod and go.sum decide its dependencies.
# Helm reads its version from ldflags (internal/version), so the binary reports the pinned release.
export GO111MODULE=on GOTOOLCHAIN=local GOFLAGS="-mod=mod -modcacherw -buildvcs=false"
mkdir -p "$here/bin"
GOBIN="$here/bin" go install \
    -ldflags "-X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
    "$HELM_MODULE/cmd/helm@$HELM_VERSION"
echo "$here/bin/helm"
