// Dockerfile edits (build/dockerfile_edits.h): an upstream Dockerfile (untrusted text) edited by a
// recipe's edit. Input: the first line is an edit object as JSON; when it is not one, it picks one
// of the edits the bundled plugins use (by its length). The rest is the Dockerfile.
// Checks: ApplyEdit never crashes or throws; an edit ValidateEdit rejects is InvalidArgument.
#include <cstdint>

#include "build/dockerfile_edits.h"
#include "fuzz_util.h"

namespace {

const mg::Json& BuiltinEdit(size_t which) {
  static const mg::Json kEdits[] = {
      {{"kind", "unpin-base-digests"}},
      {{"kind", "replace-base"}, {"from", "node"}, {"to", "node:20-bookworm"}},
      {{"kind", "replace-base"}, {"from", "docker.io/library/golang"}, {"to", "golang:1.22"}},
      {{"kind", "insert-after"}, {"pattern", "^WORKDIR /app$"}, {"line", "RUN true"}},
      {{"kind", "replace"}, {"pattern", "yarn install --frozen-lockfile"}, {"replace", "yarn install"}},
      {{"kind", "replace"}, {"pattern", "^ARG ([A-Z_]+)=(.*)$"}, {"replace", "ARG X=1"}, {"count", 1}},
  };
  return kEdits[which % (sizeof(kEdits) / sizeof(kEdits[0]))];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [first, text] = mg::fuzz::SplitFirstLine(mg::fuzz::AsView(data, size));
  mg::Json edit = mg::ParseJson(first);
  if (!edit.is_object()) edit = BuiltinEdit(first.size());

  const mg::Status valid = mg::ValidateEdit(edit, "recipe.edits[0]");
  mg::Result<std::string> edited = mg::ApplyEdit(text, edit, "Dockerfile");
  if (!valid.ok() && (edited.ok() || edited.status().code() != mg::Status::Code::kInvalidArgument)) {
    mg::fuzz::Violated("an invalid edit was not rejected as InvalidArgument", valid.message());
  }
  return 0;
}
