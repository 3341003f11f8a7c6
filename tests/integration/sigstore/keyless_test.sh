#!/usr/bin/env bash
# integration.sigstore.keyless: `mirrorgraph run` with [attestations] signer = "keyless" against
# Fulcio and Rekor served on loopback by tests/servers/sigstore_mock.js (@sigstore/mock), then
# independent verifiers on what it pushed (docs/testing.md, "Keyless signing tests"):
#   - cosign 2.x (../shared/tools/cosign-path) pointed at the mock's trust material with
#     SIGSTORE_ROOT_FILE / SIGSTORE_REKOR_PUBLIC_KEY / SIGSTORE_CT_LOG_PUBLIC_KEY_FILE:
#     `cosign verify` and `cosign verify-attestation --type spdxjson|slsaprovenance1`;
#   - @sigstore/verify (tests/servers/sigstore_verify.js) on the Sigstore bundle v0.3 stored in each
#     layer's dev.mirrorgraph/sigstore-bundle annotation, with the mock's trusted_root.json.
# Each accepts the good case and refuses: a wrong identity, a wrong issuer, a flipped signature
# byte, a certificate from another root (a second mock), a log entry the trusted log never made
# (the second mock's Rekor key);
#   - `mirrorgraph verify` itself (keyless flags, cosign's variables or a trusted_root.json, and
#     --require signature,sbom,provenance), which must agree with cosign on every case.
# Faults first, each a failing run that pushes nothing half-signed: no token file, an expired
# token, identity_token = "auto" with none in the environment, Fulcio answering garbage or down,
# Rekor down or answering garbage; then the good run completes what they left missing.
# The identity token (a secret) must appear nowhere: not in logs, the state dir, the report, the
# registry's storage.
#
#   keyless_test.sh MIRRORGRAPH SOURCE_DIR
#
# Exits 77 (skipped) when node, tests/tools/node_modules (scripts/install-test-tools.sh), cosign
# (../shared/tools/cosign-path), docker-registry, buildah, git, curl or python3 is missing.
set -euo pipefail
mg=$(realpath "$1")
src=$(realpath "$2")
here=$src/tests/integration/sigstore
servers=$src/tests/servers
modules=$src/tests/tools/node_modules

for tool in node git buildah python3 curl; do
  command -v "$tool" >/dev/null || { echo "skipped: needs $tool on PATH"; exit 77; }
done
[ -x /usr/bin/docker-registry ] || { echo "skipped: needs /usr/bin/docker-registry"; exit 77; }
for m in @sigstore/mock @sigstore/verify sigstore; do
  [ -f "$modules/$m/package.json" ] || { echo "skipped: needs $modules/$m (run scripts/install-test-tools.sh)"; exit 77; }
