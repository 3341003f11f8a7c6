#!/usr/bin/env python3
"""Writes a tiny OCI image layout whose tag TAG names a 2-platform image index
(linux/amd64 + linux/arm64, one small layer each), for pushing with `skopeo copy --all`.

usage: make_oci_layout.py DIR TAG
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def blob(root, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(root, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def layer_for(platform):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        content = ("mirrorgraph bench image for %s\n" % platform).encode()
        info = tarfile.TarInfo("platform.txt")
        info.size, info.mtime = len(content), 0
        tar.addfile(info, io.BytesIO(content))
    tar_bytes = raw.getvalue()
    return gzip.compress(tar_bytes, mtime=0), "sha256:" + hashlib.sha256(tar_bytes).hexdigest()


def main():
    root, tag = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    manifests = []
    for os_name, arch in (("linux", "amd64"), ("linux", "arm64")):
        gz, diff_id = layer_for(os_name + "/" + arch)
        layer = dict(blob(root, gz), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
        config = {"architecture": arch, "os": os_name, "rootfs": {"type": "layers", "diff_ids": [diff_id]},
                  "config": {}}
        cfg = dict(blob(root, json.dumps(config, sort_keys=True).encode()),
                   mediaType="application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": cfg, "layers": [layer]}
        desc = dict(blob(root, json.dumps(manifest, sort_keys=True).encode()), mediaType=OCI_MANIFEST)
        desc["platform"] = {"architecture": arch, "os": os_name}
        manifests.append(desc)
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}
    idx = dict(blob(root, json.dumps(index, sort_keys=True).encode()), mediaType=OCI_INDEX)
    idx["annotations"] = {"org.opencontainers.image.ref.name": tag}
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [idx]}, f)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    print(idx["digest"])


if __name__ == "__main__":
    main()
