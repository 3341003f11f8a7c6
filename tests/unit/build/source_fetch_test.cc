// FetchSource against a git repository made in a temporary directory: lightweight and annotated
// tags resolve to their commit, the discovered commit is checked (a moved tag fails), a missing
// tag or repository is NotFound naming the URL and ref, credentials never appear in messages or logs.
#include "build/source_fetch.h"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "unit/util/scoped_env.h"
#include "unit/util/secret_canaries.h"
#include "unit/util/git_command.h"
#include "unit/util/temp_dir.h"
#include "util/atomic_file.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;

namespace {

constexpr std::chrono::milliseconds kTimeout{60000};

using mg::testing::Git;

// c1: Dockerfile "FROM one", tagged v1.0.0 (lightweight); c2: "FROM two", tagged v1.1.0
// (annotated); c3 on main, untagged.
struct Repo {
  mg::testing::TempDir dir;
  std::string c1, c2, c3;

  Repo() {
    BOOST_REQUIRE(!dir.path().empty());
    Git(dir.path(), {"init", "-q", "-b", "main"});
    c1 = Commit("FROM one\n");
    Git(dir.path(), {"tag", "v1.0.0"});
    c2 = Commit("FROM two\n");
    Git(dir.path(), {"tag", "-a", "-m", "release 1.1.0", "v1.1.0"});
    c3 = Commit("FROM three\n");
  }

  std::string Commit(const std::string& dockerfile) {
    std::ofstream(dir / "Dockerfile") << dockerfile;
    Git(dir.path(), {"add", "Dockerfile"});
    Git(dir.path(), {"commit", "-q", "-m", dockerfile});
    return Git(dir.path(), {"rev-parse", "HEAD"});
  }

  mg::RecipeSource At(const std::string& ref) const { return {"git", "file://" + dir.path(), ref}; }
};

mg::Result<mg::FetchedSource> Fetch(const mg::RecipeSource& src, const std::string& dest,
                                    const std::string& expected = "", std::vector<std::string>* log = nullptr,
                                    const std::atomic<bool>* cancel = nullptr) {
  auto sink = [log](std::string_view line) {
    if (log) log->emplace_back(line);
  };
  return mg::FetchSource(src, dest, expected, sink, cancel, kTimeout);
}

std::string ReadText(const std::string& path) {
  mg::Result<std::string> r = mg::ReadFile(path);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(source_fetch_test)

BOOST_AUTO_TEST_CASE(a_lightweight_tag_is_checked_out_at_its_commit) {
  Repo repo;
  mg::testing::TempDir work;
  std::vector<std::string> log;
  const std::string dest = work / "src/mattermost";  // parents are created
  mg::Result<mg::FetchedSource> r = Fetch(repo.At("v1.0.0"), dest, "", &log);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->dir == dest);
  BOOST_TEST(r->commit == repo.c1);
  BOOST_TEST(ReadText(dest + "/Dockerfile") == "FROM one\n");
  BOOST_TEST(mg::Join(log, "\n").find("Cloning into") != std::string::npos, mg::Join(log, "\n"));
  // Shallow: one commit only.
  BOOST_TEST(Git(dest, {"rev-list", "--count", "HEAD"}) == "1");
}

BOOST_AUTO_TEST_CASE(an_annotated_tag_resolves_to_the_commit_not_the_tag_object) {
  Repo repo;
  mg::testing::TempDir work;
  const std::string tag_object = Git(repo.dir.path(), {"rev-parse", "v1.1.0"});
  BOOST_REQUIRE(tag_object != repo.c2);
  mg::Result<mg::FetchedSource> r = Fetch(repo.At("v1.1.0"), work / "src", repo.c2);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->commit == repo.c2);
  BOOST_TEST(ReadText(work / "src/Dockerfile") == "FROM two\n");
}

BOOST_AUTO_TEST_CASE(the_expected_commit_may_be_a_prefix_in_any_case_and_a_local_path_works) {
  Repo repo;
  mg::testing::TempDir work;
  std::string upper = repo.c1.substr(0, 12);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  mg::Result<mg::FetchedSource> r = Fetch({"git", repo.dir.path(), "v1.0.0"}, work / "src", upper);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->commit == repo.c1);
}

BOOST_AUTO_TEST_CASE(a_moved_tag_fails_and_leaves_nothing_behind) {
  Repo repo;
  mg::testing::TempDir work;
  // Discovered when v1.1.0 pointed at c2; upstream has moved it to c3 since.
  const std::string discovered = Git(repo.dir.path(), {"rev-parse", "v1.1.0^{commit}"});
  BOOST_REQUIRE(discovered == repo.c2);
  Git(repo.dir.path(), {"tag", "-f", "-a", "-m", "re-release 1.1.0", "v1.1.0", repo.c3});
  mg::Result<mg::FetchedSource> r = Fetch(repo.At("v1.1.0"), work / "src", discovered);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kFailedPrecondition));
  BOOST_TEST(r.status().message().rfind("tag v1.1.0 moved: discovered " + repo.c2 + ", fetched " + repo.c3, 0) == 0,
             r.status().message());
  BOOST_TEST(!fs::exists(work / "src"));
}

