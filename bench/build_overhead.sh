#!/usr/bin/env bash
# Engine overhead on a real build: wall time of `mirrorgraph run` for the demo's app (examples/hello:
# 3 versions × linux/amd64 + linux/arm64, built with buildah) against the same git clone + buildah
# bud + buildah push commands run one after the other by a plain script (docs/benchmarks.md,
# "Engine overhead on a real build").
#
# usage: bench/build_overhead.sh [--smoke] [BUILD_DIR]   (default: build-bench, then build; needs
#                                                       `cmake --build BUILD_DIR --target mirrorgraph generic`)
# env:   RUNS=3 (measured runs of each variant; medians reported)
#        DOCKERFILE=copy (the demo's COPY-only Dockerfile, default) | run (adds a busybox RUN step,
#          under QEMU for arm64: needs /proc/sys/fs/binfmt_misc/qemu-aarch64 enabled and
#          /var/cache/mirrorgraph-test/busybox/{amd64,arm64}/busybox, scripts/fetch-test-assets.sh)
#        COMPARE_MG=/path/to/another/mirrorgraph (adds `-j 1` runs of that binary, e.g. with a fix,
#          interleaved with the others, in the table as "COMPARE_MG -j 1")
#        KEEP=1 (keep the temp dir)
#
# Setup (untimed): the demo's upstream (a local git repository with tags v1.0.0, v1.1.0, v1.2.0,
# v2.0.0-rc.1, made like scripts/demo.sh makes it) and the demo's mirror.toml. Every measured run
# gets a fresh docker-registry on a free 127.0.0.1 port (started before the clock starts, stopped
# after it stops) and a fresh state directory or buildah root, so every run builds everything:
#   mirrorgraph -j 1:  `mirrorgraph run -j 1`: one task at a time, like the script
#   mirrorgraph:       `mirrorgraph run` with its defaults (CPUs + 2 jobs; the amd64 and arm64 legs
#                      run at once, one build per platform pool)
#   script:            per leg (the versions and platforms mirrorgraph built), sequentially:
#                      git clone --depth 1 --branch <tag> --single-branch --no-tags, git rev-parse
#                      and git log -1 (the commit and its time), a plain buildah bud into the storage (--root/--runroot
#                      under the temp dir, vfs, chroot isolation, --platform, --build-arg VERSION=,
#                      the three labels, --timestamp), buildah push IMG docker://host/demo/hello:<tag>
#                      --tls-verify=false
# A first mirrorgraph run (not measured) lists the legs and warms the caches. The variants are
# interleaved in each repetition, in a rotating order, so load drift hits them alike. mirrorgraph's
# time includes what the script does not do: discover, probes, the plugin's recipes, the merges
# and tags, the report. Each mirrorgraph report is checked (every leg built, every version merged,
# nothing failed), and so is the script's work (every leg's tag in its registry). Idempotent;
# registries and the temp dir are removed at exit.
# --smoke: one run of each variant (the -j 1 run lists the legs; no warm-up, no COMPARE_MG, the
# COPY-only Dockerfile), with the checks above, no table. Seconds; never checks a duration. For CI
# (docs/testing.md).
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
COMPARE_MG="${COMPARE_MG:-}"
[[ -z "$COMPARE_MG" || -x "$COMPARE_MG" ]] || { echo "COMPARE_MG=$COMPARE_MG is not executable" >&2; exit 2; }
DOCKERFILE="${DOCKERFILE:-copy}"
if [[ $smoke == 1 ]]; then RUNS=1; COMPARE_MG=""; DOCKERFILE=copy; fi
example="$root/examples/hello"
busybox=/var/cache/mirrorgraph-test/busybox
case "$DOCKERFILE" in
  copy) ;;
  run)
    [[ "$(head -1 /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null)" == enabled ]] ||
      { echo "DOCKERFILE=run needs the qemu-aarch64 binfmt handler (scripts/enable-binfmt.sh)" >&2; exit 2; }
    for arch in amd64 arm64; do
      [[ -x "$busybox/$arch/busybox" ]] || { echo "$busybox/$arch/busybox is missing (scripts/fetch-test-assets.sh)" >&2; exit 2; }
    done ;;
  *) echo "DOCKERFILE must be copy or run" >&2; exit 2 ;;
esac

