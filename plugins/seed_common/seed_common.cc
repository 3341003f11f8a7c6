#include "seed_common.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace seed {

const std::vector<std::string>& EngineKeys() {
  static const std::vector<std::string> keys = {"plugin",  "enabled",  "max_versions", "window",
                                                "platforms", "builder", "template",     "emulation"};
  return keys;
}

json ParseInput(const std::string& text, const char* what) {
  json in = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (in.is_discarded() || !in.is_object()) throw mirrorgraph::Error(std::string(what) + ": input is not a JSON object");
  return in;
}

std::string TypeName(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer() || v.is_number_unsigned()) return "an integer";
  if (v.is_number()) return "a float";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "a table";
  return "null";
}

ConfigChecker::ConfigChecker(const json& config) : config_(config) {
  if (!config_.is_object()) {
    Error("", "the app's table must be a table (got " + TypeName(config_) + ")");
    config_ = json::object();
  }
}

void ConfigChecker::Error(const std::string& path, const std::string& message) {
  errors_.push_back({{"path", path}, {"message", message}});
}

void ConfigChecker::RejectUnknownKeys(const std::vector<std::string>& known) {
  const auto& engine = EngineKeys();
  for (auto it = config_.begin(); it != config_.end(); ++it) {
    const std::string& key = it.key();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    if (std::find(engine.begin(), engine.end(), key) != engine.end()) continue;
    std::string hint = ClosestMatch(key, known);
    Error(key, "unknown key '" + key + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
}

std::string ConfigChecker::String(const std::string& key, const std::string& fallback) {
  auto it = config_.find(key);
  if (it == config_.end()) return fallback;
  if (!it->is_string()) {
    Error(key, "must be a string (got " + TypeName(*it) + ")");
    return fallback;
  }
  return it->get<std::string>();
}

int ConfigChecker::Int(const std::string& key, int fallback, int min) {
  auto it = config_.find(key);
  if (it == config_.end()) return fallback;
  if (!it->is_number_integer()) {
    Error(key, "must be an integer (got " + TypeName(*it) + ")");
    return fallback;
  }
  const int64_t v = it->get<int64_t>();
  if (v < min || v > 100000) {
    Error(key, "must be between " + std::to_string(min) + " and 100000 (got " + std::to_string(v) + ")");
    return fallback;
  }
  return static_cast<int>(v);
}

std::string ConfigChecker::Url(const std::string& key) {
  std::string v = String(key);
  if (v.empty()) return v;
  if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0) {
    Error(key, "must be an http:// or https:// URL (got '" + v + "')");
    return "";
  }
  while (v.size() > 8 && v.back() == '/') v.pop_back();
  return v;
}

std::string ConfigChecker::EnvName(const std::string& key) {
  std::string v = String(key);
  if (v.empty()) return v;
  bool ok = !std::isdigit(static_cast<unsigned char>(v[0]));
  for (char c : v) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok) {
    Error(key, "must be an environment variable name like GITHUB_TOKEN (got '" + v + "')");
    return "";
  }
  return v;
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates) {
  size_t best = std::max<size_t>(2, word.size() / 3) + 1;
  std::string match;
  std::vector<std::string> sorted = candidates;  // ties go to the alphabetically first candidate
  std::sort(sorted.begin(), sorted.end());
  for (const std::string& c : sorted) {
    size_t d = EditDistance(word, c);
    if (d < best) {
      best = d;
      match = c;
    }
  }
  if (!match.empty() || word.size() < 4) return match;
  // A shortened key ("binaries" for "binaries_base").
  for (const std::string& c : candidates) {
    if (c.rfind(word, 0) == 0) return c;
  }
  return match;
}

json GithubReleases(const std::string& repo, const std::string& tag_pattern, const std::string& api_base,
                    const std::string& token_env) {
  json s = {{"type", "github-releases"}, {"repo", repo}, {"tag_pattern", tag_pattern}};
  if (!api_base.empty()) s["api_base"] = api_base;
  if (!token_env.empty()) s["token_env"] = token_env;
  return s;
}

json GithubReleasesSourceOf(ConfigChecker* check, const std::string& repo, const std::string& tag_pattern) {
  check->RejectUnknownKeys({"api_base", "token_env"});
  std::string api_base = check->Url("api_base");
  std::string token_env = check->EnvName("token_env");
  return GithubReleases(repo, tag_pattern, api_base, token_env);
}

std::string DiscoverGithubReleasesApp(mirrorgraph::Host& host, const std::string& in_json, const std::string& repo,
                                      const std::string& tag_pattern) {
  json in = ParseInput(in_json, "discover");
  json source = in.value("source", json());
  if (!source.is_object() || source.empty()) {
    ConfigChecker check(in.value("config", json::object()));
    source = GithubReleasesSourceOf(&check, repo, tag_pattern);
  }
  json found = DiscoverThroughHost(host, source);
  return json{{"candidates", found["candidates"]}, {"excluded", found["excluded"]}}.dump();
}

json DiscoverThroughHost(mirrorgraph::Host& host, const json& source) {
  json found = json::parse(host.DiscoverSource(source.dump()), nullptr, false);
  if (found.is_discarded() || !found.is_object() || !found.contains("candidates") || !found["candidates"].is_array()) {
    throw mirrorgraph::Error("the engine's " + source.value("type", std::string("?")) +
                             " source returned no candidates array");
  }
  if (!found.contains("excluded") || !found["excluded"].is_array()) found["excluded"] = json::array();
  return found;
}

namespace {

std::vector<std::string> SplitDots(const std::string& v) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = v.find('.', start);
    parts.push_back(v.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

bool VersionLess(const std::string& a, const std::string& b) {
  std::vector<std::string> pa = SplitDots(a), pb = SplitDots(b);
  for (size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    std::string x = i < pa.size() ? pa[i] : "0", y = i < pb.size() ? pb[i] : "0";
    if (AllDigits(x) && AllDigits(y)) {
      x.erase(0, std::min(x.find_first_not_of('0'), x.size()));
      y.erase(0, std::min(y.find_first_not_of('0'), y.size()));
      if (x.size() != y.size()) return x.size() < y.size();
    }
    if (x != y) return x < y;
  }
  return a < b;
}

std::string ArchOf(const std::string& platform) {
  size_t slash = platform.rfind('/');
  return slash == std::string::npos ? platform : platform.substr(slash + 1);
}

std::string Substitute(const std::string& text, const json& in) {
  auto get = [&](const char* k) { return in.contains(k) && in[k].is_string() ? in[k].get<std::string>() : std::string(); };
  const std::string platform = get("platform");
  const std::map<std::string, std::string> vars = {
      {"{version}", get("version")}, {"{tag}", get("tag")},           {"{platform}", platform},
      {"{arch}", ArchOf(platform)},   {"{registry}", get("registry")}, {"{namespace}", get("namespace")},
      {"{app}", get("app")},          {"{image}", get("image")}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    if (text[i] == '{') {
      size_t close = text.find('}', i);
      if (close != std::string::npos) {
        auto it = vars.find(text.substr(i, close - i + 1));
        if (it != vars.end()) {
          out += it->second;
          i = close + 1;
          replaced = true;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

json RecipeSkeleton(const std::string& git_url, const std::string& ref, const std::string& context,
                    const std::string& dockerfile) {
  return json{{"source", {{"type", "git"}, {"url", git_url}, {"ref", ref}}},
              {"context", context},
              {"dockerfile", dockerfile},
              {"build_args", json::object()},
              {"edits", json::array()},
              {"depends_on_images", json::array()}};
}

}  // namespace seed
