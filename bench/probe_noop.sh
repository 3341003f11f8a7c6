#!/usr/bin/env bash
# Probe no-op: `mirrorgraph run` when every image is already mirrored, against the seed's
# one-`docker manifest inspect`-per-tag loop and two curl baselines (docs/benchmarks.md).
#
# usage: bench/probe_noop.sh [--smoke] [BUILD_DIR]   (default: build-bench, then build; needs
#                                                    `cmake --build BUILD_DIR --target mirrorgraph generic`)
# env:   APPS=30 VERSIONS=10 RUNS=5 SLOW_RUNS=3 (runs of the per-tag process loops) KEEP=1
#        ALT_RUNS=9 (rounds of mirrorgraph run and the floor alternated: the headline ratio)
#        MG_ARGS="-j 16" (extra mirrorgraph arguments) BASELINES=0 (time mirrorgraph only)
#
# Every app's repository holds one complete 2-platform index under each version's tag and under
# `latest` (the semantic maximum's index, as the merge leaves it: the newest version's probe checks
# it), so `mirrorgraph run` has nothing to do but discover and probe. Every run's report is
# checked for that, and every baseline for an answer to every tag.
# --smoke: 3 apps x 4 versions, one run of everything (baselines included); checks that every run
# was a no-op (online: discover and probe ran, every probe found its image complete and the newest
# its `latest`, every build and merge unneeded; offline: nothing ran) and that every baseline
# answered every tag. Seconds; never checks a duration. For CI (docs/testing.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/common.sh
source "$here/common.sh"
bench_args engine/mirrorgraph "$@"
smoke=$bench_smoke
mg="$bench_build/engine/mirrorgraph"
bench_need_built "mirrorgraph generic" "$mg"
bench_need_tools docker-registry skopeo curl git python3
# shellcheck source=bench/registry.sh
source "$here/registry.sh"

