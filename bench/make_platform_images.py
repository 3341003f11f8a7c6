#!/usr/bin/env python3
"""Writes, for each of N versions, two tiny single-platform OCI images (linux/amd64, linux/arm64),
each as its own OCI image layout (one manifest in index.json, what `buildah push IMG oci:DIR`
writes), for the merge benchmark (bench/merge.sh) to push by digest.

usage: make_platform_images.py DIR N

Writes DIR/<version>-<arch>/ for versions 1.0.0 .. 1.<N-1>.0 and prints the plan as JSON:
[{"version": "1.0.0", "tag": "v1.0.0", "images": {"linux/amd64": {"layout": DIR/..., "digest":
"sha256:..."}, "linux/arm64": {...}}}, ...]. Every image differs (its layer names the version and
platform), so every version's index is distinct. Deterministic: the same N gives the same digests.
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


def layer(text):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        content = text.encode()
        info = tarfile.TarInfo("hello.txt")
        info.size, info.mtime = len(content), 0
        tar.addfile(info, io.BytesIO(content))
    tar_bytes = raw.getvalue()
    return gzip.compress(tar_bytes, mtime=0), "sha256:" + hashlib.sha256(tar_bytes).hexdigest()


def write_image(root, version, os_name, arch):
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    gz, diff_id = layer("hello from version %s on %s/%s\n" % (version, os_name, arch))
    lay = dict(blob(root, gz), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
    config = {"architecture": arch, "os": os_name, "rootfs": {"type": "layers", "diff_ids": [diff_id]},
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
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out, n = sys.argv[1], int(sys.argv[2])
    plan = []
    for i in range(n):
        version = "1.%d.0" % i
        images = {}
        for os_name, arch in PLATFORMS:
            root = os.path.join(out, "%s-%s" % (version, arch))
            images[os_name + "/" + arch] = {"layout": root, "digest": write_image(root, version, os_name, arch)}
        plan.append({"version": version, "tag": "v" + version, "images": images})
    print(json.dumps(plan, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
