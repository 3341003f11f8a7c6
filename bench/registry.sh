# shellcheck shell=bash
# Sourced by the benchmarks that need a registry (merge, build_overhead, attest, probe_noop, ...): a
# throwaway docker-registry on loopback.
#
#   bench_registry_start DIR    starts docker-registry (plain HTTP, storage under DIR, a free
#                               127.0.0.1 port), waits until /v2/ answers; sets bench_registry
#                               (host:port) and bench_registry_pid. Exits the script on failure.
#   bench_registry_stop         stops it (safe to call twice, and when none was started).
#   bench_registry_cpu_ms       prints the registry's CPU time so far (user + system, ms), to read
#                               around a timed command: the registry shares the cores with the
#                               client, so its CPU bounds how fast any client can go.
#
# Only the process it started is ever killed (by its pid).

bench_registry=""
bench_registry_pid=""

bench_registry_start() {
  local dir=$1 port i
  mkdir -p "$dir/storage"
  for _ in 1 2 3 4 5; do  # a port can be taken between choosing and binding it
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    bench_registry="127.0.0.1:$port"
    cat >"$dir/config.yml" <<YML
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
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: $bench_registry
  secret: mirrorgraph-bench-secret
YML
    docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
    bench_registry_pid=$!
    for ((i = 0; i < 300; i++)); do
      curl -fs -o /dev/null "http://$bench_registry/v2/" && return 0
      kill -0 "$bench_registry_pid" 2>/dev/null || break
      sleep 0.1
    done
    bench_registry_stop
  done
  echo "docker-registry did not start (log: $dir/log):" >&2
  tail -n 5 "$dir/log" >&2
  exit 1
}

bench_clk_tck=$(getconf CLK_TCK)
# Fields after the command name of /proc/PID/stat: utime and stime are the 12th and 13th.
bench_registry_cpu_ms() {
  awk -v t="$bench_clk_tck" '{ sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / t) }' "/proc/$bench_registry_pid/stat"
}

bench_registry_stop() {
  if [[ -n "$bench_registry_pid" ]]; then
    kill "$bench_registry_pid" 2>/dev/null || true
    wait "$bench_registry_pid" 2>/dev/null || true
    bench_registry_pid=""
  fi
}