BOOST_AUTO_TEST_CASE(a_missing_tag_is_not_found_naming_the_url_and_ref) {
  Repo repo;
  mg::testing::TempDir work;
  fs::create_directory(work / "empty");  // an existing empty directory is fine, and stays
  mg::Result<mg::FetchedSource> r = Fetch(repo.At("v9.9.9"), work / "empty");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kNotFound), r.status().ToString());
  const std::string& m = r.status().message();
  BOOST_TEST(m.find("fetching file://" + repo.dir.path() + " at v9.9.9") != std::string::npos, m);
  BOOST_TEST(m.find("no tag or branch \"v9.9.9\"") != std::string::npos, m);
  BOOST_TEST(m.find("v9.9.9 not found") != std::string::npos, m);  // git's own stderr line
  BOOST_TEST(fs::is_empty(work / "empty"));
}

BOOST_AUTO_TEST_CASE(a_missing_repository_is_not_found) {
  mg::testing::TempDir work;
  mg::Result<mg::FetchedSource> r = Fetch({"git", work / "nothing-here", "v1.0.0"}, work / "src");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kNotFound), r.status().ToString());
  BOOST_TEST(!fs::exists(work / "src"));
}

BOOST_AUTO_TEST_CASE(credentials_never_reach_the_message_or_the_log) {
  mg::testing::TempDir work;
  std::vector<std::string> log;
  // Nothing listens on port 1 of the loopback: git fails at once.
  mg::Result<mg::FetchedSource> r =
      Fetch({"git", "http://user:s3cretToken@127.0.0.1:1/owner/app.git", "v1.0.0"}, work / "src", "", &log);
  BOOST_REQUIRE(!r.ok());
  const std::string& m = r.status().message();
  BOOST_TEST(m.find("fetching http://127.0.0.1:1/owner/app.git at v1.0.0") != std::string::npos, m);
  BOOST_TEST(m.find("s3cretToken") == std::string::npos, m);
  BOOST_TEST(mg::Join(log, "\n").find("s3cretToken") == std::string::npos, mg::Join(log, "\n"));
}

// A `git` first on PATH that logs its environment, then runs the real git: the clone and
// rev-parse get the forge tokens (a user's credential helper may need them for a private
// upstream) and none of the other secrets.
BOOST_AUTO_TEST_CASE(git_gets_the_forge_tokens_and_no_other_secret) {
  using mg::testing::SecretCanaries;
  Repo repo;
  mg::testing::TempDir work;
  const std::string log = work / "env.log";
  std::ofstream(work / "git") << SecretCanaries::EnvLoggingScript(
      log, "PATH='" + std::string(std::getenv("PATH")) + "' exec git \"$@\"\n");
  BOOST_REQUIRE(::chmod((work / "git").c_str(), 0755) == 0);
  mg::testing::ScopedEnv env;
  env.PrependPath(work.path());
  SecretCanaries canaries;
  mg::Result<mg::FetchedSource> r = Fetch(repo.At("v1.0.0"), work / "src", repo.c1);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());

  const std::string text = ReadText(log);
  BOOST_TEST(text.find("== git clone ") != std::string::npos);
  BOOST_TEST(text.find("== git rev-parse ") != std::string::npos);
  BOOST_TEST(SecretCanaries::CheckLoggedEnvs(text, mg::ChildKind::kCredentialProgram) == "");
}

BOOST_AUTO_TEST_CASE(bad_inputs) {
  Repo repo;
  mg::testing::TempDir work;
  mg::Result<mg::FetchedSource> r = Fetch({"archive", "https://example.invalid/a.tgz", "v1"}, work / "a");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kInvalidArgument));
  BOOST_TEST(r.status().message().find("source type \"archive\"") != std::string::npos, r.status().message());

  r = Fetch(repo.At("v1.0.0"), work / "b", "not-a-sha");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kInvalidArgument));

  std::ofstream(work / "occupied") << "x";
  r = Fetch(repo.At("v1.0.0"), work.path());
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kFailedPrecondition));
  BOOST_TEST(r.status().message().find("is not an empty directory") != std::string::npos, r.status().message());
}

BOOST_AUTO_TEST_CASE(cancel_kills_git) {
  Repo repo;
  mg::testing::TempDir work;
  std::atomic<bool> cancel{true};
  mg::Result<mg::FetchedSource> r = Fetch(repo.At("v1.0.0"), work / "src", "", nullptr, &cancel);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kCancelled), r.status().ToString());
  BOOST_TEST(!fs::exists(work / "src"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
