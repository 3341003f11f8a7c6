# shellcheck shell=bash
# Sourced by bench/attest.sh for SIGNER=keyless: the Sigstore stand-in (Fulcio v2 and v1, Rekor v1)
# of the keyless tests, tests/servers/sigstore_mock.js, on a free loopback port, and test identity
# tokens from tests/servers/oidc_token.js (docs/testing.md, "Keyless signing tests").
#
#   bench_sigstore_missing       prints why the stand-in cannot run (no node, no
#                                tests/tools/node_modules/@sigstore/mock: scripts/install-test-tools.sh)
#                                and returns 1; returns 0 silently when it can.
#   bench_sigstore_start DIR     starts the stand-in writing its trust material into DIR
#                                (fulcio_chain.pem, rekor.pub, ctfe.pub, trusted_root.json,
#                                oidc_key.pem), waits for it; sets bench_sigstore (its URL, for both
#                                Fulcio and Rekor) and bench_sigstore_pid. Exits the script on failure.
#   bench_sigstore_token FILE SUB ISS
#                                writes a fresh token (10 minutes) for identity SUB from issuer ISS,
#                                without an "email" claim (cosign would take the email as the
#                                identity, and refuses one without "email_verified").
#   bench_sigstore_entries       prints how many entries the stand-in's Rekor has logged.
#   bench_sigstore_stop          stops it (safe to call twice, and when none was started).
#
# Only the process it started is ever killed (by its pid).

bench_sigstore=""
bench_sigstore_pid=""
bench_sigstore_dir=""
bench_sigstore_servers="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/servers" && pwd)"

bench_sigstore_missing() {
  local modules="$bench_sigstore_servers/../tools/node_modules"
  if ! command -v node >/dev/null; then
    echo "node is not on PATH"
    return 1
  fi
  if [[ ! -f "$modules/@sigstore/mock/package.json" ]]; then
    echo "no $modules/@sigstore/mock (scripts/install-test-tools.sh)"
    return 1
  fi
  return 0
}

bench_sigstore_start() {
  local dir=$1 i
  bench_sigstore_dir=$dir
  mkdir -p "$dir"
  node "$bench_sigstore_servers/sigstore_mock.js" --out "$dir" >"$dir/log" 2>&1 &
  bench_sigstore_pid=$!
  for ((i = 0; i < 300; i++)); do
    [[ -f "$dir/server.json" ]] && break
    kill -0 "$bench_sigstore_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ ! -f "$dir/server.json" ]]; then
    echo "sigstore_mock.js did not start (log: $dir/log):" >&2
    tail -n 5 "$dir/log" >&2
    bench_sigstore_stop
    exit 1
  fi
  bench_sigstore=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["url"])' "$dir/server.json")
}

bench_sigstore_token() {
  local file=$1 sub=$2 iss=$3
  mkdir -p "$(dirname "$file")"
  node "$bench_sigstore_servers/oidc_token.js" --key "$bench_sigstore_dir/oidc_key.pem" --sub "$sub" --iss "$iss" \
    --no-email >"$file.tmp" && mv "$file.tmp" "$file"
}

bench_sigstore_entries() {
  curl -fs "$bench_sigstore/__stats" | python3 -c 'import json, sys; print(json.load(sys.stdin)["entries"])'
}

bench_sigstore_stop() {
  if [[ -n "$bench_sigstore_pid" ]]; then
    kill "$bench_sigstore_pid" 2>/dev/null || true
    wait "$bench_sigstore_pid" 2>/dev/null || true
    bench_sigstore_pid=""
  fi
}
