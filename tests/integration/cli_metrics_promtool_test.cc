// The --metrics file of a real run passes `promtool check metrics` (Debian's prometheus package):
// the format node_exporter's textfile collector reads, and Prometheus' naming lints (units,
// _total counters, HELP on every family). The run talks to the real registry (role "registry")
// and to a fake GitHub API (role "forge", with its rate-limit headers). Without promtool the test
// exits 77, which ctest reports as skipped.
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cli_fixture.h"
#include "forge_fixture.h"
#include "metrics_fixture.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::testing::CliWorkspace;

BOOST_AUTO_TEST_SUITE(cli_metrics_promtool_test)

BOOST_AUTO_TEST_CASE(the_metrics_of_a_real_run_pass_promtool) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    std::cout << "cli_metrics_promtool_test: skipped: promtool is not installed (Debian package prometheus)" << std::endl;
    std::fflush(nullptr);
    std::_Exit(77);
  }
  auto forge = mg::testing::FakeForge::Start();
  BOOST_REQUIRE_MESSAGE(forge.ok(), forge.status().ToString());
  CliWorkspace ws;
  auto url = ws.MakeUpstream("hello", {"v1.0.0"});
  BOOST_REQUIRE_MESSAGE(url.ok(), url.status().ToString());
  ws.WriteConfigText("[registry]\nhost = \"" + mg::testing::SharedPlainRegistry().host() +
                     "\"\nnamespace = \"promtool\"\nplain_http = true\n\n"
                     "[defaults]\nmax_versions = 1\n\n"
                     "[apps.hello]\nplugin = \"generic\"\n"
                     "source = { type = \"git-tags\", url = " + mg::testing::TomlString(*url) +
                     ", tag_pattern = '^v(\\d+\\.\\d+\\.\\d+)$' }\n\n"
                     "[apps.forged]\nplugin = \"generic\"\n"
                     "source = { type = \"github-releases\", repo = \"mattermost/mattermost\", api_base = \"" +
                     (*forge)->Base("api") + "\" }\n");
  auto r = ws.Run({"run", "--metrics", "mirrorgraph.prom"});
  BOOST_TEST_REQUIRE(r.exit_code == 1, r.Describe());  // no Dockerfile anywhere: the builds fail
  const fs::path file = ws.dir() / "mirrorgraph.prom";
  const std::string text = mg::testing::ReadFile(file);
  auto m = mg::testing::ParseMetricsText(text);
  const std::string forge_host = "127.0.0.1:" + std::to_string((*forge)->port());
  BOOST_TEST(m.count("mirrorgraph_forge_rate_limit_remaining{host=\"" + forge_host + "\"}") == 1u, text);
  BOOST_TEST(m["mirrorgraph_forge_rate_limit_remaining{host=\"" + forge_host + "\"}"] == 59, text);
  BOOST_TEST(m["mirrorgraph_http_requests_total{code=\"200\",role=\"forge\"}"] >= 1, text);
  BOOST_TEST(m["mirrorgraph_http_requests_total{code=\"404\",role=\"registry\"}"] >= 1, text);
  BOOST_TEST(m["mirrorgraph_tasks_total{status=\"failed\",type=\"build\"}"] >= 2, text);

  const fs::path out = ws.dir() / "promtool.out";
  const std::string cmd = "promtool check metrics < '" + file.string() + "' > '" + out.string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  const std::string said = mg::testing::ReadFile(out);
  BOOST_TEST(rc == 0, said << "\n--- the file:\n" << text);
  BOOST_TEST(said.empty(), said);

  // promtool does fail on a broken file (the check above can fail).
  std::ofstream(ws.dir() / "broken.prom") << "mirrorgraph_x{a=\"1\" 1\n";
  const std::string bad = "promtool check metrics < '" + (ws.dir() / "broken.prom").string() + "' >/dev/null 2>&1";
  BOOST_TEST(std::system(bad.c_str()) != 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
