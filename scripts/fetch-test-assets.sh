#!/usr/bin/env bash
# Prepares what the build integration tests put into their images: static busybox binaries for
# amd64 and arm64 (Debian's busybox-static), so a test Dockerfile can have a RUN step on both
# platforms without any base image from a registry. Writes
#   $MG_TEST_ASSETS/busybox/<arch>/busybox      (default MG_TEST_ASSETS=/var/cache/mirrorgraph-test)
# Best effort and idempotent: without them the tests use a COPY-only Dockerfile and say so.
# Needs root (dpkg --add-architecture arm64, apt-get update) the first time.
set -u
dest=${MG_TEST_ASSETS:-/var/cache/mirrorgraph-test}/busybox
if [ -x "$dest/amd64/busybox" ] && [ -x "$dest/arm64/busybox" ]; then
  echo "fetch-test-assets: busybox for amd64 and arm64 is in $dest"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "fetch-test-assets: not root; skipped (tests will use COPY-only Dockerfiles)"
  exit 0
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64 && apt-get update -qq >/dev/null || {
    echo "fetch-test-assets: cannot add the arm64 architecture to apt; skipped"
    exit 0
  }
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for arch in amd64 arm64; do
  ( cd "$tmp" && apt-get download -q "busybox-static:$arch" >/dev/null 2>&1 ) || {
    echo "fetch-test-assets: apt-get download busybox-static:$arch failed; skipped"
    exit 0
  }
  mkdir -p "$dest/$arch"
  dpkg-deb --fsys-tarfile "$tmp"/busybox-static_*_"$arch".deb | tar -xO ./bin/busybox >"$dest/$arch/busybox.tmp" &&
    chmod 0755 "$dest/$arch/busybox.tmp" && mv "$dest/$arch/busybox.tmp" "$dest/$arch/busybox"
done
echo "fetch-test-assets: busybox for amd64 and arm64 written to $dest"
