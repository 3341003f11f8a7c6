#!/usr/bin/env bash
# package.deb: the Debian packages built by scripts/package.sh, installed and removed for real.
#   1. build mirrorgraph_*.deb and mirrorgraph-dev_*.deb (scripts/package.sh: a tree of the
#      installed targets only, in build-deb-test/ of the checkout, reused by later runs). What this
#      checks is the packaging, not the code's speed, so the tree is built without optimization or
#      debug info (CMAKE_BUILD_TYPE None: about two thirds of the compile time of package.sh's default,
#      RelWithDebInfo, which CI would otherwise pay while the other tests wait for the cores). It
#      keeps the default compiler (g++), as package.sh's packages have: the one tree in CI that
#      g++ compiles (clang would take 62 s against 102 s, docs/benchmarks.md §9, but then g++'s
#      diagnostics and code would go untested); MG_PACKAGE_BUILD_TYPE and MG_PACKAGE_BUILD_DIR
#      override both;
#   2. `apt-get install` them (offline: their dependencies are installed by scripts/install-deps.sh);
#   3. check the installed files, `mirrorgraph --version`, `mirrorgraph plugins` (the installed
#      plugins only, although the build tree's exist), the templates, the man page, bash
#      completion, the systemd units (systemd-analyze verify), the service's user;
#   4. build examples/third-party-plugin against the installed SDK with find_package and load it;
#   5. `apt-get remove`, then `purge`: every file `dpkg -L` listed is gone, and the package too.
# It changes the machine (installs to /usr): root only, and skipped (exit 77) when not root or
# without dpkg/apt. Whatever happens, the packages are purged again on exit; packages left
# installed by an earlier run are purged first.
# Usage: deb_test.sh SOURCE_DIR
set -euo pipefail
src=$(cd "${1:?usage: deb_test.sh SOURCE_DIR}" && pwd)

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: not root (installs packages)"; exit 77; fi
for tool in dpkg dpkg-query dpkg-deb apt-get; do
  command -v "$tool" >/dev/null || { echo "SKIP: no $tool"; exit 77; }
done

