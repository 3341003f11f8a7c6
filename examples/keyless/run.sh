#!/usr/bin/env bash
# Keyless signing, offline: Fulcio and Rekor served on loopback by tests/servers/sigstore_mock.js,
# a test identity token, and `mirrorgraph run` with [attestations] signer = "keyless" mirroring the
# hello upstream (examples/hello) into a registry on loopback; then cosign verifies what it pushed.
# (The demo, scripts/demo.sh, stays key-based; this is the keyless flow's example.)
#
#   examples/keyless/run.sh [WORKDIR]     (default: a new temp directory, kept for inspection)
#
# Needs: a build (build/engine/mirrorgraph and the generic plugin: scripts/build.sh), node and
# tests/tools/node_modules (scripts/install-test-tools.sh), /usr/bin/docker-registry, buildah, git,
# curl, python3; cosign for the final check (../shared/tools/cosign-path; skipped without it).
# Environment: MG_BIN (default build/engine/mirrorgraph).
# Stops the mock and the registry when it exits; WORKDIR keeps the config, token and logs.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mg=${MG_BIN:-$root/build/engine/mirrorgraph}
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/mirrorgraph-keyless-XXXXXX")}
[ -x "$mg" ] || { echo "keyless example: $mg is not built (scripts/build.sh)" >&2; exit 2; }
[ -f "$root/tests/tools/node_modules/@sigstore/mock/package.json" ] ||
  { echo "keyless example: run scripts/install-test-tools.sh first (tests/tools/node_modules)" >&2; exit 2; }
mkdir -p "$work"
work=$(cd "$work" && pwd)

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done' EXIT

# 1. Fulcio + Rekor on a free loopback port. It writes its trust material into $work/sigstore:
#    fulcio_chain.pem, ctfe.pub, rekor.pub, trusted_root.json, oidc_key.pem, server.json.
node "$root/tests/servers/sigstore_mock.js" --out "$work/sigstore" >"$work/sigstore.log" 2>&1 &
pids+=($!)
for _ in $(seq 150); do [ -f "$work/sigstore/server.json" ] && break; sleep 0.2; done
sigstore=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$work/sigstore/server.json")
echo "Fulcio and Rekor: $sigstore"

# 2. An identity token, as a CI would hand out: subject (the certificate's identity), issuer,
#    audience "sigstore", ten minutes of validity. mirrorgraph reads it from a file here; in GitHub
#    Actions identity_token = "auto" asks the runner for one instead.
sub=https://ci.example.invalid/team/mirror/.ci.yml@refs/heads/main
iss=https://token.example.invalid
mkdir -p "$work/secrets"
(umask 077 && node "$root/tests/servers/oidc_token.js" --key "$work/sigstore/oidc_key.pem" \
  --sub "$sub" --iss "$iss" >"$work/secrets/token")

# 3. A registry on a free loopback port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/registry"
printf 'version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$work/registry/storage" "$port" >"$work/registry/config.yml"
/usr/bin/docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.2; done
echo "registry: 127.0.0.1:$port"

# 4. The upstream and the config: signatures, SBOM and provenance, all keyless.
[ -d "$work/upstream/.git" ] || "$root/examples/hello/make-upstream.sh" "$work/upstream"
sed -e "s|@REGISTRY@|127.0.0.1:$port|" -e "s|@SIGSTORE@|$sigstore|g" -e "s|@UPSTREAM@|$work/upstream|" \
  -e "s|@TOKEN@|secrets/token|" "$root/examples/keyless/mirror.toml.in" >"$work/mirror.toml"

# 5. The run.
(cd "$work" && MIRRORGRAPH_GRAPH_PATH=$root/graphs "$mg" run)

# 6. cosign verifies offline against the mock's trust material (docs/attestations.md, "Keyless
#    signing: verifying with cosign").
image=127.0.0.1:$port/demo/hello:1.2.0
script=$root/../shared/tools/cosign-path
[ -x "$script" ] || script=/work/shared/tools/cosign-path
if cosign=$("$script" 2>/dev/null | tail -1) && [ -x "$cosign" ]; then
  mkdir -p "$work/cosign-home"
  export HOME=$work/cosign-home DOCKER_CONFIG=$work/cosign-home
  export SIGSTORE_ROOT_FILE=$work/sigstore/fulcio_chain.pem
  export SIGSTORE_REKOR_PUBLIC_KEY=$work/sigstore/rekor.pub
  export SIGSTORE_CT_LOG_PUBLIC_KEY_FILE=$work/sigstore/ctfe.pub
  "$cosign" verify --certificate-identity "$sub" --certificate-oidc-issuer "$iss" \
    --rekor-url "$sigstore" --allow-http-registry "$image" >/dev/null
  for type in spdxjson slsaprovenance1; do
    "$cosign" verify-attestation --type "$type" --certificate-identity "$sub" --certificate-oidc-issuer "$iss" \
      --rekor-url "$sigstore" --allow-http-registry "$image" >/dev/null
  done
  echo "cosign verified the signature and the spdxjson and slsaprovenance1 attestations of $image"
else
  echo "cosign unavailable: skipped the cosign check"
fi
echo "kept: $work"