done
cosign_path_script=$src/../shared/tools/cosign-path
[ -x "$cosign_path_script" ] || cosign_path_script=/work/shared/tools/cosign-path
[ -x "$cosign_path_script" ] || { echo "skipped: needs ../shared/tools/cosign-path (cosign)"; exit 77; }
cosign=$("$cosign_path_script" 2>/dev/null | tail -1) || true
[ -n "$cosign" ] && [ -x "$cosign" ] || { echo "skipped: $cosign_path_script gave no cosign"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mg-keyless-XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
fail() { echo "FAILED: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# --- servers ------------------------------------------------------------------------------------
start_mock() { # DIR -> sets mock_url
  local dir=$1
  mkdir -p "$dir"
  node "$servers/sigstore_mock.js" --out "$dir" >"$dir/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 150); do [ -f "$dir/server.json" ] && break; sleep 0.2; done
  [ -f "$dir/server.json" ] || { cat "$dir/log" >&2; echo "FAILED: sigstore_mock.js did not start" >&2; exit 1; }
  mock_url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$dir/server.json")
}
start_mock "$work/mock"
url=$mock_url
start_mock "$work/other" # another root, another log
other_url=$mock_url

control() { # JSON
  curl -sf -X POST -H 'Content-Type: application/json' -d "$1" "$url/__control" >/dev/null
}

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
host=127.0.0.1:$port
mkdir -p "$work/registry"
cat >"$work/registry/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry/storage
  delete:
    enabled: true
http:
  addr: $host
YAML
/usr/bin/docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf -o /dev/null "http://$host/v2/" && break; sleep 0.2; done
curl -sf -o /dev/null "http://$host/v2/" || { cat "$work/registry/log" >&2; echo "FAILED: the registry did not start" >&2; exit 1; }
reg() { python3 "$here/registry.py" "$host" demo/hello "$@"; }

# --- the upstream and the project ---------------------------------------------------------------
upstream=$work/upstream/hello
mkdir -p "$upstream"
(
  export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
  export GIT_AUTHOR_NAME=Hello GIT_AUTHOR_EMAIL=hello@upstream.invalid GIT_COMMITTER_NAME=Hello
  export GIT_COMMITTER_EMAIL=hello@upstream.invalid GIT_AUTHOR_DATE=2024-01-01T12:00:00Z GIT_COMMITTER_DATE=2024-01-01T12:00:00Z
  git -C "$upstream" init -q -b main
  cp "$src/examples/hello/Dockerfile" "$upstream/Dockerfile"
  sed "s/@VERSION@/1.0.0/" "$src/examples/hello/hello.txt.in" >"$upstream/hello.txt"
  git -C "$upstream" add Dockerfile hello.txt
  git -C "$upstream" commit -q -m "hello 1.0.0"
  git -C "$upstream" tag -a -m "hello 1.0.0" v1.0.0
)

sub=https://ci.example.invalid/team/mirror/.ci.yml@refs/heads/main
iss=https://token.actions.example.invalid
token_file=$work/secrets/token
project=$work/project
mkdir -p "$project" "$work/secrets" "$work/home"
# The example's configuration (examples/keyless/mirror.toml.in), so the example stays one that works.
sed -e "s|@REGISTRY@|$host|" -e "s|@SIGSTORE@|$url|g" -e "s|@UPSTREAM@|$upstream|" -e "s|@TOKEN@|$token_file|" \
  "$src/examples/keyless/mirror.toml.in" >"$project/mirror.toml"

mint() { # [--expires-in N] -> stdout
  node "$servers/oidc_token.js" --key "$work/mock/oidc_key.pem" --sub "$sub" --iss "$iss" "$@"
}

run_no=0
run_mg() { # -> exit code in $rc, output in $out (file)
  run_no=$((run_no + 1))
  out=$work/logs/run$run_no.log
  mkdir -p "$work/logs"
  set +e
  (cd "$project" && unset SIGSTORE_ID_TOKEN ACTIONS_ID_TOKEN_REQUEST_URL ACTIONS_ID_TOKEN_REQUEST_TOKEN &&
    HOME=$work/home DOCKER_CONFIG=$work/home MIRRORGRAPH_GRAPH_PATH=$src/graphs \
    "$mg" run -j 2 --json "$work/logs/report$run_no.json") >"$out" 2>&1
  rc=$?
  set -e
}

expect_failed_run() { # WHAT PATTERN
  local what=$1 pattern=$2
  run_mg
  if [ "$rc" -eq 0 ]; then
    fail "$what: the run succeeded"
  elif ! grep -Eq "$pattern" "$out"; then
    fail "$what: the run failed (exit $rc) without a message matching /$pattern/:"; sed 's/^/    /' "$out" | tail -20 >&2
  else
    pass "$what: the run fails (exit $rc): $(grep -Em1 "$pattern" "$out" | cut -c1-500)"
  fi
  if ! reg check-complete >/dev/null 2>"$work/logs/complete.err"; then
    fail "$what: half-signed layers were pushed: $(cat "$work/logs/complete.err")"
  fi
  local sigs
  sigs=$(reg signature-tags | grep -c . || true)
  if [ "$sigs" -ne 0 ]; then fail "$what: $sigs signature/attestation tags were pushed by a failed run"; else pass "$what: no signature pushed"; fi
}

# --- faults -------------------------------------------------------------------------------------
echo "== faults"
expect_failed_run "no identity token" "token.*$token_file|$token_file.*token"
# identity_token = "auto" outside CI, with no SIGSTORE_ID_TOKEN: the message says where it looked.
sed -i 's|^identity_token = .*|identity_token = "auto"|' "$project/mirror.toml"
expect_failed_run "no identity token (auto)" "SIGSTORE_ID_TOKEN.*GitHub Actions|GitHub Actions.*SIGSTORE_ID_TOKEN"
sed -i "s|^identity_token = .*|identity_token = \"file:$token_file\"|" "$project/mirror.toml"
mint --expires-in -120 >"$token_file"
expect_failed_run "an expired token" "expired"
mint >"$token_file"
control '{"fulcio":"garbage"}'
expect_failed_run "Fulcio answering garbage" "[Ff]ulcio"
control '{"fulcio":"down"}'
expect_failed_run "Fulcio down" "Fulcio at $url.*503"
control '{"fulcio":"ok","rekor":"down"}'
expect_failed_run "Rekor down" "Rekor at $url.*503"
control '{"rekor":"garbage"}'
expect_failed_run "Rekor answering garbage" "Rekor at $url"
# The good run loses Rekor's answer to its first entry (503 after logging it): the client's retry
# meets 409 and reads the existing entry back by its Location.
control '{"fulcio":"ok","rekor":"lose-once"}'

# --- the good run -------------------------------------------------------------------------------
echo "== keyless run"
run_mg
if [ "$rc" -ne 0 ]; then
  sed 's/^/    /' "$out" >&2
  echo "FAILED: the keyless run failed (exit $rc)" >&2
  exit 1
fi
pass "the keyless run after the faults completes"
stats=$(curl -sf "$url/__stats")
read -r conflicts lookups < <(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["conflicts"], d["lookups"])' "$stats")
if [ "$conflicts" -ge 1 ] && [ "$lookups" -ge 1 ]; then pass "a lost Rekor answer was recovered through 409 + lookup ($stats)"; else
  fail "the lost Rekor answer did not go through 409 and a lookup: $stats"; fi
if layers=$(reg check-complete 2>"$work/logs/complete.err"); then
  pass "$layers signature/attestation layers, each with certificate and bundles"
else
  fail "half-signed layers: $(cat "$work/logs/complete.err")"
fi
sig_tags=$(reg signature-tags | grep '\.sig$' || true)
att_tags=$(reg signature-tags | grep '\.att$' || true)
[ -n "$sig_tags" ] || fail "no .sig tag in demo/hello"
[ -n "$att_tags" ] || fail "no .att tag in demo/hello"

# A second run has nothing to sign: it recognises the signatures as its own (same identity,
# issuer and root) and adds no layer.
run_mg
if [ "$rc" -ne 0 ]; then fail "the second keyless run failed (exit $rc): $(tail -5 "$out")"; else pass "the second run succeeds"; fi
again=$(reg check-complete 2>/dev/null || echo "?")
if [ "$again" = "$layers" ]; then pass "the second run added no signature layer ($again)"; else
  fail "the second run changed the signature layers: $layers before, $again after"; fi

# --- cosign -------------------------------------------------------------------------------------
echo "== cosign ($cosign)"
image=$host/demo/hello:1.0.0
cosign_env() { # TRUST_DIR [REKOR_KEY_DIR]
  local trust=$1 rekor=${2:-$1}
  echo "HOME=$work/home DOCKER_CONFIG=$work/home SIGSTORE_ROOT_FILE=$trust/fulcio_chain.pem" \
    "SIGSTORE_REKOR_PUBLIC_KEY=$rekor/rekor.pub SIGSTORE_CT_LOG_PUBLIC_KEY_FILE=$trust/ctfe.pub"
}
cosign_run() { # TRUST_DIR REKOR_DIR ARGS...
  local trust=$1 rekor=$2
  shift 2
  # shellcheck disable=SC2046
  env $(cosign_env "$trust" "$rekor") "$cosign" "$@" --rekor-url "$url" --allow-http-registry >"$work/logs/cosign.log" 2>&1
}
expect_cosign() { # accept|refuse WHAT TRUST REKOR ARGS...
  local want=$1 what=$2
  shift 2
  if cosign_run "$@"; then got=accept; else got=refuse; fi
  if [ "$got" = "$want" ]; then
    pass "cosign ${want}s: $what"
    [ "$want" = accept ] || echo "    $(grep -m1 '^Error' "$work/logs/cosign.log" | cut -c1-200)"
  else
    fail "cosign ${got}s (wanted $want): $what"; sed 's/^/    /' "$work/logs/cosign.log" | tail -8 >&2
  fi
}
ident=(--certificate-identity "$sub" --certificate-oidc-issuer "$iss")
M=$work/mock
O=$work/other
expect_cosign accept "verify $image" "$M" "$M" verify "${ident[@]}" "$image"
expect_cosign accept "verify-attestation --type spdxjson" "$M" "$M" verify-attestation --type spdxjson "${ident[@]}" "$image"
expect_cosign accept "verify-attestation --type slsaprovenance1" "$M" "$M" verify-attestation --type slsaprovenance1 "${ident[@]}" "$image"
expect_cosign accept "verify --certificate-identity-regexp" "$M" "$M" verify --certificate-identity-regexp '^https://ci\.example\.invalid/team/.*$' --certificate-oidc-issuer "$iss" "$image"
expect_cosign refuse "verify, wrong identity" "$M" "$M" verify --certificate-identity "${sub}x" --certificate-oidc-issuer "$iss" "$image"
expect_cosign refuse "verify, wrong issuer" "$M" "$M" verify --certificate-identity "$sub" --certificate-oidc-issuer "$iss.other" "$image"
expect_cosign refuse "verify-attestation, wrong identity" "$M" "$M" verify-attestation --type slsaprovenance1 --certificate-identity "${sub}x" --certificate-oidc-issuer "$iss" "$image"
expect_cosign refuse "verify, certificate from another root" "$O" "$M" verify "${ident[@]}" "$image"
expect_cosign refuse "verify-attestation, certificate from another root" "$O" "$M" verify-attestation --type spdxjson "${ident[@]}" "$image"
expect_cosign refuse "verify, entry not in the trusted log (another Rekor's key)" "$M" "$O" verify "${ident[@]}" "$image"
expect_cosign refuse "verify-attestation, entry not in the trusted log" "$M" "$O" verify-attestation --type spdxjson "${ident[@]}" "$image"

# --- mirrorgraph verify: the same verdicts as cosign, on the same image ------------------------
mgv() { # TRUST_DIR REKOR_DIR ARGS... (cosign's variables) -> exit code
  local trust=$1 rekor=$2
  shift 2
  # shellcheck disable=SC2046
  env $(cosign_env "$trust" "$rekor") "$mg" verify "$image" --plain-http "$@" >"$work/logs/mgv.log" 2>&1
}
expect_mgv() { # accept|refuse WHAT TRUST REKOR ARGS...
  local want=$1 what=$2 code
  shift 2
  set +e; mgv "$@"; code=$?; set -e
  case $code in 0) got=accept ;; 1) got=refuse ;; *) got="exit $code" ;; esac
  if [ "$got" = "$want" ]; then
    pass "mirrorgraph verify ${want}s: $what"
    [ "$want" = accept ] || echo "    $(grep -m1 -E 'FAIL|fail' "$work/logs/mgv.log" | cut -c1-200)"
  else
    fail "mirrorgraph verify: $got (wanted $want): $what"; sed 's/^/    /' "$work/logs/mgv.log" | tail -12 >&2
  fi
}
echo "== mirrorgraph verify"
expect_mgv accept "signatures and attestations, cosign's variables" "$M" "$M" "${ident[@]}"
expect_mgv accept "--require signature,sbom,provenance" "$M" "$M" "${ident[@]}" --require signature,sbom,provenance
expect_mgv accept "the mock's trusted_root.json, identity regexp" /nonexistent /nonexistent \
  --trusted-root "$M/trusted_root.json" --certificate-identity-regexp '^https://ci\.example\.invalid/team/.*$' --certificate-oidc-issuer "$iss"
