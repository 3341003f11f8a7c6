#!/usr/bin/env bash
# Makes the demo's upstream: a git repository in DIR with one commit and annotated tag per version
# (v1.0.0, v1.1.0, v1.2.0, v2.0.0-rc.1), hello.txt from hello.txt.in for each. Fixed identities
# and dates (and no user or system git config) make every commit and tag SHA reproducible.
#
#   examples/hello/make-upstream.sh DIR
#
# DIR may hold files already (they are committed with every version): a Dockerfile there is kept,
# else this directory's Dockerfile is copied in. DIR must not be a git repository yet.
# Used by scripts/demo.sh and the benchmarks in bench/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${1:?usage: make-upstream.sh DIR}
[ ! -e "$dir/.git" ] || { echo "make-upstream.sh: $dir is a git repository already" >&2; exit 2; }
mkdir -p "$dir"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="Hello Upstream" GIT_AUTHOR_EMAIL="hello@upstream.invalid"
export GIT_COMMITTER_NAME="Hello Upstream" GIT_COMMITTER_EMAIL="hello@upstream.invalid"
git -C "$dir" init -q -b main
[ -f "$dir/Dockerfile" ] || cp "$here/Dockerfile" "$dir/Dockerfile"
day=1
for version in 1.0.0 1.1.0 1.2.0 2.0.0-rc.1; do
  export GIT_AUTHOR_DATE="2024-01-0${day}T12:00:00Z" GIT_COMMITTER_DATE="2024-01-0${day}T12:00:00Z"
  sed "s/@VERSION@/$version/" "$here/hello.txt.in" >"$dir/hello.txt"
  git -C "$dir" add -A
  git -C "$dir" commit -q -m "hello $version"
  git -C "$dir" tag -a -m "hello $version" "v$version"
  day=$((day + 1))
done
