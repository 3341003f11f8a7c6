// Finding 5: a huge value in the config is quoted at most once, clipped, with its length.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "config/config.h"
#include "util/quote_value.h"
#include "util/strings.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

constexpr size_t kHuge = 4u << 20;  // 4 MiB: far beyond any sane value, cheap enough for a unit test
constexpr size_t kMaxMessage = 2048;

// Every diagnostic of `text`, checked to be short, positioned and to name the value's length.
std::vector<std::string> ShortErrors(const std::string& text) {
  mg::Diagnostics diags;
  std::optional<mg::Config> config = mg::ParseConfig(text, "mirror.toml", &diags);
  BOOST_CHECK(!config.has_value());
  std::vector<std::string> out;
  for (const mg::Diagnostic& d : diags.items()) {
    std::string s = d.ToString();
    BOOST_TEST(s.size() < kMaxMessage, "diagnostic of " << s.size() << " bytes: " << s.substr(0, 300));
    out.push_back(s.substr(0, kMaxMessage));
  }
  return out;
}

bool AnyContains(const std::vector<std::string>& errors, const std::string& needle) {
  for (const std::string& e : errors) {
    if (e.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::string Config(const std::string& registry_extra, const std::string& app_extra) {
  return "[registry]\nhost = \"ghcr.io\"\n" + registry_extra +
         "\n[apps.hello]\nplugin = \"generic\"\nsource = { type = \"git-tags\", url = \"file:///x\" }\n" + app_extra;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(huge_value_test)

BOOST_AUTO_TEST_CASE(a_huge_platform_is_quoted_once_clipped_with_its_position) {
  const std::string value = "linux/" + std::string(kHuge, 'a');
  std::vector<std::string> errors = ShortErrors(Config("", "platforms = [\"" + value + "\"]\n"));
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].rfind("mirror.toml:7:14: apps.hello.platforms[0]: ", 0) == 0, errors[0]);
  BOOST_TEST(errors[0].find("(" + std::to_string(value.size()) + " bytes)") != std::string::npos, errors[0]);
  BOOST_TEST(errors[0].find("unknown arch") != std::string::npos, errors[0]);
}

BOOST_AUTO_TEST_CASE(every_quoting_site_clips) {
  const std::string huge(kHuge, 'x');
  const std::string bytes = "(" + std::to_string(kHuge) + " bytes)";
  // One huge value per place a config diagnostic quotes what the user wrote.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {Config("", "platforms = [\"" + huge + "/amd64\"]\n"), "unknown os"},
      {Config("", "platforms = [\"linux/amd64/" + huge + "\"]\n"), "unknown variant"},
      {Config("", "platforms = [\"" + huge + "\"]\n"), "invalid platform"},
      {Config("", "builder = \"" + huge + "\"\n"), "unknown builder"},
      {Config("", "window = \"" + huge + "\"\n"), "unknown window"},
      {Config("", "template = \"" + huge + "\"\n"), "template"},
      {Config("namespace = \"" + huge + "A\"\n", ""), "not a valid repository namespace"},
      {"[registry]\nhost = \"http://" + huge + "\"\n", "without a scheme"},
      {"[registry]\nhost = \"h/" + huge + "\"\n", "in registry.namespace"},
      {"[registry]\nhost = \"h!" + huge + "\"\n", "invalid character"},
      {Config("", "\n[builders]\nbuildah_storage_driver = \"" + huge + "\"\n"), "unknown value"},
      {Config("", "\n[apps.\"" + huge + "!\"]\nplugin = \"generic\"\n"), "app name"},
      {Config("", "\n[apps.\"" + huge + "\"]\nplugin = \"generic\"\n"), "too long"},
      {Config("", "\n[defaults]\n" + huge + " = 1\n"), "unknown key"},
      {Config("", "\n[apps.other]\nplugin = \"" + huge + "!\"\n"), "invalid plugin"},
  };
  for (const auto& [text, what] : cases) {
    std::vector<std::string> errors = ShortErrors(text);
    BOOST_TEST(!errors.empty());
    BOOST_TEST(AnyContains(errors, what), what);
    BOOST_TEST(AnyContains(errors, "bytes)"), what << ": " << (errors.empty() ? "" : errors[0].substr(0, 300)));
    BOOST_TEST(AnyContains(errors, "mirror.toml:"), what);
  }
}

BOOST_AUTO_TEST_CASE(did_you_mean_skips_candidates_too_far_by_length_alone) {
  // The distance is at least the length difference: a 4 MiB word is near no key.
  BOOST_TEST(!mg::DidYouMean(std::string(kHuge, 'p'), {"platforms", "plugin"}).has_value());
  BOOST_TEST(mg::DidYouMean("platfroms", {"platforms", "plugin"}).value() == "platforms");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
