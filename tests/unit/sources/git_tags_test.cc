#include "sources/git_tags.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "unit/sources/git_repo_fixture.h"
#include "unit/util/temp_dir.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::testing::Git;
using Repo = mg::testing::GitRepo;

std::vector<mg::Candidate> MustList(const mg::GitTagsSource& src) {
  mg::Result<std::vector<mg::Candidate>> r = mg::ListGitTags(src, nullptr);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

std::string Describe(const std::vector<mg::Candidate>& cs) {
  std::string out;
  for (const auto& c : cs) out += c.version + "|" + c.tag + "|" + c.commit + "\n";
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(git_tags_test, mg::testing::IsolatedUserGitConfig)

BOOST_AUTO_TEST_CASE(lists_matching_tags_with_peeled_commits) {
  Repo repo;
  std::vector<mg::Candidate> got = MustList({repo.Url(), R"(^v(\d+(?:\.\d+)+)$)"});
  std::vector<mg::Candidate> expected = {
      {"1.0.0", "v1.0.0", repo.c1, ""},
      {"1.1.0", "v1.1.0", repo.c2, ""},
      {"1.2.3", "v1.2.3", repo.c3, ""},
      {"1.3", "v1.3", repo.c3, ""},
  };
  BOOST_TEST(Describe(got) == Describe(expected));

  // The annotated tag's own object differs from the commit we report.
  std::string tag_object = Git(repo.dir.path(), {"rev-parse", "v1.1.0"});
  std::string peeled = Git(repo.dir.path(), {"rev-parse", "v1.1.0^{commit}"});
  BOOST_TEST(tag_object != peeled);
  BOOST_REQUIRE(got.size() == 4u);
  BOOST_TEST(got[1].commit == peeled);
  BOOST_TEST(got[3].commit == Git(repo.dir.path(), {"rev-parse", "v1.3^{commit}"}));
}

BOOST_AUTO_TEST_CASE(tags_the_pattern_refuses_are_reported_with_the_reason) {
  Repo repo;
  const std::string pattern = R"(^v(\d+(?:\.\d+)+)$)";
  std::vector<std::pair<std::string, std::string>> excluded;
  auto got = mg::ListGitTags({repo.Url(), pattern}, nullptr, &excluded);
  BOOST_REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  BOOST_TEST(got->size() == 4u);
  const std::string why = "tag does not match the tag pattern " + pattern;
  BOOST_TEST(excluded == (std::vector<std::pair<std::string, std::string>>{
                             {"nightly", why}, {"v1.2.3-limitless", why}, {"v2.0.0-limitless", why}}));
}

BOOST_AUTO_TEST_CASE(limitless_pattern) {
  Repo repo;
  std::vector<mg::Candidate> got = MustList({repo.Url(), R"(^v(\d+\.\d+\.\d+)-limitless$)"});
  std::vector<mg::Candidate> expected = {
      {"1.2.3", "v1.2.3-limitless", Git(repo.dir.path(), {"rev-parse", "v1.2.3-limitless^{commit}"}), ""},
      {"2.0.0", "v2.0.0-limitless", repo.c2, ""},
  };
  BOOST_TEST(Describe(got) == Describe(expected));
  BOOST_TEST(expected[0].commit == repo.c3);
}

BOOST_AUTO_TEST_CASE(local_path_works_too_and_nothing_matching_is_empty) {
  Repo repo;
  std::vector<mg::Candidate> got = MustList({repo.dir.path(), R"(^release-(.+)$)"});
  BOOST_TEST(got.empty());
}

BOOST_AUTO_TEST_CASE(unreachable_url_is_an_error_with_context) {
  mg::testing::TempDir dir;
  std::string url = "file://" + dir.path() + "/no-such-repo";
  mg::Result<std::vector<mg::Candidate>> r = mg::ListGitTags({url, "^v(.+)$"}, nullptr);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST_MESSAGE(r.status().ToString());
  BOOST_TEST((r.status().code() == mg::Status::Code::kUnavailable));
  BOOST_TEST(r.status().message().find(url) != std::string::npos);
  BOOST_TEST(r.status().message().find("fatal") != std::string::npos);  // git's own words
}

BOOST_AUTO_TEST_CASE(a_url_that_looks_like_an_option_is_not_one) {
  mg::Result<std::vector<mg::Candidate>> r = mg::ListGitTags({"--upload-pack=touch /tmp/mg-pwned", "^v(.+)$"}, nullptr);
  BOOST_TEST(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kUnavailable));
}

BOOST_AUTO_TEST_CASE(bad_pattern_is_invalid_argument) {
  Repo repo;
  mg::Result<std::vector<mg::Candidate>> r = mg::ListGitTags({repo.Url(), R"(^v\d+$)"}, nullptr);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(cancelled_before_start) {
  Repo repo;
  std::atomic<bool> cancel{true};
  mg::Result<std::vector<mg::Candidate>> r = mg::ListGitTags({repo.Url(), "^v(.+)$"}, &cancel);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kCancelled));
}

