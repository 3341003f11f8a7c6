// The seed's recipes end to end without a network: the built plugins (mattermost, mostlymatter,
// outline, generic) are loaded from the build tree, their recipe answers go through ParseRecipe,
// and their edits are applied to Dockerfiles shaped like the upstream ones
// (tests/fixtures/dockerfiles) and compared with the expected files exactly. An upstream change
// that breaks an edit fails loudly: the message names the edit and shows the relevant lines.
#include <stdlib.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "build/dockerfile_edits.h"
#include "build/recipe.h"
#include "plugin/host_services.h"
#include "plugin/plugin_registry.h"
#include "registry_fixture.h"  // mg::testing::TempDir (not unit/util/temp_dir.h: same name, other class)
#include "util/atomic_file.h"
#include "util/strings.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;

namespace {

const char* kMattermostDockerfile = "server/build/Dockerfile";

// Recipes need no host service: every call fails, and is counted.
class NoServices : public mg::HostServices {
 public:
  void Log(int, std::string_view) override {}
  mg::Result<std::string> Http(std::string_view) override {
    ++calls;
    return mg::Status::Unavailable("no network in recipe tests");
  }
  mg::Result<std::string> DiscoverSource(std::string_view) override {
    ++calls;
    return mg::Status::Unavailable("no upstream in recipe tests");
  }
  int calls = 0;
};

fs::path Fixtures() {
  const char* src = std::getenv("MG_SOURCE_DIR");
  BOOST_REQUIRE_MESSAGE(src != nullptr, "MG_SOURCE_DIR is not set (run through ctest)");
  return fs::path(src) / "tests/fixtures/dockerfiles";
}

std::string ReadText(const fs::path& path) {
  mg::Result<std::string> r = mg::ReadFile(path.string());
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

void WriteText(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// `text` with its one occurrence of `from` replaced by `to` (fails the test when it is not there once).
std::string ReplaceOnce(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos && text.find(from, at + 1) == std::string::npos,
                        "\"" + from + "\" is not in the text exactly once");
  return text.replace(at, from.size(), to);
}

// A copy of one fixture source tree, as a fetched checkout would be.
struct Checkout {
  mg::testing::TempDir dir;
  explicit Checkout(const std::string& app) {
    fs::copy(Fixtures() / app, dir.path(), fs::copy_options::recursive);
  }
  fs::path operator/(const std::string& rel) const { return dir.path() / rel; }
};

// The parsed recipe of one plugin's image × version × platform.
mg::Recipe RecipeOf(const std::string& plugin, const std::string& image, const std::string& version,
                    const std::string& tag, const std::string& platform, const Json& config = Json::object()) {
  static mg::PluginRegistry registry;
  auto loaded = registry.Load(plugin);
  BOOST_REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
  NoServices host;
  Json in = {{"app", plugin},         {"image", image},   {"version", version},          {"tag", tag},
             {"platform", platform},  {"config", config}, {"registry", "127.0.0.1:5000"}, {"namespace", "mirror"}};
  mg::Result<Json> answer = (*loaded)->Recipe(host, in);
  BOOST_REQUIRE_MESSAGE(answer.ok(), answer.status().ToString());
  mg::Result<mg::Recipe> recipe = mg::ParseRecipe(*answer);
  BOOST_REQUIRE_MESSAGE(recipe.ok(), recipe.status().ToString() + "\n" + answer->dump(2));
  BOOST_TEST(host.calls == 0);
  return *recipe;
}

std::vector<std::string> MustApply(const Checkout& src, const mg::Recipe& recipe) {
  mg::Result<std::vector<std::string>> r = mg::ApplyEdits(src.dir.path().string(), recipe.edits, recipe.dockerfile);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

// The message of edits that must fail; checks the code and that no file was written.
std::string MustFail(const Checkout& src, const mg::Recipe& recipe) {
  const std::string before = ReadText(src / recipe.dockerfile);
  mg::Result<std::vector<std::string>> r = mg::ApplyEdits(src.dir.path().string(), recipe.edits, recipe.dockerfile);
  BOOST_REQUIRE_MESSAGE(!r.ok(), "the edits applied: " + (r.ok() ? mg::Join(*r, "; ") : ""));
  BOOST_TEST((r.status().code() == mg::Status::Code::kFailedPrecondition), r.status().ToString());
  BOOST_TEST(ReadText(src / recipe.dockerfile) == before);
  return r.status().message();
}

void ExpectIn(const std::string& message, const std::string& part) {
  BOOST_TEST(message.find(part) != std::string::npos, "message lacks \"" << part << "\":\n" << message);
}

using Args = std::map<std::string, std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(recipes_test)

BOOST_AUTO_TEST_CASE(mattermost_unpins_the_base_digests) {
  mg::Recipe r = RecipeOf("mattermost", "mattermost", "10.5.1", "v10.5.1", "linux/arm64");
  BOOST_TEST(r.source.type == "git");
  BOOST_TEST(r.source.url == "https://github.com/mattermost/mattermost.git");
  BOOST_TEST(r.source.ref == "v10.5.1");
  BOOST_TEST(r.context == "server/build");
  BOOST_TEST(r.dockerfile == kMattermostDockerfile);
  BOOST_TEST((r.build_args ==
              Args{{"MM_PACKAGE", "https://releases.mattermost.com/10.5.1/mattermost-10.5.1-linux-arm64.tar.gz?src=docker"}}));
  BOOST_TEST(r.depends_on_images.empty());

  // Today's upstream pins only the builder stage; the final distroless FROM is left as it is.
  Checkout src("mattermost");
  BOOST_TEST(MustApply(src, r) == std::vector<std::string>{"unpin-base-digests: 1 FROM line in server/build/Dockerfile"});
  BOOST_TEST(ReadText(src / kMattermostDockerfile) == ReadText(Fixtures() / "expected/mattermost.Dockerfile"));
}

BOOST_AUTO_TEST_CASE(mattermost_with_both_stages_pinned) {
  // Older upstream versions pinned the final stage's distroless base too: both are unpinned.
  const std::string pinned_final = "FROM gcr.io/distroless/base-debian12@sha256:"
                                   "8f838dcc5df84bdc3982776c55b867243422e52fe9d2641ed092b4a23d8922c6";
  Checkout src("mattermost");
  WriteText(src / kMattermostDockerfile, ReplaceOnce(ReadText(src / kMattermostDockerfile),
                                                     "FROM gcr.io/distroless/base-debian12", pinned_final));
  mg::Recipe r = RecipeOf("mattermost", "mattermost", "10.5.1", "v10.5.1", "linux/amd64");
  BOOST_TEST(MustApply(src, r) == std::vector<std::string>{"unpin-base-digests: 2 FROM lines in server/build/Dockerfile"});
  BOOST_TEST(ReadText(src / kMattermostDockerfile) == ReadText(Fixtures() / "expected/mattermost.Dockerfile"));
}

BOOST_AUTO_TEST_CASE(mostlymatter_swaps_the_binary_on_both_platforms) {
  ::unsetenv("MIRRORGRAPH_MOSTLYMATTER_BINARIES");
  for (const std::string arch : {"amd64", "arm64"}) {
    BOOST_TEST_CONTEXT(arch) {
      mg::Recipe r = RecipeOf("mostlymatter", "mostlymatter", "10.5.1", "v10.5.1-limitless", "linux/" + arch);
      BOOST_TEST(r.source.url == "https://framagit.org/framasoft/framateam/mostlymatter.git");
      BOOST_TEST(r.source.ref == "v10.5.1-limitless");
      BOOST_TEST(r.context == "server/build");
      BOOST_TEST(r.dockerfile == kMattermostDockerfile);
      BOOST_TEST((r.build_args ==
                  Args{{"MM_PACKAGE", "https://releases.mattermost.com/10.5.1/mattermost-10.5.1-linux-" + arch + ".tar.gz"},
                       {"MOSTLYMATTER_BINARY",
                        "https://packages.framasoft.org/projects/mostlymatter/mostlymatter-" + arch + "-v10.5.1"}}));

      Checkout src("mattermost");
      std::vector<std::string> done = MustApply(src, r);
      BOOST_TEST(done == (std::vector<std::string>{
                             "unpin-base-digests: 1 FROM line in server/build/Dockerfile (base images by tag, "
                             "resolved for each platform)",
                             "insert-after \"^ARG MM_PACKAGE=\": inserted \"ARG MOSTLYMATTER_BINARY\" after line 11 in "
                             "server/build/Dockerfile (declare the Mostlymatter binary's URL)",
                             "replace \"curl -L \\$MM_PACKAGE \\| tar -xvz\": 1 match (line 24) in server/build/Dockerfile "
                             "(replace the Mattermost binary by Mostlymatter's)"}),
                 mg::Join(done, "\n"));
      BOOST_TEST(ReadText(src / kMattermostDockerfile) == ReadText(Fixtures() / "expected/mostlymatter.Dockerfile"));
    }
  }
}

BOOST_AUTO_TEST_CASE(outline_builds_its_base_then_the_app_from_it) {
  mg::Recipe base = RecipeOf("outline", "base-outline", "0.82.0", "v0.82.0", "linux/amd64");
  BOOST_TEST(base.source.url == "https://github.com/outline/outline.git");
  BOOST_TEST(base.source.ref == "v0.82.0");
  BOOST_TEST(base.context == ".");
  BOOST_TEST(base.dockerfile == "Dockerfile.base");
  BOOST_TEST(base.edits.empty());
  BOOST_TEST(base.depends_on_images.empty());

  mg::Recipe app = RecipeOf("outline", "outline", "0.82.0", "v0.82.0", "linux/arm64");
  BOOST_TEST(app.context == ".");
  BOOST_TEST(app.dockerfile == "Dockerfile");
  BOOST_TEST(app.depends_on_images == std::vector<std::string>{"base-outline"});
  // Since v0.83.0 the Dockerfile reads its base from ARG BASE_IMAGE: passed as Outline's CI does.
  BOOST_TEST((app.build_args == Args{{"BASE_IMAGE", "127.0.0.1:5000/mirror/base-outline:0.82.0"}}));

  Checkout src("outline");
  BOOST_TEST(MustApply(src, base).empty());
  BOOST_TEST(MustApply(src, app) ==
             std::vector<std::string>{
                 "replace-base outlinewiki/outline-base -> 127.0.0.1:5000/mirror/base-outline:0.82.0: 1 ARG line in Dockerfile"});
  BOOST_TEST(ReadText(src / "Dockerfile") == ReadText(Fixtures() / "expected/outline.Dockerfile"));
  BOOST_TEST(ReadText(src / "Dockerfile.base") == ReadText(Fixtures() / "outline/Dockerfile.base"));
}

BOOST_AUTO_TEST_CASE(outline_before_0_83_names_the_base_in_its_from_line) {
  // Older upstream versions: FROM outlinewiki/outline-base AS base, no ARG. The FROM line is rewritten.
  Checkout src("outline");
  const std::string upstream = ReplaceOnce(ReadText(src / "Dockerfile"),
                                           "ARG BASE_IMAGE=outlinewiki/outline-base\nFROM ${BASE_IMAGE} AS base",
                                           "FROM outlinewiki/outline-base AS base");
  WriteText(src / "Dockerfile", upstream);
  mg::Recipe app = RecipeOf("outline", "outline", "0.82.0", "v0.82.0", "linux/amd64");
  BOOST_TEST(MustApply(src, app) ==
             std::vector<std::string>{
                 "replace-base outlinewiki/outline-base -> 127.0.0.1:5000/mirror/base-outline:0.82.0: 1 FROM line in Dockerfile"});
  BOOST_TEST(ReadText(src / "Dockerfile") ==
             ReplaceOnce(upstream, "FROM outlinewiki/outline-base AS base",
                         "FROM 127.0.0.1:5000/mirror/base-outline:0.82.0 AS base"));
}

BOOST_AUTO_TEST_CASE(an_upstream_change_that_breaks_a_pattern_fails_loudly) {
  // Upstream rewrote the download: the replace edit no longer matches.
  Checkout src("mattermost");
  WriteText(src / kMattermostDockerfile,
            ReplaceOnce(ReadText(src / kMattermostDockerfile), "  && curl -L $MM_PACKAGE | tar -xvz \\",
                        "  && curl -fsSL \"$MM_PACKAGE\" | tar -xz \\"));
  mg::Recipe r = RecipeOf("mostlymatter", "mostlymatter", "10.5.1", "v10.5.1-limitless", "linux/arm64");
  const std::string m = MustFail(src, r);
  BOOST_TEST(m.rfind("edits[2]: replace edit on server/build/Dockerfile (\"replace the Mattermost binary by "
                     "Mostlymatter's\"): no text matches the pattern \"curl -L \\$MM_PACKAGE \\| tar -xvz\", "
                     "expected exactly 1",
                     0) == 0,
             m);
  // The changed line, numbered as in the file the edit saw (after the inserted ARG line).
  ExpectIn(m, "   24 |   && curl -fsSL \"$MM_PACKAGE\" | tar -xz \\");
  ExpectIn(m, "update the plugin's recipe");
}

BOOST_AUTO_TEST_CASE(an_upstream_that_stops_pinning_or_renames_its_base_fails_loudly) {
  Checkout mm("mattermost");
  std::string text = ReadText(mm / kMattermostDockerfile);
  WriteText(mm / kMattermostDockerfile, ReadText(Fixtures() / "expected/mattermost.Dockerfile"));
  std::string m = MustFail(mm, RecipeOf("mattermost", "mattermost", "10.5.1", "v10.5.1", "linux/amd64"));
  ExpectIn(m, "edits[0]: unpin-base-digests edit on server/build/Dockerfile: no FROM line is pinned by a digest");
  ExpectIn(m, "    4 | FROM ubuntu:noble-20250415.1 AS builder");
  ExpectIn(m, "   26 | FROM gcr.io/distroless/base-debian12");

  Checkout outline("outline");
  WriteText(outline / "Dockerfile", ReplaceOnce(ReadText(outline / "Dockerfile"), "ARG BASE_IMAGE=outlinewiki/outline-base",
                                                "ARG BASE_IMAGE=outlinewiki/outline-build:0.82.0"));
  m = MustFail(outline, RecipeOf("outline", "outline", "0.82.0", "v0.82.0", "linux/amd64"));
  ExpectIn(m, "edits[0]: replace-base edit on Dockerfile: no FROM line uses the image \"outlinewiki/outline-base\"");
  ExpectIn(m, "    4 | ARG BASE_IMAGE=outlinewiki/outline-build:0.82.0");
  ExpectIn(m, "    5 | FROM ${BASE_IMAGE} AS base");
  ExpectIn(m, "   11 | FROM node:20-slim AS runner");
}

BOOST_AUTO_TEST_CASE(generic_edits_are_replace_edits) {
  Json config = {{"source", {{"type", "git-tags"}, {"url", "https://example.invalid/mattermost.git"}}},
                 {"build",
                  {{"context", "server/build"},
                   {"dockerfile", kMattermostDockerfile},
                   {"edits", Json::array({{{"pattern", "^ARG PUID=\\d+$"}, {"replace", "ARG PUID=3000"}, {"count", 1}}})}}}};
  mg::Recipe r = RecipeOf("generic", "generic", "1.2.3", "v1.2.3", "linux/amd64", config);
  BOOST_REQUIRE(r.edits.size() == 1u);
  BOOST_TEST(r.edits[0]["kind"] == "replace");
  Checkout src("mattermost");
  BOOST_TEST(MustApply(src, r) ==
             std::vector<std::string>{"replace \"^ARG PUID=\\d+$\": 1 match (line 9) in server/build/Dockerfile"});
  BOOST_TEST(ReadText(src / kMattermostDockerfile).find("\nARG PUID=3000\nARG PGID=2000\n") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
