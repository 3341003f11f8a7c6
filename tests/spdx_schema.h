// SPDX 2.3 JSON schema validation for tests, through python3's jsonschema (Debian's
// python3-jsonschema). The schema is the one the project was handed in ../shared/schemas (it is
// not copied into this repository); it is looked up at $MG_SPDX_SCHEMA, then
// <source>/../shared/schemas/spdx-2.3.schema.json, then /work/shared/schemas/spdx-2.3.schema.json.
// Header-only: used by unit and integration test binaries alike.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <boost/test/unit_test.hpp>

#include "util/json.h"
#include "util/subprocess.h"

namespace mg::testing {

inline std::optional<std::filesystem::path> SpdxSchemaPath() {
  std::vector<std::filesystem::path> candidates;
  if (const char* env = std::getenv("MG_SPDX_SCHEMA"); env != nullptr && *env != '\0') candidates.emplace_back(env);
  const char* src = std::getenv("MG_SOURCE_DIR");
  if (src != nullptr && *src != '\0') {
    candidates.push_back(std::filesystem::path(src) / ".." / "shared" / "schemas" / "spdx-2.3.schema.json");
  }
  candidates.emplace_back("/work/shared/schemas/spdx-2.3.schema.json");
  for (const auto& c : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(c, ec)) return c.lexically_normal();
  }
  return std::nullopt;
}

// "" when `doc` is valid, else one line per violation ("path: message"); nullopt when the schema
// is not found (the caller says the validation was skipped and why). A validator that cannot
// run is reported as a violation, never as valid.
inline std::optional<std::string> SpdxSchemaErrors(const Json& doc) {
  auto schema = SpdxSchemaPath();
  if (!schema) return std::nullopt;
  SubprocessOptions o;
  o.argv = {std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3", "-c",
            "import json, sys, jsonschema\n"
            "schema = json.load(open(sys.argv[1]))\n"
            "doc = json.load(sys.stdin)\n"
            "cls = jsonschema.validators.validator_for(schema)\n"
            "errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(map(str, e.path)))\n"
            "for e in errors: print('/'.join(map(str, e.path)) + ': ' + e.message)\n"
            "sys.exit(1 if errors else 0)\n",
            schema->string()};
  o.stdin_data = doc.dump();
  o.timeout = std::chrono::minutes(2);
  auto r = RunSubprocess(o);
  if (!r.ok()) return "validator failed to start: " + r.status().ToString();
  if (r->exit_code != 0 && r->stdout_text.empty()) return "validator failed: " + r->stderr_text;
  return r->exit_code == 0 ? "" : r->stdout_text;
}

inline constexpr char kSpdxSchemaMissing[] =
    "SPDX schema validation skipped: spdx-2.3.schema.json not found ($MG_SPDX_SCHEMA, "
    "<source>/../shared/schemas/, /work/shared/schemas/)";

// SpdxSchemaErrors for Boost.Test suites: "" when valid or when the schema is not available (then
// the test log says the validation was skipped, and why).
inline std::string SpdxSchemaErrorsOrSkip(const Json& doc) {
  auto errors = SpdxSchemaErrors(doc);
  if (!errors) {
    BOOST_TEST_MESSAGE(kSpdxSchemaMissing);
    return "";
  }
  return *errors;
}

}  // namespace mg::testing
