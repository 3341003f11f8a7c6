// The Dockerfile edits: each kind's result, and each kind's failure when the file does not have
// what the edit expects (the message names the file and kind and shows the pattern or image and
// the relevant lines with their numbers); ApplyEdits on files under a source root.
#include "build/dockerfile_edits.h"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "unit/util/temp_dir.h"
#include "util/atomic_file.h"
#include "util/strings.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace fs = std::filesystem;
using mg::Json;

namespace {

// String literals, so that Dockerfiles in the tests stay one literal per line.
#define DIGEST_A "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DIGEST_B "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF"
const std::string kDigestA = DIGEST_A;

std::string Apply(const std::string& text, const Json& edit) {
  mg::Result<std::string> r = mg::ApplyEdit(text, edit, "Dockerfile");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

// The FailedPrecondition message of an edit that must not match.
std::string Failure(const std::string& text, const Json& edit, const std::string& file = "Dockerfile") {
  mg::Result<std::string> r = mg::ApplyEdit(text, edit, file);
  BOOST_REQUIRE_MESSAGE(!r.ok(), "the edit applied: " + (r.ok() ? *r : ""));
  BOOST_TEST((r.status().code() == mg::Status::Code::kFailedPrecondition), r.status().ToString());
  return r.status().message();
}

void ExpectIn(const std::string& message, const std::string& part) {
  BOOST_TEST(message.find(part) != std::string::npos, "message lacks \"" << part << "\":\n" << message);
}

void ExpectNotIn(const std::string& message, const std::string& part) {
  BOOST_TEST(message.find(part) == std::string::npos, "message has \"" << part << "\":\n" << message);
}

void WriteText(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string ReadText(const std::string& path) {
  mg::Result<std::string> r = mg::ReadFile(path);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dockerfile_edits_test)

// ---- unpin-base-digests ----

BOOST_AUTO_TEST_CASE(unpin_strips_digests_from_from_lines_only) {
  const std::string in =
      "# syntax=docker/dockerfile:1\n"
      "FROM ubuntu:noble-20250415@" DIGEST_A " AS builder\n"
      "RUN echo keep@" DIGEST_A "\n"
      "FROM --platform=$BUILDPLATFORM golang:1.22@" DIGEST_B "\n"
      "from gcr.io/distroless/base@" DIGEST_A " as final\n"
      "FROM builder AS again\n";
  const std::string out = Apply(in, {{"kind", "unpin-base-digests"}});
  BOOST_TEST(out ==
             "# syntax=docker/dockerfile:1\n"
             "FROM ubuntu:noble-20250415 AS builder\n"
             "RUN echo keep@" DIGEST_A "\n"
             "FROM --platform=$BUILDPLATFORM golang:1.22\n"
             "from gcr.io/distroless/base as final\n"
             "FROM builder AS again\n");
}

BOOST_AUTO_TEST_CASE(unpin_also_strips_the_arg_a_from_line_uses) {
  const std::string in = "ARG BASE=\"node:20@" DIGEST_A "\"\n"
                         "ARG OTHER=x@" DIGEST_A "\n"
                         "FROM ${BASE} AS base\n";
  BOOST_TEST(Apply(in, {{"kind", "unpin-base-digests"}}) ==
             "ARG BASE=\"node:20\"\n"
             "ARG OTHER=x@" DIGEST_A "\n"
             "FROM ${BASE} AS base\n");
}

BOOST_AUTO_TEST_CASE(unpin_without_a_pinned_from_line_fails_showing_the_from_lines) {
  const std::string in = "FROM ubuntu:noble AS builder\nRUN true\n\nFROM gcr.io/distroless/base\n";
  const std::string m =
      Failure(in, {{"kind", "unpin-base-digests"}, {"description", "build on arm64"}}, "server/build/Dockerfile");
  ExpectIn(
      m, "unpin-base-digests edit on server/build/Dockerfile (\"build on arm64\"): no FROM line is pinned by a digest");
  ExpectIn(m, "@sha256:<64 hex>");
  ExpectIn(m, "    1 | FROM ubuntu:noble AS builder");
  ExpectIn(m, "    4 | FROM gcr.io/distroless/base");
  ExpectNotIn(m, "RUN true");
  // A short "digest" is not one.
  Failure("FROM ubuntu@sha256:abc\n", {{"kind", "unpin-base-digests"}});
  ExpectIn(Failure("RUN true\n", {{"kind", "unpin-base-digests"}}), "Dockerfile has no FROM line");
}

// ---- insert-after ----

BOOST_AUTO_TEST_CASE(insert_after_every_matching_line) {
  const std::string in = "FROM a\nARG MM_PACKAGE=\"x\"\nRUN true\nFROM b\nARG MM_PACKAGE\n";
  const Json edit = {{"kind", "insert-after"}, {"pattern", "^ARG MM_PACKAGE"}, {"line", "ARG EXTRA"}};
  BOOST_TEST(Apply(in, edit) ==
             "FROM a\nARG MM_PACKAGE=\"x\"\nARG EXTRA\nRUN true\nFROM b\nARG MM_PACKAGE\nARG EXTRA\n");
  Json once = edit;
  once["pattern"] = "^ARG MM_PACKAGE=";
  once["count"] = 1;
  BOOST_TEST(Apply(in, once) == "FROM a\nARG MM_PACKAGE=\"x\"\nARG EXTRA\nRUN true\nFROM b\nARG MM_PACKAGE\n");
  // The last line without a final newline; CRLF files stay CRLF.
  BOOST_TEST(Apply("FROM a\nARG MM_PACKAGE=1", once) == "FROM a\nARG MM_PACKAGE=1\nARG EXTRA");
  BOOST_TEST(Apply("FROM a\r\nARG MM_PACKAGE=1\r\nRUN x\r\n", once) ==
             "FROM a\r\nARG MM_PACKAGE=1\r\nARG EXTRA\r\nRUN x\r\n");
}

BOOST_AUTO_TEST_CASE(insert_after_without_a_match_shows_the_most_similar_lines) {
  const std::string in =
      "FROM ubuntu:noble\n"
      "ARG PUID=2000\n"
      "ARG MM_PKG=\"https://example.invalid/mm.tgz\"\n"
      "RUN apt-get update\n"
      "ENV MM_PACKAGE_URL=x\n";
  const std::string m =
      Failure(in, {{"kind", "insert-after"}, {"pattern", "^ARG MM_PACKAGE="}, {"line", "ARG MOSTLYMATTER_BINARY"}});
  ExpectIn(m, "insert-after edit on Dockerfile: no line matches the pattern \"^ARG MM_PACKAGE=\", expected at least 1");
  ExpectIn(m, "to insert \"ARG MOSTLYMATTER_BINARY\"");
  ExpectIn(m, "most similar to the pattern:");
  ExpectIn(m, "    3 | ARG MM_PKG=");
  ExpectIn(m, "    2 | ARG PUID=2000");
  ExpectNotIn(m, "apt-get");
  ExpectIn(m, "update the plugin's recipe");
}

BOOST_AUTO_TEST_CASE(insert_after_with_a_count_mismatch_shows_the_matching_lines) {
  const std::string m = Failure("ARG A=1\nRUN x\nARG A=2\n",
                                {{"kind", "insert-after"}, {"pattern", "^ARG A="}, {"line", "ARG B"}, {"count", 1}});
  ExpectIn(m, "the pattern \"^ARG A=\" matches 2 lines (1, 3), expected exactly 1");
  ExpectIn(m, "    1 | ARG A=1");
  ExpectIn(m, "    3 | ARG A=2");
}

// ---- replace ----

BOOST_AUTO_TEST_CASE(replace_is_literal_and_counts_matches) {
  const std::string in = "RUN curl -L $MM_PACKAGE | tar -xvz \\\n  && echo done\n";
  const Json edit = {{"kind", "replace"},
                     {"pattern", R"(curl -L \$MM_PACKAGE \| tar -xvz)"},
                     {"replace", "curl -L $MM_PACKAGE -o /tmp/$1$& && tar -xzf /tmp/x"},
                     {"count", 1}};
  BOOST_TEST(Apply(in, edit) == "RUN curl -L $MM_PACKAGE -o /tmp/$1$& && tar -xzf /tmp/x \\\n  && echo done\n");
  // Every match without a count; "^" and "$" anchor at line ends.
  BOOST_TEST(Apply("a1\nb a2\na3", {{"kind", "replace"}, {"pattern", "^a"}, {"replace", "z"}}) == "z1\nb a2\nz3");
  BOOST_TEST(Apply("x \\\ny\n", {{"kind", "replace"}, {"pattern", "\\\\$\\ny"}, {"replace", "&& y"}}) == "x && y\n");
}

BOOST_AUTO_TEST_CASE(replace_without_a_match_shows_the_pattern_and_similar_lines) {
  const std::string in =
      "FROM ubuntu\n"
      "RUN mkdir -p /mattermost \\\n"
      "  && curl $MM_PACKAGE | tar -xvz \\\n"
      "  && chown -R mattermost /mattermost\n";
  const std::string m = Failure(
      in, {{"kind", "replace"}, {"pattern", R"(curl -L \$MM_PACKAGE \| tar -xvz)"}, {"replace", "x"}, {"count", 1}},
      "server/build/Dockerfile");
  ExpectIn(m,
           "replace edit on server/build/Dockerfile: no text matches the pattern \"curl -L \\$MM_PACKAGE \\| tar "
           "-xvz\", expected exactly 1");
  ExpectIn(m, "    3 |   && curl $MM_PACKAGE | tar -xvz \\");
  ExpectNotIn(m, "FROM ubuntu");
}

BOOST_AUTO_TEST_CASE(replace_with_a_count_mismatch_names_the_lines) {
  const std::string m = Failure("a\nb a\na\n", {{"kind", "replace"}, {"pattern", "a"}, {"replace", "c"}, {"count", 2}});
  ExpectIn(m, "the pattern \"a\" matches 3 times (lines 1, 2, 3), expected exactly 2");
  ExpectIn(m, "    2 | b a");
  ExpectIn(Failure("abc\n", {{"kind", "replace"}, {"pattern", "x*"}, {"replace", "y"}}),
           "matches empty text (at line 1)");
}

// ---- replace-base ----

BOOST_AUTO_TEST_CASE(replace_base_swaps_the_whole_reference) {
  const std::string in =
      "ARG APP_PATH=/opt/outline\n"
      "FROM outlinewiki/outline-base as base\n"
      "FROM docker.io/outlinewiki/outline-base:0.1@" DIGEST_A " AS other\n"
      "FROM node:20-slim AS runner\n"
      "COPY --from=base /a /a\n"
      "COPY --chown=1:1 --from=outlinewiki/outline-base:latest /b /b\n"
      "RUN echo outlinewiki/outline-base\n";
  const std::string out = Apply(in, {{"kind", "replace-base"},
                                     {"from", "outlinewiki/outline-base"},
                                     {"to", "127.0.0.1:5000/ns/base-outline:0.82.0"}});
  BOOST_TEST(out ==
             "ARG APP_PATH=/opt/outline\n"
             "FROM 127.0.0.1:5000/ns/base-outline:0.82.0 as base\n"
             "FROM 127.0.0.1:5000/ns/base-outline:0.82.0 AS other\n"
             "FROM node:20-slim AS runner\n"
             "COPY --from=base /a /a\n"
             "COPY --chown=1:1 --from=127.0.0.1:5000/ns/base-outline:0.82.0 /b /b\n"
             "RUN echo outlinewiki/outline-base\n");
  // Docker Hub's official images: "library/" and "docker.io/" are implied.
  BOOST_TEST(Apply("FROM docker.io/library/node:20\n",
                   {{"kind", "replace-base"}, {"from", "node"}, {"to", "mirror/node:20"}}) == "FROM mirror/node:20\n");
  // A different image whose name only starts the same does not match.
  Failure("FROM outlinewiki/outline-base-extra\n",
          {{"kind", "replace-base"}, {"from", "outlinewiki/outline-base"}, {"to", "x:1"}});
}

BOOST_AUTO_TEST_CASE(replace_base_through_a_base_image_arg) {
  const std::string in =
      "ARG APP_PATH=/opt/outline\n"
      "ARG BASE_IMAGE=outlinewiki/outline-base\n"
      "FROM ${BASE_IMAGE} AS base\n";
  BOOST_TEST(
      Apply(in, {{"kind", "replace-base"}, {"from", "outlinewiki/outline-base"}, {"to", "r/ns/base-outline:1"}}) ==
      "ARG APP_PATH=/opt/outline\n"
      "ARG BASE_IMAGE=r/ns/base-outline:1\n"
      "FROM ${BASE_IMAGE} AS base\n");
}

BOOST_AUTO_TEST_CASE(replace_base_without_the_image_shows_the_from_lines) {
  const std::string in =
      "ARG APP_PATH=/opt/outline\n"
      "FROM outlinewiki/outline-foundation AS base\n"
      "RUN yarn build\n"
      "FROM node:20-slim AS runner\n"
      "COPY --from=base /a /a\n";
  const std::string m =
      Failure(in, {{"kind", "replace-base"}, {"from", "outlinewiki/outline-base"}, {"to", "r/ns/base-outline:1"}});
  ExpectIn(m, "replace-base edit on Dockerfile: no FROM line uses the image \"outlinewiki/outline-base\"");
  ExpectIn(m, "expected \"FROM outlinewiki/outline-base[:tag][@sha256:...]\"");
  ExpectIn(m, "    2 | FROM outlinewiki/outline-foundation AS base");
  ExpectIn(m, "    4 | FROM node:20-slim AS runner");
  ExpectNotIn(m, "yarn build");
}

BOOST_AUTO_TEST_CASE(a_malformed_edit_is_invalid_argument) {
  mg::Result<std::string> r =
      mg::ApplyEdit("FROM a\n", {{"kind", "replace"}, {"pattern", "["}, {"replace", "x"}}, "Dockerfile");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kInvalidArgument));
  BOOST_TEST(r.status().message().find("edit.pattern: \"[\" is not a valid") != std::string::npos,
             r.status().message());
}

// ---- ApplyEdits ----

BOOST_AUTO_TEST_CASE(apply_edits_rewrites_files_and_describes_each_edit) {
  mg::testing::TempDir root;
  WriteText(root / "server/build/Dockerfile", "FROM a@" DIGEST_A "\nFROM b@" DIGEST_A "\nARG X=1\n");
  WriteText(root / "other/Dockerfile", "FROM base:1\n");
  ::chmod((root / "server/build/Dockerfile").c_str(), 0640);
  std::vector<Json> edits = {
      {{"kind", "unpin-base-digests"}},
      {{"kind", "insert-after"}, {"pattern", "^ARG X="}, {"line", "ARG Y"}, {"description", "the binary's URL"}},
      {{"kind", "replace-base"}, {"file", "./other//Dockerfile"}, {"from", "base"}, {"to", "r/ns/base:2"}},
  };
  mg::Result<std::vector<std::string>> r = mg::ApplyEdits(root.path(), edits, "server/build/Dockerfile");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(
      *r ==
          (std::vector<std::string>{
              "unpin-base-digests: 2 FROM lines in server/build/Dockerfile",
              "insert-after \"^ARG X=\": inserted \"ARG Y\" after line 3 in server/build/Dockerfile (the binary's URL)",
              "replace-base base -> r/ns/base:2: 1 FROM line in other/Dockerfile"}),
      mg::Join(*r, "\n"));
  BOOST_TEST(ReadText(root / "server/build/Dockerfile") == "FROM a\nFROM b\nARG X=1\nARG Y\n");
  BOOST_TEST(ReadText(root / "other/Dockerfile") == "FROM r/ns/base:2\n");
  BOOST_TEST(((fs::status(root / "server/build/Dockerfile").permissions() & fs::perms::mask) ==
              (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read)));
}

BOOST_AUTO_TEST_CASE(apply_edits_is_all_or_nothing_and_names_the_edit_index) {
  mg::testing::TempDir root;
  const std::string original = "FROM a@" DIGEST_A "\n";
  WriteText(root / "Dockerfile", original);
  std::vector<Json> edits = {{{"kind", "unpin-base-digests"}},
                             {{"kind", "replace"}, {"pattern", "^RUN make$"}, {"replace", "RUN make -j2"}}};
  mg::Result<std::vector<std::string>> r = mg::ApplyEdits(root.path(), edits, "Dockerfile");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kFailedPrecondition));
  BOOST_TEST(r.status().message().rfind(
                 "edits[1]: replace edit on Dockerfile: no text matches the pattern \"^RUN make$\"", 0) == 0,
             r.status().message());
  BOOST_TEST(ReadText(root / "Dockerfile") == original);
}