work="$(mktemp -d "${TMPDIR:-/tmp}/mg-bench-build.XXXXXX")"
cleanup() {
  bench_registry_stop
  [[ -n "${KEEP:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT
timing() { python3 "$here/timing.py" --runs 1 "$@"; }

echo "== engine overhead on a real build: examples/hello, Dockerfile '$DOCKERFILE', $RUNS repetitions," \
  "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# --- the upstream, as scripts/demo.sh makes it (fixed identities and dates); with DOCKERFILE=run
# the Dockerfile also copies a static busybox for the target architecture and runs it.
upstream="$work/upstream/hello"
mkdir -p "$upstream"
if [[ "$DOCKERFILE" == run ]]; then
  cp "$example/Dockerfile" "$upstream/Dockerfile"
  for arch in amd64 arm64; do cp "$busybox/$arch/busybox" "$upstream/busybox-$arch"; done
  # shellcheck disable=SC2016  # ${TARGETARCH} is for the Dockerfile
  printf '%s\n' 'ARG TARGETARCH' 'COPY busybox-${TARGETARCH} /bin/busybox' \
    'RUN ["/bin/busybox", "sh", "-c", "/bin/busybox uname -m > /arch.txt"]' >>"$upstream/Dockerfile"
fi
"$example/make-upstream.sh" "$upstream"

# The demo's config for a registry address (the app gets emulation with DOCKERFILE=run).
write_config() {
  # Builds and merges only: the script's side signs nothing, so neither does mirrorgraph here.
  sed -e "s|@REGISTRY@|$1|" -e "s|@UPSTREAM@|file://$upstream|" -e '/^key = /d' \
      -e 's/^\(sign\|sbom\|provenance\) = true/\1 = false/' "$example/mirror.toml.in" >"$2"
  if [[ "$DOCKERFILE" == run ]]; then sed -i 's|^plugin = "generic"$|&\nemulation = true|' "$2"; fi
}

# One measured mirrorgraph run: fresh registry, fresh state. $1 = label, rest = extra arguments.
# MG_BIN overrides the binary.
mg_run() {
  local label=$1 dir="$work/$1" bin=${MG_BIN:-$mg}
  shift
  rm -rf "$dir"
  mkdir -p "$dir"
  bench_registry_start "$dir/registry"
  write_config "$bench_registry" "$dir/mirror.toml"
  timing --stderr "$dir/run.err" -- "$bin" -c "$dir/mirror.toml" --state-dir "$dir/state" run "$@" \
    --json "$dir/report.json" >"$dir/timing.json" || { tail -20 "$dir/run.err" >&2; bench_fail "$label: mirrorgraph run failed"; }
  bench_registry_stop
  python3 - "$dir/report.json" "$label" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ran = lambda kind: sorted(t["id"] for t in r["tasks"] if t["type"] == kind and t["status"] == "ran")
bad = [t["id"] for t in r["tasks"] if t["status"] in ("failed", "blocked")]
if bad or len(ran("build")) != 6 or len(ran("merge")) != 3:
    sys.exit("FAILED: %s: expected 6 builds and 3 merges to run; failed/blocked %s, builds %s" % (sys.argv[2], bad, ran("build")))
PY
}

# The plain script's legs: the versions and platforms mirrorgraph built.
write_legs() {
  python3 - "$1" <<'PY' >"$work/legs.txt"
import json, sys
for t in sorted(json.load(open(sys.argv[1]))["tasks"], key=lambda t: t["id"]):
    if t["type"] == "build":
        version, platform = t["id"].split("@", 1)[1].split("/", 1)
        print(version, platform)
PY
  cat >"$work/script.sh" <<SH
#!/usr/bin/env bash
# usage: script.sh REGISTRY BUILDAH_DIR — every leg of legs.txt, one after the other.
set -euo pipefail
b=(buildah --root "\$2/root" --runroot "\$2/run" --storage-driver vfs)
while read -r version platform; do
  src="\$2/src-\$version-\${platform//\//-}"
  git clone -q --depth 1 --branch "v\$version" --single-branch --no-tags -c advice.detachedHead=false -- "file://$upstream" "\$src"
  commit=\$(git -C "\$src" rev-parse HEAD)
  epoch=\$(git -C "\$src" log -1 --format=%ct)
  image="hello-\$version-\${platform##*/}"
  "\${b[@]}" bud --isolation chroot --platform "\$platform" -q -f "\$src/Dockerfile" \\
    --build-arg "VERSION=\$version" --label "org.opencontainers.image.version=\$version" \\
    --label "org.opencontainers.image.revision=\$commit" --label "org.opencontainers.image.source=$upstream" \\
    --timestamp "\$epoch" -t "\$image" "\$src" >/dev/null
  "\${b[@]}" push -q --tls-verify=false "\$image" "docker://\$1/demo/hello:\$version-\${platform##*/}"
  rm -rf "\$src"
done <"$work/legs.txt"
SH
}

# One measured script run: fresh registry, fresh buildah root; then every leg's tag must be there.
script_run() {
  local dir="$work/$1" version platform
  rm -rf "$dir"
  mkdir -p "$dir"
  bench_registry_start "$dir/registry"
  timing --stderr "$dir/run.err" -- bash "$work/script.sh" "$bench_registry" "$dir/buildah" >"$dir/timing.json" ||
    { tail -20 "$dir/run.err" >&2; bench_fail "$1: the script failed"; }
  while read -r version platform; do
    curl -fsI -o /dev/null -H "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" \
      "http://$bench_registry/v2/demo/hello/manifests/$version-${platform##*/}" ||
      bench_fail "$1: the script did not push demo/hello:$version-${platform##*/}"
  done <"$work/legs.txt"
  bench_registry_stop
}

if [[ $smoke == 1 ]]; then
  # One run of each variant; the -j 1 run lists the legs for the script.
  mg_run mg1-r1 -j 1
  write_legs "$work/mg1-r1/report.json"
  mg_run mgd-r1
  script_run script-r1
  echo "build_overhead smoke: ok (mirrorgraph -j 1 and default -j each built the $(wc -l <"$work/legs.txt") legs and merged" \
    "every version; the script pushed every leg)"
  exit 0
fi

# The legs, from a first mirrorgraph run (also a warm-up: not measured).
mg_run warmup -j 1
write_legs "$work/warmup/report.json"
rm -rf "$work/warmup"

for ((r = 1; r <= RUNS; r++)); do
  echo "-- repetition $r/$RUNS"
  # The order rotates between repetitions, so no variant always runs first (after the previous
  # repetition's clean-up) or last.
  variants=3
  [[ -z "$COMPARE_MG" ]] || variants=4
  for ((k = 0; k < variants; k++)); do
    case $(((r + k) % variants)) in
      0) mg_run "mg1-r$r" -j 1 ;;
      1) mg_run "mgd-r$r" ;;
      2) script_run "script-r$r" ;;
      3) MG_BIN=$COMPARE_MG mg_run "cmp-r$r" -j 1 ;;
    esac
  done
  python3 - "$work" "$r" <<'PY'
