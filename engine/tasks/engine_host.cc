#include "tasks/engine_host.h"

#include "mirrorgraph/plugin.h"
#include "sources/git_tags.h"
#include "util/json.h"

namespace mg {

void EngineHost::Log(int level, std::string_view msg) {
  if (!log_) return;
  const char* prefix = level >= MG_LOG_ERROR ? "error: " : level == MG_LOG_WARN ? "warning: " : "";
  log_(std::string(prefix) + std::string(msg));
}

Result<std::string> EngineHost::Http(std::string_view request_json) {
  if (http_ == nullptr) return Status::FailedPrecondition("HTTP is not available to this plugin call");
  std::string err;
  Json req = ParseJson(request_json, &err);
  if (!req.is_object() || !req.contains("url") || !req["url"].is_string()) {
    return Status::InvalidArgument("host http: the request must be a JSON object with a \"url\" string" +
                                   (err.empty() ? "" : " (" + err + ")"));
  }
  HttpRequest r;
  r.method = req.value("method", "GET");
  if (r.method != "GET" && r.method != "HEAD") {
    return Status::InvalidArgument("host http: method must be GET or HEAD, got " + r.method);
  }
  r.url = req["url"].get<std::string>();
  r.follow_redirects = req.value("follow_redirects", true);
  if (req.contains("headers") && req["headers"].is_object()) {
    for (auto& [k, v] : req["headers"].items()) {
      if (v.is_string()) r.headers.emplace_back(k, v.get<std::string>());
    }
  }
  auto resp = http_->Send(r);
  if (!resp.ok()) return resp.status();
  Json out = {{"status", resp->status}, {"headers", resp->headers}, {"url", resp->effective_url}};
  out["body"] = resp->body;
  return CanonicalJson(out);
}

Result<Json> RunBuiltinSource(const Json& source, const std::atomic<bool>* cancel) {
  std::string type = source.value("type", "");
  if (type == "git-tags") {
    GitTagsSource s;
    s.url = source.value("url", "");
    s.tag_pattern = source.value("tag_pattern", "");
    if (s.url.empty()) return Status::InvalidArgument("git-tags source: \"url\" is required");
    auto tags = ListGitTags(s, cancel);
    if (!tags.ok()) return tags.status();
    Json list = Json::array();
    for (const Candidate& c : tags.value()) {
      list.push_back({{"version", c.version}, {"tag", c.tag}, {"commit", c.commit}});
    }
    return Json{{"candidates", std::move(list)}};
  }
  return Status::InvalidArgument("unknown source type '" + type + "' (built-in sources: git-tags)");
}

Result<std::string> EngineHost::DiscoverSource(std::string_view source_json) {
  std::string err;
  Json src = ParseJson(source_json, &err);
  if (!src.is_object()) return Status::InvalidArgument("host discover_source: not a JSON object: " + err);
  auto out = RunBuiltinSource(src, cancel_);
  if (!out.ok()) return out.status();
  return CanonicalJson(out.value());
}

}  // namespace mg
