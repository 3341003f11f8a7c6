#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and the demo need. Idempotent: when every
# package is already installed it touches nothing (no apt-get update), so reruns take a moment.
# As root it runs apt-get directly; otherwise through sudo when present; otherwise it prints the
# command to run and exits 1.
set -euo pipefail

# One line per package: why the project needs it (docs/dependencies.md has the full story).
packages=(
  cmake ninja-build g++       # the build (CMake >= 3.25, C++20)
  clang libclang-rt-14-dev    # the sanitizer trees: libFuzzer targets (scripts/fuzz.sh) and the ThreadSanitizer suites
  ccache                      # rebuilds of unchanged sources come from a cache (worktrees, reruns)
  lld                         # links about 4x faster than GNU ld (CMake uses it when present)
  pkg-config                  # lets CMake's FindCURL and FindOpenSSL ask pkg-config
  git                         # the git-tags source (git ls-remote), the demo's upstream, builds' checkouts
  curl ca-certificates        # the demo waits for its registry with curl; TLS roots for real registries
  python3                     # the tests' fake GitHub/GitLab server; the demo picks a free port with it
  libboost-dev                # Boost.Asio, Boost.Process and other header-only parts
  libboost-program-options-dev libboost-graph-dev libboost-test-dev libboost-filesystem-dev
  libtomlplusplus-dev         # mirror.toml and graph templates
  nlohmann-json3-dev          # task parameters, results, the plugin ABI's JSON
  libcurl4-openssl-dev        # the OCI distribution API and upstream HTTP APIs
  libspdlog-dev               # logging
  libssl-dev                  # SHA-256 (content addresses, cache keys), signing
  zlib1g-dev                  # CRC-32 of cache and journal records (crc32_z)
  libre2-dev                  # tag patterns: regular expressions matched in linear time, whatever the upstream tags
  libarchive-dev              # SBOM: streams image layers (tar, gzip) without extracting them
  libsodium-dev               # cosign's encrypted private keys (scrypt + NaCl secretbox)
  openssl                     # the sign tests make their key fixtures with the openssl CLI
  docker-registry             # a real OCI registry on loopback: integration tests and the demo
  apache2-utils               # htpasswd, for the authenticated registry in the integration tests
  skopeo                      # tests push and inspect images independently of the engine
  buildah                     # the default builder backend
  qemu-user-static            # arm64 RUN steps on an amd64 machine (binfmt handlers), when emulation is on
  python3-jsonschema          # tests validate SBOMs against the SPDX 2.3 JSON schema
  prometheus                  # promtool: tests check the run --metrics file (integration.cli_metrics_promtool_test)
  graphviz                    # dot: `mirrorgraph graph --dot | dot -Tsvg` in the demo
  util-linux                  # flock(1): hold a state directory's lock by hand (docs/getting-started.md)
  rsync                       # gitlab-ci-local's --shell-isolation copies each job's tree with it (integration.ci.*)
  dpkg-dev file               # scripts/package.sh: CPack's DEB generator runs dpkg-shlibdeps on the ELF files `file` finds
  man-db bash-completion      # package.deb checks the installed man page (man -w) and completion
  time                        # GNU time (/usr/bin/time): bench/sbom_scan.sh's CPU time and peak RSS (bench.sbom_scan.smoke)
)

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi

echo "install-deps: to install: ${missing[*]}"
apt=(env DEBIAN_FRONTEND=noninteractive apt-get)
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    apt=(sudo "${apt[@]}")
  else
    echo "install-deps: not root and no sudo; as root, run:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi
"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends "${missing[@]}"
