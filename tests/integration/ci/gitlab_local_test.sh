#!/usr/bin/env bash
# integration.ci.gitlab_local: runs the pipelines `mirrorgraph ci gitlab` writes with gitlab-ci-local
# (shell executor, --shell-isolation), offline, on a tiny demo: a local git upstream "hello" (two
# releases), docker-registry on a free 127.0.0.1 port, buildah. What it executes:
#   1. the parent pipeline: mirrorgraph-plan (plan --matrix, then `ci gitlab --child`), the trigger
#      job mirrorgraph-build running the child pipeline from the plan job's artifact (gitlab-ci-local
#      runs downstream pipelines, experimentally), then mirrorgraph-publish (`run`): both versions
#      end up tagged in the registry, built by the child's matrix legs; publish finds their
#      results in the remote cache ([cache] remote, in the same registry) and builds nothing;
#   2. the same pipeline again: nothing to build, so the child is the one no-op job.
#
#   gitlab_local_test.sh MIRRORGRAPH SOURCE_DIR
#
# Exits 77 (skipped) with a message when node, tests/tools/node_modules (scripts/install-test-tools.sh),
# rsync, docker-registry, buildah, git or python3 is missing.
set -euo pipefail
mg=$1
src=$2
modules=$src/tests/tools/node_modules
gcl=$modules/gitlab-ci-local/src/index.js
[ -f "$gcl" ] || { echo "skipped: needs $gcl (run scripts/install-test-tools.sh)"; exit 77; }
for tool in node rsync git buildah python3 curl; do
  command -v "$tool" >/dev/null || { echo "skipped: needs $tool on PATH"; exit 77; }
done
[ -x /usr/bin/docker-registry ] || { echo "skipped: needs /usr/bin/docker-registry"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mg-gitlab-local-XXXXXX")
registry_pid=""
cleanup() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The upstream: one commit and tag per version, fixed identities and dates.
upstream=$work/upstream/hello
mkdir -p "$upstream"
(
  export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
  export GIT_AUTHOR_NAME=Hello GIT_AUTHOR_EMAIL=hello@upstream.invalid
  export GIT_COMMITTER_NAME=Hello GIT_COMMITTER_EMAIL=hello@upstream.invalid
  git -C "$upstream" init -q -b main
  cp "$src/examples/hello/Dockerfile" "$upstream/Dockerfile"
  for version in 1.0.0 1.1.0; do
    export GIT_AUTHOR_DATE=2024-01-01T12:00:00Z GIT_COMMITTER_DATE=2024-01-01T12:00:00Z
    sed "s/@VERSION@/$version/" "$src/examples/hello/hello.txt.in" >"$upstream/hello.txt"
    git -C "$upstream" add Dockerfile hello.txt
    git -C "$upstream" commit -q -m "hello $version"
    git -C "$upstream" tag -a -m "hello $version" "v$version"
  done
)

# The registry.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
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
http:
  addr: 127.0.0.1:$port
YAML
/usr/bin/docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
registry_pid=$!
for _ in $(seq 50); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/v2/" && break
  sleep 0.2
done
curl -sf -o /dev/null "http://127.0.0.1:$port/v2/" || { echo "FAILED: the registry did not start" >&2; cat "$work/registry/log" >&2; exit 1; }

# mirrorgraph on the jobs' PATH: the build tree's binary.
bin=$work/bin
mkdir -p "$bin"
ln -s "$mg" "$bin/mirrorgraph"

# The project: a git repository with mirror.toml, the generated pipeline and a .gitlab-ci.yml that
# includes it.
project=$work/project
mkdir -p "$project"
cat >"$project/mirror.toml" <<TOML
[registry]
host = "127.0.0.1:$port"
namespace = "demo"
plain_http = true

[defaults]
max_versions = 2
platforms = ["linux/amd64"]

[cache]
remote = "oci://127.0.0.1:$port/demo/mirrorgraph-cache"

[attestations]
sbom = false
sign = false
provenance = false

[ci]
install = 'export PATH="$bin:\$PATH"'

[apps.hello]
plugin = "generic"
source = { type = "git-tags", url = "$upstream", tag_pattern = '^v(\d+\.\d+\.\d+)$' }

[apps.hello.build]
args = { VERSION = "{version}" }
TOML
(cd "$project" && "$mg" ci gitlab 2>/dev/null)
cat >"$project/.gitlab-ci.yml" <<'YAML'
include:
  - local: .gitlab/mirrorgraph.gitlab-ci.yml
YAML
(
  cd "$project"
  export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
  git init -q -b main
  git -c user.name=t -c user.email=t@t.invalid add -A
  git -c user.name=t -c user.email=t@t.invalid commit -q -m project
  git remote add origin https://gitlab.example.invalid/team/project.git
)

run_pipeline() {
  local log=$1
  (
    cd "$project"
    export MIRRORGRAPH_GRAPH_PATH=$src/graphs
    node "$gcl" --force-shell-executor --shell-isolation --variable CI_PIPELINE_SOURCE=web --no-color
  ) >"$log" 2>&1
}

echo "== pipeline 1: plan, the child pipeline's legs, publish"
if ! run_pipeline "$work/run1.log"; then
  cat "$work/run1.log"
  echo "FAILED: the first pipeline failed" >&2
  exit 1
fi
cat "$work/run1.log"
tags=$(curl -sf "http://127.0.0.1:$port/v2/demo/hello/tags/list")
echo "registry tags: $tags"
for v in 1.0.0 1.1.0 latest; do
  echo "$tags" | grep -q "\"$v\"" || { echo "FAILED: tag $v missing from the registry" >&2; exit 1; }
done
grep -q 'mirrorgraph-unit' "$work/run1.log" || { echo "FAILED: no child build leg ran" >&2; exit 1; }
for unit in hello@1.0.0/linux/amd64 hello@1.1.0/linux/amd64; do
  grep -q "$unit" "$project/mirrorgraph-child.yml" || { echo "FAILED: unit $unit missing from the child pipeline" >&2; exit 1; }
done
legs=$(grep -c 'mirrorgraph-unit: .* done   build:' "$work/run1.log" || true)
again=$(grep -c 'mirrorgraph-publish > .* done   build:' "$work/run1.log" || true)
[ "$legs" -eq 2 ] || { echo "FAILED: the child pipeline built $legs leg(s), want 2" >&2; exit 1; }
[ "$again" -eq 0 ] || { echo "FAILED: publish built $again leg(s) again; the remote cache should have had them" >&2; exit 1; }
for unit in hello@1.0.0/linux/amd64 hello@1.1.0/linux/amd64; do
  grep -q "mirrorgraph-publish > .* cached build:$unit  (remote cache hit" "$work/run1.log" ||
    { echo "FAILED: publish did not take build:$unit from the remote cache" >&2; exit 1; }
done
echo "the child's legs built $legs unit(s); publish took them from the remote cache and built none"

echo "== pipeline 2: nothing to build, the child pipeline is its one no-op job"
if ! run_pipeline "$work/run2.log"; then
  cat "$work/run2.log"
  echo "FAILED: the second pipeline failed" >&2
  exit 1
fi
cat "$work/run2.log"
grep -q 'mirrorgraph-nothing-to-build' "$work/run2.log" || { echo "FAILED: the empty child did not run its no-op job" >&2; exit 1; }
echo "gitlab-ci-local ran the parent and child pipelines"
