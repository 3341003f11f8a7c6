# Precompiled headers (MIRRORGRAPH_PCH, default ON), in-tree targets only: never included by the
# installed SDK files (cmake/mirrorgraph_plugin.cmake, mirrorgraphConfig.cmake).
#
# Each group of targets with the same compile flags shares one precompiled header (REUSE_FROM),
# built by a tiny target of its own (mg_pch_donor) so that reusing it waits for nothing else (a
# REUSE_FROM target waits for the whole donor target; with mg_util as donor no other layer could
# start before mg_util is built):
#   mg_pch_engine: the engine layers (static libraries: -fPIC, MIRRORGRAPH_SANITIZER_OPT in the
#                  sanitizer trees), and
#   mg_pch_exe:    the CLI, benchmarks and fuzz targets (-fPIE), both only without unity builds
#                  (MIRRORGRAPH_UNITY_BUILD=OFF, build/'s default): a unity batch parses the
#                  headers once anyway, and the unity CLI build was slower with them;
#   mg_pch_tests:  the Boost.Test binaries unit_<layer>, integration_tests, crash_tests, always
#                  (they are not unity-built; executables: -fPIE, -O0 in the sanitizer trees).
# clang refuses a precompiled header built with other language options (-fPIC vs -fPIE, -O0 vs -O1,
# -pthread), so a target whose flags differ from its group's (mg_sources, compiled with -pthread
# for RE2) has none. GCC would silently ignore such a header
# (-Winvalid-pch warns). Macros a target defines beyond its group's donor (toml++'s, Boost's DYN_LINK
# ones) are fine with both compilers.
#
# The precompiled header is force-included before every source: it holds only headers no source
# may need a macro defined before (the standard library and third-party libraries). A source file
# must still include what it uses; a build with -DMIRRORGRAPH_PCH=OFF checks that.

set(MG_PCH_ENGINE_HEADERS
  <algorithm> <atomic> <chrono> <cstdint> <filesystem> <fstream> <functional> <map> <memory> <mutex>
  <optional> <set> <sstream> <string> <string_view> <thread> <utility> <variant> <vector>
  <nlohmann/json.hpp> <spdlog/spdlog.h>)
set(MG_PCH_TEST_HEADERS ${MG_PCH_ENGINE_HEADERS} <boost/test/unit_test.hpp>)

if(MIRRORGRAPH_PCH)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # No timestamps in the .pch: the same headers give the same file, which is what ccache hashes.
    list(APPEND CMAKE_CXX_COMPILE_OPTIONS_CREATE_PCH -Xclang -fno-pch-timestamp)
  elseif(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # ccache runs the preprocessor on sources using a .gch: it needs the pragma this leaves.
    list(APPEND CMAKE_CXX_COMPILE_OPTIONS_USE_PCH -fpch-preprocess)
  endif()
endif()

# mg_pch_donor(NAME OBJECT|EXECUTABLE LIBS... HEADERS headers...): a target of one empty source
# that precompiles HEADERS with the flags of the current directory and the usage requirements of
# LIBS (imported targets only: linking an engine layer would make the donor wait for it).
function(mg_pch_donor name kind)
  if(NOT MIRRORGRAPH_PCH)
    return()
  endif()
  cmake_parse_arguments(D "" "" "HEADERS" ${ARGN})
  set(src ${CMAKE_CURRENT_BINARY_DIR}/${name}.cc)
  if(kind STREQUAL "EXECUTABLE")
    file(CONFIGURE OUTPUT ${src} CONTENT "int main() { return 0; }\n")
    add_executable(${name} ${src})
  else()
    file(CONFIGURE OUTPUT ${src} CONTENT "// The precompiled header's donor (cmake/pch.cmake).\n")
    add_library(${name} OBJECT ${src})
  endif()
  target_link_libraries(${name} PRIVATE ${D_UNPARSED_ARGUMENTS})
  target_precompile_headers(${name} PRIVATE ${D_HEADERS})
endfunction()

# mg_pch(TARGET DONOR): TARGET's sources start with DONOR's precompiled header.
function(mg_pch target donor)
  if(MIRRORGRAPH_PCH AND TARGET ${donor})
    target_precompile_headers(${target} REUSE_FROM ${donor})
  endif()
endfunction()
