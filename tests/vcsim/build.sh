#!/bin/sh
# Build the vcsim launcher against Debian's govmomi sources (GOPATH mode, no downloads).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
gocode=${VCSIM_GOCODE:-/usr/share/gocode}

if ! command -v go >/dev/null 2>&1; then
    echo "build.sh: Go is not installed (apt-get install -y golang-go golang-github-vmware-govmomi-dev)" >&2
    exit 3
fi
if [ ! -d "$gocode/src/github.com/vmware/govmomi/simulator" ]; then
    echo "build.sh: govmomi sources not found under $gocode (apt-get install -y golang-github-vmware-govmomi-dev)" >&2
    exit 4
fi

mkdir -p "$here/bin"
export GOPATH="$gocode" GO111MODULE=off GOPROXY=off GOFLAGS=
export GOCACHE="${GOCACHE:-$here/bin/.gocache}"
cd "$here"
go vet .
go build -o "$here/bin/vcsim-vcdtpm" .
echo "$here/bin/vcsim-vcdtpm"