import json, os, sys
w, r = sys.argv[1], sys.argv[2]
t = lambda n: json.load(open(os.path.join(w, n + "-r" + r, "timing.json")))["median_ms"]
line = "   mirrorgraph -j 1 %.0f ms, mirrorgraph (default -j) %.0f ms, script %.0f ms" % (t("mg1"), t("mgd"), t("script"))
if os.path.exists(os.path.join(w, "cmp-r" + r)):
    line += ", COMPARE_MG -j 1 %.0f ms" % t("cmp")
print(line)
PY
  # Both made the images (mirrorgraph's run checked its report): free the disk between repetitions.
  rm -rf "$work"/*-r"$r"/state/buildah "$work/script-r$r/buildah" "$work"/*-r"$r"/registry/storage
done

python3 - "$work" "$RUNS" "$(wc -l <"$work/legs.txt")" <<'PY'
import json, os, statistics, sys
w, runs, legs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rs = range(1, runs + 1)
t = lambda name, r: json.load(open(os.path.join(w, "%s-r%d" % (name, r), "timing.json")))["median_ms"]
med = lambda name: statistics.median([t(name, r) for r in rs])
script = med("script")

def phases(name):
    # Median over the runs of the sum of the build tasks' times and of the merge tasks' times.
    out = {"build": [], "merge": []}
    for r in rs:
        rep = json.load(open(os.path.join(w, "%s-r%d" % (name, r), "report.json")))
        tasks = [x for x in rep["tasks"] if x.get("started_at") is not None and x.get("finished_at") is not None]
        for kind in ("build", "merge"):
            out[kind].append(sum(x["finished_at"] - x["started_at"] for x in tasks if x["type"] == kind))
    return {k: statistics.median(v) if v else 0 for k, v in out.items()}

print()
print("| what | wall (median of %d) | vs script | build tasks (sum) | merge tasks (sum) |" % runs)
print("| --- | ---: | ---: | ---: | ---: |")
variants = [("`mirrorgraph run -j 1` (one task at a time)", "mg1"),
            ("`mirrorgraph run` (default: CPUs + 2 jobs, amd64 and arm64 legs at once)", "mgd")]
if os.path.exists(os.path.join(w, "cmp-r1")):
    variants.append(("COMPARE_MG `run -j 1`", "cmp"))
for label, name in variants:
    ms, p = med(name), phases(name)
    print("| %s | %.0f ms | %.3fx (%+.1f%%) | %.0f ms | %.0f ms |" % (label, ms, ms / script, 100 * (ms / script - 1),
                                                                    p["build"], p["merge"]))
print("| plain script: git clone + buildah bud + buildah push per leg, sequential (%d legs) | %.0f ms | 1.000x | | |"
      % (legs, script))
print()
for label, name in [("-j 1", "mg1"), ("default -j", "mgd")] + [("COMPARE_MG -j 1", "cmp")] * (len(variants) == 3):
    ratio = med(name) / script
    per_rep = sorted(t(name, r) / t("script", r) for r in rs)
    print("goal: within 5%% of the script (%s): %s (%.3fx; per repetition %s)" % (
        label, "MET" if ratio <= 1.05 else "MISSED", ratio, ", ".join("%.2f" % x for x in per_rep)))
PY
