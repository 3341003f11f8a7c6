// Broken and failing plugins (tests/plugins_fixture): each gives its own error, naming the file.
#include <boost/test/unit_test.hpp>

#include "plugin/plugin_registry.h"
#include "unit/plugin/fake_host.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::PluginRegistry;
using mg::Status;
using mg::testing::FakeHost;
using mg::testing::TestPluginPath;

namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

PluginRegistry& Registry() {
  static PluginRegistry registry({MG_TEST_PLUGIN_DIR}, PluginRegistry::Defaults::kExclude);
  return registry;
}

Status LoadError(const std::string& name) {
  auto p = Registry().Load(TestPluginPath(name));
  return p.ok() ? Status::OK() : p.status();
}

std::shared_ptr<mg::Plugin> MustLoad(const std::string& name) {
  auto p = Registry().Load(TestPluginPath(name));
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return p.value();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plugin_errors_test)

BOOST_AUTO_TEST_CASE(wrong_abi_version_asks_for_a_rebuild) {
  Status s = LoadError("wrong-abi");
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST((s.code() == Status::Code::kFailedPrecondition), mg::Status::CodeName(s.code()));
  BOOST_TEST(Contains(s.message(), TestPluginPath("wrong-abi")), s.message());
  BOOST_TEST(Contains(s.message(), "built for ABI 2, this engine speaks ABI 1; rebuild it against mirrorgraph " +
                                       std::string(MIRRORGRAPH_VERSION) + "'s SDK"),
             s.message());
}

BOOST_AUTO_TEST_CASE(missing_entry_symbol) {
  Status s = LoadError("no-entry");
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST(Contains(s.message(), TestPluginPath("no-entry")), s.message());
  BOOST_TEST(Contains(s.message(), "does not export mirrorgraph_plugin_v1"), s.message());
}

BOOST_AUTO_TEST_CASE(table_too_small) {
  Status s = LoadError("small-table");
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST(Contains(s.message(), TestPluginPath("small-table")), s.message());
  BOOST_TEST(Contains(s.message(), "is 16 bytes, smaller than"), s.message());
}

BOOST_AUTO_TEST_CASE(null_function_pointer) {
  Status s = LoadError("null-function");
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST(Contains(s.message(), TestPluginPath("null-function")), s.message());
  BOOST_TEST(Contains(s.message(), "NULL recipe function"), s.message());
}

BOOST_AUTO_TEST_CASE(table_name_must_match_the_requested_name) {
  auto by_name = Registry().Load("misnamed");
  BOOST_REQUIRE(!by_name.ok());
  BOOST_TEST(Contains(by_name.status().message(), TestPluginPath("misnamed")), by_name.status().message());
  BOOST_TEST(Contains(by_name.status().message(), "names it 'other-name' but it was loaded as 'misnamed'"),
             by_name.status().message());
  // Loaded by path, the table's own name is used.
  auto by_path = Registry().Load(TestPluginPath("misnamed"));
  BOOST_REQUIRE_MESSAGE(by_path.ok(), by_path.status().ToString());
  BOOST_TEST(by_path.value()->name() == "other-name");
  // And a later load by the wrong name still fails, cache or not.
  BOOST_TEST(!Registry().Load("misnamed").ok());
}

BOOST_AUTO_TEST_CASE(a_plugin_error_names_the_file_and_function) {
  auto p = MustLoad("configure-error");
  FakeHost host;
  auto out = p->Configure(host, mg::Json::object());
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST((out.status().code() == Status::Code::kInternal), mg::Status::CodeName(out.status().code()));
  BOOST_TEST(out.status().message() ==
             "plugin " + p->file() + ": configure failed: the frobnicator is not configured");
  auto discovered = p->Discover(host, mg::Json::object());
  BOOST_REQUIRE(!discovered.ok());
  BOOST_TEST(Contains(discovered.status().message(), "discover failed: no error message (returned 7)"),
             discovered.status().message());
  auto recipe = p->Recipe(host, mg::Json::object());
  BOOST_REQUIRE_MESSAGE(recipe.ok(), recipe.status().ToString());
  BOOST_TEST(recipe.value()["context"] == ".");
}

