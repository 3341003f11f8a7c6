#include "ci/install_script.h"

namespace mg {

std::string DefaultInstallScript(const std::string& prefix) {
  return "set -eu\n"
         ": \"${MIRRORGRAPH_SOURCE_URL:?set the CI variable MIRRORGRAPH_SOURCE_URL to a mirrorgraph source tarball, "
         "or [ci] install in the config (docs/ci.md)}\"\n"
         ": \"${MIRRORGRAPH_SOURCE_SHA256:?set the CI variable MIRRORGRAPH_SOURCE_SHA256 to the SHA-256 of that "
         "tarball (docs/ci.md)}\"\n"
         "sudo=\"\"\n"
         "if [ \"$(id -u)\" -ne 0 ]; then sudo=sudo; fi\n"
         "$sudo apt-get update -q\n"
         "$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \\\n"
         "  ca-certificates curl git jq buildah cmake ninja-build g++ pkg-config libboost-dev \\\n"
         "  libboost-program-options-dev libboost-graph-dev libboost-filesystem-dev libtomlplusplus-dev \\\n"
         "  nlohmann-json3-dev libcurl4-openssl-dev libspdlog-dev libssl-dev zlib1g-dev libre2-dev \\\n"
         "  libarchive-dev libsodium-dev\n"
         "prefix=\"" + prefix + "\"\n"
         "if [ ! -x \"$prefix/bin/mirrorgraph\" ]; then\n"
         "  src=$(mktemp -d)\n"
         "  curl -fsSL --retry 3 \"$MIRRORGRAPH_SOURCE_URL\" -o \"$src/source.tar.gz\"\n"
         "  echo \"$MIRRORGRAPH_SOURCE_SHA256  $src/source.tar.gz\" | sha256sum -c -\n"
         "  tar -xzf \"$src/source.tar.gz\" -C \"$src\" --strip-components=1\n"
         "  cmake -S \"$src\" -B \"$src/build\" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \\\n"
         "    -DMIRRORGRAPH_BUILD_TESTS=OFF -DMIRRORGRAPH_BUILD_BENCH=OFF -DCMAKE_INSTALL_PREFIX=\"$prefix\"\n"
         "  cmake --build \"$src/build\"\n"
         "  cmake --install \"$src/build\"\n"
         "fi\n";
}

}  // namespace mg