expect_mgv refuse "wrong identity" "$M" "$M" --certificate-identity "${sub}x" --certificate-oidc-issuer "$iss"
expect_mgv refuse "wrong issuer" "$M" "$M" --certificate-identity "$sub" --certificate-oidc-issuer "$iss.other"
expect_mgv refuse "certificate from another root" "$O" "$M" "${ident[@]}"
expect_mgv refuse "another root (trusted_root.json)" /nonexistent /nonexistent --trusted-root "$O/trusted_root.json" "${ident[@]}"
expect_mgv refuse "entry not in the trusted log (another Rekor's key)" "$M" "$O" "${ident[@]}"
python3 - "$M/trusted_root.json" "$O/trusted_root.json" "$work/logs/foreign_log_root.json" <<'PY'
import json, sys
mine, other = (json.load(open(p)) for p in sys.argv[1:3])
mine["tlogs"] = other["tlogs"]
json.dump(mine, open(sys.argv[3], "w"))
PY
expect_mgv refuse "entry in no log of the trusted_root.json" /nonexistent /nonexistent --trusted-root "$work/logs/foreign_log_root.json" "${ident[@]}"

# A flipped signature byte, in every .sig manifest (restored afterwards).
for t in $sig_tags; do reg save "$t" "$work/logs/$t.orig"; reg flip-signature "$t"; done
expect_cosign refuse "verify, a flipped signature byte" "$M" "$M" verify "${ident[@]}" "$image"
expect_mgv refuse "a flipped signature byte" "$M" "$M" "${ident[@]}"
for t in $sig_tags; do reg put "$t" "$work/logs/$t.orig"; done
expect_cosign accept "verify after restoring the signature" "$M" "$M" verify "${ident[@]}" "$image"
expect_mgv accept "after restoring the signature" "$M" "$M" "${ident[@]}"