APPS="${APPS:-30}"
VERSIONS="${VERSIONS:-10}"
RUNS="${RUNS:-5}"
SLOW_RUNS="${SLOW_RUNS:-3}"
ALT_RUNS="${ALT_RUNS:-9}"
MG_ARGS="${MG_ARGS:-}"
if [[ $smoke == 1 ]]; then APPS=3; VERSIONS=4; RUNS=1; SLOW_RUNS=1; ALT_RUNS=1; BASELINES=1; fi
[[ "$ALT_RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "ALT_RUNS must be 1 or more (got '$ALT_RUNS')" >&2; exit 2; }
ntags=$((APPS * VERSIONS))
nheads=$((ntags + APPS))  # what a run HEADs, and so every baseline: each version tag and each app's latest
work="$(mktemp -d "${TMPDIR:-/tmp}/mg-bench-probe.XXXXXX")"
cleanup() {
  bench_registry_stop
  [[ -n "${KEEP:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT
export DOCKER_CONFIG="$work/docker-config"   # no credentials of the user's leak in
mkdir -p "$DOCKER_CONFIG"
echo '{}' >"$DOCKER_CONFIG/config.json"
timing() { python3 "$here/timing.py" "$@"; }
versions=()
for ((v = 0; v < VERSIONS; v++)); do versions+=("1.$v.0"); done   # ascending: the last is the maximum
apps=()
for ((a = 0; a < APPS; a++)); do apps+=("$(printf 'app%02d' "$a")"); done

echo "== probe no-op: $APPS apps x $VERSIONS versions = $ntags tags, $(nproc) cores"
bench_registry_start "$work/registry"
host=$bench_registry
echo "-- registry at $host; pushing one 2-platform index under $ntags tags and each app's latest"
python3 "$here/make_oci_layout.py" "$work/layout" bench >/dev/null
index_type="application/vnd.oci.image.index.v1+json"
accept="Accept: $index_type, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"
for app in "${apps[@]}"; do
  skopeo copy --quiet --all --dest-tls-verify=false "oci:$work/layout:bench" "docker://$host/mirror/$app:${versions[0]}"
  [[ -f "$work/index.json" ]] || curl -fs -H "Accept: $index_type" -o "$work/index.json" "http://$host/v2/mirror/$app/manifests/${versions[0]}"
  # Every tag holds the same index, so `latest` is at the semantic maximum's index, as the merge
  # leaves it and as the newest version's probe checks (engine/tasks/runner.cc, CheckLatestTag).
  for v in "${versions[@]:1}" latest; do
    curl -fs -o /dev/null -X PUT -H "Content-Type: $index_type" --data-binary "@$work/index.json" \
      "http://$host/v2/mirror/$app/manifests/$v" || bench_fail "PUT mirror/$app:$v"
  done
done

# --- upstreams: one git repository per app with an annotated tag per version
echo "-- $APPS git upstreams with $VERSIONS tags each"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid \
  GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
for app in "${apps[@]}"; do
  d="$work/upstreams/$app"
  mkdir -p "$d"
  git -C "$d" init -q -b main .
  for v in "${versions[@]}"; do
    git -C "$d" commit -q --allow-empty -m "release $v"
    git -C "$d" tag -a "v$v" -m "v$v"
  done
done

{
  printf '[registry]\nhost = "%s"\nnamespace = "mirror"\nplain_http = true\n\n' "$host"
  printf '[defaults]\nmax_versions = %d\nplatforms = ["linux/amd64", "linux/arm64"]\n\n' "$VERSIONS"
  printf '[attestations]\nsbom = false\nsign = false\nprovenance = false\n'
  for app in "${apps[@]}"; do
    printf '\n[apps.%s]\nplugin = "generic"\n' "$app"
    printf "source = { type = \"git-tags\", url = \"file://%s\", tag_pattern = '^v(\\\\d+\\\\.\\\\d+\\\\.\\\\d+)\$' }\n" \
      "$work/upstreams/$app"
  done
} >"$work/mirror.toml"

# check_noop REPORT online|offline: fails unless the run was a no-op: online, discover and probe
# ran (every probe found its image complete, the newest version's also its `latest`) and every
# build and merge was unneeded; offline, discover and probe came from the cache and nothing ran.
check_noop() {
  python3 - "$1" "$2" "$ntags" "$APPS" <<'PY'
import json, sys
report, mode, ntags, napps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tasks = json.load(open(report))["tasks"]
obs = [t for t in tasks if t["type"] in ("discover", "probe")]
probes = [t for t in obs if t["type"] == "probe"]
errors = []
if len(probes) != ntags or len(obs) != ntags + napps:
    errors.append("%d discovers and %d probes, want %d and %d" % (len(obs) - len(probes), len(probes), napps, ntags))
want = "ran" if mode == "online" else "cached"
wrong = [t["id"] for t in obs if t["status"] != want]
if wrong:
    errors.append("observations not %s: %s" % (want, wrong[:5]))
if mode == "online":
    incomplete = [t["id"] for t in probes if (t.get("result") or {}).get("state") != "complete"]
    if incomplete:
        errors.append("probes that did not find the image complete: %s" % incomplete[:5])
    latest = [t["id"] for t in probes if "latest_digest" in (t.get("result") or {})]
    if len(latest) != napps:
        errors.append("%d probes checked `latest`, want one per app (%d): %s" % (len(latest), napps, latest[:5]))
other = [t["id"] for t in tasks if t["type"] not in ("discover", "probe") and t["status"] != "unneeded"]
if other:
    errors.append("not unneeded: %s" % other[:5])
if errors:
    sys.exit("\n".join("FAILED: not a no-op (%s, %s): %s" % (mode, report, e) for e in errors))
PY
}

cd "$work"
# shellcheck disable=SC2086
mgrun() { "$mg" -c "$work/mirror.toml" run $MG_ARGS "$@"; }
echo "-- first run (fills the cache; not timed)"
mgrun --json "$work/first.json" 2>"$work/first.err" || { cat "$work/first.err" >&2; bench_fail "the first run failed"; }
tail -1 "$work/first.err"
check_noop "$work/first.json" online

echo "-- (a) mirrorgraph run (online: $APPS discovers of local git upstreams + $ntags registry probes)"
r0=$(bench_registry_cpu_ms)
# shellcheck disable=SC2086
timing --runs "$RUNS" --stderr "$work/run.err" -- "$mg" -c "$work/mirror.toml" run $MG_ARGS --json "$work/run.json" \
  >"$work/t_run.json" || { tail -5 "$work/run.err" >&2; bench_fail "mirrorgraph run failed"; }
echo $(($(bench_registry_cpu_ms) - r0)) >"$work/regcpu_run"
cat "$work/t_run.json"
tail -1 "$work/run.err"
check_noop "$work/run.json" online
echo "-- (a') mirrorgraph run --offline (cached discoveries and probes trusted)"
# shellcheck disable=SC2086
timing --runs "$RUNS" --stderr "$work/offline.err" -- "$mg" -c "$work/mirror.toml" run $MG_ARGS --offline \
  --json "$work/offline.json" >"$work/t_offline.json" || { tail -5 "$work/offline.err" >&2; bench_fail "mirrorgraph run --offline failed"; }
cat "$work/t_offline.json"
tail -1 "$work/offline.err"
check_noop "$work/offline.json" offline

if [[ "${BASELINES:-1}" == 0 ]]; then
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); ts=[t for t in r["tasks"] if t["type"]=="probe"]; print("probe phase %d ms" % (max(t["finished_at"] for t in ts)-min(t["started_at"] for t in ts)))' "$work/run.json"
  exit 0
fi

# --- the baselines, over the same manifests a run asks for: every version tag and each app's
# latest (the newest version's probe checks it)
: >"$work/tags.txt"
for app in "${apps[@]}"; do for v in "${versions[@]}" latest; do echo "mirror/$app:$v" >>"$work/tags.txt"; done; done
seed_label="docker manifest inspect --insecure"
if ! docker manifest inspect --insecure "$host/mirror/${apps[0]}:${versions[0]}" >/dev/null 2>"$work/docker.err"; then
  echo "   docker manifest inspect does not work here ($(head -1 "$work/docker.err")); using skopeo inspect --raw as the stand-in"
  seed_label="skopeo inspect --raw (stand-in for docker manifest inspect)"
  seed_cmd='skopeo inspect --raw --tls-verify=false "docker://'"$host"'/$t" >/dev/null'
else
  seed_cmd='docker manifest inspect --insecure "'"$host"'/$t" >/dev/null'
fi
cat >"$work/seed.sh" <<SH
#!/usr/bin/env bash
set -e
while read -r t; do $seed_cmd; done <"$work/tags.txt"
SH
echo "-- (b) the seed's loop: one '$seed_label' per tag"
timing --runs "$SLOW_RUNS" -- bash "$work/seed.sh" >"$work/t_seed.json" || bench_fail "the seed's loop did not answer every tag"
cat "$work/t_seed.json"

cat >"$work/curl_loop.sh" <<SH
#!/usr/bin/env bash
set -e
while IFS=: read -r repo tag; do
  code=\$(curl -sI -o /dev/null -w '%{http_code}' -H "$accept" "http://$host/v2/\$repo/manifests/\$tag")
  [[ \$code == 200 ]] || { echo "HEAD \$repo:\$tag -> \$code" >&2; exit 1; }
done <"$work/tags.txt"
SH
echo "-- (c) sequential curl -sI per tag"
timing --runs "$SLOW_RUNS" -- bash "$work/curl_loop.sh" >"$work/t_curl.json" || bench_fail "curl -sI did not answer 200 for every tag"
cat "$work/t_curl.json"

: >"$work/curl_parallel.cfg"
while IFS=: read -r repo tag; do
  printf 'url = "http://%s/v2/%s/manifests/%s"\noutput = "/dev/null"\n' "$host" "$repo" "$tag" >>"$work/curl_parallel.cfg"
done <"$work/tags.txt"
echo "-- (d) the floor: one curl --parallel --parallel-max 16 HEADing every tag"
r0=$(bench_registry_cpu_ms)
timing --runs "$RUNS" --stdout "$work/parallel.out" --stderr "$work/parallel.err" -- curl -s --no-progress-meter --parallel --parallel-max 16 -I -H "$accept" \
  -w '%{http_code}\n' -K "$work/curl_parallel.cfg" >"$work/t_floor.json" || bench_fail "curl --parallel failed"
echo $(($(bench_registry_cpu_ms) - r0)) >"$work/regcpu_floor"
cat "$work/t_floor.json"
ok=$(grep -c '^200$' "$work/parallel.out" || true)
[[ "$ok" == "$nheads" ]] || bench_fail "curl --parallel: $ok of $nheads HEADs answered 200"

# The ratio the goal names, measured side by side: (a) and (d) above run minutes apart, and the
# load of a shared machine moves either by a third in that time; alternated, it reaches both alike.
echo "-- (e) side by side: mirrorgraph run and the floor alternated, $ALT_RUNS round(s)"
: >"$work/alt_run.runs"
: >"$work/alt_floor.runs"
alt_mg() {
  # shellcheck disable=SC2086
  timing --runs 1 --append "$work/alt_run.runs" --stderr "$work/alt_run.err" -- "$mg" -c "$work/mirror.toml" run $MG_ARGS \
    --json "$work/alt_run.json" || { tail -5 "$work/alt_run.err" >&2; bench_fail "mirrorgraph run failed (side by side)"; }
}
alt_floor() {
  timing --runs 1 --append "$work/alt_floor.runs" --stdout "$work/alt_floor.out" -- curl -s --no-progress-meter --parallel \
    --parallel-max 16 -I -H "$accept" -w '%{http_code}\n' -K "$work/curl_parallel.cfg" || bench_fail "curl --parallel failed (side by side)"
}
for ((i = 0; i < ALT_RUNS; i++)); do
  # The order swaps every round, so whatever one contender leaves behind (the registry's state,
  # the page cache) precedes each of them alike; the checks run after both.
  if ((i % 2 == 0)); then alt_mg; alt_floor; else alt_floor; alt_mg; fi
  check_noop "$work/alt_run.json" online
  ok=$(grep -c '^200$' "$work/alt_floor.out" || true)
  [[ "$ok" == "$nheads" ]] || bench_fail "curl --parallel (side by side): $ok of $nheads HEADs answered 200"
done
timing --merge "$work/alt_run.runs"
timing --merge "$work/alt_floor.runs"

python3 - "$work" "$ntags" "$seed_label" "$RUNS" "$smoke" <<'PY'
import json, os, sys
w, n, seed_label, runs, smoke = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5] == "1"
t = lambda name: json.load(open(os.path.join(w, name)))["median_ms"]
run, off, seed, curl, floor = t("t_run.json"), t("t_offline.json"), t("t_seed.json"), t("t_curl.json"), t("t_floor.json")
rep = json.load(open(os.path.join(w, "run.json")))
def span(kind):
    ts = [x for x in rep["tasks"] if x["type"] == kind and x.get("started_at")]
    if not ts:
        return 0.0
    return max(x["finished_at"] for x in ts) - min(x["started_at"] for x in ts)
probe_ms, discover_ms = span("probe"), span("discover")
counts = {}
for x in rep["tasks"]:
    counts[x["status"]] = counts.get(x["status"], 0) + 1
print()
print("last online run: %s; discover phase %.0f ms, probe phase %.0f ms (first probe start to last probe end)"
      % (", ".join("%d %s" % (v, k) for k, v in sorted(counts.items())), discover_ms, probe_ms))
print()
print("| what | wall (median) | ms per version tag | vs floor | seed loop / this |")
print("| --- | ---: | ---: | ---: | ---: |")
rows = [("`mirrorgraph run` (discover + probe, nothing to do)", run),
        ("  of which the probe phase (from the --json report)", probe_ms),
        ("`mirrorgraph run --offline` (cached observations trusted)", off),
        ("seed: one %s per tag" % seed_label, seed),
        ("sequential `curl -sI` per tag", curl),
        ("floor: one `curl --parallel --parallel-max 16`", floor)]
for name, ms in rows:
    print("| %s | %.0f ms | %.2f | %.2fx | %.1fx |" % (name, ms, ms / n, ms / floor, seed / ms if ms else 0))
# Side by side: rounds of one mirrorgraph run and one floor run (the order swapped every round);
# the ratio of each round, and its median, is the headline (load changes reach both alike).
alt = {k: [json.loads(line)["runs_ms"][0] for line in open(os.path.join(w, "alt_%s.runs" % k)) if line.strip()]
       for k in ("run", "floor")}
ratios = sorted(r / f for r, f in zip(alt["run"], alt["floor"]))
med = lambda xs: sorted(xs)[len(xs) // 2] if len(xs) % 2 else sum(sorted(xs)[len(xs) // 2 - 1:len(xs) // 2 + 1]) / 2
alt_ratio = med(ratios)
print("| side by side, %d rounds alternated: `mirrorgraph run` / floor | %.0f ms / %.0f ms | | **%.2fx** (rounds %.2f–%.2fx) | |"
      % (len(ratios), med(alt["run"]), med(alt["floor"]), alt_ratio, ratios[0], ratios[-1]))
print()
verdict = lambda met: "n/a (smoke: sizes too small to judge)" if smoke else ("MET" if met else "MISSED")
print("goal: within 1.5x of the floor (side by side, median of the rounds' ratios): %s (%.2fx; the sequential medians"
      " above: %.2fx, probe phase alone %.2fx)" % (verdict(alt_ratio <= 1.5), alt_ratio, run / floor, probe_ms / floor))
print("goal: at least 20x faster than the seed's loop: %s (%.1fx)" % (verdict(seed >= 20 * run), seed / run))
# CPU a run: the registry's from /proc around all the runs; the client's from timing.py (the
# command and every process it waited for — mirrorgraph's git processes too — median of the runs);
# and the least wall time that CPU allows with every core busy: the floor is bound by the
# registry's CPU itself.
cores = len(os.sched_getaffinity(0))
cpu = {k: (int(open(os.path.join(w, "regcpu_" + k)).read()) / runs, json.load(open(os.path.join(w, t)))["cpu_ms"])
       for k, t in (("run", "t_run.json"), ("floor", "t_floor.json"))}
for k, label, wall in (("run", "mirrorgraph run", run), ("floor", "curl --parallel", floor)):
    reg, client = cpu[k]
    print("CPU a run, %s: registry %.0f ms, client %.0f ms; (both) / %d cores = %.0f ms, the least wall time (measured %.0f ms)"
          % (label, reg, client, cores, (reg + client) / cores, wall))
least = sum(cpu["run"]) / cores
print("so mirrorgraph run is at best %.2fx the floor's measured time on this machine" % (least / floor))
PY
if [[ $smoke == 1 ]]; then
  echo "probe_noop smoke: ok ($APPS apps x $VERSIONS versions: online and --offline runs were no-ops, every probe" \
    "complete, latest checked; the seed's loop ($seed_label), curl -sI and curl --parallel answered all $nheads manifests;" \
    "side by side: $ALT_RUNS round of each)"
  exit 0
fi
