#include "oci/upload_session.h"

#include <charconv>
#include <utility>

#include "http/url.h"
#include "oci/reference.h"

namespace mg {
namespace {


}  // namespace

Status CheckPushRepo(const RegistryClient& client, const std::string& repo) {
  if (!IsValidRepositoryName(repo)) {
    return Status::InvalidArgument("invalid repository name '" + repo + "' for " + client.registry());
  }
  return Status::OK();
}

Status CheckPushDigest(const std::string& digest) {
  if (!IsValidDigest(digest)) return Status::InvalidArgument("invalid blob digest '" + digest + "'");
  if (digest.rfind("sha256:", 0) != 0) {
    return Status::NotImplemented("only sha256 digests are supported, not '" + digest + "'");
  }
  return Status::OK();
}

std::string ResolveUploadLocation(const RegistryClient& client, const std::string& location) {
  return ResolveUrl(client.base_url() + "/", location);
}

std::string WithQueryParam(const std::string& url, const std::string& param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
}

std::chrono::milliseconds TimeoutForBody(size_t body_bytes) {
  return std::chrono::seconds(60) + std::chrono::seconds(body_bytes / (size_t{256} << 10));
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

Result<UploadSession> StartUpload(RegistryClient& client, const std::string& repo) {
  HttpRequest start;
  start.method = "POST";
  start.url = client.base_url() + "/v2/" + repo + "/blobs/uploads/";
  start.follow_redirects = false;
  Result<HttpResponse> started = client.SendAuthorized(start, repo, kPushActions);
  if (!started.ok()) return started.status();
  if (started->status != 202) return client.ErrorFor(start, *started);
  std::optional<std::string> location = started->Header("location");
  if (!location || location->empty()) {
    return Status::FailedPrecondition(DescribeRequest(start) + ": HTTP 202 without a Location header");
  }
  UploadSession session;
  session.location = ResolveUploadLocation(client, *location);
  if (std::optional<std::string> min = started->Header("oci-chunk-min-length")) {
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(min->data(), min->data() + min->size(), value);
    if (end == min->data() + min->size()) {
      if (ec == std::errc()) session.min_chunk = value;
      if (ec == std::errc::result_out_of_range) session.min_chunk = UINT64_MAX;
    }
  }
  return session;
}

Status FinishUpload(RegistryClient& client, const std::string& repo, const std::string& digest,
                    const std::string& location, std::string body) {
  HttpRequest put;
  put.method = "PUT";
  put.url = WithQueryParam(location, "digest=" + UrlEncode(digest));
  put.redact_query = true;
  put.follow_redirects = false;
  put.timeout = TimeoutForBody(body.size());
  put.headers.push_back({"Content-Type", "application/octet-stream"});
  put.body = std::move(body);
  Result<HttpResponse> done = client.SendAuthorized(std::move(put), repo, kPushActions);
  if (!done.ok() || done->status != 201) {
    Status error = done.status();
    if (done.ok()) {
      HttpRequest described;
      described.method = "PUT";
      described.url = location;
      described.redact_query = true;
      error = client.ErrorFor(described, *done);
    }
    // The registry may have stored the blob and its answer been lost (a reset connection; the
    // retried PUT then finds the session closed): the blob is content-addressed, so it being
    // there is success.
    if (error.code() != Status::Code::kCancelled) {
      if (Result<bool> exists = BlobExists(client, repo, digest); exists.ok() && *exists) return Status::OK();
    }
    return error;
  }
  std::string header_digest = done->Header("docker-content-digest").value_or("");
  if (!header_digest.empty() && header_digest != digest) {
    return Status::Corruption("PUT blob " + digest + " to " + client.registry() + "/" + repo +
                              ": the registry answered Docker-Content-Digest " + header_digest);
  }
  return Status::OK();
}

void CancelUpload(RegistryClient& client, const std::string& repo, const std::string& location) {
  HttpRequest cancel;
  cancel.method = "DELETE";
  cancel.url = location;
  cancel.redact_query = true;
  cancel.follow_redirects = false;
  (void)client.SendAuthorized(std::move(cancel), repo, kPushActions);
}

}  // namespace mg
