// Test helper: git run isolated from the user's and the system's configuration.
#pragma once

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "util/strings.h"
#include "util/subprocess.h"

namespace mg::testing {

// Runs git in `dir` isolated from the user's and the system's git configuration; its stdout,
// trimmed. Fails the test when git fails.
inline std::string Git(const std::string& dir, std::vector<std::string> args) {
  SubprocessOptions o;
  o.argv = {"git",
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.cwd = dir;
  o.env_overrides = {{"GIT_CONFIG_GLOBAL", "/dev/null"}, {"GIT_CONFIG_NOSYSTEM", "1"}};
  o.timeout = std::chrono::milliseconds(60000);
  Result<SubprocessResult> r = RunSubprocess(o);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_REQUIRE_MESSAGE(r->exit_code == 0, "git " + Join(args, " ") + ": " + r->stderr_text);
  return std::string(Trim(r->stdout_text));
}

// For the lifetime of this object, this process's git configuration is the repository's own:
// GIT_CONFIG_GLOBAL=/dev/null and GIT_CONFIG_NOSYSTEM=1 (what git children and the ref-file
// reader, sources/git_ref_files.h, see), so a developer's ~/.gitconfig changes no result. The
// caller's values come back after. Not thread-safe (setenv).
class IsolatedUserGitConfig {
 public:
  IsolatedUserGitConfig() {
    Save("GIT_CONFIG_GLOBAL", "/dev/null");
    Save("GIT_CONFIG_NOSYSTEM", "1");
  }
  ~IsolatedUserGitConfig() {
    for (const auto& [name, value] : saved_) {
      if (value) ::setenv(name.c_str(), value->c_str(), 1);
      else ::unsetenv(name.c_str());
    }
  }
  IsolatedUserGitConfig(const IsolatedUserGitConfig&) = delete;
  IsolatedUserGitConfig& operator=(const IsolatedUserGitConfig&) = delete;

 private:
  void Save(const std::string& name, const char* value) {
    const char* old = std::getenv(name.c_str());
    saved_.emplace_back(name, old != nullptr ? std::optional<std::string>(old) : std::nullopt);
    ::setenv(name.c_str(), value, 1);
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace mg::testing
