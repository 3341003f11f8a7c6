#!/usr/bin/env python3
"""Small OCI registry helper for tests/integration/sigstore/keyless_test.sh (plain http, loopback).

  registry.py HOST REPO tags                       tags, one a line
  registry.py HOST REPO signature-tags             the .sig/.att tags, one a line
  registry.py HOST REPO check-complete             every .sig/.att layer carries its certificate,
                                                   cosign bundle and Sigstore bundle (an attestation's
                                                   without the DSSE payload); prints a count
  registry.py HOST REPO extract TAG DIR            DIR/N.bundle.json (dev.mirrorgraph/sigstore-bundle,
                                                   an attestation's with its payload from the layer)
                                                   and DIR/N.payload (the layer) per layer of TAG
  registry.py HOST REPO save TAG FILE              the manifest of TAG, byte for byte
  registry.py HOST REPO put TAG FILE               PUT FILE as TAG's manifest
  registry.py HOST REPO flip-signature TAG         rewrites TAG's manifest with one byte of its first
                                                   layer's dev.cosignproject.cosign/signature flipped
"""
import base64
import json
import os
import sys
import urllib.request

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
ACCEPT = ", ".join([OCI_MANIFEST, "application/vnd.oci.image.index.v1+json",
                    "application/vnd.docker.distribution.manifest.v2+json"])
SIG = "dev.cosignproject.cosign/signature"
CERT = "dev.sigstore.cosign/certificate"
COSIGN_BUNDLE = "dev.sigstore.cosign/bundle"
SIGSTORE_BUNDLE = "dev.mirrorgraph/sigstore-bundle"


def get(host, path, accept=None):
    req = urllib.request.Request(f"http://{host}{path}", headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read(), r.headers.get("Content-Type", "")


def tags(host, repo):
    try:
        body, _ = get(host, f"/v2/{repo}/tags/list")
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return []
        raise
    return json.loads(body).get("tags") or []


def manifest(host, repo, tag):
    body, ctype = get(host, f"/v2/{repo}/manifests/{tag}", ACCEPT)
    return body, ctype


def put(host, repo, tag, body, ctype=OCI_MANIFEST):
    req = urllib.request.Request(f"http://{host}/v2/{repo}/manifests/{tag}", data=body, method="PUT",
                                 headers={"Content-Type": ctype})
    urllib.request.urlopen(req, timeout=60).read()


def signature_tags(host, repo):
    return [t for t in tags(host, repo) if t.endswith(".sig") or t.endswith(".att")]


def main():
    host, repo, cmd, *rest = sys.argv[1:]
    if cmd == "tags":
        print("\n".join(tags(host, repo)))
    elif cmd == "signature-tags":
        print("\n".join(signature_tags(host, repo)))
    elif cmd == "check-complete":
        n = 0
        bad = []
        for t in signature_tags(host, repo):
            m = json.loads(manifest(host, repo, t)[0])
            for i, layer in enumerate(m.get("layers", [])):
                a = layer.get("annotations", {})
                # An attestation's signature is inside its DSSE envelope (the layer), not annotated.
                need = (SIG, CERT, COSIGN_BUNDLE, SIGSTORE_BUNDLE) if t.endswith(".sig") else (CERT, COSIGN_BUNDLE, SIGSTORE_BUNDLE)
                missing = [k for k in need if not a.get(k)]
                if missing:
                    bad.append(f"{t} layer {i}: no {', '.join(missing)}")
                elif t.endswith(".att") and "payload" in json.loads(a[SIGSTORE_BUNDLE]).get("dsseEnvelope", {}):
                    bad.append(f"{t} layer {i}: the Sigstore bundle repeats the envelope's payload")
                n += 1
        if bad:
            print("half-signed layers:\n  " + "\n  ".join(bad), file=sys.stderr)
            sys.exit(1)
        print(n)
    elif cmd == "extract":
        tag, out = rest
        os.makedirs(out, exist_ok=True)
        m = json.loads(manifest(host, repo, tag)[0])
        for i, layer in enumerate(m["layers"]):
            blob, _ = get(host, f"/v2/{repo}/blobs/{layer['digest']}")
            bundle = json.loads(layer["annotations"][SIGSTORE_BUNDLE])
            # An attestation's bundle is stored without its DSSE payload (the layer blob is the
            # envelope, docs/attestations.md): the whole bundle takes the payload from the layer.
            dsse = bundle.get("dsseEnvelope")
            if isinstance(dsse, dict) and "payload" not in dsse:
                dsse["payload"] = json.loads(blob)["payload"]
            with open(os.path.join(out, f"{i}.bundle.json"), "w") as f:
                json.dump(bundle, f)
            with open(os.path.join(out, f"{i}.payload"), "wb") as f:
                f.write(blob)
        print(len(m["layers"]))
    elif cmd == "save":
        tag, path = rest
        with open(path, "wb") as f:
            f.write(manifest(host, repo, tag)[0])
    elif cmd == "put":
        tag, path = rest
        with open(path, "rb") as f:
            body = f.read()
        put(host, repo, tag, body, json.loads(body).get("mediaType", OCI_MANIFEST))
    elif cmd == "flip-signature":
        (tag,) = rest
        body, _ = manifest(host, repo, tag)
        m = json.loads(body)
        a = m["layers"][0]["annotations"]
        sig = bytearray(base64.b64decode(a[SIG]))
        sig[len(sig) // 2] ^= 0x01
        a[SIG] = base64.b64encode(bytes(sig)).decode()
        put(host, repo, tag, json.dumps(m).encode(), m.get("mediaType", OCI_MANIFEST))
    else:
        sys.exit(f"registry.py: unknown command {cmd}")


if __name__ == "__main__":
    main()