# --- @sigstore/verify on the Sigstore bundles ---------------------------------------------------
echo "== @sigstore/verify"
sv() { node "$servers/sigstore_verify.js" "$@" >"$work/logs/sv.log" 2>&1; }
expect_sv() { # accept|refuse WHAT ARGS...
  local want=$1 what=$2
  shift 2
  if sv "$@"; then got=accept; else got=refuse; fi
  if [ "$got" = "$want" ]; then
    pass "sigstore_verify ${want}s: $what"
    [ "$want" = accept ] || echo "    $(head -1 "$work/logs/sv.log" | sed 's/.*json: //' | cut -c1-200)"
  else
    fail "sigstore_verify ${got}s (wanted $want): $what"; sed 's/^/    /' "$work/logs/sv.log" >&2
  fi
}
# $work/logs/foreign_log_root.json (above): the mock's CA with the other mock's log.
n=0
for t in $sig_tags $att_tags; do
  dir=$work/bundles/$t
  count=$(reg extract "$t" "$dir")
  for i in $(seq 0 $((count - 1))); do
    b=$dir/$i.bundle.json
    art=()
    case $t in *.sig) art=(--artifact "$dir/$i.payload") ;; esac
    base=(--bundle "$b" "${art[@]}")
    expect_sv accept "$t[$i]" "${base[@]}" --trusted-root "$M/trusted_root.json" "${ident[@]}"
    expect_sv accept "$t[$i] identity regexp" "${base[@]}" --trusted-root "$M/trusted_root.json" \
      --certificate-identity-regexp 'https://ci\.example\.invalid/.*' --certificate-oidc-issuer "$iss"
    expect_sv refuse "$t[$i] wrong identity" "${base[@]}" --trusted-root "$M/trusted_root.json" \
      --certificate-identity "${sub}x" --certificate-oidc-issuer "$iss"
    expect_sv refuse "$t[$i] wrong issuer" "${base[@]}" --trusted-root "$M/trusted_root.json" \
      --certificate-identity "$sub" --certificate-oidc-issuer "$iss.other"
    expect_sv refuse "$t[$i] another root" "${base[@]}" --trusted-root "$O/trusted_root.json" "${ident[@]}"
    expect_sv refuse "$t[$i] entry in no trusted log" "${base[@]}" --trusted-root "$work/logs/foreign_log_root.json" "${ident[@]}"
    python3 - "$b" "$b.flipped" <<'PY'
