#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "util/install_dirs.h"
#include "plugin/plugin_registry.h"
#include "unit/plugin/fake_host.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::PluginRegistry;
using mg::testing::TestPluginPath;

namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A fresh empty directory, removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("mg-plugin-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Sets an environment variable for one scope.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(const char* n, const char* value) : name(n) {
    if (const char* v = std::getenv(n)) old = v;
    ::setenv(n, value, 1);
  }
  ~ScopedEnv() {
    if (old) ::setenv(name.c_str(), old->c_str(), 1);
    else ::unsetenv(name.c_str());
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(plugin_registry_test)

BOOST_AUTO_TEST_CASE(loads_generic_by_name_from_the_build_tree) {
  PluginRegistry registry;
  auto plugin = registry.Load("generic");
  BOOST_REQUIRE_MESSAGE(plugin.ok(), plugin.status().ToString());
  BOOST_TEST(plugin.value()->name() == "generic");
  BOOST_TEST(!plugin.value()->version().empty());
  const std::string dir = fs::canonical(mg::BuildPluginDir()).string();
  BOOST_TEST(plugin.value()->file() == dir + "/mirrorgraph-generic.so");
  BOOST_TEST(plugin.value()->Identity()["name"] == "generic");
}

BOOST_AUTO_TEST_CASE(search_dirs_follow_the_documented_order) {
  ScopedEnv env("MIRRORGRAPH_PLUGIN_PATH", "/env/one::/env/two");
  auto dirs = PluginRegistry::DefaultSearchDirs({"/extra"});
  BOOST_REQUIRE(dirs.size() >= 4u);
  BOOST_TEST(dirs[0] == "/extra");
  BOOST_TEST(dirs[1] == "/env/one");
  BOOST_TEST(dirs[3] == "/env/two");  // the empty entry is kept here and dropped by the registry
  BOOST_TEST(dirs.back() == mg::InstallPluginDir());
  PluginRegistry registry({"/extra"});
  const auto& used = registry.search_dirs();
  BOOST_REQUIRE(used.size() >= 4u);
  BOOST_TEST(used[0] == "/extra");
  BOOST_TEST(used[1] == "/env/one");
  BOOST_TEST(used[2] == "/env/two");
  BOOST_TEST(used[3] == mg::BuildPluginDir());
}

BOOST_AUTO_TEST_CASE(an_installed_engine_never_searches_the_build_tree) {
  ::unsetenv("MIRRORGRAPH_PLUGIN_PATH");
  TempDir prefix;
  const fs::path plugins = prefix.path / mg::PluginSubdir();
  fs::create_directories(plugins);
  fs::copy_file(mg::BuildPluginDir() + "/mirrorgraph-generic.so", plugins / "mirrorgraph-generic.so");
  // What an engine installed in <prefix>/bin searches, while this build tree exists on the machine.
  const std::string exe = (prefix.path / "bin/mirrorgraph").string();
  auto dirs = PluginRegistry::DefaultSearchDirs({}, exe);
  BOOST_TEST(std::count(dirs.begin(), dirs.end(), mg::BuildPluginDir()) == 0);
  BOOST_REQUIRE(dirs.size() == 2u);
  BOOST_TEST(dirs[0] == plugins.string());
  BOOST_TEST(dirs[1] == mg::InstallPluginDir());
  PluginRegistry registry(dirs, PluginRegistry::Defaults::kExclude);
  auto plugin = registry.Load("generic");
  BOOST_REQUIRE_MESSAGE(plugin.ok(), plugin.status().ToString());
  BOOST_TEST(plugin.value()->file() == fs::canonical(plugins / "mirrorgraph-generic.so").string());
  for (const auto& info : registry.ListAvailable()) {
    BOOST_TEST(!Contains(info.file, mg::BuildPluginDir()), info.file);
  }
}

BOOST_AUTO_TEST_CASE(an_engine_in_the_build_tree_searches_its_plugins) {
  ::unsetenv("MIRRORGRAPH_PLUGIN_PATH");
  auto dirs = PluginRegistry::DefaultSearchDirs({}, mg::BuildDir() + "/engine/mirrorgraph");
  BOOST_REQUIRE(!dirs.empty());
  BOOST_TEST(dirs[0] == mg::BuildPluginDir());
  BOOST_TEST(dirs.back() == mg::InstallPluginDir());
}

BOOST_AUTO_TEST_CASE(caches_one_plugin_per_file) {
  PluginRegistry registry({MG_TEST_PLUGIN_DIR});
  auto a = registry.Load("generic");
  auto b = registry.Load("generic");
  auto c = registry.Load(mg::BuildPluginDir() + "/mirrorgraph-generic.so");
  BOOST_REQUIRE(a.ok() && b.ok() && c.ok());
  BOOST_TEST(a.value().get() == b.value().get());
  BOOST_TEST(a.value().get() == c.value().get());
}

BOOST_AUTO_TEST_CASE(concurrent_loads_share_one_plugin) {
  PluginRegistry registry({MG_TEST_PLUGIN_DIR});
  std::vector<const mg::Plugin*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] {
      auto p = registry.Load(i % 2 == 0 ? "generic" : "throws");
      if (p.ok()) seen[i] = p.value().get();
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < seen.size(); ++i) {
    BOOST_REQUIRE(seen[i] != nullptr);
    BOOST_TEST(seen[i] == seen[i % 2]);
  }
  BOOST_TEST(seen[0] != seen[1]);
}

