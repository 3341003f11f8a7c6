#!/usr/bin/env bash
# Registers qemu-user-static's aarch64 handler with the kernel (binfmt_misc), so arm64 RUN steps of
# emulated builds (`emulation = true`, docs/builders.md) run on an amd64 machine. Best effort and
# idempotent: prints what it did or why not, and always exits 0 (builds that need it then fail with
# the builder's own message, and tests that need it skip with a reason).
set -u
dir=/proc/sys/fs/binfmt_misc
if [ -e "$dir/qemu-aarch64" ]; then
  echo "enable-binfmt: qemu-aarch64 is registered"
  exit 0
fi
if [ "$(uname -m)" = aarch64 ]; then
  echo "enable-binfmt: this machine is arm64; no emulation needed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "enable-binfmt: not root; cannot register qemu-aarch64 (arm64 RUN steps will not run here)"
  exit 0
fi
if [ ! -e "$dir/register" ]; then
  mount -t binfmt_misc binfmt_misc "$dir" 2>/dev/null || {
    echo "enable-binfmt: cannot mount binfmt_misc on $dir (a container without the privilege?)"
    exit 0
  }
fi
conf=/usr/lib/binfmt.d/qemu-aarch64.conf
if [ ! -r "$conf" ]; then
  echo "enable-binfmt: $conf is missing (install qemu-user-static)"
  exit 0
fi
# One line, ":name:type:offset:magic:mask:interpreter:flags", as the kernel's register file takes it.
if grep -v '^#' "$conf" | head -n 1 >"$dir/register" 2>/dev/null && [ -e "$dir/qemu-aarch64" ]; then
  echo "enable-binfmt: registered qemu-aarch64"
else
  echo "enable-binfmt: the kernel refused $conf"
fi
exit 0