BOOST_AUTO_TEST_CASE(apply_edits_rejects_paths_outside_the_source) {
  mg::testing::TempDir root, outside;
  WriteText(outside / "Dockerfile", "FROM a@" DIGEST_A "\n");
  fs::create_symlink(outside / "Dockerfile", root / "Dockerfile");
  mg::Result<std::vector<std::string>> r =
      mg::ApplyEdits(root.path(), {{{"kind", "unpin-base-digests"}}}, "Dockerfile");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kInvalidArgument));
  BOOST_TEST(
      r.status().message().find("edits[0].file: \"Dockerfile\" leads outside the source tree") != std::string::npos,
      r.status().message());
  BOOST_TEST(ReadText(outside / "Dockerfile") == "FROM a@" DIGEST_A "\n");

  r = mg::ApplyEdits(root.path(), {{{"kind", "unpin-base-digests"}, {"file", "../x/Dockerfile"}}}, "Dockerfile");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().message() == "edits[0].file: \"../x/Dockerfile\" leaves the source tree");
  r = mg::ApplyEdits(root.path(), {{{"kind", "unpin-base-digests"}}}, "/etc/hostname");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(apply_edits_on_a_missing_file_says_so) {
  mg::testing::TempDir root;
  mg::Result<std::vector<std::string>> r =
      mg::ApplyEdits(root.path(), {{{"kind", "unpin-base-digests"}}}, "server/build/Dockerfile");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == mg::Status::Code::kFailedPrecondition));
  BOOST_TEST(
      r.status().message().find("edits[0]: server/build/Dockerfile is not a file in the source") != std::string::npos,
      r.status().message());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS

#undef DIGEST_A
#undef DIGEST_B
