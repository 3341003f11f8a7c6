#!/usr/bin/env bash
# SBOM scan throughput against the physical floor: zcat of the same layers (docs/benchmarks.md).
#
# For each image size the three contenders run in turn, RUNS rounds, so a busy machine slows them
# alike: zcat (gzip's own inflate, to /dev/null), `sbom_scan --floor` (libarchive decompressing and
# walking every header, no scanner) and `sbom_scan` (the real LayerScanner). Each runs under GNU
# time (/usr/bin/time: a small parent, so the child's peak RSS is its own). Reported: median wall
# time and median CPU time (user + sys: the figure a loaded machine disturbs least), peak RSS, and
# the scan's speed as a fraction of zcat's.
#
# usage: bench/sbom_scan.sh [--smoke] [BUILD_DIR]   (default: build-bench, then build; needs
#                                                   bench/sbom_scan)
# env:   SCALES="1 4" (bytes multiplier) NPM_PACKAGES=3000 (per image, whatever the scale) RUNS=5
#        KEEP=1 (keep the temp dir)
#
# --smoke: one image at scale 0.05 (~7 MB compressed: a few libraries, the smallest Go executable
# found) with 200 npm packages, one round of the three contenders; checks that the scan found
# exactly the generated dpkg and npm packages, at least one Go package per Go executable, no
# warning, and that the walk and the scan saw the same entries. Seconds; never checks a duration.
# For CI (docs/testing.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/common.sh
source "$here/common.sh"
bench_args bench/sbom_scan "$@"
smoke=$bench_smoke
bin="$bench_build/bench/sbom_scan"
bench_need_built sbom_scan "$bin"
bench_need_tools zcat
[[ -x /usr/bin/time ]] || { echo "GNU time (/usr/bin/time, Debian package time) is required" >&2; exit 2; }

SCALES="${SCALES:-1 4}"
RUNS="${RUNS:-5}"
NPM_PACKAGES="${NPM_PACKAGES:-3000}"
if [[ $smoke == 1 ]]; then SCALES=0.05; RUNS=1; NPM_PACKAGES=200; fi
work="$(mktemp -d "${TMPDIR:-/tmp}/mg-bench-sbom.XXXXXX")"
[[ -n "${KEEP:-}" ]] || trap 'rm -rf "$work"' EXIT

echo "== SBOM scan: scales $SCALES, $RUNS rounds each, $(nproc) cores, $(zcat --version | head -n 1), load $(cut -d' ' -f1-3 /proc/loadavg)"
for s in $SCALES; do
  echo "-- generate scale $s"
  python3 "$here/gen_sbom_layers.py" "$work/scale$s" "$s" "$NPM_PACKAGES"
done

python3 - "$work" "$bin" "$RUNS" "$smoke" $SCALES <<'PY'
import json, os, statistics, subprocess, sys
work, bin_, runs, smoke, scales = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5:]

def run(cmd, out_path):
    stats = os.path.join(work, "time.out")
    with open(out_path, "wb") as out:
        rc = subprocess.call(["/usr/bin/time", "-f", "%e %U %S %M", "-o", stats] + cmd, stdout=out)
    if rc != 0:
        sys.exit("FAILED: %s (exit %d)" % (" ".join(cmd), rc))
    wall, user, sys_, rss_kb = open(stats).read().split()[-4:]
    return float(wall), float(user) + float(sys_), int(rss_kb) / 1024.0

rows, speed, rss, errors = [], [], [], []
for s in scales:
    d = os.path.join(work, "scale" + s)
    meta = json.load(open(os.path.join(d, "meta.json")))
    layers = meta["layers"]
    subprocess.call(["cat"] + layers, stdout=subprocess.DEVNULL)  # page cache warm for every contender
    cmds = {"zcat": ["zcat"] + layers, "walk": [bin_, "--floor"] + layers, "scan": [bin_] + layers}
    res = {k: [] for k in cmds}
    for r in range(runs):
        for k, cmd in cmds.items():
            res[k].append(run(cmd, os.devnull if k == "zcat" else os.path.join(d, k + ".json")))
    med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v), max(x[2] for x in v))
           for k, v in res.items()}
    out = json.load(open(os.path.join(d, "scan.json")))
    walk = json.load(open(os.path.join(d, "walk.json")))
    print("scale %s: %s" % (s, json.dumps(out)))
    # What the generator wrote is what the scan must find (each Go executable: its modules and stdlib).
    want, got = meta["packages"], out["packages_by_type"]
    for kind in ("deb", "npm"):
        if got.get(kind, 0) != want[kind]:
            errors.append("scale %s: the scan found %d %s packages, the image holds %d" % (s, got.get(kind, 0), kind, want[kind]))
    if got.get("golang", 0) < want["go_executables"]:
        errors.append("scale %s: %d golang packages for %d Go executables" % (s, got.get("golang", 0), want["go_executables"]))
    if out["warnings"]:
        errors.append("scale %s: %d scan warnings" % (s, out["warnings"]))
    if out["entries"] != walk["entries"]:
        errors.append("scale %s: the scan saw %d entries, the libarchive walk %d" % (s, out["entries"], walk["entries"]))
    for k in cmds:
        print("  %-5s wall %s s, cpu %s s" % (k, " ".join("%.2f" % x[0] for x in res[k]), " ".join("%.2f" % x[1] for x in res[k])))
    ratio_cpu, ratio_wall = med["zcat"][1] / med["scan"][1], med["zcat"][0] / med["scan"][0]
    speed.append(ratio_cpu)
    rss.append(med["scan"][2])
    rows.append("| scale %s | %.0f MB | %.0f MB | %d (%s) | %.2f s / %.2f s | %.2f s / %.2f s | %.2f s / %.2f s | %.0f%% / %.0f%% | %.0f MB/s | %.1f MB | %.1f MB |" % (
        s, meta["compressed_bytes"] / 1e6, meta["uncompressed_bytes"] / 1e6, out["packages"],
        ", ".join("%s %d" % kv for kv in sorted(out["packages_by_type"].items())),
        med["zcat"][0], med["zcat"][1], med["walk"][0], med["walk"][1], med["scan"][0], med["scan"][1],
        100 * ratio_cpu, 100 * ratio_wall, meta["uncompressed_bytes"] / 1e6 / med["scan"][1],
        med["scan"][2], med["zcat"][2]))
if errors:
    sys.exit("\n".join("FAILED: " + e for e in errors))
if smoke:
    print("sbom_scan smoke: ok (scale %s: zcat, the walk and the scan ran; every generated deb and npm package found, "
          "Go executables seen, walk and scan over the same %d entries)" % (" ".join(scales), out["entries"]))
    sys.exit(0)
print()
print("| image | compressed | uncompressed | packages found | zcat wall / cpu | libarchive walk wall / cpu | scan wall / cpu | scan speed vs zcat (cpu / wall) | scan rate (uncompressed, per cpu s) | scan peak RSS | zcat peak RSS |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
print("\n".join(rows))
print()
ok_speed = min(speed) >= 0.70
ok_mem = max(rss) - min(rss) < 16
print("(peak RSS grows with the number of packages found, not with the bytes: keep NPM_PACKAGES fixed to compare sizes)")
print("goal: scan >= 70%% of zcat's speed: %s (%s, by cpu time); peak RSS independent of image size: %s (%s)" % (
    "MET" if ok_speed else "MISSED", ", ".join("%.0f%%" % (100 * r) for r in speed),
    "MET" if ok_mem else "MISSED", " vs ".join("%.1f MB" % m for m in rss)))
PY
