#!/bin/sh
# Builds the image on a host that reaches a Debian mirror and the Go module proxy but no
# container registry, as many government networks do. The Dockerfile's two base images
# (golang:1.26-bookworm and distroless/static-debian12:nonroot) are made locally instead:
#
#   hailong-base/golang:1.26-bookworm   Debian bookworm (minbase) with ca-certificates and the Go
#                                        toolchain GO_VERSION, fetched through the module proxy
#   hailong-base/static:nonroot          what the runtime needs of distroless/static: the users
#                                        root, nobody and nonroot (65532), CA certificates,
#                                        time zones and /tmp; no shell
#
# then the image itself, tagged hailong:local. Run as root (debootstrap, chroot) beside a
# running Docker engine:
#
#   sudo deploy/base-images.sh                 # GO_VERSION=go1.26.11 by default
#   sudo GO_VERSION=go1.26.12 DEBIAN_MIRROR=http://mirror.example/debian deploy/base-images.sh
#
# BUILD_NETWORK=host is for an engine started without a bridge network (dockerd --bridge=none),
# whose builds otherwise cannot reach the module proxy. Certificates under
# /usr/local/share/ca-certificates (an egress proxy's, say) are trusted by the build image too.
set -eu

GO_VERSION=${GO_VERSION:-go1.26.11}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BUILD_NETWORK=${BUILD_NETWORK:-default}
repo=$(cd "$(dirname "$0")/.." && pwd)

for cmd in debootstrap docker go; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "base-images.sh: $cmd is needed" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

echo "base-images.sh: Debian bookworm from $DEBIAN_MIRROR"
debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null
fi
chroot "$root" apt-get clean

echo "base-images.sh: Go toolchain $GO_VERSION through the module proxy"
goroot=$(GOTOOLCHAIN=$GO_VERSION GOFLAGS= go env GOROOT)
cp -R "$goroot" "$root/usr/local/go"
chmod -R u+w "$root/usr/local/go" # the module cache keeps it read-only
"$root/usr/local/go/bin/go" version

tar -C "$root" -c . | docker import \
  -c 'ENV PATH=/usr/local/go/bin:/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV GOPATH=/go' -c 'WORKDIR /go' - hailong-base/golang:1.26-bookworm >/dev/null

rt=$work/runtime
mkdir -p "$rt/etc/ssl/certs" "$rt/usr/share" "$rt/tmp" "$rt/home/nonroot" "$rt/root"
cat >"$rt/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
cat >"$rt/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
nonroot:x:65532:
EOF
cp "$root/etc/ssl/certs/ca-certificates.crt" "$rt/etc/ssl/certs/"
cp -R "$root/usr/share/zoneinfo" "$rt/usr/share/"
cp "$root/usr/lib/os-release" "$rt/etc/os-release"
chmod 1777 "$rt/tmp"
chmod 700 "$rt/root"
chown 65532:65532 "$rt/home/nonroot"
printf 'FROM scratch\nCOPY . /\n' >"$work/Dockerfile.runtime"
docker build -q -f "$work/Dockerfile.runtime" -t hailong-base/static:nonroot "$rt" >/dev/null

echo "base-images.sh: the image"
DOCKER_BUILDKIT=1 docker build --network "$BUILD_NETWORK" \
  --build-arg GO_IMAGE=hailong-base/golang:1.26-bookworm \
  --build-arg RUNTIME_IMAGE=hailong-base/static:nonroot \
  -t hailong:local "$repo"
docker image ls hailong:local
