#!/usr/bin/env bash
# Remote cache: the requests and milliseconds the second cache tier ([cache] remote) adds per
# task, measured with the real Executor, ActionCache and OciRemoteCache against a throwaway
# docker-registry, with a runner that answers at once (docs/benchmarks.md, "Remote cache").
#
# usage: bench/remote_cache.sh [--smoke] [BUILD_DIR]   (default: build-bench, then build; needs
#                                                      bench/remote_cache_bench:
#                                                      cmake --build BUILD_DIR --target remote_cache_bench)
# env:   TASKS=200 JOBS=4 RUNS=3 (repetitions; medians reported) KEEP=1 (keep the temp dir)
#
# Each repetition runs four phases in one process, each with a fresh state directory (but the
# last): local (no remote, the baseline), remote-miss (an empty repository: every lookup misses,
# every task runs and is written), remote-hit (the same repository: every task is a remote hit),
# local-hit (remote-hit's state again: the first tier answers, no request). Every repetition
# uses its own repository, so no repetition finds another's entries.
#
# --smoke: TASKS=20, one repetition, and `--check`: fails unless every phase did what it claims
# (all run; all missed and written; all remote hits and none run; all local hits and no request).
# Seconds; never checks a duration. For CI (docs/testing.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/common.sh
source "$here/common.sh"
bench_args bench/remote_cache_bench "$@"
smoke=$bench_smoke
bin="$bench_build/bench/remote_cache_bench"
bench_need_built remote_cache_bench "$bin"
bench_need_tools docker-registry curl python3
# shellcheck source=bench/registry.sh
source "$here/registry.sh"

TASKS="${TASKS:-200}"
JOBS="${JOBS:-4}"
RUNS="${RUNS:-3}"
check=()
if [[ $smoke == 1 ]]; then TASKS=20; RUNS=1; check=(--check); fi

work="$(mktemp -d "${TMPDIR:-/tmp}/mg-bench-remote.XXXXXX")"
cleanup() {
  bench_registry_stop
  [[ -n "${KEEP:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT
bench_registry_start "$work/registry"

echo "== remote cache: $TASKS tasks per phase, -j $JOBS, $RUNS repetition(s), $(nproc) cores, registry $bench_registry"
for ((r = 1; r <= RUNS; r++)); do
  "$bin" --registry "$bench_registry" --repository "bench/cache-r$r" --tasks "$TASKS" --jobs "$JOBS" \
    --state "$work/state" ${check[@]+"${check[@]}"} >>"$work/phases.jsonl" ||
    bench_fail "remote_cache_bench: a phase did not do what it claims, or the run failed (above)"
done

python3 - "$work/phases.jsonl" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    p = json.loads(line)
    rows.setdefault(p["phase"], []).append(p)
def med(xs): return statistics.median(xs)
base = med([p["ms"] for p in rows["local"]])
n = rows["local"][0]["tasks"]
print()
print("| phase | wall ms (median) | ms per task | added ms per task vs local | requests per task | requests by method |")
print("| --- | ---: | ---: | ---: | ---: | --- |")
for name in ["local", "remote-miss", "remote-hit", "local-hit"]:
    ps = rows[name]
    ms = med([p["ms"] for p in ps])
    req = ps[0]["requests"]
    total = sum(v["count"] for v in req.values())
    methods = ", ".join(f'{m} {v["count"]} (median {v["median_ms"]} ms)' for m, v in sorted(req.items())) or "none"
    print(f"| {name} | {ms:.1f} | {ms / n:.2f} | {(ms - base) / n:+.2f} | {total / n:.2f} | {methods} |")
hit = rows["remote-hit"][0]["remote"]
miss = rows["remote-miss"][0]["remote"]
print()
print(f"remote-miss: {miss['misses']} misses, {miss['writes']} writes, {miss['write_failures']} write failures; "
      f"remote-hit: {hit['reused']} of {n} reused, {hit['rejected']} rejected")
PY
if [[ $smoke == 1 ]]; then
  echo "remote_cache smoke: ok ($TASKS tasks a phase: local all ran, remote-miss all missed and written, remote-hit all" \
    "reused and none ran, local-hit all local without a request)"
fi
