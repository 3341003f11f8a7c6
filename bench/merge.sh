#!/usr/bin/env bash
# Merge: creating and pushing the multi-arch index of VERSIONS versions with mirrorgraph's merge
# task, against `buildah manifest create` + `add` ×2 + `push --all` per version, same registry,
# same digests, same script (docs/benchmarks.md, "Merge").
#
# usage: bench/merge.sh [--smoke] [BUILD_DIR]   (default: build-bench, then build; needs bench/merge_bench:
#                                                cmake --build BUILD_DIR --target merge_bench)
# env:   VERSIONS=30 RUNS=5 (repetitions; medians reported) KEEP=1 (keep the temp dir)
#
# Setup (untimed): docker-registry on a free 127.0.0.1 port (plain HTTP, storage in a temp dir);
# VERSIONS × {linux/amd64, linux/arm64} tiny single-platform OCI images
# (bench/make_platform_images.py), pushed by digest to bench/app with the engine's PushOciLayout.
# Timed, each repetition interleaving the variants so load drift hits them alike:
#   mirrorgraph, 1 at a time:  merge_bench merge --jobs 1  (RunMergeTask per version, sequential)
#   mirrorgraph, 8 at a time:  merge_bench merge --jobs 8  (the executor's registry pool)
#   baseline:                  per version, buildah manifest create / add (amd64 digest) / add
#                              (arm64 digest) / push --all to the version's tag, sequential; a fresh
#                              buildah root (vfs) per repetition
# Every variant and repetition writes its own tags (<version>-<variant>-r<n>), so no run finds the
# work of another done. Then, once, the no-op re-merge: merge_bench over tags that already point
# at their index (reported separately). The script checks that both tools' indexes list the same
# two platform digests. Idempotent; the registry and temp dir are removed at exit.
# --smoke: 2 versions, one repetition of every variant (buildah included), no table; checks that
# every measured merge set its tags (none found done), that the re-merge found every tag right,
# and that every index lists exactly the two platform digests. Seconds; never checks a duration.
# For CI (docs/testing.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/common.sh
source "$here/common.sh"
bench_args bench/merge_bench "$@"
smoke=$bench_smoke
bin="$bench_build/bench/merge_bench"
bench_need_built merge_bench "$bin"
bench_need_tools docker-registry buildah skopeo curl python3
# shellcheck source=bench/registry.sh
source "$here/registry.sh"