packages=(mirrorgraph mirrorgraph-dev)
build_tree=${MG_PACKAGE_BUILD_DIR:-$src/build-deb-test}
build_type=${MG_PACKAGE_BUILD_TYPE:-None}
apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -o DPkg::Lock::Timeout=600)
fail() { echo "FAIL: $*" >&2; exit 1; }
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }
known() { dpkg-query -W "$1" >/dev/null 2>&1 && [ "$(dpkg-query -W -f='${db:Status-Status}' "$1")" != not-installed ]; }
purge_all() {
  local p present=()
  for p in "${packages[@]}"; do known "$p" && present+=("$p"); done
  [ ${#present[@]} -eq 0 ] || "${apt[@]}" purge "${present[@]}" >/dev/null
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mg-deb-XXXXXX")
made_config=0
cleanup() {
  local rc=$?
  rm -f /usr/lib/mirrorgraph/plugins/mirrorgraph-hello-extra.so
  [ $made_config -eq 0 ] || rm -f /etc/mirrorgraph/mirror.toml
  purge_all || echo "warning: could not purge ${packages[*]}" >&2
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== packages left by an earlier run are purged first"
purge_all
if [ -e /usr/bin/mirrorgraph ]; then
  echo "SKIP: /usr/bin/mirrorgraph exists and no package owns it: not overwriting it"
  exit 77
fi

echo "== build the packages (scripts/package.sh)"
mapfile -t debs < <(MG_PACKAGE_BUILD_TYPE=$build_type MG_PACKAGE_BUILD_DIR=$build_tree "$src/scripts/package.sh")
[ ${#debs[@]} -eq 2 ] || fail "package.sh printed ${#debs[@]} paths, expected 2: ${debs[*]}"
deb=${debs[0]} dev=${debs[1]}
case $(basename "$deb") in mirrorgraph_*.deb) ;; *) fail "first package is $deb" ;; esac
case $(basename "$dev") in mirrorgraph-dev_*.deb) ;; *) fail "second package is $dev" ;; esac
version=$(dpkg-deb --field "$deb" Version)
depends=$(dpkg-deb --field "$deb" Depends)
recommends=$(dpkg-deb --field "$deb" Recommends)
echo "Version: $version"; echo "Depends: $depends"; echo "Recommends: $recommends"
# Computed by dpkg-shlibdeps from the binary and the plugins; libcurl4 declared (loaded with dlopen).
for lib in libc6 libstdc++6 libcurl4 libssl3 libre2; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
for tool in buildah skopeo git qemu-user-static; do
  [[ $recommends == *"$tool"* ]] || fail "Recommends lacks $tool: $recommends"
done
[[ $(dpkg-deb --field "$dev" Depends) == "mirrorgraph (= $version)" ]] || fail "mirrorgraph-dev Depends: $(dpkg-deb --field "$dev" Depends)"

echo "== apt-get install ./$(basename "$deb") ./$(basename "$dev")"
# Paths with a slash make apt take local files; every dependency is installed already.
cp "$deb" "$dev" "$tmp/"
(cd "$tmp" && "${apt[@]}" install --no-install-recommends "./$(basename "$deb")" "./$(basename "$dev")")
for p in "${packages[@]}"; do installed "$p" || fail "$p is not installed"; done

dpkg -L "${packages[@]}" | sort -u >"$tmp/files"
for f in /usr/bin/mirrorgraph /usr/lib/mirrorgraph/plugins/mirrorgraph-generic.so \
         /usr/lib/mirrorgraph/plugins/mirrorgraph-mattermost.so /usr/lib/mirrorgraph/plugins/mirrorgraph-outline.so \
         /usr/lib/mirrorgraph/plugins/mirrorgraph-mostlymatter.so \
         /usr/share/mirrorgraph/graphs/multi-version.toml /usr/share/mirrorgraph/graphs/latest-only.toml \
         /usr/share/man/man1/mirrorgraph.1.gz /usr/share/bash-completion/completions/mirrorgraph \
         /usr/lib/systemd/system/mirrorgraph.service /usr/lib/systemd/system/mirrorgraph.timer \
         /usr/share/doc/mirrorgraph/examples/mirror.toml \
         /usr/include/mirrorgraph/plugin.h /usr/include/mirrorgraph/plugin.hpp \
         /usr/lib/cmake/mirrorgraph/mirrorgraphConfig.cmake /usr/lib/cmake/mirrorgraph/mirrorgraph_plugin.cmake; do
  grep -qx "$f" "$tmp/files" || fail "$f is not in the packages (dpkg -L)"
  [ -f "$f" ] || fail "$f is listed but not on disk"
done
grep -q '^/usr/include/' <(dpkg -L mirrorgraph) && fail "the runtime package ships headers (they belong to mirrorgraph-dev)"
file -L /usr/bin/mirrorgraph | grep -q 'not stripped' && fail "/usr/bin/mirrorgraph is not stripped"

echo "== mirrorgraph --version"
out=$(cd "$tmp" && /usr/bin/mirrorgraph --version)
echo "$out"
[ "$out" = "mirrorgraph $version" ] || fail "--version says '$out', the package is $version"

echo "== mirrorgraph plugins: the installed ones, not the build tree's"
# The binary was built in the package's build tree, whose plugins/ is still there: an installed
# engine must not search it.
[ -f "$build_tree/plugins/mirrorgraph-generic.so" ] || fail "no $build_tree/plugins/mirrorgraph-generic.so"
(cd "$tmp" && env -u MIRRORGRAPH_PLUGIN_PATH /usr/bin/mirrorgraph plugins) | tee "$tmp/plugins.out"
for p in generic mattermost outline mostlymatter; do
  grep -Eq "^$p [^ ]+ /usr/lib/mirrorgraph/plugins/mirrorgraph-$p\.so$" "$tmp/plugins.out" ||
    fail "mirrorgraph plugins does not list $p from /usr/lib/mirrorgraph/plugins"
done
grep -qx "searched: /usr/lib/mirrorgraph/plugins" "$tmp/plugins.out" || fail "searched other directories than /usr/lib/mirrorgraph/plugins"
[ "$(wc -l <"$tmp/plugins.out")" -eq 5 ] || fail "mirrorgraph plugins lists other files than the four installed"

echo "== the templates come with it: graph of a config that names one"
cat >"$tmp/mirror.toml" <<'TOML'
[registry]
host = "registry.example.org"
namespace = "mirror"
[defaults]
template = "latest-only"
platforms = ["linux/amd64"]
[apps.hello]
plugin = "generic"
source = { type = "git-tags", url = "https://git.example.invalid/hello.git" }
TOML
(cd "$tmp" && env -u MIRRORGRAPH_GRAPH_PATH /usr/bin/mirrorgraph graph --dot -c mirror.toml --state-dir "$tmp/state") >"$tmp/graph.dot" ||
  fail "mirrorgraph graph failed with the installed templates"
grep -q 'discover:hello' "$tmp/graph.dot" || fail "no discover:hello in the graph"
sed -i 's/latest-only/no-such-template/' "$tmp/mirror.toml"
set +e
(cd "$tmp" && /usr/bin/mirrorgraph graph -c mirror.toml --state-dir "$tmp/state") 2>"$tmp/graph.err"
rc=$?
set -e
cat "$tmp/graph.err"
[ $rc -eq 2 ] || fail "an unknown template exited $rc, not 2"
grep -q "known templates: latest-only, multi-version" "$tmp/graph.err" || fail "the installed templates are not the known ones"

echo "== man -w mirrorgraph; the page renders without warnings"
[ "$(man -w mirrorgraph)" = /usr/share/man/man1/mirrorgraph.1.gz ] || fail "man -w mirrorgraph: $(man -w mirrorgraph 2>&1)"
warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l /usr/share/man/man1/mirrorgraph.1.gz 2>&1 >"$tmp/man.txt") || true
[ -z "$warnings" ] || fail "man page warnings: $warnings"
for section in SYNOPSIS COMMANDS OPTIONS "EXIT STATUS" FILES EXAMPLES; do
  grep -q "^$section" "$tmp/man.txt" || fail "the man page has no $section section"
done
grep -q '@[A-Z_]*@' "$tmp/man.txt" && fail "the man page has an unconfigured placeholder: $(grep '@[A-Z_]*@' "$tmp/man.txt")"
grep -q "^ *mirrorgraph $version " "$tmp/man.txt" || fail "the man page's footer does not name version $version"
grep -q '^ */usr/lib/mirrorgraph/plugins$' "$tmp/man.txt" || fail "the man page's FILES does not name /usr/lib/mirrorgraph/plugins"

echo "== bash completion"
complete_words() {  # complete_words WORD... : what completing the last word offers
  bash -c 'source /usr/share/bash-completion/bash_completion || exit 1
           source /usr/share/bash-completion/completions/mirrorgraph || exit 1
           COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
           _mirrorgraph; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' bash "$@"
}
[ "$(complete_words mirrorgraph pl)" = "plan plugins " ] || fail "completing 'pl': $(complete_words mirrorgraph pl)"
[ "$(complete_words mirrorgraph --sta)" = "--state-dir " ] || fail "completing '--sta': $(complete_words mirrorgraph --sta)"
[ "$(complete_words mirrorgraph ci g)" = "github gitlab " ] || fail "completing 'ci g': $(complete_words mirrorgraph ci g)"
[ "$(complete_words mirrorgraph prune --ap)" = "--apply " ] || fail "completing 'prune --ap': $(complete_words mirrorgraph prune --ap)"

echo "== the service's user and the systemd units"
getent passwd mirrorgraph >/dev/null || fail "postinst did not create the mirrorgraph user"
for f in /etc/subuid /etc/subgid; do
  grep -Eq '^mirrorgraph:[0-9]+:65536$' "$f" || fail "postinst gave the mirrorgraph user no range in $f"
done
# The user's range overlaps no other user's.
for f in /etc/subuid /etc/subgid; do
  awk -F: 'NF == 3 { s[NR] = $2; e[NR] = $2 + $3; n = NR }
    END { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
            if (s[i] < e[j] && s[j] < e[i]) { print "overlap: lines " i ", " j; exit 1 } }' "$f" ||
    fail "overlapping ranges in $f"
done
[ -d /etc/mirrorgraph ] || fail "postinst did not create /etc/mirrorgraph"
[ "$(stat -c '%U:%G %a' /var/lib/mirrorgraph)" = "mirrorgraph:mirrorgraph 750" ] ||
  fail "/var/lib/mirrorgraph is $(stat -c '%U:%G %a' /var/lib/mirrorgraph 2>&1), not the user's (0750)"
grep -qx 'ExecStart=/usr/bin/mirrorgraph run --config /etc/mirrorgraph/mirror.toml --state-dir /var/lib/mirrorgraph --json /var/lib/mirrorgraph/last-run.json' \
  /usr/lib/systemd/system/mirrorgraph.service || fail "mirrorgraph.service does not run /usr/bin/mirrorgraph run"
grep -qx 'Persistent=true' /usr/lib/systemd/system/mirrorgraph.timer || fail "the timer is not persistent"
if command -v systemd-analyze >/dev/null; then
  # The units are checked as they are installed (the config is not: ConditionPathExists).
  # It also runs `man` on each Documentation= page.
  systemd-analyze verify /usr/lib/systemd/system/mirrorgraph.service /usr/lib/systemd/system/mirrorgraph.timer \
    >"$tmp/verify.out" 2>&1 || { cat "$tmp/verify.out"; fail "systemd-analyze verify failed"; }
  cat "$tmp/verify.out"
  grep -i 'mirrorgraph' "$tmp/verify.out" && fail "systemd-analyze verify complains about the units"
else
  echo "(no systemd-analyze: the units are not verified)"
fi

echo "== the service's command, as the service's user, with the example config"
if [ -e /etc/mirrorgraph/mirror.toml ]; then
  echo "(/etc/mirrorgraph/mirror.toml exists: not replacing it, skipped)"
else
  made_config=1
  cp /usr/share/doc/mirrorgraph/examples/mirror.toml /etc/mirrorgraph/mirror.toml
  # `graph` loads the config, its plugins and templates and reads the state directory, offline.
  runuser -u mirrorgraph -- sh -c 'cd /var/lib/mirrorgraph && exec /usr/bin/mirrorgraph graph --dot \
      --config /etc/mirrorgraph/mirror.toml --state-dir /var/lib/mirrorgraph' >"$tmp/service.dot" ||
    fail "mirrorgraph graph as the mirrorgraph user failed"
  grep -q 'discover:hello' "$tmp/service.dot" || fail "no discover:hello in the service config's graph"
  rm /etc/mirrorgraph/mirror.toml
  made_config=0
fi

echo "== the out-of-tree example plugin against the installed SDK"
cmake -S "$src/examples/third-party-plugin" -B "$tmp/example" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  >"$tmp/example.log" 2>&1 || { cat "$tmp/example.log"; fail "configure against /usr"; }
grep -q 'mirrorgraph_DIR:PATH=/usr/lib/cmake/mirrorgraph' "$tmp/example/CMakeCache.txt" ||
  fail "find_package(mirrorgraph) did not find /usr/lib/cmake/mirrorgraph: $(grep mirrorgraph_DIR "$tmp/example/CMakeCache.txt")"
cmake --build "$tmp/example" >>"$tmp/example.log" 2>&1 || { cat "$tmp/example.log"; fail "building the example"; }
plugin=$(find "$tmp/example" -name mirrorgraph-hello-extra.so | head -n 1)
[ -n "$plugin" ] || fail "mirrorgraph-hello-extra.so was not built"
(cd "$tmp" && /usr/bin/mirrorgraph plugins --path "$plugin") | tee "$tmp/extra.out"
grep -q "^hello-extra 1.0.0 " "$tmp/extra.out" || fail "the installed mirrorgraph does not load the example"
cp "$plugin" /usr/lib/mirrorgraph/plugins/
(cd "$tmp" && env -u MIRRORGRAPH_PLUGIN_PATH /usr/bin/mirrorgraph plugins) | tee "$tmp/extra-list.out"
grep -qx "hello-extra 1.0.0 /usr/lib/mirrorgraph/plugins/mirrorgraph-hello-extra.so" "$tmp/extra-list.out" ||
  fail "a plugin copied to the installed plugin directory is not listed"
rm -f /usr/lib/mirrorgraph/plugins/mirrorgraph-hello-extra.so

echo "== apt-get remove: every installed file is gone"
grep -v -e '^/\.$' "$tmp/files" >"$tmp/paths"
"${apt[@]}" remove "${packages[@]}"
for p in "${packages[@]}"; do installed "$p" && fail "$p is still installed after remove"; done
left=()
while read -r f; do
  # Directories shared with other packages (/usr/bin, /usr/share/man/man1, …) stay.
  if [ -d "$f" ] && [ ! -L "$f" ]; then
    case $f in /usr/lib/mirrorgraph*|/usr/share/mirrorgraph*|/usr/include/mirrorgraph*|/usr/lib/cmake/mirrorgraph*|/usr/share/doc/mirrorgraph*) left+=("$f") ;; esac
  elif [ -e "$f" ] || [ -L "$f" ]; then
    left+=("$f")
  fi
done <"$tmp/paths"
[ ${#left[@]} -eq 0 ] || fail "left after remove: ${left[*]}"

echo "== apt-get purge: nothing of the packages is left"
# After remove, mirrorgraph stays known to dpkg until purged (its postrm handles the purge);
# mirrorgraph-dev, with no maintainer scripts, is gone already and apt-get would not know it.
purge_all
for p in "${packages[@]}"; do known "$p" && fail "$p is still known to dpkg after purge: $(dpkg-query -W -f='${db:Status-Status}' "$p")"; done
for d in /etc/mirrorgraph /var/lib/mirrorgraph; do [ ! -e "$d" ] || fail "$d is left after purge"; done
echo "PASS"
