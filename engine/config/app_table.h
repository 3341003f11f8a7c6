// The plugin-owned part of an [apps.NAME] table: TOML to JSON, with the position of every key path.
#pragma once

#include <map>
#include <string>

#include <toml++/toml.h>

#include "config/diagnostics.h"
#include "util/json.h"

namespace mg {

// Converts `node` to JSON: strings, integers, booleans, arrays and tables map directly; dates,
// times and date-times become their TOML text ("1979-05-27"). A float is a diagnostic (task
// parameters are hashed canonically and hold no floating-point numbers) and becomes null.
//
// Records in *positions where every value below `node` is written, keyed by its path relative to
// `node`: keys joined by '.', array elements as "[i]" ("source", "source.url", "build.args.FOO",
// "edits[0].pattern"). `qualified` is the dotted name of `node` itself ("apps.outline"), used in
// messages. `positions` may be null.
Json TomlToJson(const toml::node& node, const std::string& file, const std::string& qualified,
                std::map<std::string, SourcePos>* positions, Diagnostics* diags);

}  // namespace mg
