#!/bin/sh
# Build the vcsim launcher: a Go module pinned to one govmomi release by go.mod and go.sum.
# Exit 3: no Go, or one older than go.mod needs. A module download failure is an ordinary error.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

need=$(sed -n 's/^go \([0-9][0-9.]*\)$/\1/p' "$here/go.mod")
if ! command -v go >/dev/null 2>&1; then
    echo "build.sh: Go is not installed; the launcher needs Go $need or newer" >&2
    exit 3
fi
have=$(go env GOVERSION | sed 's/^go//; s/[^0-9.].*//')
if [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -n 1)" != "$need" ]; then
    echo "build.sh: Go $have is installed; the launcher needs Go $need or newer" >&2
    exit 3
fi

# The user's module and build caches when Go can place them (GOMODCACHE/GOPATH,
# GOCACHE, else under HOME); under bin/ when it cannot, as with no HOME.
[ -n "$(go env GOMODCACHE)" ] || export GOMODCACHE="$here/bin/.gomodcache"
case "$(go env GOCACHE)" in
    "" | off) export GOCACHE="$here/bin/.gocache" ;;
esac
# Module mode with go.sum as committed; the installed Go, never a downloaded toolchain.
export GO111MODULE=on GOTOOLCHAIN=local GOFLAGS="-mod=readonly -modcacherw -buildvcs=false"

mkdir -p "$here/bin"
cd "$here"
go vet .
go build -o "$here/bin/vcsim-vcdtpm" .
echo "$here/bin/vcsim-vcdtpm"