BOOST_AUTO_TEST_CASE(exceptions_become_error_values) {
  auto p = MustLoad("throws");
  FakeHost host;
  auto configured = p->Configure(host, mg::Json::object());
  BOOST_REQUIRE(!configured.ok());
  BOOST_TEST(configured.status().message() == "plugin " + p->file() + ": configure failed: boom inside configure");
  auto recipe = p->Recipe(host, mg::Json::object());
  BOOST_REQUIRE(!recipe.ok());
  BOOST_TEST(Contains(recipe.status().message(), "recipe failed: unknown exception"), recipe.status().message());
  // The wrapper's default for a method the plugin does not override.
  auto discovered = p->Discover(host, mg::Json::object());
  BOOST_REQUIRE(!discovered.ok());
  BOOST_TEST(Contains(discovered.status().message(), "discover failed: this plugin does not implement discover"),
             discovered.status().message());
}

BOOST_AUTO_TEST_CASE(output_that_is_not_a_json_object_is_corruption) {
  auto p = MustLoad("non-json");
  FakeHost host;
  auto configured = p->Configure(host, mg::Json::object());
  BOOST_REQUIRE(!configured.ok());
  BOOST_TEST((configured.status().code() == Status::Code::kCorruption), mg::Status::CodeName(configured.status().code()));
  BOOST_TEST(Contains(configured.status().message(), "plugin " + p->file() + ": configure returned invalid JSON"),
             configured.status().message());
  auto discovered = p->Discover(host, mg::Json::object());
  BOOST_REQUIRE(!discovered.ok());
  BOOST_TEST(Contains(discovered.status().message(), "discover returned JSON that is not an object"),
             discovered.status().message());
}

// The output is (pointer, *out_len): nothing past out_len is read, even without a NUL (the fixture
// puts its strings right before an unreadable page, so a strlen past them faults).
BOOST_AUTO_TEST_CASE(output_is_read_by_its_length_not_up_to_a_nul) {
  auto p = MustLoad("unterminated");
  FakeHost host;
  auto configured = p->Configure(host, mg::Json::object());
  BOOST_REQUIRE_MESSAGE(configured.ok(), configured.status().ToString());
  BOOST_TEST(configured.value() == mg::Json::parse(R"({"candidates":[]})"));
  auto discovered = p->Discover(host, mg::Json::object());  // *out_len left 0
  BOOST_REQUIRE(!discovered.ok());
  BOOST_TEST((discovered.status().code() == Status::Code::kCorruption), mg::Status::CodeName(discovered.status().code()));
  BOOST_TEST(Contains(discovered.status().message(), "discover returned success with *out_len 0"),
             discovered.status().message());
  auto recipe = p->Recipe(host, mg::Json::object());  // a 4196-byte error message
  BOOST_REQUIRE(!recipe.ok());
  BOOST_TEST(Contains(recipe.status().message(), "recipe failed: eeee"), recipe.status().message().substr(0, 200));
  BOOST_TEST(Contains(recipe.status().message(), "... (cut at 4096 bytes)"), recipe.status().message().size());
  BOOST_TEST(recipe.status().message().size() < 4096 + 200);
}

BOOST_AUTO_TEST_CASE(host_services_reach_the_plugin) {
  auto p = MustLoad("non-json");  // its recipe logs, then returns the host's http answer
  FakeHost host;
  host.set_http_response(std::string(R"({"status":200,"body":"hi"})"));
  mg::Json in = {{"url", "http://127.0.0.1:1/x"}, {"method", "GET"}};
  auto out = p->Recipe(host, in);
  BOOST_REQUIRE_MESSAGE(out.ok(), out.status().ToString());
  BOOST_TEST(out.value()["status"] == 200);
  BOOST_TEST(out.value()["body"] == "hi");
  BOOST_REQUIRE(host.http_requests().size() == 1u);
  BOOST_TEST(host.http_requests()[0] == mg::CanonicalJson(in));
  BOOST_REQUIRE(host.logs().size() == 1u);
  BOOST_TEST(host.logs()[0] == "1:recipe called");
}

BOOST_AUTO_TEST_CASE(a_host_failure_keeps_its_code) {
  auto p = MustLoad("non-json");
  FakeHost host;
  host.set_http_response(Status::PermissionDenied("401 from 127.0.0.1: bad token"));
  auto out = p->Recipe(host, mg::Json::object());
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST((out.status().code() == Status::Code::kPermissionDenied), mg::Status::CodeName(out.status().code()));
  BOOST_TEST(out.status().message() == "plugin " + p->file() + ": recipe failed: 401 from 127.0.0.1: bad token");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
