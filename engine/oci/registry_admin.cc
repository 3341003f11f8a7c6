#include "oci/registry_admin.h"

#include <algorithm>

#include "http/link_header.h"
#include "http/url.h"
#include "oci/reference.h"
#include "util/json.h"

namespace mg {
namespace {

constexpr int kMaxTagPages = 1000;

}  // namespace

Result<std::vector<std::string>> ListTags(RegistryClient& client, const std::string& repo) {
  if (!IsValidRepositoryName(repo)) {
    return Status::InvalidArgument("invalid repository name '" + repo + "' for " + client.registry());
  }
  std::vector<std::string> tags;
  std::string url = client.base_url() + "/v2/" + repo + "/tags/list?n=1000";
  for (int page = 0; !url.empty(); ++page) {
    if (page == kMaxTagPages) {
      return Status::FailedPrecondition("listing the tags of " + client.registry() + "/" + repo + ": more than " +
                                       std::to_string(kMaxTagPages) + " pages");
    }
    HttpRequest req;
    req.url = url;
    req.headers.push_back({"Accept", "application/json"});
    Result<HttpResponse> resp = client.SendAuthorized(req, repo, "pull");
    if (!resp.ok()) return resp.status();
    if (resp->status == 404 && page == 0) return tags;  // NAME_UNKNOWN: never pushed
    if (resp->status != 200) return client.ErrorFor(req, *resp);
    std::string error;
    const Json body = ParseJson(resp->body, &error);
    if (!body.is_object()) {
      return Status::Corruption(DescribeRequest(req) + ": not a JSON object" + (error.empty() ? "" : " (" + error + ")"));
    }
    const auto it = body.find("tags");
    if (it != body.end() && !it->is_null()) {
      if (!it->is_array()) return Status::Corruption(DescribeRequest(req) + ": \"tags\" is not an array");
      for (const Json& t : *it) {
        if (!t.is_string()) return Status::Corruption(DescribeRequest(req) + ": a tag that is not a string");
        tags.push_back(t.get<std::string>());
      }
    }
    url.clear();
    if (auto link = resp->Header("link")) {
      auto rels = ParseLinkHeader(*link);
      if (auto next = rels.find("next"); next != rels.end() && !next->second.empty()) url = ResolveUrl(req.url, next->second);
    }
  }
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return tags;
}

Status DeleteManifest(RegistryClient& client, const std::string& repo, const std::string& digest) {
  if (!IsValidRepositoryName(repo) || !IsValidDigest(digest)) {
    return Status::InvalidArgument("cannot delete '" + digest + "' from '" + repo + "' of " + client.registry() +
                                   ": manifests are deleted by digest");
  }
  HttpRequest req;
  req.method = "DELETE";
  req.url = client.base_url() + "/v2/" + repo + "/manifests/" + digest;
  Result<HttpResponse> resp = client.SendAuthorized(req, repo, "pull,push,delete");
  if (!resp.ok()) return resp.status();
  if (resp->status == 202 || resp->status == 200) return Status::OK();
  if (resp->status == 405 || resp->body.find("\"UNSUPPORTED\"") != std::string::npos) {
    return Status::NotImplemented(DescribeRequest(req) + ": HTTP " + std::to_string(resp->status) +
                                      ": the registry " + client.registry() +
                                      " refuses to delete manifests; enable deletes (docker-registry: "
                                      "storage.delete.enabled: true in its config.yml) or prune by hand");
  }
  return client.ErrorFor(req, *resp);
}

}  // namespace mg
