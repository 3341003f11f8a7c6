// Helpers for the sign tests: files with a given mode, and running openssl and cosign.
// Private keys used by these tests are generated at test time in temporary directories; none is
// committed.
#pragma once

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "util/install_dirs.h"
#include "util/status.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace mg::testing {

inline void WriteText(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  BOOST_REQUIRE_EQUAL(::chmod(path.c_str(), mode), 0);
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline mode_t ModeOf(const std::string& path) {
  struct stat st {};
  BOOST_REQUIRE_EQUAL(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

// Runs a program; requires that it starts. Returns its result (exit code not checked).
inline SubprocessResult Run(std::vector<std::string> argv, std::map<std::string, std::string> env = {},
                            std::string cwd = "") {
  SubprocessOptions o;
  o.argv = std::move(argv);
  o.env_overrides = std::move(env);
  o.cwd = std::move(cwd);
  o.timeout = std::chrono::milliseconds(60000);
  Result<SubprocessResult> r = RunSubprocess(o);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(r).value();
}

// Runs a program that must succeed.
inline SubprocessResult MustRun(std::vector<std::string> argv, std::map<std::string, std::string> env = {},
                                std::string cwd = "") {
  std::string what = Join(argv, " ");
  SubprocessResult r = Run(std::move(argv), std::move(env), std::move(cwd));
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, what + " exited " + std::to_string(r.exit_code) + ": " + r.stderr_text);
  return r;
}

// The path of the cosign binary from ../shared/tools/cosign-path, or "" (with the reason in
// *why) when it cannot be had.
inline std::string CosignPath(std::string* why) {
  const char* src = std::getenv("MG_SOURCE_DIR");
  std::string root = src != nullptr ? src : mg::SourceTreeDir();
  // Beside the checkout, else the workplace's shared folder (a clone elsewhere, e.g. in /tmp).
  std::string script = root + "/../shared/tools/cosign-path";
  struct stat st {};
  if (::stat(script.c_str(), &st) != 0) script = "/work/shared/tools/cosign-path";
  if (::stat(script.c_str(), &st) != 0) {
    *why = root + "/../shared/tools/cosign-path and " + script + " do not exist";
    return "";
  }
  SubprocessOptions o;
  o.argv = {script};
  o.timeout = std::chrono::milliseconds(300000);
  Result<SubprocessResult> r = RunSubprocess(o);
  if (!r.ok()) {
    *why = r.status().ToString();
    return "";
  }
  if (r->exit_code != 0) {
    *why = script + " failed: " + TailLines(r->stderr_text, 3);
    return "";
  }
  std::string path(Trim(r->stdout_text));
  if (path.empty()) *why = script + " printed no path";
  return path;
}

}  // namespace mg::testing
