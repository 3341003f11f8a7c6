#!/usr/bin/env bash
# The offline demo: mirrorgraph mirrors a small local app "hello" into a registry on loopback —
# three versions × linux/amd64 and linux/arm64, built with buildah, pushed by digest, merged into
# multi-arch indexes, tagged, `latest` on the highest release — then shows that a second run does
# nothing and that a deleted tag is restored alone.
#
#   scripts/demo.sh
#
# 1. installs the Debian packages (scripts/install-deps.sh) and builds (scripts/build.sh);
# 2. creates a local git upstream for "hello" (examples/hello/) with tags v1.0.0, v1.1.0, v1.2.0
#    and v2.0.0-rc.1, committed with fixed names and dates so its commit SHAs are the same on every
#    machine;
# 3. starts docker-registry on a free 127.0.0.1 port (stopped again when the script exits);
# 4. writes mirror.toml from examples/hello/mirror.toml.in, shows `mirrorgraph plan` and
#    `mirrorgraph explain` for one build task;
# 5. `mirrorgraph run`, then the tags and the index of `latest` as `skopeo inspect` shows them;
# 6. a second run (nothing to do); then deletes the tag 1.1.0 and runs again (only 1.1.0 is
#    restored); then `mirrorgraph verify` checks the signatures, SBOMs and provenance of `latest`
#    and its platforms (the key pair is made once with `mirrorgraph keygen`), and so does cosign
#    when it is on PATH;
# 7. the task graph, coloured by each task's last status, as an SVG.
# Nothing leaves the machine. Re-runnable: the upstream is recreated identically each time; the
# registry storage and the state directory are kept between runs.
#
# Environment:
#   MG_DEMO_DIR        work directory (default /tmp/mirrorgraph-demo)
#   MG_DEMO_REGISTRY   host:port of an already running plain-HTTP registry to use instead of
#                      starting one (e.g. 127.0.0.1:5000)
#   MG_DEMO_STATE_DIR  mirrorgraph's state directory (default $MG_DEMO_DIR/state)
#   MG_JOBS            compile jobs for the build (default 2)
#   COSIGN_PASSWORD    passphrase of the demo's signing key (default "mirrorgraph-demo")
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
example=$root/examples/hello
demo_dir=${MG_DEMO_DIR:-/tmp/mirrorgraph-demo}
state_dir=${MG_DEMO_STATE_DIR:-$demo_dir/state}
upstream=$demo_dir/upstream/hello
config=$demo_dir/mirror.toml
registry_pid=""
registry=""
mg=""

step() { printf '\n== %s\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }

stop_registry() {
  if [ -n "$registry_pid" ]; then
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
    echo "demo: stopped the registry on $registry"
    registry_pid=""
  fi
}
trap stop_registry EXIT

prepare() {
  step "install dependencies"
  "$root/scripts/install-deps.sh"
  "$root/scripts/enable-binfmt.sh"
  step "build"
  # Only what the demo runs (the CLI and the plugins; tests and benchmarks are scripts/test.sh's),
  # unity-built unless MG_UNITY=OFF: a newcomer's first build is a clean one (docs/benchmarks.md).
  mg=$(MG_UNITY=${MG_UNITY:-ON} "$root/scripts/build.sh" --target mirrorgraph --target all_plugins | tail -n 1)
  [ -x "$mg" ] || die "the build did not produce $mg"
}

# The upstream: examples/hello/make-upstream.sh (reproducible commits and tags).
make_upstream() {
  step "create the upstream repository $upstream"
  rm -rf "$upstream"
  "$example/make-upstream.sh" "$upstream"
  # Each tag and the commit it points at.
  git -C "$upstream" for-each-ref --format='%(refname:short) %(*objectname)' refs/tags
}

# Prints $1 when that 127.0.0.1 port is free, else any free port.
free_port() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except (OSError, ValueError):
    s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
}

# Succeeds once GET /v2/ answers (200, or 401 for a registry with auth).
registry_ready() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$1/v2/") || return 1
  [ "$code" = 200 ] || [ "$code" = 401 ]
}

start_registry() {
  if [ -n "${MG_DEMO_REGISTRY:-}" ]; then
    registry=$MG_DEMO_REGISTRY
    step "use the registry at $registry (MG_DEMO_REGISTRY)"
    registry_ready "$registry" || die "no registry answers at http://$registry/v2/"
    return
  fi
  local dir=$demo_dir/registry port
  mkdir -p "$dir/storage"
  # The same port as last time when it is free: the registry's address is part of the task keys,
  # so a rerun then finds the tasks of the previous run in the cache.
  port=$(cat "$dir/port" 2>/dev/null || echo 0)
  # A port can be taken between choosing and binding it: try a few.
  for _ in 1 2 3 4 5; do
    port=$(free_port "$port")
    echo "$port" >"$dir/port"
    registry=127.0.0.1:$port
    step "start docker-registry on $registry (storage: $dir/storage)"
    cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: $registry
  secret: mirrorgraph-demo
YAML
    /usr/bin/docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
    registry_pid=$!
    for _ in $(seq 1 300); do
      registry_ready "$registry" && return
      kill -0 "$registry_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
    registry_pid=""
    echo "demo: the registry did not start on $registry:" >&2
    tail -n 5 "$dir/registry.log" >&2
    port=0
  done
  die "could not start docker-registry (log: $dir/registry.log)"
}

