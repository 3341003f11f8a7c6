#!/usr/bin/env bash
# Scale-out: the demo (examples/hello: 3 versions x linux/amd64 + linux/arm64, signed, with SBOMs
# and provenance) mirrored by one `mirrorgraph run` against the same demo mirrored the way the
# generated CI pipelines do it (docs/ci.md): three `run --shard I/3` (each with a fresh state
# directory, as on ephemeral runners; one registry holding the images and the remote task cache),
# then the final plain `run` (fresh state too) that finds everything done. Wall times and the tasks
# each variant ran (docs/benchmarks.md, "Shards").
#
# usage: bench/shards.sh [--smoke] [BUILD_DIR]   (default: build-bench, then build; needs
#                                                `cmake --build BUILD_DIR --target mirrorgraph generic`)
# env:   RUNS=3 (repetitions; medians reported) KEEP=1 (keep the temp dir)
#
# Per repetition, each variant on a fresh registry (started before the clock starts):
#   1 process:              `mirrorgraph run`
#   3 shards at once:       the three shards started together on this machine, then the final run
#                           (wall = all three done + the final run)
#   3 shards, one each:     the three shards one after the other, each timed alone (what each would
#                           take on a runner of its own), then the final run; the figure is the
#                           longest shard + the final run: the wall time on three runners
# Every variant must end with the same index digests for every version (the builds are
# reproducible), every build leg built exactly once over its processes, and the final run building
# nothing. --smoke: one repetition of the first two variants with those checks, no table; for CI
# (a ctest test, label bench). Never checks a duration.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=bench/common.sh
source "$here/common.sh"
bench_args engine/mirrorgraph "$@"
smoke=$bench_smoke
mg="$bench_build/engine/mirrorgraph"
bench_need_built "mirrorgraph generic" "$mg"
bench_need_tools docker-registry buildah git curl python3
# shellcheck source=bench/registry.sh
source "$here/registry.sh"

RUNS="${RUNS:-3}"
variants=(one at-once one-each)
if [[ $smoke == 1 ]]; then RUNS=1; variants=(one at-once); fi
example="$root/examples/hello"
work="$(mktemp -d "${TMPDIR:-/tmp}/mg-bench-shards.XXXXXX")"
cleanup() {
  bench_registry_stop
  [[ -n "${KEEP:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT
now_ms() { date +%s%3N; }

echo "== shards: examples/hello (3 versions x 2 platforms, attested), $RUNS repetition(s), $(nproc) cores," \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"
"$example/make-upstream.sh" "$work/upstream/hello"
export COSIGN_PASSWORD=bench-shards
"$mg" keygen --output-key-prefix "$work/cosign" >/dev/null 2>&1 ||
  { echo "mirrorgraph keygen failed" >&2; exit 1; }

# A fresh directory with the demo's config for the current registry; $2 = 1: with the remote cache.
runner_dir() {
  local dir=$1 remote=$2
  rm -rf "$dir"
  mkdir -p "$dir"
  sed -e "s|@REGISTRY@|$bench_registry|" -e "s|@UPSTREAM@|file://$work/upstream/hello|" \
      -e "s|^key = .*|key = \"$work/cosign.key\"|" "$example/mirror.toml.in" >"$dir/mirror.toml"
  if [[ $remote == 1 ]]; then
    printf '\n[cache]\nremote = "oci://%s/demo/mirrorgraph-cache"\n' "$bench_registry" >>"$dir/mirror.toml"
  fi
}

# mg_in DIR NAME ARGS...: `mirrorgraph run ARGS` in DIR, report DIR/NAME.json; fails loudly.
mg_in() {
  local dir=$1 name=$2
  shift 2
  "$mg" -c "$dir/mirror.toml" --state-dir "$dir/state" run "$@" --json "$dir/$name.json" 2>"$dir/$name.err" ||
    { echo "mirrorgraph run $* in $dir failed:" >&2; tail -20 "$dir/$name.err" >&2; exit 1; }
}

results="$work/results.jsonl"
for ((r = 1; r <= RUNS; r++)); do
  for v in "${variants[@]}"; do
    base="$work/r$r-$v"
    mkdir -p "$base"
    bench_registry_start "$base/registry"
    case $v in
      one)
        runner_dir "$base/p" 0
        t0=$(now_ms)
        mg_in "$base/p" run
        t1=$(now_ms)
        echo "{\"variant\":\"$v\",\"run\":$r,\"wall_ms\":$((t1 - t0)),\"reports\":[\"$base/p/run.json\"]}" >>"$results" ;;
      at-once)
        for i in 1 2 3; do runner_dir "$base/s$i" 1; done
        runner_dir "$base/final" 1
        t0=$(now_ms)
        pids=()
        for i in 1 2 3; do mg_in "$base/s$i" run --shard "$i/3" & pids+=($!); done
        for p in "${pids[@]}"; do wait "$p" || exit 1; done
        t1=$(now_ms)
        mg_in "$base/final" run
        t2=$(now_ms)
        echo "{\"variant\":\"$v\",\"run\":$r,\"wall_ms\":$((t2 - t0)),\"shards_ms\":$((t1 - t0)),\"final_ms\":$((t2 - t1))," \
          "\"reports\":[\"$base/s1/run.json\",\"$base/s2/run.json\",\"$base/s3/run.json\"],\"final\":\"$base/final/run.json\"}" >>"$results" ;;
      one-each)
        for i in 1 2 3; do runner_dir "$base/s$i" 1; done
        runner_dir "$base/final" 1
        longest=0
        for i in 1 2 3; do
          t0=$(now_ms)
          mg_in "$base/s$i" run --shard "$i/3"
          t1=$(now_ms)
          (( t1 - t0 > longest )) && longest=$((t1 - t0))
        done
        t1=$(now_ms)
        mg_in "$base/final" run
        t2=$(now_ms)
        echo "{\"variant\":\"$v\",\"run\":$r,\"wall_ms\":$((longest + t2 - t1)),\"shards_ms\":$longest,\"final_ms\":$((t2 - t1))," \
          "\"reports\":[\"$base/s1/run.json\",\"$base/s2/run.json\",\"$base/s3/run.json\"],\"final\":\"$base/final/run.json\"}" >>"$results" ;;
    esac
    bench_registry_stop
  done
