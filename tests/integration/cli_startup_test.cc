// What a `mirrorgraph` process loads at start: libcurl (and the ~30 libraries it brings) only once
// it speaks HTTP (http/libcurl.h), so `graph`, `explain` and `status` start without it. Observed
// with the dynamic loader's own trace (LD_DEBUG=files, glibc).
#include <boost/test/unit_test.hpp>

#include "cli_fixture.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::testing::CliWorkspace;

namespace {

bool Mentions(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_startup_test)

BOOST_AUTO_TEST_CASE(libcurl_is_loaded_only_when_a_command_speaks_http) {
  CliWorkspace ws;
  auto url = ws.MakeUpstream("hello", {"v1.0.0", "v1.1.0"});
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  const mg::testing::ClosedLoopbackPort closed;  // bound, never listening: connections refused
  BOOST_TEST_REQUIRE(closed.port() != 0);
  ws.WriteConfig({.registry_host = closed.host(),
                  .ns = "startup",
                  .max_versions = 1,
                  .apps = {{.name = "hello", .url = *url}}});
  ws.env()["LD_DEBUG"] = "files";

  // No network: the loader's trace lists what the process loaded, and libcurl is not among it.
  auto graph = ws.Run({"graph"});
  BOOST_TEST_REQUIRE(graph.exit_code == 0, graph.Describe());
  BOOST_TEST_REQUIRE(Mentions(graph.err, "file=libstdc++.so.6"), "LD_DEBUG=files traced nothing:\n" << graph.err);
  BOOST_TEST(!Mentions(graph.err, "libcurl"), "`graph` loaded libcurl:\n" << graph.err);

  // A run probes the registry (unreachable here: the probe fails, exit 1): libcurl is loaded then,
  // by mirrorgraph itself (dlopen), and the probe's error is libcurl's.
  auto run = ws.Run({"run"});
  BOOST_TEST(run.exit_code == 1, run.Describe());
  BOOST_TEST(Mentions(run.err, "file=libcurl.so.4 [0];  dynamically loaded by"), run.Describe());
  BOOST_TEST(Mentions(run.out + run.err, "Couldn't connect to server"), run.Describe());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
