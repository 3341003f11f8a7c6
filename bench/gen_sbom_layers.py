#!/usr/bin/env python3
"""Writes a synthetic image's layers (tar.gz) for the SBOM scan benchmark (docs/benchmarks.md).

usage: gen_sbom_layers.py OUT_DIR SCALE [NPM_PACKAGES]

Three layers, base first, gzip level 6 (Docker's default):
  base.tar.gz     etc/os-release, var/lib/dpkg/status (400 packages), and SCALE x ~40 MB of shared
                  libraries copied from this machine's /usr/lib (real binary data, realistic ratio)
  go.tar.gz       SCALE copies of each Go executable found here (skopeo, buildah, docker, cosign):
                  ELF files the scanner streams through its Go build info search
  app.tar.gz      app/package.json and NPM_PACKAGES (default 3,000) node_modules packages, each a
                  package.json and SCALE x 1-4 KB of generated JavaScript
SCALE multiplies the bytes; the number of packages stays the same unless NPM_PACKAGES says so.
A SCALE below 1 (e.g. 0.05, the smoke run's) takes only libraries that fit in its budget and copies
only the smallest Go executable, once.
Writes OUT_DIR/meta.json: {"layers": [...], "compressed_bytes", "uncompressed_bytes", "packages":
{"deb": 400, "npm": NPM_PACKAGES + 1 (the app's own package.json), "go_executables": N}}.
Deterministic for a given machine (file lists are sorted, generated text is seeded).
"""
import glob
import io
import json
import os
import random
import sys
import tarfile


def info(name, size, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mode, ti.mtime, ti.uid, ti.gid = size, mode, 1700000000, 0, 0
    return ti


def add_bytes(tar, name, data, mode=0o644):
    tar.addfile(info(name, len(data), mode), io.BytesIO(data))


def add_file(tar, name, path):
    with open(path, "rb") as f:
        data = f.read()
    add_bytes(tar, name, data, 0o755 if os.access(path, os.X_OK) else 0o644)
    return len(data)


def main():
    out, scale = sys.argv[1], float(sys.argv[2])
    npm_packages = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
    os.makedirs(out, exist_ok=True)
    rnd = random.Random(42)
    raw = 0
    layers = []

    path = os.path.join(out, "base.tar.gz")
    with tarfile.open(path, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
        add_bytes(tar, "etc/os-release", b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')
        status = "".join(
            "Package: pkg%d\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\n"
            "Version: 1.%d-%d+deb12u1\nDescription: package %d\n long description line\n\n" % (i, i, i % 7, i)
            for i in range(400)).encode()
        add_bytes(tar, "var/lib/dpkg/status", status)
        raw += len(status)
        libs = sorted(p for p in glob.glob("/usr/lib/x86_64-linux-gnu/**/*.so*", recursive=True)
                      if os.path.isfile(p) and not os.path.islink(p))
        budget = int(scale * 40 * 1024 * 1024)
        copy = 0
        while budget > 0 and libs:
            for p in libs:
                if budget <= 0:
                    break
                if scale < 1 and os.path.getsize(p) > budget:
                    continue  # a small image takes only libraries that fit
                raw += add_file(tar, "usr/lib/copy%d/%s" % (copy, p.lstrip("/")), p)
                budget -= os.path.getsize(p)
            copy += 1
            if scale < 1:
                break  # one pass: what fits
    layers.append(path)

    path = os.path.join(out, "go.tar.gz")
    with tarfile.open(path, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
        tools = [p for p in ("/usr/bin/skopeo", "/usr/bin/buildah", "/usr/local/bin/docker",
                             os.path.expanduser("~/.cache/mirrorgraph-tools/root/usr/bin/cosign")) if os.path.isfile(p)]
        copies = int(scale)
        if scale < 1 and tools:
            copies, tools = 1, [min(tools, key=os.path.getsize)]
        for i in range(copies):
            for p in tools:
                raw += add_file(tar, "usr/local/bin/%s-%d" % (os.path.basename(p), i), p)
        go_executables = copies * len(tools)
    layers.append(path)

    path = os.path.join(out, "app.tar.gz")
    words = ["const", "function", "return", "module", "exports", "require", "value", "options", "this",
             "undefined", "null", "if", "else", "for", "let", "var", "=>", "{", "}", "(", ")", ";"]
    with tarfile.open(path, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
        add_bytes(tar, "app/package.json", b'{"name":"bench-app","version":"1.0.0","license":"MIT"}')
        for i in range(npm_packages):
            name = "pkg-%d" % i if i % 5 else "@scope%d/pkg-%d" % (i % 50, i)
            manifest = json.dumps({"name": name, "version": "1.%d.%d" % (i % 30, i % 11), "license": "MIT",
                                   "description": "generated package %d" % i, "main": "index.js",
                                   "dependencies": {"pkg-%d" % (i + 1): "^1.0.0"}}).encode()
            base = "app/node_modules/%s/" % name
            add_bytes(tar, base + "package.json", manifest)
            js = " ".join(rnd.choice(words) for _ in range(max(1, int(scale * rnd.randint(300, 1500))))).encode()
            add_bytes(tar, base + "index.js", js)
            raw += len(manifest) + len(js)
    layers.append(path)

    meta = {"layers": layers, "compressed_bytes": sum(os.path.getsize(p) for p in layers), "uncompressed_bytes": raw,
            "packages": {"deb": 400, "npm": npm_packages + 1, "go_executables": go_executables}}
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
