// The generic plugin's recipe: an app's build table for one image × version × platform.
#pragma once

#include <map>
#include <string>

#include "generic_config.h"

namespace generic {

// Replaces each "{name}" whose name is a key of `vars` with its value; other braces stay as written
// (so "${VAR}" and regex quantifiers such as "\d{3}" pass through).
std::string Substitute(const std::string& text, const std::map<std::string, std::string>& vars);

// The placeholder values of one recipe call: app, image, version, tag, platform, arch, registry,
// namespace. `in` is the recipe input document.
std::map<std::string, std::string> RecipeVars(const json& in, const std::string& image);

// The recipe output (mirrorgraph/plugin.h) for `image` of `spec`. Throws std::runtime_error when the
// image is not one of the app's.
json BuildRecipe(const AppSpec& spec, const std::string& image, const std::map<std::string, std::string>& vars);

}  // namespace generic
