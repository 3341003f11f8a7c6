// Test helper: a fresh directory under $TMPDIR (or /tmp), removed with its content on destruction.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace mg::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/mg-test-XXXXXX";
    char* made = ::mkdtemp(tmpl.data());
    path_ = made ? std::filesystem::canonical(made).string() : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace mg::testing
