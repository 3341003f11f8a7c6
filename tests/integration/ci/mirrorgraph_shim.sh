#!/usr/bin/env bash
# A stand-in for the two commands the generated pipelines call that this build of mirrorgraph may
# not have yet (`plan --matrix FILE`, `run --unit ID`; docs/cli.md), used by gitlab_local_test.sh
# only when `mirrorgraph --help` does not list them. Everything else goes to the real binary
# ($MG_REAL_MIRRORGRAPH) unchanged.
#   plan ... --matrix FILE  ->  plan ... --json REPORT, then FILE = the build tasks that would run,
#                               as {"include":[{unit, app, version, platform, runner}]} sorted by
#                               unit, runner = $MG_SHIM_RUNNER
#   run ... --unit ID       ->  run ... --only APP@VERSION/OS/ARCH (that leg and what it needs)
set -euo pipefail
real=${MG_REAL_MIRRORGRAPH:?}
args=()
matrix=""
unit=""
while [ $# -gt 0 ]; do
  case "$1" in
    --matrix) if [ "${args[0]:-}" = plan ]; then matrix=$2; shift 2; continue; fi ;;
    --unit) unit=$2; shift 2; continue ;;
  esac
  args+=("$1")
  shift
done
if [ -n "$matrix" ]; then
  report=$(mktemp)
  "$real" "${args[@]}" --json "$report"
  python3 - "$report" "$matrix" "${MG_SHIM_RUNNER:-ubuntu-24.04}" <<'PY'
import json, sys
report, out, runner = sys.argv[1:4]
tasks = json.load(open(report))["tasks"]
units = [{"unit": t["id"], "app": t["app"], "version": t["version"], "platform": t["platform"], "runner": runner}
         for t in tasks if t.get("type") == "build" and t.get("status") == "would-run"]
json.dump({"include": sorted(units, key=lambda u: u["unit"])}, open(out, "w"))
PY
  rm -f "$report"
  exit 0
fi
if [ -n "$unit" ]; then
  exec "$real" "${args[@]}" --only "${unit#build:}"
fi
exec "$real" "${args[@]}"
