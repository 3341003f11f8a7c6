#include "oci/push.h"

#include <utility>

#include "http/url.h"
#include "oci/media_types.h"
#include "oci/reference.h"
#include "util/json.h"
#include "util/sha256.h"

namespace mg {
namespace {

constexpr char kPushActions[] = "pull,push";

std::string Describe(const HttpRequest& request) { return request.method + " " + RedactUrl(request.url); }

Status CheckRepo(const RegistryClient& client, const std::string& repo) {
  if (!IsValidRepositoryName(repo)) {
    return Status::InvalidArgument("invalid repository name '" + repo + "' for " + client.registry());
  }
  return Status::OK();
}

Status CheckDigest(const std::string& digest) {
  if (!IsValidDigest(digest)) return Status::InvalidArgument("invalid blob digest '" + digest + "'");
  if (digest.rfind("sha256:", 0) != 0) {
    return Status::NotImplemented("only sha256 digests are supported, not '" + digest + "'");
  }
  return Status::OK();
}

// The absolute URL of a Location header, which may be relative to the registry's base URL.
std::string ResolveLocation(const RegistryClient& client, const std::string& location) {
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
  if (!location.empty() && location[0] == '/') return client.base_url() + location;
  return client.base_url() + "/" + location;
}

std::string WithQuery(const std::string& url, const std::string& param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
}

Result<bool> BlobExists(RegistryClient& client, const std::string& repo, const std::string& digest) {
  HttpRequest req;
  req.method = "HEAD";
  req.url = client.base_url() + "/v2/" + repo + "/blobs/" + digest;
  Result<HttpResponse> resp = client.SendAuthorized(req, repo, kPushActions);
  if (!resp.ok()) return resp.status();
  if (resp->status == 200) return true;
  if (resp->status == 404) return false;
  return client.ErrorFor(req, *resp);
}

}  // namespace

Status PushBlob(RegistryClient& client, const std::string& repo, const std::string& digest, std::string_view bytes) {
  MG_RETURN_IF_ERROR(CheckRepo(client, repo));
  MG_RETURN_IF_ERROR(CheckDigest(digest));
  const std::string actual = Sha256Digest(bytes);
  if (actual != digest) {
    return Status::InvalidArgument("blob for " + client.registry() + "/" + repo + " does not match its digest: " +
                                   digest + " expected, content is " + actual + "; nothing was sent");
  }
  Result<bool> exists = BlobExists(client, repo, digest);
  if (!exists.ok()) return exists.status();
  if (*exists) return Status::OK();

  HttpRequest start;
  start.method = "POST";
  start.url = client.base_url() + "/v2/" + repo + "/blobs/uploads/";
  start.follow_redirects = false;
  Result<HttpResponse> started = client.SendAuthorized(start, repo, kPushActions);
  if (!started.ok()) return started.status();
  if (started->status != 202) return client.ErrorFor(start, *started);
  std::optional<std::string> location = started->Header("location");
  if (!location || location->empty()) {
    return Status::FailedPrecondition(Describe(start) + ": HTTP 202 without a Location header");
  }

  HttpRequest put;
  put.method = "PUT";
  put.url = WithQuery(ResolveLocation(client, *location), "digest=" + UrlEncode(digest));
  put.follow_redirects = false;
  put.headers.push_back({"Content-Type", "application/octet-stream"});
  put.body = std::string(bytes);
  Result<HttpResponse> done = client.SendAuthorized(std::move(put), repo, kPushActions);
  if (!done.ok()) return done.status();
  if (done->status != 201) {
    HttpRequest described;
    described.method = "PUT";
    described.url = ResolveLocation(client, *location);
    return client.ErrorFor(described, *done);
  }
  std::string header_digest = done->Header("docker-content-digest").value_or("");
  if (!header_digest.empty() && header_digest != digest) {
    return Status::Corruption("PUT blob " + digest + " to " + client.registry() + "/" + repo +
                              ": the registry answered Docker-Content-Digest " + header_digest);
  }
  return Status::OK();
}

Result<MountOutcome> MountBlob(RegistryClient& client, const std::string& repo, const std::string& digest,
                               const std::string& from_repo) {
  MG_RETURN_IF_ERROR(CheckRepo(client, repo));
  MG_RETURN_IF_ERROR(CheckRepo(client, from_repo));
  MG_RETURN_IF_ERROR(CheckDigest(digest));
  HttpRequest req;
  req.method = "POST";
  req.url = client.base_url() + "/v2/" + repo + "/blobs/uploads/?mount=" + UrlEncode(digest) +
            "&from=" + UrlEncode(from_repo);
  req.follow_redirects = false;
  Result<HttpResponse> resp = client.SendAuthorized(req, repo, kPushActions);
  if (!resp.ok()) return resp.status();
  if (resp->status == 201) return MountOutcome::kMounted;
  if (resp->status != 202) return client.ErrorFor(req, *resp);
  if (std::optional<std::string> location = resp->Header("location"); location && !location->empty()) {
    HttpRequest cancel;
    cancel.method = "DELETE";
    cancel.url = ResolveLocation(client, *location);
    cancel.follow_redirects = false;
    (void)client.SendAuthorized(std::move(cancel), repo, kPushActions);  // best effort
  }
  return MountOutcome::kNotMounted;
}

Result<std::string> PutManifest(RegistryClient& client, const std::string& repo, const std::string& reference,
                                std::string_view bytes, std::string_view media_type) {
  MG_RETURN_IF_ERROR(CheckRepo(client, repo));
  if (!IsValidTag(reference) && !IsValidDigest(reference)) {
    return Status::InvalidArgument("invalid tag or digest '" + reference + "' for " + client.registry() + "/" +
                                   repo);
  }
  if (!IsIndexMediaType(media_type) && !IsManifestMediaType(media_type)) {
    return Status::InvalidArgument("not a manifest media type: '" + std::string(media_type) + "'");
  }
  const std::string digest = Sha256Digest(bytes);
  const std::string what = "PUT manifest " + client.registry() + "/" + repo + ":" + reference;
  std::string error;
  Json doc = ParseJson(bytes, &error);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument(what + ": the manifest is not a JSON object" + (error.empty() ? "" : ": " + error));
  }
  if (auto mt = doc.find("mediaType"); mt != doc.end() && (!mt->is_string() || *mt != media_type)) {
    return Status::InvalidArgument(what + ": the document's mediaType " + mt->dump() + " is not " +
                                   std::string(media_type));
  }
  if (IsValidDigest(reference) && reference != digest) {
    return Status::InvalidArgument(what + ": the content's digest is " + digest);
  }
  HttpRequest req;
  req.method = "PUT";
  req.url = client.base_url() + "/v2/" + repo + "/manifests/" + reference;
  req.follow_redirects = false;
  req.headers.push_back({"Content-Type", std::string(media_type)});
  req.body = std::string(bytes);
  Result<HttpResponse> resp = client.SendAuthorized(req, repo, kPushActions);
  if (!resp.ok()) return resp.status();
  if (resp->status != 201) {
    req.body.clear();
    return client.ErrorFor(req, *resp);
  }
  std::string header_digest = resp->Header("docker-content-digest").value_or("");
  if (!header_digest.empty() && header_digest != digest) {
    return Status::Corruption(what + ": the registry answered Docker-Content-Digest " + header_digest +
                              ", the content is " + digest);
  }
  return digest;
}

}  // namespace mg