VERSIONS="${VERSIONS:-30}"
RUNS="${RUNS:-5}"
if [[ $smoke == 1 ]]; then VERSIONS=2; RUNS=1; fi
work="$(mktemp -d "${TMPDIR:-/tmp}/mg-bench-merge.XXXXXX")"
cleanup() {
  bench_registry_stop
  [[ -n "${KEEP:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT
timing() { python3 "$here/timing.py" --runs 1 "$@"; }
repo=bench/app

echo "== merge: $VERSIONS versions x 2 platforms, $RUNS repetitions, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
bench_registry_start "$work/registry"
host=$bench_registry
echo "-- registry at $host; pushing $((VERSIONS * 2)) single-platform images by digest to $repo"
python3 "$here/make_platform_images.py" "$work/images" "$VERSIONS" >"$work/plan.json"
"$bin" push --registry "$host" --repo "$repo" --plan "$work/plan.json" || bench_fail "merge_bench push failed"

# The baseline: buildah's manifest commands per version, as a plain script would run them.
python3 - "$work/plan.json" >"$work/baseline.txt" <<'PY'
import json, sys
for v in json.load(open(sys.argv[1])):
    print(v["version"], v["images"]["linux/amd64"]["digest"], v["images"]["linux/arm64"]["digest"])
PY
cat >"$work/baseline.sh" <<SH
#!/usr/bin/env bash
# usage: baseline.sh SUFFIX BUILDAH_ROOT
set -euo pipefail
b=(buildah --root "\$2/root" --runroot "\$2/run" --storage-driver vfs)
while read -r version amd64 arm64; do
  list="bench-list-\$version\$1"
  "\${b[@]}" manifest create "\$list" >/dev/null
  "\${b[@]}" manifest add --tls-verify=false "\$list" "docker://$host/$repo@\$amd64" >/dev/null
  "\${b[@]}" manifest add --tls-verify=false "\$list" "docker://$host/$repo@\$arm64" >/dev/null
  "\${b[@]}" manifest push --all --quiet --tls-verify=false "\$list" "docker://$host/$repo:\$version\$1"
done <"$work/baseline.txt"
SH

for ((r = 1; r <= RUNS; r++)); do
  echo "-- repetition $r/$RUNS"
  timing --stdout "$work/mg1-r$r.json" -- "$bin" merge --registry "$host" --repo "$repo" --plan "$work/plan.json" \
    --suffix "-mg1-r$r" --jobs 1 >"$work/t_mg1-r$r.json" || bench_fail "merge_bench merge --jobs 1 failed"
  timing --stdout "$work/mg8-r$r.json" -- "$bin" merge --registry "$host" --repo "$repo" --plan "$work/plan.json" \
    --suffix "-mg8-r$r" --jobs 8 >"$work/t_mg8-r$r.json" || bench_fail "merge_bench merge --jobs 8 failed"
  timing --stderr "$work/buildah-r$r.err" -- bash "$work/baseline.sh" "-bah-r$r" "$work/buildah-r$r" \
    >"$work/t_bah-r$r.json" || { cat "$work/buildah-r$r.err" >&2; bench_fail "the buildah baseline failed"; }
  rm -rf "$work/buildah-r$r" 2>/dev/null || true
  python3 - "$work" "$r" "$VERSIONS" <<'PY'
import json, os, sys
w, r, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
j = lambda f: json.load(open(os.path.join(w, f)))
m1, m8 = j("mg1-r%s.json" % r), j("mg8-r%s.json" % r)
print("   mirrorgraph x1 %.0f ms (process %.0f), x8 %.0f ms (process %.0f), buildah %.0f ms; tags set %d/%d/%d"
      % (m1["total_ms"], j("t_mg1-r%s.json" % r)["median_ms"], m8["total_ms"], j("t_mg8-r%s.json" % r)["median_ms"],
         j("t_bah-r%s.json" % r)["median_ms"], m1["tags_set"], m8["tags_set"], n))
if m1["tags_set"] != n or m8["tags_set"] != n:
    sys.exit("FAILED: a measured merge found tags already set: not a fresh merge")
PY
done

echo "-- no-op re-merge: 1 at a time over the tags of repetition 1 (tags found right)"
timing --stdout "$work/noop.json" -- "$bin" merge --registry "$host" --repo "$repo" --plan "$work/plan.json" \
  --suffix "-mg1-r1" --jobs 1 >"$work/t_noop.json" || bench_fail "the re-merge failed"
cat "$work/noop.json"
python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); n = int(sys.argv[2]); ok = (j["tags_already_right"], j["tags_set"]) == (n, 0)
sys.exit(None if ok else "FAILED: the re-merge found %d of %d tags right and set %d" % (j["tags_already_right"], n, j["tags_set"]))' \
  "$work/noop.json" "$VERSIONS"

echo "-- check: both tools' indexes of every version list the same two platform digests"
for suffix in -mg1-r1 -mg8-r1 -bah-r1; do
  while read -r version amd64 arm64; do
    skopeo inspect --raw --tls-verify=false "docker://$host/$repo:$version$suffix" >"$work/index.json" ||
      bench_fail "$repo:$version$suffix cannot be read"
    python3 - "$work/index.json" "$amd64" "$arm64" "$version$suffix" <<'PY'
import json, sys
idx = json.load(open(sys.argv[1]))
got = {(m["platform"]["os"] + "/" + m["platform"]["architecture"]): m["digest"] for m in idx["manifests"]}
want = {"linux/amd64": sys.argv[2], "linux/arm64": sys.argv[3]}
if got != want:
    sys.exit("FAILED: %s: index lists %s, expected %s" % (sys.argv[4], got, want))
PY
  done <"$work/baseline.txt"
done
mt() { skopeo inspect --raw --tls-verify=false "docker://$host/$repo:1.0.0$1" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("mediaType"))'; }
echo "   ok; media types: mirrorgraph $(mt -mg1-r1), buildah $(mt -bah-r1)"
if [[ $smoke == 1 ]]; then
  echo "merge smoke: ok ($VERSIONS versions: mirrorgraph 1 and 8 at a time and buildah each set every tag; the re-merge" \
    "found every tag right; every index lists exactly the two platform digests)"
  exit 0
fi

python3 - "$work" "$RUNS" "$VERSIONS" <<'PY'
import json, os, statistics, sys
w, runs, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
j = lambda f: json.load(open(os.path.join(w, f)))
med = lambda xs: statistics.median(xs)
rs = range(1, runs + 1)
mg1 = med([j("mg1-r%d.json" % r)["total_ms"] for r in rs])
mg8 = med([j("mg8-r%d.json" % r)["total_ms"] for r in rs])
mg1p = med([j("t_mg1-r%d.json" % r)["median_ms"] for r in rs])
mg8p = med([j("t_mg8-r%d.json" % r)["median_ms"] for r in rs])
task1 = med([j("mg1-r%d.json" % r)["task_median_ms"] for r in rs])
task8 = med([j("mg8-r%d.json" % r)["task_median_ms"] for r in rs])
bah = med([j("t_bah-r%d.json" % r)["median_ms"] for r in rs])
cpu1 = med([j("mg1-r%d.json" % r)["cpu_ms"] for r in rs])
cpu8 = med([j("mg8-r%d.json" % r)["cpu_ms"] for r in rs])
noop = j("noop.json")
rows = [
    ("mirrorgraph merge, 1 at a time (in process)", mg1, "median merge %.1f ms; CPU %.0f ms" % (task1, cpu1)),
    ("mirrorgraph merge, 8 at a time (in process)", mg8, "median merge %.1f ms; CPU %.0f ms" % (task8, cpu8)),
    ("mirrorgraph merge, 1 at a time (whole process)", mg1p, "incl. process start"),
    ("mirrorgraph merge, 8 at a time (whole process)", mg8p, "incl. process start"),
    ("mirrorgraph no-op re-merge, 1 at a time (in process, once)", noop["total_ms"],
     "%d tags already right" % noop["tags_already_right"]),
    ("buildah manifest create + add x2 + push --all", bah, "4 processes a version"),
]
print()
print("| what | %d versions (median of %d) | per version | buildah / this | note |" % (n, runs))
print("| --- | ---: | ---: | ---: | --- |")
for name, ms, note in rows:
    print("| %s | %.0f ms | %.1f ms | %.1fx | %s |" % (name, ms, ms / n, bah / ms, note))
def http(name):
    # Requests per merge by method and their median latency, from the median repetition's run.
    runs_ = sorted((j("%s-r%d.json" % (name, r)) for r in rs), key=lambda x: x["total_ms"])
    h = runs_[len(runs_) // 2]["http"]
    return ", ".join("%s %.1f x %.1f ms" % (m, h[m]["count"] / n, h[m]["median_ms"]) for m in sorted(h))
print()
print("HTTP exchanges per merge (method, count per version x median latency): 1 at a time: %s; 8 at a time: %s; "
      "no-op re-merge: %s" % (http("mg1"), http("mg8"), ", ".join("%s %.1f x %.1f ms" % (
          m, noop["http"][m]["count"] / n, noop["http"][m]["median_ms"]) for m in sorted(noop["http"]))))
verdict = lambda ms: "MET" if bah >= 10 * ms else "MISSED"
print("goal: at least 10x faster per version: 1 at a time %s (%.1fx), 8 at a time %s (%.1fx); "
      "whole process 1 at a time %s (%.1fx)"
      % (verdict(mg1), bah / mg1, verdict(mg8), bah / mg8, verdict(mg1p), bah / mg1p))
PY