BOOST_AUTO_TEST_CASE(an_earlier_directory_wins) {
  TempDir tmp;
  fs::copy_file(mg::BuildPluginDir() + "/mirrorgraph-generic.so",
                tmp.path / "mirrorgraph-generic.so");
  PluginRegistry registry({tmp.path.string(), mg::BuildPluginDir()}, PluginRegistry::Defaults::kExclude);
  auto plugin = registry.Load("generic");
  BOOST_REQUIRE_MESSAGE(plugin.ok(), plugin.status().ToString());
  BOOST_TEST(plugin.value()->file() == fs::canonical(tmp.path / "mirrorgraph-generic.so").string());
}

BOOST_AUTO_TEST_CASE(unknown_name_lists_dirs_and_available_plugins) {
  PluginRegistry registry({MG_TEST_PLUGIN_DIR, mg::BuildPluginDir(), "/no/such/dir"},
                          PluginRegistry::Defaults::kExclude);
  auto plugin = registry.Load("nope");
  BOOST_REQUIRE(!plugin.ok());
  BOOST_TEST((plugin.status().code() == mg::Status::Code::kNotFound), mg::Status::CodeName(plugin.status().code()));
  const std::string& msg = plugin.status().message();
  BOOST_TEST(Contains(msg, "mirrorgraph-nope.so"), msg);
  BOOST_TEST(Contains(msg, MG_TEST_PLUGIN_DIR), msg);
  BOOST_TEST(Contains(msg, "/no/such/dir"), msg);
  BOOST_TEST(Contains(msg, "generic"), msg);
  BOOST_TEST(Contains(msg, "throws"), msg);
}

BOOST_AUTO_TEST_CASE(malformed_names_and_missing_files) {
  PluginRegistry registry({MG_TEST_PLUGIN_DIR}, PluginRegistry::Defaults::kExclude);
  auto bad = registry.Load("Bad_Name");
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST((bad.status().code() == mg::Status::Code::kInvalidArgument), mg::Status::CodeName(bad.status().code()));
  auto missing = registry.Load("/no/such/mirrorgraph-x.so");
  BOOST_REQUIRE(!missing.ok());
  BOOST_TEST((missing.status().code() == mg::Status::Code::kNotFound), mg::Status::CodeName(missing.status().code()));
  BOOST_TEST(Contains(missing.status().message(), "/no/such/mirrorgraph-x.so"));
}

BOOST_AUTO_TEST_CASE(list_available_includes_broken_plugins_with_their_errors) {
  PluginRegistry registry({MG_TEST_PLUGIN_DIR, mg::BuildPluginDir()}, PluginRegistry::Defaults::kExclude);
  auto list = registry.ListAvailable();
  std::map<std::string, mg::PluginInfo> by_name;
  std::vector<std::string> order;
  for (const auto& info : list) {
    by_name[info.name] = info;
    order.push_back(info.name);
  }
  BOOST_TEST(std::is_sorted(order.begin(), order.end()));
  BOOST_REQUIRE(by_name.count("generic") == 1);
  BOOST_TEST(by_name["generic"].error.empty());
  BOOST_TEST(!by_name["generic"].version.empty());
  BOOST_REQUIRE(by_name.count("throws") == 1);
  BOOST_TEST(by_name["throws"].version == "0.1.0");
  for (const char* broken : {"wrong-abi", "no-entry", "small-table", "null-function", "misnamed"}) {
    BOOST_REQUIRE_MESSAGE(by_name.count(broken) == 1, broken);
    BOOST_TEST(by_name[broken].version.empty(), broken);
    BOOST_TEST(Contains(by_name[broken].error, by_name[broken].file), by_name[broken].error);
  }
  BOOST_TEST(Contains(by_name["wrong-abi"].error, "built for ABI 2"));
  BOOST_TEST(Contains(by_name["misnamed"].error, "other-name"));
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_library_is_a_load_error) {
  TempDir tmp;
  const fs::path file = tmp.path / "mirrorgraph-garbage.so";
  std::ofstream(file) << "not an ELF file\n";
  PluginRegistry registry({tmp.path.string()}, PluginRegistry::Defaults::kExclude);
  auto plugin = registry.Load("garbage");
  BOOST_REQUIRE(!plugin.ok());
  BOOST_TEST((plugin.status().code() == mg::Status::Code::kFailedPrecondition), mg::Status::CodeName(plugin.status().code()));
  BOOST_TEST(Contains(plugin.status().message(), "cannot load it"), plugin.status().message());
  BOOST_TEST(Contains(plugin.status().message(), file.string()), plugin.status().message());
  auto list = registry.ListAvailable();
  BOOST_REQUIRE(list.size() == 1u);
  BOOST_TEST(list[0].name == "garbage");
  BOOST_TEST(!list[0].error.empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