# The demo's signing key pair, made once ($demo_dir/cosign.key and cosign.pub).
export COSIGN_PASSWORD=${COSIGN_PASSWORD:-mirrorgraph-demo}
make_key() {
  if [ -f "$demo_dir/cosign.key" ]; then
    step "signing key: $demo_dir/cosign.key (kept from a previous run)"
    return
  fi
  step "make a signing key pair"
  echo "\$ COSIGN_PASSWORD=... mirrorgraph keygen --output-key-prefix $demo_dir/cosign"
  "$mg" keygen --output-key-prefix "$demo_dir/cosign"
}

write_config() {
  step "write $config"
  sed -e "s|@REGISTRY@|$registry|" -e "s|@UPSTREAM@|file://$upstream|" "$example/mirror.toml.in" >"$config"
  cat "$config"
}

# mirrorgraph with the demo's config and state directory.
mirrorgraph() { "$mg" -c "$config" --state-dir "$state_dir" "$@"; }

show_plan() {
  step "plan: what a run would do, and why"
  echo "\$ mirrorgraph plan"
  mirrorgraph plan
  step "explain one task"
  echo "\$ mirrorgraph explain build:hello@1.2.0/linux/amd64"
  mirrorgraph explain build:hello@1.2.0/linux/amd64
}

show_graph() {
  step "the task graph"
  echo "\$ mirrorgraph graph --dot | dot -Tsvg > $demo_dir/graph.svg"
  mirrorgraph graph --dot | dot -Tsvg >"$demo_dir/graph.svg"
  echo "the task graph, each task coloured by its last status, is in $demo_dir/graph.svg"
}

# Build and merge tasks that ran (were built or written) in the --json report $1.
ran_tasks() {
  python3 - "$1" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
ran = [t["id"] for t in report["tasks"] if t["status"] == "ran" and t["type"] in ("build", "merge")]
print("  built or merged: " + (", ".join(sorted(ran)) if ran else "nothing"))
PY
}

skopeo_() { skopeo "$1" --tls-verify=false "${@:2}"; }

mirror() {
  step "run: mirror every missing version"
  echo "\$ mirrorgraph run"
  mirrorgraph run --json "$demo_dir/run1.json" || die "the run failed (mirrorgraph status; logs in $state_dir/logs)"
  ran_tasks "$demo_dir/run1.json"

  step "what the registry holds now"
  echo "\$ skopeo list-tags docker://$registry/demo/hello"
  skopeo_ list-tags "docker://$registry/demo/hello"
  echo "\$ skopeo inspect --raw docker://$registry/demo/hello:latest"
  skopeo_ inspect --raw "docker://$registry/demo/hello:latest" | python3 -m json.tool
  local latest v120
  latest=$(skopeo_ inspect --raw "docker://$registry/demo/hello:latest" | sha256sum | cut -d' ' -f1)
  v120=$(skopeo_ inspect --raw "docker://$registry/demo/hello:1.2.0" | sha256sum | cut -d' ' -f1)
  [ "$latest" = "$v120" ] || die "latest is not 1.2.0's index"
  echo "latest = 1.2.0 = sha256:$latest"

  step "run again: nothing to do"
  echo "\$ mirrorgraph run"
  mirrorgraph run --json "$demo_dir/run2.json" || die "the second run failed"
  ran_tasks "$demo_dir/run2.json"

  step "delete the tag 1.1.0, run again: only 1.1.0 is restored"
  echo "\$ skopeo delete docker://$registry/demo/hello:1.1.0"
  skopeo_ delete "docker://$registry/demo/hello:1.1.0"
  echo "\$ mirrorgraph run"
  mirrorgraph run --json "$demo_dir/run3.json" || die "the third run failed"
  ran_tasks "$demo_dir/run3.json"
  skopeo_ inspect --raw "docker://$registry/demo/hello:1.1.0" >/dev/null || die "1.1.0 was not restored"
  echo "1.1.0 is back"

  step "verify the signatures of what was published"
  echo "\$ mirrorgraph verify $registry/demo/hello:latest --key $demo_dir/cosign.pub --plain-http"
  "$mg" verify "$registry/demo/hello:latest" --key "$demo_dir/cosign.pub" --plain-http ||
    die "verify failed for demo/hello:latest"
  # The same with cosign, when it is installed (docs/attestations.md).
  local cosign_args=(--key "$demo_dir/cosign.pub" --insecure-ignore-tlog=true --allow-http-registry)
  if command -v cosign >/dev/null 2>&1; then
    echo "\$ cosign verify ${cosign_args[*]} $registry/demo/hello:latest"
    cosign verify "${cosign_args[@]}" "$registry/demo/hello:latest" >/dev/null || die "cosign verify failed"
    echo "\$ cosign verify-attestation --type spdxjson ${cosign_args[*]} $registry/demo/hello:latest"
    cosign verify-attestation --type spdxjson "${cosign_args[@]}" "$registry/demo/hello:latest" >/dev/null ||
      die "cosign verify-attestation failed"
    echo "cosign agrees"
  else
    echo "(with cosign 2.x: cosign verify ${cosign_args[*]} $registry/demo/hello:latest)"
  fi
}

main() {
  prepare
  mkdir -p "$demo_dir"
  make_upstream
  start_registry
  make_key
  write_config
  show_plan
  mirror
  show_graph
  step "done"
  echo "config: $config"
  echo "state:  $state_dir"
  echo "graph:  $demo_dir/graph.svg"
}

main "$@"
