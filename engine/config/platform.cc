#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "util/quote_value.h"
#include "util/strings.h"

namespace mg {
namespace {

const std::vector<std::string> kOses = {"linux", "windows", "darwin", "freebsd"};
const std::vector<std::string> kArches = {"amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "mips64le"};
const std::vector<std::string> kVariants = {"v5", "v6", "v7", "v8"};

bool Contains(const std::vector<std::string>& list, const std::string& s) {
  for (const std::string& item : list) {
    if (item == s) return true;
  }
  return false;
}

std::string Hint(const std::string& word, const std::vector<std::string>& known) {
  // Names other tools use for the same thing.
  static const std::vector<std::pair<std::string, std::string>> kAliases = {
      {"x86_64", "amd64"}, {"x86-64", "amd64"}, {"aarch64", "arm64"}, {"armhf", "arm"},
      {"i386", "386"},     {"i686", "386"},     {"macos", "darwin"},  {"osx", "darwin"}};
  for (const auto& [alias, name] : kAliases) {
    if (word == alias) return " (did you mean '" + name + "'?)";
  }
  auto guess = DidYouMean(word, known);
  return guess ? " (did you mean '" + *guess + "'?)" : "";
}

}  // namespace

bool IsValidPlatform(const std::string& platform, std::string* why) {
  const std::string form =
      "expected os/arch[/variant] such as \"linux/amd64\" or \"linux/arm/v7\"; known os: " + Join(kOses, ", ") +
      "; known arch: " + Join(kArches, ", ") + "; variants: " + Join(kVariants, ", ");
  auto fail = [&](std::string what) {
    if (why != nullptr) *why = std::move(what) + "; " + form;
    return false;
  };
  std::vector<std::string> parts = Split(platform, '/');
  // Each value is quoted clipped (util/strings.h): a huge one must not flood the terminal.
  if (parts.size() < 2 || parts.size() > 3) return fail("invalid platform " + QuoteValue(platform));
  auto unknown = [&](const char* what, const std::string& part, const std::vector<std::string>& known) {
    return fail(std::string("unknown ") + what + " " + QuoteValue(part, '\'') + " in " + QuoteValue(platform) +
                Hint(part, known));
  };
  if (!Contains(kOses, parts[0])) return unknown("os", parts[0], kOses);
  if (!Contains(kArches, parts[1])) return unknown("arch", parts[1], kArches);
  if (parts.size() == 3 && !Contains(kVariants, parts[2])) return unknown("variant", parts[2], kVariants);
  return true;
}

}  // namespace mg
