// ScriptServer (script_server.h), the starter of the Python test servers: a server that starts
// answers on the port it printed and is gone once the object is; a script that exits before
// printing a port is an error that carries its stderr, not a hang or a crash.
#include "script_server.h"

#include <chrono>
#include <filesystem>

#include <boost/test/unit_test.hpp>

#include "http/curl_transport.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(script_server_test)

BOOST_AUTO_TEST_CASE(a_started_server_answers_and_is_stopped_with_the_object) {
  auto server = mg::testing::ScriptServer::Start("notify_sink.py", {}, "mg-script-server");
  BOOST_REQUIRE_MESSAGE(server.ok(), server.status().ToString());
  BOOST_TEST((*server)->port() > 0);
  BOOST_TEST((*server)->Url("/x") == "http://127.0.0.1:" + std::to_string((*server)->port()) + "/x");
  auto seen = (*server)->GetJsonArray("/_requests");
  BOOST_REQUIRE_MESSAGE(seen.ok(), seen.status().ToString());
  BOOST_TEST(seen->empty());
  const std::string url = (*server)->Url("/_requests");
  const std::filesystem::path dir = (*server)->dir();
  server->reset();
  BOOST_TEST(!std::filesystem::exists(dir), "its temp directory is removed");
  mg::CurlTransport transport;
  mg::HttpRequest req;
  req.url = url;
  req.timeout = std::chrono::seconds(10);
  BOOST_TEST(!transport.Send(req).ok(), "nothing answers on " + url + " any more");
}

BOOST_AUTO_TEST_CASE(a_script_that_exits_before_its_port_is_an_error_with_its_stderr) {
  auto server = mg::testing::ScriptServer::Start("no_such_server.py", {}, "mg-script-server");
  BOOST_REQUIRE(!server.ok());
  const std::string message = server.status().ToString();
  BOOST_TEST(message.find("no_such_server.py exited with 2") != std::string::npos, message);
  BOOST_TEST(message.find("No such file or directory") != std::string::npos, message);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