done

python3 - "$results" "$smoke" <<'PY'
import collections, json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
smoke = sys.argv[2] == "1"

def tasks(path):
    return json.load(open(path))["tasks"]

def ran(path, kind):
    return [t["id"] for t in tasks(path) if t["type"] == kind and t["status"] == "ran"]

def indexes(paths):
    out = {}
    for p in paths:
        for t in tasks(p):
            if t["type"] == "merge" and t["status"] == "ran":
                out[t["id"]] = t["result"]["digest"]
    return out

errors, summary, want = [], collections.defaultdict(list), None
for row in rows:
    reports = row["reports"]
    what = "%s (repetition %d)" % (row["variant"], row["run"])
    builds = collections.Counter(i for p in reports for i in ran(p, "build"))
    if len(builds) != 6 or any(n != 1 for n in builds.values()):
        errors.append("%s: build legs ran %s, want 6 legs once each" % (what, dict(builds)))
    for p in reports + ([row["final"]] if "final" in row else []):
        bad = [t["id"] for t in tasks(p) if t["status"] in ("failed", "blocked")]
        if bad:
            errors.append("%s: failed or blocked in %s: %s" % (what, p, bad))
    if "final" in row:
        again = [t["id"] for t in tasks(row["final"])
                 if t["status"] == "ran" and t["type"] not in ("discover", "probe")]
        if again:
            errors.append("%s: the final run ran %s" % (what, again))
    got = indexes(reports)
    if want is None:
        want = got
    elif got != want:
        errors.append("%s: index digests %s differ from %s" % (what, got, want))
    ran_all = collections.Counter(t["type"] for p in reports + ([row["final"]] if "final" in row else [])
                                  for t in tasks(p) if t["status"] == "ran")
    summary[row["variant"]].append((row["wall_ms"], row.get("shards_ms"), row.get("final_ms"), ran_all))
if len(want or {}) != 3:
    errors.append("expected 3 merges, got %s" % want)
if errors:
    print("\n".join("FAILED: " + e for e in errors), file=sys.stderr)
    sys.exit(1)
if smoke:
    print("shards smoke: ok (%s; each build leg once, same index digests, final run only observed)"
          % ", ".join(summary))
    sys.exit(0)
names = {"one": "1 process", "at-once": "3 shards at once, this machine", "one-each": "3 shards, one runner each (longest shard)"}
base = statistics.median(w for w, *_ in summary["one"])
print("| variant | wall (median) | vs 1 process | shards | final run | tasks run (all processes) |")
print("| --- | --- | --- | --- | --- | --- |")
for v in ("one", "at-once", "one-each"):
    if v not in summary:
        continue
    walls = [w for w, *_ in summary[v]]
    shards = [s for _, s, _, _ in summary[v] if s is not None]
    finals = [f for _, _, f, _ in summary[v] if f is not None]
    counts = summary[v][-1][3]
    kinds = ", ".join("%d %s" % (counts[k], k) for k in ("discover", "probe", "build", "merge", "sbom", "sign", "provenance") if counts[k])
    w = statistics.median(walls)
    print("| %s | %.1f s | %.2fx | %s | %s | %s |" % (
        names[v], w / 1000, w / base,
        "%.1f s" % (statistics.median(shards) / 1000) if shards else "",
        "%.1f s" % (statistics.median(finals) / 1000) if finals else "", kinds))
PY