import base64, json, sys
b = json.load(open(sys.argv[1]))
holder = b["messageSignature"] if "messageSignature" in b else b["dsseEnvelope"]["signatures"][0]
key = "signature" if "messageSignature" in b else "sig"
sig = bytearray(base64.b64decode(holder[key]))
sig[len(sig) // 2] ^= 1
holder[key] = base64.b64encode(bytes(sig)).decode()
json.dump(b, open(sys.argv[2], "w"))
PY
    expect_sv refuse "$t[$i] flipped signature byte" --bundle "$b.flipped" "${art[@]}" --trusted-root "$M/trusted_root.json" "${ident[@]}"
    n=$((n + 1))
  done
done
[ "$n" -gt 0 ] || fail "no bundle was checked"

# --- the secret canary --------------------------------------------------------------------------
echo "== the token appears nowhere"
token=$(cat "$token_file")
leaks=$(grep -rlF -- "$token" "$work" 2>/dev/null | grep -vxF "$token_file" || true)
if [ -n "$leaks" ]; then fail "the identity token was found in: $leaks"; else pass "the identity token is in no log, state file, report or registry blob"; fi
# The canary can fail: the token is where it was put.
grep -qF -- "$token" "$token_file" || fail "the canary does not find the token in its own file"

if [ "$failures" -ne 0 ]; then
  echo "FAILED: $failures check(s)" >&2
  exit 1
fi
echo "PASSED"