BOOST_AUTO_TEST_CASE(git_missing_is_not_found) {
  std::string old_path = ::getenv("PATH") ? ::getenv("PATH") : "";
  ::setenv("PATH", "/nonexistent-mg-bin", 1);
  mg::Result<std::vector<mg::Candidate>> r = mg::ListGitTags({"file:///x", "^v(.+)$"}, nullptr);
  ::setenv("PATH", old_path.c_str(), 1);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kNotFound));
  BOOST_TEST(r.status().message().find("\"git\"") != std::string::npos);
  BOOST_TEST(r.status().message().find("file:///x") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(parses_ls_remote_output) {
  const std::string a(40, 'a'), b(40, 'b'), c(40, 'c'), d(40, 'd');
  // The peeled line wins whether it comes before or after the tag-object line.
  std::string out = c + "\trefs/tags/x^{}\n" + a + "\trefs/tags/x\n" + b + "\trefs/tags/y\n" + d +
                    "\trefs/heads/main\n" + a + "\trefs/tags/z\n" + d + "\trefs/tags/z^{}\n";
  auto r = mg::ParseLsRemoteTags(out);
  BOOST_REQUIRE(r.ok());
  std::vector<std::pair<std::string, std::string>> expected = {{"x", c}, {"y", b}, {"z", d}};
  BOOST_TEST((*r == expected));

  BOOST_TEST(mg::ParseLsRemoteTags("").ok());
  auto bad = mg::ParseLsRemoteTags("warning: something\n");
  BOOST_TEST((bad.status().code() == mg::Status::Code::kCorruption));
}

// A repository on this machine is read by for-each-ref; its answer must be ls-remote's.
BOOST_AUTO_TEST_CASE(local_listing_equals_ls_remote) {
  Repo repo;
  auto local = mg::ParseForEachRefTags(
      Git(repo.dir.path(), {"for-each-ref", "--format=" + std::string(mg::kForEachRefTagFormat), "refs/tags/"}));
  BOOST_REQUIRE_MESSAGE(local.ok(), local.status().ToString());
  BOOST_TEST(!local->nested_tag);
  auto remote = mg::ParseLsRemoteTags(Git(repo.dir.path(), {"ls-remote", "--tags", repo.Url()}));
  BOOST_REQUIRE(remote.ok());
  BOOST_TEST(local->tags.size() == 7u);
  BOOST_TEST((local->tags == *remote));
}

// A tag of a tag: for-each-ref peels one level only, so ls-remote answers (fully peeled).
BOOST_AUTO_TEST_CASE(a_tag_of_a_tag_is_peeled_to_its_commit) {
  Repo repo;
  Git(repo.dir.path(), {"tag", "-a", "-m", "outer", "v9.0.0", "v1.3"});
  BOOST_TEST(Git(repo.dir.path(), {"cat-file", "-t", "v9.0.0^{tag}^{}"}) == "commit");
  std::vector<mg::Candidate> got = MustList({repo.Url(), R"(^v(9\.\d+\.\d+)$)"});
  BOOST_REQUIRE(got.size() == 1u);
  BOOST_TEST(got[0].commit == repo.c3);
}

// A directory inside a repository is not that repository: git must not walk up to it.
BOOST_AUTO_TEST_CASE(a_subdirectory_of_a_repository_is_not_one) {
  Repo repo;
  const std::string sub = repo.dir.path() + "/sub";
  BOOST_REQUIRE(::mkdir(sub.c_str(), 0755) == 0);
  for (const std::string& url : {"file://" + sub, sub}) {
    mg::Result<std::vector<mg::Candidate>> r = mg::ListGitTags({url, "^v(.+)$"}, nullptr);
    BOOST_REQUIRE_MESSAGE(!r.ok(), url);
    BOOST_TEST((r.status().code() == mg::Status::Code::kUnavailable));
    BOOST_TEST(r.status().message().find("not a git repository") != std::string::npos, r.status().ToString());
  }
}

// Percent-encoded and localhost file URLs name the same directory, as they do for git.
BOOST_AUTO_TEST_CASE(file_urls_are_decoded_like_git_does) {
  mg::testing::TempDir dir;
  const std::string path = dir.path() + "/a repo";
  BOOST_REQUIRE(::mkdir(path.c_str(), 0755) == 0);
  Git(path, {"init", "-q", "-b", "main"});
  Git(path, {"commit", "-q", "--allow-empty", "-m", "one"});
  Git(path, {"tag", "v1.0.0"});
  const std::string commit = Git(path, {"rev-parse", "HEAD"});
  for (const std::string& url :
       {"file://" + dir.path() + "/a%20repo", "file://localhost" + dir.path() + "/a%20repo", "file://" + path, path}) {
    std::vector<mg::Candidate> got = MustList({url, "^v(.+)$"});
    BOOST_REQUIRE_MESSAGE(got.size() == 1u, url);
    BOOST_TEST(got[0].commit == commit);
  }
}

BOOST_AUTO_TEST_CASE(local_repository_paths) {
  BOOST_TEST(mg::LocalRepositoryPath("file:///srv/git/app.git").value_or("-") == "/srv/git/app.git");
  BOOST_TEST(mg::LocalRepositoryPath("file://localhost/srv/a%20b").value_or("-") == "/srv/a b");
  BOOST_TEST(mg::LocalRepositoryPath("file:///srv/100%").value_or("-") == "/srv/100%");  // no escape: kept
  BOOST_TEST(mg::LocalRepositoryPath("file:///srv/%zz").value_or("-") == "/srv/%zz");
  // A plain path is not a URL: git takes it as it is, and so do we.
  BOOST_TEST(mg::LocalRepositoryPath("/srv/a%20b").value_or("-") == "/srv/a%20b");
  for (const char* other : {"https://github.com/outline/outline", "file://host/srv/x", "git@github.com:a/b.git",
                            "relative/dir", "--upload-pack=x", "file:///srv/%00x", "ssh://h/srv/x"}) {
    BOOST_TEST(!mg::LocalRepositoryPath(other).has_value(), other);
  }
}

// Which git command answered, seen through a wrapper on PATH that logs its arguments: none for a
// plain local repository (its files answer: sources/git_ref_files.h); one for-each-ref when they
// do not (a tag of a packed commit); ls-remote when the caller's environment names another
// repository (GIT_DIR, as in a git hook), which for-each-ref would obey and ls-remote ignores.
BOOST_AUTO_TEST_CASE(a_local_repository_is_read_from_its_files_or_by_one_for_each_ref_unless_git_dir_is_set) {
  Repo repo;
  mg::testing::TempDir bin;
  const std::string log = bin.path() + "/argv.log";
  const std::string real_git = Git(repo.dir.path(), {"--exec-path"}) + "/git";
  {
    std::ofstream script(bin.path() + "/git");
    script << "#!/bin/sh\necho \"$*\" >> '" << log << "'\nexec '" << real_git << "' \"$@\"\n";
  }
  BOOST_REQUIRE(::chmod((bin.path() + "/git").c_str(), 0755) == 0);
  const std::string old_path = ::getenv("PATH") ? ::getenv("PATH") : "";
  ::setenv("PATH", (bin.path() + ":" + old_path).c_str(), 1);
  auto read_log = [&] {
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::remove(log.c_str());
    return text;
  };
  const std::string pattern = R"(^v(\d+(?:\.\d+)+)$)";
  mg::Result<std::vector<mg::Candidate>> from_files = mg::ListGitTags({repo.Url(), pattern}, nullptr);
  const std::string files_log = read_log();
  Git(repo.dir.path(), {"gc", "-q"});
  Git(repo.dir.path(), {"tag", "v0.9.0", repo.c1});  // loose, of a packed commit: git answers
  read_log();
  mg::Result<std::vector<mg::Candidate>> local = mg::ListGitTags({repo.Url(), pattern}, nullptr);
  const std::string local_log = read_log();
  ::setenv("GIT_DIR", (repo.dir.path() + "/elsewhere").c_str(), 1);
  mg::Result<std::vector<mg::Candidate>> with_git_dir = mg::ListGitTags({repo.Url(), pattern}, nullptr);
  ::unsetenv("GIT_DIR");
  const std::string git_dir_log = read_log();
  ::setenv("PATH", old_path.c_str(), 1);

  BOOST_REQUIRE_MESSAGE(from_files.ok(), from_files.status().ToString());
  BOOST_TEST(from_files->size() == 4u);
  BOOST_TEST(files_log.empty(), files_log);
  BOOST_REQUIRE_MESSAGE(local.ok(), local.status().ToString());
  BOOST_TEST(local->size() == 5u);
  BOOST_TEST(local_log.find("for-each-ref") != std::string::npos, local_log);
  BOOST_TEST(local_log.find("ls-remote") == std::string::npos, local_log);
  BOOST_REQUIRE_MESSAGE(with_git_dir.ok(), with_git_dir.status().ToString());
  BOOST_TEST(Describe(*with_git_dir) == Describe(*local));
  BOOST_TEST(git_dir_log.find("ls-remote") != std::string::npos, git_dir_log);
  BOOST_TEST(git_dir_log.find("for-each-ref") == std::string::npos, git_dir_log);
}

BOOST_AUTO_TEST_CASE(parses_for_each_ref_output) {
  const std::string a(40, 'a'), b(40, 'b'), c(64, 'c');
  auto r = mg::ParseForEachRefTags(b + "   refs/tags/y\n" + a + " commit " + c + " refs/tags/x\n\n");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  std::vector<std::pair<std::string, std::string>> expected = {{"x", c}, {"y", b}};
  BOOST_TEST((r->tags == expected));
  BOOST_TEST(!r->nested_tag);
  auto nested = mg::ParseForEachRefTags(a + " tag " + b + " refs/tags/z\n");
  BOOST_REQUIRE(nested.ok());
  BOOST_TEST(nested->nested_tag);
  for (const std::string& bad : {std::string("fatal: oops\n"), a + "  " + b + " refs/tags/q\n",
                                 a + " commit zz refs/tags/q\n", a + "   refs/heads/main\n", a + "   refs/tags/\n"}) {
    auto got = mg::ParseForEachRefTags(bad);
    BOOST_TEST((got.status().code() == mg::Status::Code::kCorruption), bad);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
