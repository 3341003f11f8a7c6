// Test helper: git run isolated from the user's and the system's configuration.
#pragma once

#include <boost/test/unit_test.hpp>
#include <chrono>
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

}  // namespace mg::testing
