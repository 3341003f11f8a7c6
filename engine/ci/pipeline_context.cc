#include "ci/pipeline_context.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "util/json.h"
#include "util/quote_value.h"

namespace mg {
namespace {

namespace fs = std::filesystem;

bool IsSafePathChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '/' || c == '+' || c == '@' || c == '-';
}

bool IsSafePath(const std::string& p) {
  return !p.empty() && std::all_of(p.begin(), p.end(), IsSafePathChar);
}

// `p` relative to `root` when it lies inside it; else nullopt.
std::optional<std::string> Inside(const fs::path& p, const fs::path& root) {
  fs::path rel = p.lexically_normal().lexically_relative(root.lexically_normal());
  if (rel.empty()) return std::nullopt;
  auto first = rel.begin();
  if (first != rel.end() && *first == "..") return std::nullopt;
  std::string s = rel.generic_string();
  if (s == ".") return std::nullopt;
  return s;
}

}  // namespace

Result<PipelineContext> MakePipelineContext(const Config& config, const std::string& config_arg,
                                            const std::string& cwd, std::string regenerate) {
  PipelineContext ctx;
  ctx.config = &config;
  ctx.regenerate = std::move(regenerate);
  fs::path given(config_arg);
  fs::path absolute = given.is_absolute() ? given : fs::path(cwd) / given;
  auto rel = Inside(absolute, cwd);
  if (!rel) {
    return Status::InvalidArgument("the config " + QuoteValue(config_arg) + " is outside the current directory " +
                                   QuoteValue(cwd) +
                                   "; run `mirrorgraph ci` from the repository root, the directory the CI jobs "
                                   "start in, with the config inside it");
  }
  ctx.config_path = *rel;
  if (!IsSafePath(ctx.config_path)) {
    return Status::InvalidArgument("the config path " + QuoteValue(ctx.config_path) +
                                   " holds characters a generated pipeline cannot pass safely; rename it to use "
                                   "only letters, digits and . _ / + @ -");
  }
  if (auto st = Inside(fs::path(config.engine.state_dir), cwd)) {
    ctx.state_dir = *st;
  } else {
    ctx.state_dir = fs::path(config.engine.state_dir).lexically_normal().generic_string();
  }
  if (!IsSafePath(ctx.state_dir)) {
    return Status::InvalidArgument("the state directory " + QuoteValue(ctx.state_dir) +
                                   " holds characters a generated pipeline cannot pass safely; set [engine] "
                                   "state_dir to a path of letters, digits and . _ / + @ -");
  }
  return ctx;
}

Result<std::vector<MatrixUnit>> ParseMatrix(const std::string& text, const std::string& path) {
  const std::string hint = " (expected the file `mirrorgraph plan --matrix " + path + "` writes)";
  std::string error;
  Json doc = ParseJson(text, &error);
  if (!error.empty()) return Status::InvalidArgument(path + ": not valid JSON: " + error + hint);
  if (!doc.is_object()) return Status::InvalidArgument(path + ": the top level is not a JSON object" + hint);
  const Json* include = FindField(doc, "include");
  if (include == nullptr || !include->is_array()) {
    return Status::InvalidArgument(path + ": \"include\" is missing or not an array" + hint);
  }
  std::vector<MatrixUnit> units;
  std::set<std::string> seen;
  for (size_t i = 0; i < include->size(); ++i) {
    const Json& e = (*include)[i];
    const std::string where = path + ": include[" + std::to_string(i) + "]";
    if (!e.is_object()) return Status::InvalidArgument(where + " is not an object" + hint);
    MatrixUnit u;
    struct Field {
      const char* name;
      std::string* out;
    };
    for (const Field& f : {Field{"unit", &u.unit}, Field{"app", &u.app}, Field{"version", &u.version},
                           Field{"platform", &u.platform}, Field{"runner", &u.runner}}) {
      auto v = OptStringField(e, f.name);
      if (!v) {
        return Status::InvalidArgument(where + ": \"" + f.name + "\" is " +
                                       (FindField(e, f.name) == nullptr ? "missing" : "not a string") + hint);
      }
      if (v->empty()) return Status::InvalidArgument(where + ": \"" + f.name + "\" is empty" + hint);
      *f.out = std::move(*v);
    }
    if (std::any_of(u.runner.begin(), u.runner.end(), [](char c) {
          auto uc = static_cast<unsigned char>(c);
          return uc < 0x20 || uc == 0x7f || c == '"' || c == '\'' || c == '$' || c == '`';
        })) {
      return Status::InvalidArgument(where + ": the runner " + QuoteValue(u.runner) +
                                     " holds a quote, '$', '`' or a control character; fix [runners] or "
                                     "[ci] runner in the config and plan again");
    }
    if (!seen.insert(u.unit).second) {
      return Status::InvalidArgument(where + ": the unit " + QuoteValue(u.unit) + " is listed twice" + hint);
    }
    units.push_back(std::move(u));
  }
  std::sort(units.begin(), units.end(), [](const MatrixUnit& a, const MatrixUnit& b) { return a.unit < b.unit; });
  return units;
}

std::string GeneratedHeader(const PipelineContext& ctx, const std::string& generator) {
  return "Generated by `" + generator + "` from " + ctx.config_path +
         ". Do not edit: change the config and regenerate with\n  " + ctx.regenerate +
         "\n(add --check to fail when this file is stale). docs/ci.md explains every job.";
}

std::string RemoteCacheWarning(const Config& config) {
  if (!config.cache.remote.empty()) return "";
  return "Without [cache] remote the jobs share no task cache: the publish job cannot see what the build\n"
         "legs did and builds their units again itself (correct, but the legs then save nothing). Set\n"
         "[cache] remote = \"oci://HOST/REPOSITORY\" (docs/cache.md) and regenerate.";
}

std::string PlatformSlug(const std::string& platform) {
  std::string out = platform;
  std::replace(out.begin(), out.end(), '/', '-');
  return out;
}

SigningMode PublishSigning(const Config& c) {
  const AttestationConfig& a = c.attestations;
  if (!(a.sign || a.sbom || a.provenance)) return SigningMode::kNone;
  if (a.signer == "keyless") return SigningMode::kKeyless;
  return a.key.empty() ? SigningMode::kNone : SigningMode::kKey;
}

}  // namespace mg
