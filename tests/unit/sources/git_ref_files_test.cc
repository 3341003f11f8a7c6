#include "sources/git_ref_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "sources/git_tags.h"
#include "unit/sources/git_repo_fixture.h"
#include "unit/util/temp_dir.h"
#include "util/atomic_file.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

using mg::testing::Git;
using Repo = mg::testing::GitRepo;
using Tags = std::vector<std::pair<std::string, std::string>>;

// What `git ls-remote --tags` says of the repository at `dir`: the answer the reader must give.
Tags LsRemote(const std::string& dir) {
  mg::Result<Tags> r = mg::ParseLsRemoteTags(Git(dir, {"ls-remote", "--tags", "file://" + dir}));
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

// The reader answers for `dir`, and exactly as ls-remote does.
void AnswersLikeLsRemote(const std::string& dir, size_t want_tags) {
  mg::RefFilesTags got = mg::ReadTagsFromRepositoryFiles(dir);
  BOOST_REQUIRE_MESSAGE(got.tags.has_value(), "left to git: " + got.why_not);
  BOOST_TEST(got.tags->size() == want_tags);
  BOOST_TEST((*got.tags == LsRemote(dir)));
}

// The reader leaves `dir` to git, saying why (the reason holds `why`).
void LeavesToGit(const std::string& dir, const std::string& why) {
  mg::RefFilesTags got = mg::ReadTagsFromRepositoryFiles(dir);
  BOOST_TEST(!got.tags.has_value());
  BOOST_TEST(got.why_not.find(why) != std::string::npos, got.why_not);
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  BOOST_REQUIRE(out.good());
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(git_ref_files_test, mg::testing::IsolatedUserGitConfig)

// Loose refs and loose objects, as a fresh repository has them: lightweight tags of commits,
// annotated tags peeled to their commits.
BOOST_AUTO_TEST_CASE(a_fresh_repository_is_read_like_ls_remote) {
  Repo repo;
  AnswersLikeLsRemote(repo.dir.path(), 7);
  mg::RefFilesTags got = mg::ReadTagsFromRepositoryFiles(repo.dir.path());
  BOOST_REQUIRE(got.tags.has_value());
  const Tags expected_head = {{"nightly", repo.c2}, {"v1.0.0", repo.c1}, {"v1.1.0", repo.c2}};
  BOOST_TEST((Tags(got.tags->begin(), got.tags->begin() + 3) == expected_head));
}

// After pack-refs, and after gc (objects packed too): packed-refs' peel lines answer.
BOOST_AUTO_TEST_CASE(packed_refs_and_packed_objects_are_read_from_the_peel_lines) {
  Repo repo;
  Git(repo.dir.path(), {"pack-refs", "--all"});
  struct stat st;
  BOOST_REQUIRE(::stat((repo.dir.path() + "/.git/packed-refs").c_str(), &st) == 0);
  AnswersLikeLsRemote(repo.dir.path(), 7);
  Git(repo.dir.path(), {"gc", "-q"});
  AnswersLikeLsRemote(repo.dir.path(), 7);
  // A bare clone: packed refs, packed objects.
  mg::testing::TempDir clone;
  Git(clone.path(), {"clone", "-q", "--bare", repo.Url(), "bare.git"});
  AnswersLikeLsRemote(clone.path() + "/bare.git", 7);
}

// A loose tag beside packed ones wins over a packed tag of its name; its loose object answers.
BOOST_AUTO_TEST_CASE(loose_tags_beside_packed_ones) {
  Repo repo;
  Git(repo.dir.path(), {"gc", "-q"});
  const std::string c4 = repo.Commit("four");
  Git(repo.dir.path(), {"tag", "-a", "-m", "2.0", "v2.0.0"});
  Git(repo.dir.path(), {"tag", "-f", "-a", "-m", "moved", "v1.0.0"});  // packed, now loose too
  AnswersLikeLsRemote(repo.dir.path(), 8);
  mg::RefFilesTags got = mg::ReadTagsFromRepositoryFiles(repo.dir.path());
  BOOST_REQUIRE(got.tags.has_value());
  for (const auto& [tag, target] : *got.tags) {
    if (tag == "v1.0.0" || tag == "v2.0.0") BOOST_TEST(target == c4, tag);
  }
}

// Tags of tags peel through every level; tags of trees peel to the tree; names may nest.
BOOST_AUTO_TEST_CASE(tags_of_tags_trees_and_nested_names) {
  Repo repo;
  Git(repo.dir.path(), {"tag", "-a", "-m", "outer", "v9.0.0", "v1.3"});
  Git(repo.dir.path(), {"tag", "-a", "-m", "outermost", "v9.1.0", "v9.0.0"});
  Git(repo.dir.path(), {"tag", "tree-tag", "HEAD^{tree}"});
  Git(repo.dir.path(), {"tag", "-a", "-m", "tree", "tree-annotated", "HEAD^{tree}"});
  Git(repo.dir.path(), {"tag", "release/2024/v1.0.0", repo.c1});
  AnswersLikeLsRemote(repo.dir.path(), 12);
  mg::RefFilesTags got = mg::ReadTagsFromRepositoryFiles(repo.dir.path());
  BOOST_REQUIRE(got.tags.has_value());
  for (const auto& [tag, target] : *got.tags) {
    if (tag == "v9.1.0") BOOST_TEST(target == repo.c3);
  }
  Git(repo.dir.path(), {"pack-refs", "--all"});
  AnswersLikeLsRemote(repo.dir.path(), 12);
}

// A packed-refs without the peeled trait says nothing of which refs are annotated tags: their
// loose objects do; once those are packed too, git answers.
BOOST_AUTO_TEST_CASE(packed_refs_without_peel_lines_read_loose_objects) {
  Repo repo;
  Git(repo.dir.path(), {"pack-refs", "--all"});
  const std::string packed = repo.dir.path() + "/.git/packed-refs";
  mg::Result<std::string> text = mg::ReadFile(packed);
  BOOST_REQUIRE(text.ok());
  std::string stripped;
  mg::ForEachLine(*text, [&](std::string_view line) {
    if (!line.empty() && line[0] != '#' && line[0] != '^') stripped += std::string(line) + "\n";
  });
  BOOST_REQUIRE(stripped.size() < text->size());
  WriteText(packed, stripped);
  AnswersLikeLsRemote(repo.dir.path(), 7);
  Git(repo.dir.path(), {"repack", "-q", "-a", "-d"});
  Git(repo.dir.path(), {"prune-packed"});
  LeavesToGit(repo.dir.path(), "is not loose");
}

// A lightweight tag of a packed commit, kept loose: git answers (the object is in a pack).
BOOST_AUTO_TEST_CASE(a_loose_tag_of_a_packed_object_is_left_to_git) {
  Repo repo;
  Git(repo.dir.path(), {"gc", "-q"});
  Git(repo.dir.path(), {"tag", "v5.0.0", repo.c2});
  LeavesToGit(repo.dir.path(), "is not loose");
  // ... and ListGitTags still answers, through git.
  mg::Result<std::vector<mg::Candidate>> listed = mg::ListGitTags({repo.Url(), R"(^v(5\.\d+\.\d+)$)"}, nullptr);
  BOOST_REQUIRE_MESSAGE(listed.ok(), listed.status().ToString());
  BOOST_REQUIRE(listed->size() == 1u);
  BOOST_TEST((*listed)[0].commit == repo.c2);
}

// Every shape the reader does not know exactly goes to git, with the reason.
BOOST_AUTO_TEST_CASE(shapes_it_does_not_know_are_left_to_git) {
  {
    Repo repo;
    Git(repo.dir.path(), {"config", "core.repositoryformatversion", "1"});
    Git(repo.dir.path(), {"config", "extensions.worktreeConfig", "true"});
    LeavesToGit(repo.dir.path(), "extension");
  }
  {
    Repo repo;
    Git(repo.dir.path(), {"config", "include.path", "/dev/null"});
    LeavesToGit(repo.dir.path(), "include");
  }
  {
    Repo repo;
    Git(repo.dir.path(), {"symbolic-ref", "refs/tags/alias", "refs/tags/v1.0.0"});
    LeavesToGit(repo.dir.path(), "holds no object id");
  }
  {
    Repo repo;
    Git(repo.dir.path(), {"tag", "caf\xc3\xa9"});  // valid for git, not plain here
    LeavesToGit(repo.dir.path(), "leaves to git");
  }
  {
    Repo repo;
    WriteText(repo.dir.path() + "/.git/refs/tags/v7.0.0.lock", repo.c1 + "\n");  // a crashed git's
    LeavesToGit(repo.dir.path(), "v7.0.0.lock");
  }
  {
    Repo repo;  // a link where git follows it: git answers (and finds every tag)
    const std::string tags = repo.dir.path() + "/.git/refs/tags";
    std::filesystem::rename(tags, repo.dir.path() + "/moved-tags");
    std::filesystem::create_directory_symlink(repo.dir.path() + "/moved-tags", tags);
    LeavesToGit(repo.dir.path(), "refs/tags is no directory");
    mg::Result<std::vector<mg::Candidate>> listed = mg::ListGitTags({repo.Url(), "^(.+)$"}, nullptr);
    BOOST_REQUIRE_MESSAGE(listed.ok(), listed.status().ToString());
    BOOST_TEST(listed->size() == 7u);
  }
  {
    Repo repo;
    WriteText(repo.dir.path() + "/.git/HEAD", "garbage\n");
    LeavesToGit(repo.dir.path(), "HEAD is neither");
  }
  {
    Repo repo;  // a format version git refuses, on the section's line
    WriteText(repo.dir.path() + "/.git/config", "[core] repositoryformatversion = 2\n");
    LeavesToGit(repo.dir.path(), "repositoryformatversion 2");
  }
  for (const char* packed : {"\n", "^%s\n", "%s refs/tags/a\n^%s\n^%s\n", "%s refs/tags/a",
                             "%s refs/tags/b\n%s refs/heads/z\n%s refs/tags/a\n", "%s refs/tags/a\n%s refs/tags/a\n"}) {
    // packed-refs lines git stops on: an empty line, a "^" after no ref or after a "^", no final
    // LF; or reads otherwise than in order: refs out of order (git trusts "sorted"), duplicates
    Repo repo;
    std::string text = std::string("# pack-refs with: peeled\n") + packed;
    for (size_t at; (at = text.find("%s")) != std::string::npos;) text.replace(at, 2, repo.c1);
    WriteText(repo.dir.path() + "/.git/packed-refs", text);
    LeavesToGit(repo.dir.path(), "packed-refs");
  }
  {
    Repo repo;
    mg::testing::TempDir other;
    Git(repo.dir.path(), {"worktree", "add", "-q", other.path() + "/wt"});
    LeavesToGit(other.path() + "/wt", "gitlink");
  }
  {
    Repo repo;
    const std::string sub = repo.dir.path() + "/sub";
    BOOST_REQUIRE(::mkdir(sub.c_str(), 0755) == 0);
    LeavesToGit(sub, "has no HEAD");
  }
  {
    Repo repo;  // a corrupt loose object: git says what is wrong
    const std::string path = repo.dir.path() + "/.git/objects/" + repo.c1.substr(0, 2) + "/" + repo.c1.substr(2);
    BOOST_REQUIRE(::chmod(path.c_str(), 0644) == 0);
    WriteText(path, "not zlib at all");
    LeavesToGit(repo.dir.path(), "no zlib stream");
  }
  {
    Repo repo;  // a packed-refs line it does not know
    WriteText(repo.dir.path() + "/.git/packed-refs", "# pack-refs with: peeled\n" + repo.c1 + "\trefs/tags/x\n");
    LeavesToGit(repo.dir.path(), "packed-refs");
  }
  if (::geteuid() == 0) {  // another user's repository: git's safe.directory decides
    Repo repo;
    BOOST_REQUIRE(::chown(repo.dir.path().c_str(), 65534, 65534) == 0);
    LeavesToGit(repo.dir.path(), "another user");
  }
}

// Replacements are ignored, as ls-remote ignores them: a tag object replaced by another still
// peels to its own commit.
BOOST_AUTO_TEST_CASE(replacements_are_ignored_as_ls_remote_ignores_them) {
  Repo repo;
  Git(repo.dir.path(), {"tag", "-a", "-m", "8.0", "v8.0.0", repo.c1});
  Git(repo.dir.path(), {"tag", "-a", "-m", "8.1", "v8.1.0", repo.c2});
  Git(repo.dir.path(),
      {"replace", Git(repo.dir.path(), {"rev-parse", "v8.0.0"}), Git(repo.dir.path(), {"rev-parse", "v8.1.0"})});
  AnswersLikeLsRemote(repo.dir.path(), 9);
  const Tags answer = *mg::ReadTagsFromRepositoryFiles(repo.dir.path()).tags;
  BOOST_TEST((std::find(answer.begin(), answer.end(), std::make_pair(std::string("v8.0.0"), repo.c1)) != answer.end()));
  // The same through for-each-ref (a tag name the reader leaves to git): it must not follow the
  // replacement either.
  Git(repo.dir.path(), {"tag", "caf\xc3\xa9"});
  mg::Result<std::vector<mg::Candidate>> listed = mg::ListGitTags({repo.Url(), R"(^v(8\.\d+\.\d+)$)"}, nullptr);
  BOOST_REQUIRE_MESSAGE(listed.ok(), listed.status().ToString());
  BOOST_REQUIRE(listed->size() == 2u);
  BOOST_TEST((*listed)[0].commit == repo.c1);
  BOOST_TEST((*listed)[1].commit == repo.c2);
}

// hideRefs in the repository's config: ls-remote obeys it, so ls-remote answers (neither the
// files nor for-each-ref would hide the tag).
BOOST_AUTO_TEST_CASE(hidden_refs_are_left_to_ls_remote) {
  Repo repo;
  Git(repo.dir.path(), {"config", "transfer.hideRefs", "refs/tags/nightly"});
  mg::RefFilesTags got = mg::ReadTagsFromRepositoryFiles(repo.dir.path());
  BOOST_TEST(!got.tags.has_value());
  BOOST_TEST(got.hidden_refs);
  mg::Result<std::vector<mg::Candidate>> listed = mg::ListGitTags({repo.Url(), "^(.+)$"}, nullptr);
  BOOST_REQUIRE_MESSAGE(listed.ok(), listed.status().ToString());
  BOOST_TEST(listed->size() == 6u);
  for (const mg::Candidate& c : *listed) BOOST_TEST(c.tag != "nightly");
}

// hideRefs after an extension, or in the user's config: ls-remote still answers.
BOOST_AUTO_TEST_CASE(hidden_refs_anywhere_git_looks_go_to_ls_remote) {
  {
    Repo repo;
    Git(repo.dir.path(), {"config", "core.repositoryformatversion", "1"});
    Git(repo.dir.path(), {"config", "extensions.worktreeConfig", "true"});
    Git(repo.dir.path(), {"config", "transfer.hideRefs", "refs/tags/nightly"});
    mg::RefFilesTags got = mg::ReadTagsFromRepositoryFiles(repo.dir.path());
    BOOST_TEST(!got.tags.has_value());
    BOOST_TEST(got.hidden_refs, got.why_not);
  }
  Repo repo;
  mg::testing::TempDir home;
  const std::string global = home.path() + "/gitconfig";
  WriteText(global, "[transfer]\n\thideRefs = refs/tags/nightly\n");
  ::setenv("GIT_CONFIG_GLOBAL", global.c_str(), 1);  // the fixture puts /dev/null back
  mg::RefFilesTags got = mg::ReadTagsFromRepositoryFiles(repo.dir.path());
  BOOST_TEST(!got.tags.has_value());
  BOOST_TEST(got.hidden_refs);
  BOOST_TEST(got.why_not.find(global) != std::string::npos, got.why_not);
  mg::Result<std::vector<mg::Candidate>> listed = mg::ListGitTags({repo.Url(), "^(.+)$"}, nullptr);
  ::setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
  BOOST_REQUIRE_MESSAGE(listed.ok(), listed.status().ToString());
  BOOST_TEST(listed->size() == 6u);
  for (const mg::Candidate& c : *listed) BOOST_TEST(c.tag != "nightly");
}

// Tag objects git refuses to peel (ls-remote then prints the tag object alone) are git's.
BOOST_AUTO_TEST_CASE(tag_objects_git_does_not_peel_are_left_to_git) {
  constexpr const char* kUnparsed = "is a tag object this reader leaves to git";
  const std::pair<const char*, const char*> cases[] = {
      {"object %s\ntype commit\n\nno tag line\n", kUnparsed},
      {"object %s\ntype commit\ntag v1", kUnparsed},     // no LF after the tag line
      {"object %s\ntype commit\ntag \nx\n", kUnparsed},  // an empty tag name
      {"object %s\ntype commitx\ntag odd\n\nan unknown type\n", kUnparsed},
      {"object %s\ntype tag\ntag liar\n\nnames a commit a tag\n", "is named a tag by the tag that points at it"}};
  for (const auto& [body, reason] : cases) {
    Repo repo;
    std::string text = body;
    text.replace(text.find("%s"), 2, repo.c1);
    const std::string file = repo.dir.path() + "/tag-object";
    WriteText(file, text);
    const std::string id = Git(repo.dir.path(), {"hash-object", "-t", "tag", "-w", "--literally", file});
    const std::string object = repo.dir.path() + "/.git/objects/" + id.substr(0, 2) + "/" + id.substr(2);
    BOOST_REQUIRE_MESSAGE(std::filesystem::exists(object), object);
    WriteText(repo.dir.path() + "/.git/refs/tags/odd", id + "\n");  // update-ref refuses such objects
    LeavesToGit(repo.dir.path(), reason);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
