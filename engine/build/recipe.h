// A plugin's recipe for one image × version × platform (include/mirrorgraph/plugin.h, `recipe`),
// validated: where the source is, what to build from it, and the Dockerfile edits to apply first.
// docs/plugins.md, "Recipes", documents the fields and rules.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "util/json.h"
#include "util/status.h"

namespace mg {

struct RecipeSource {
  std::string type;  // "git" (the only type so far)
  std::string url;   // what `git clone` accepts: http(s)://, file://, ssh or a local path
  std::string ref;   // the tag (or branch) to check out
};

struct Recipe {
  RecipeSource source;
  std::string context;     // relative to the source root, normalised ("." allowed), never absolute or with ".."
  std::string dockerfile;  // relative to the source root, same rules; never "."
  std::map<std::string, std::string> build_args;  // names [A-Za-z_][A-Za-z0-9_]*
  std::vector<Json> edits;                        // validated edit objects, as the plugin gave them
  std::vector<std::string> depends_on_images;     // names of images of the same app, built first

  // Canonical form for task results: {"build_args","context","depends_on_images","dockerfile",
  // "edits","source":{"ref","type","url"}} (keys sorted by Json itself).
  Json ToJson() const;
};

// Validates a plugin's recipe answer ({"source","context","dockerfile","build_args","edits",
// "depends_on_images"}; the last three may be absent). Pure, thread-safe.
// InvalidArgument naming the offending field and what is expected, e.g.
//   recipe.context: "../x" leaves the source tree
//   recipe.edits[1].kind: "replace-line" is not an edit kind (expected one of insert-after, replace, ...)
// Unknown keys are errors too (with a "did you mean"), so a misspelt field is never silently ignored.
// A source URL or build argument that is a URL with credentials (UrlHasCredentials) is refused
// with the supported credential channels, the credentials not shown.
Result<Recipe> ParseRecipe(const Json& answer);

}  // namespace mg
