#!/usr/bin/env python3
"""Writes, for each of N versions, two single-platform OCI images (linux/amd64, linux/arm64) with
something for an SBOM to find, each as its own OCI image layout, for the attestation benchmark
(bench/attest.sh) to push by digest.

usage: make_attest_images.py DIR N [DEB_PACKAGES] [NPM_PACKAGES]

Each image has one gzip layer: etc/os-release (Debian 12), var/lib/dpkg/status with DEB_PACKAGES
installed packages (default 120), app/package.json and NPM_PACKAGES packages under
app/node_modules (default 80), plus a file naming the version and platform (so every image, and
so every version's index, is distinct). Its config has a fixed "created". Prints the plan as JSON,
the shape bench/make_platform_images.py prints: [{"version": "1.0.0", "tag": "v1.0.0", "images":
{"linux/amd64": {"layout": DIR/..., "digest": "sha256:..."}, ...}}, ...]. Deterministic.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
PLATFORMS = (("linux", "amd64"), ("linux", "arm64"))


def blob(root, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(root, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def layer(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, text in files:
            content = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(content), 0, 0o644
            tar.addfile(info, io.BytesIO(content))
    tar_bytes = raw.getvalue()
    return gzip.compress(tar_bytes, mtime=0), "sha256:" + hashlib.sha256(tar_bytes).hexdigest()


def files_for(version, arch, debs, npms):
    status = []
    for i in range(debs):
        status.append("Package: lib%03d\nStatus: install ok installed\nPriority: optional\nArchitecture: %s\n"
                      "Version: 1.%d-%d+deb12u1\nDescription: package %d\n" % (i, arch, i, i % 7, i))
    files = [
        ("etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'),
        ("var/lib/dpkg/status", "\n".join(status)),
        ("app/package.json", json.dumps({"name": "app", "version": version, "license": "MIT"})),
        ("app/BUILD", "version %s for linux/%s\n" % (version, arch)),
    ]
    for i in range(npms):
        files.append(("app/node_modules/pkg-%03d/package.json" % i,
                      json.dumps({"name": "pkg-%03d" % i, "version": "2.%d.0" % i, "license": "MIT"})))
    return files


def write_image(root, version, os_name, arch, debs, npms):
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    gz, diff_id = layer(files_for(version, arch, debs, npms))
    lay = dict(blob(root, gz), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
    config = {"architecture": arch, "os": os_name, "created": "2024-05-06T07:08:09Z",
              "rootfs": {"type": "layers", "diff_ids": [diff_id]},
              "config": {"Labels": {"org.opencontainers.image.version": version}}}
    cfg = dict(blob(root, json.dumps(config, sort_keys=True).encode()),
               mediaType="application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": cfg, "layers": [lay]}
    desc = dict(blob(root, json.dumps(manifest, sort_keys=True).encode()), mediaType=OCI_MANIFEST)
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [desc]}, f)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    return desc["digest"]


def main():
    if len(sys.argv) not in (3, 4, 5):
        sys.exit(__doc__)
    out, n = sys.argv[1], int(sys.argv[2])
    debs = int(sys.argv[3]) if len(sys.argv) > 3 else 120
    npms = int(sys.argv[4]) if len(sys.argv) > 4 else 80
    plan = []
    for v in range(n):
        version = "1.%d.0" % v
        images = {}
        for os_name, arch in PLATFORMS:
            root = os.path.join(out, "%s-%s" % (version, arch))
            images["%s/%s" % (os_name, arch)] = {"layout": root,
                                                 "digest": write_image(root, version, os_name, arch, debs, npms)}
        plan.append({"version": version, "tag": "v" + version, "images": images})
    json.dump(plan, sys.stdout)
    print()


if __name__ == "__main__":
    main()
