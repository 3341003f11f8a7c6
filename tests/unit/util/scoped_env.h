// Test helper: sets environment variables for its lifetime and restores their earlier values (or
// their absence) on destruction. Not thread-safe (setenv): use on the test's thread while no
// other thread starts processes.
#pragma once

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

namespace mg::testing {

class ScopedEnv {
 public:
  ScopedEnv() = default;
  ~ScopedEnv() {
    for (const auto& [name, old] : saved_) {
      if (old) {
        ::setenv(name.c_str(), old->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

  void Set(const std::string& name, const std::string& value) {
    const char* old = std::getenv(name.c_str());
    saved_.emplace(name, old ? std::optional<std::string>(old) : std::nullopt);  // the first value wins
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  // Puts `dir` first on PATH.
  void PrependPath(const std::string& dir) {
    const char* path = std::getenv("PATH");
    Set("PATH", dir + ":" + (path != nullptr ? path : "/usr/bin:/bin"));
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

}  // namespace mg::testing
