#!/usr/bin/env python3
"""Writes the layer_fuzz seed corpus (corpus/layer_fuzz/): small image layers, tar, tar.gz and
tar.zst-free, holding what the SBOM scanner reads (docs/sbom.md). Deterministic: fixed mtimes and
owners, gzip without a timestamp. Run from anywhere; rewrites the files in place."""
import gzip
import io
import os
import tarfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "layer_fuzz")

DPKG = b"""Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 12986
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries

Package: bash
Essential: yes
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2
Description: GNU Bourne Again SHell

Package: removed-pkg
Status: deinstall ok config-files
Architecture: all
Version: 1.0
"""

APK = b"""C:Q1abcdefghijklmnopqrstuvwxyz0123=
P:musl
V:1.2.4-r2
A:x86_64
L:MIT
o:musl
T:the musl c library (libc) implementation

P:busybox
V:1.36.1-r5
A:x86_64
L:GPL-2.0-only
"""

DEBIAN_OS = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'
ALPINE_OS = b"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME='Alpine Linux v3.19'\n"
APP_PKG = b'{"name":"outline","version":"0.82.0","license":"BSL-1.1","dependencies":{"koa":"^2.15.0"}}'
DEP_PKG = b'{"name":"@babel/core","version":"7.24.0","license":"MIT"}'


def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for e in entries:
            name, kind = e[0], e[1]
            info = tarfile.TarInfo(name)
            info.mtime = 1700000000
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            if kind == "file":
                data = e[2]
                info.size = len(data)
                info.mode = e[3] if len(e) > 3 else 0o644
                tar.addfile(info, io.BytesIO(data))
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = e[2]
                tar.addfile(info)
            elif kind == "hardlink":
                info.type = tarfile.LNKTYPE
                info.linkname = e[2]
                tar.addfile(info)
    return buf.getvalue()


def gz(data):
    return gzip.compress(data, mtime=0)


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    debian = tar_bytes([
        ("etc", "dir"),
        ("usr/lib/os-release", "file", DEBIAN_OS),
        ("etc/os-release", "symlink", "../usr/lib/os-release"),
        ("var/lib/dpkg/status", "file", DPKG),
        ("var/lib/dpkg/status.d/extra", "file", b"Package: tzdata\nStatus: install ok installed\nVersion: 2024a-0+deb12u1\nArchitecture: all\n"),
    ])
    write("debian-base.tar", debian)
    write("debian-base.tar.gz", gz(debian))
    write("alpine.tar.gz", gz(tar_bytes([
        ("etc/os-release", "file", ALPINE_OS),
        ("lib/apk/db/installed", "file", APK),
    ])))
    write("node-app.tar", tar_bytes([
        ("opt/outline/package.json", "file", APP_PKG),
        ("opt/outline/node_modules/@babel/core/package.json", "file", DEP_PKG),
        ("opt/outline/node_modules/broken/package.json", "file", b"{not json"),
        ("app/package.json", "hardlink", "opt/outline/package.json"),
    ]))
    write("whiteouts.tar", tar_bytes([
        ("var/lib/dpkg/.wh.status", "file", b""),
        ("opt/outline/node_modules/.wh..wh..opq", "file", b""),
        ("etc/.wh..wh.aufs", "file", b""),
    ]))
    write("hostile-names.tar", tar_bytes([
        ("../etc/os-release", "file", DEBIAN_OS),
    ]))
    write("symlink-loop.tar", tar_bytes([
        ("etc/os-release", "symlink", "../usr/lib/os-release"),
        ("usr/lib/os-release", "symlink", "../../etc/os-release"),
    ]))
    write("elf-not-go.tar", tar_bytes([
        ("usr/bin/tool", "file", b"\x7fELF\x02\x01\x01" + b"\x00" * 57 + b"\xff Go buildinf:" + b"\x00" * 32, 0o755),
    ]))


if __name__ == "__main__":
    main()
