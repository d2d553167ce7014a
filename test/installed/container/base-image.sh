#!/usr/bin/env bash
# Builds localhost/stitch-sandbox-base: a stand-in for node:20-bookworm-slim where Docker Hub is out
# of reach but Debian's mirror is. A minimal Debian bookworm (debootstrap --variant=minbase) with
# this machine's node and npm where the official image has them (/usr/local), and the machine's extra
# CA certificates (NODE_EXTRA_CA_CERTS), so npm inside reaches the registry as it does here, through
# a TLS-inspecting proxy if there is one. When this machine builds native addons against local node
# headers (npm's `nodedir`, because nodejs.org is out of reach), the image gets them too. Idempotent: the image
# is kept by podman, and the debootstrapped tree is cached as a tarball, so it is made once per
# machine (STITCH_CONTAINER_CACHE, default /var/cache/stitch-sandbox).
set -euo pipefail

IMAGE=localhost/stitch-sandbox-base
NODE_VERSION=$(node -p process.versions.node)
TAG="$IMAGE:node-$NODE_VERSION"
CACHE=${STITCH_CONTAINER_CACHE:-/var/cache/stitch-sandbox}
ROOTFS_TAR="$CACHE/bookworm-minbase.tar"

if podman image exists "$TAG"; then
  echo "$TAG"
  exit 0
fi

mkdir -p "$CACHE"
if [ ! -s "$ROOTFS_TAR" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >&2
  tar -C "$work/rootfs" -cf "$ROOTFS_TAR.tmp" .
  mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  rm -rf "$work"
  trap - EXIT
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
tar -C "$staging" -xf "$ROOTFS_TAR"
install -D -m 0755 "$(command -v node)" "$staging/usr/local/bin/node"
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
mkdir -p "$staging/usr/local/lib/node_modules"
cp -a "$npm_dir" "$staging/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$staging/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$staging/usr/local/bin/npx"
changes=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  install -D -m 0644 "$NODE_EXTRA_CA_CERTS" "$staging/usr/local/share/stitch-sandbox/extra-ca.crt"
  changes=(--change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/stitch-sandbox/extra-ca.crt")
fi
nodedir=$(npm config get nodedir 2>/dev/null || true)
if [ -n "$nodedir" ] && [ "$nodedir" != "null" ] && [ -f "$nodedir/include/node/node_version.h" ]; then
  mkdir -p "$staging/usr/local/include"
  cp -a "$nodedir/include/node" "$staging/usr/local/include/node"
  changes+=(--change "ENV npm_config_nodedir=/usr/local")
fi
tar -C "$staging" -c . | podman import "${changes[@]}" - "$TAG" >&2
echo "$TAG"
