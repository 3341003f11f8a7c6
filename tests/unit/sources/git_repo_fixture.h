// Test helper: a repository with a mix of tags, for the sources layer's git tests.
#pragma once

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "unit/util/git_command.h"
#include "unit/util/temp_dir.h"

namespace mg::testing {

// A repository with three commits and a mix of tags:
//   c1: v1.0.0 (lightweight)
//   c2: v1.1.0 (annotated), v2.0.0-limitless (lightweight), nightly (lightweight)
//   c3: v1.2.3 (lightweight), v1.2.3-limitless (annotated), v1.3 (annotated)
struct GitRepo {
  TempDir dir;
  std::string c1, c2, c3;

  GitRepo() {
    BOOST_REQUIRE(!dir.path().empty());
    Git(dir.path(), {"init", "-q", "-b", "main"});
    c1 = Commit("one");
    Git(dir.path(), {"tag", "v1.0.0"});
    c2 = Commit("two");
    Git(dir.path(), {"tag", "-a", "-m", "release 1.1.0", "v1.1.0"});
    Git(dir.path(), {"tag", "v2.0.0-limitless"});
    Git(dir.path(), {"tag", "nightly"});
    c3 = Commit("three");
    Git(dir.path(), {"tag", "v1.2.3"});
    Git(dir.path(), {"tag", "-a", "-m", "limitless 1.2.3", "v1.2.3-limitless"});
    Git(dir.path(), {"tag", "-a", "-m", "1.3", "v1.3"});
  }

  std::string Commit(const std::string& msg) {
    Git(dir.path(), {"commit", "-q", "--allow-empty", "-m", msg});
    return Git(dir.path(), {"rev-parse", "HEAD"});
  }

  std::string Url() const { return "file://" + dir.path(); }
};

}  // namespace mg::testing
