#include "oci/push.h"

#include <utility>

#include "http/url.h"
#include "oci/media_types.h"
#include "oci/reference.h"
#include "oci/upload_session.h"
#include "util/json.h"
#include "util/sha256.h"

namespace mg {

Status PushBlob(RegistryClient& client, const std::string& repo, const std::string& digest, std::string_view bytes) {
  MG_RETURN_IF_ERROR(CheckPushRepo(client, repo));
  MG_RETURN_IF_ERROR(CheckPushDigest(digest));
  const std::string actual = Sha256Digest(bytes);
  if (actual != digest) {
    return Status::InvalidArgument("blob for " + client.registry() + "/" + repo + " does not match its digest: " +
                                   digest + " expected, content is " + actual + "; nothing was sent");
  }
  Result<bool> exists = BlobExists(client, repo, digest);
  if (!exists.ok()) return exists.status();
  if (*exists) return Status::OK();
  Result<UploadSession> session = StartUpload(client, repo);
  if (!session.ok()) return session.status();
  return FinishUpload(client, repo, digest, session->location, std::string(bytes));
}

Result<MountOutcome> MountBlob(RegistryClient& client, const std::string& repo, const std::string& digest,
                               const std::string& from_repo) {
  MG_RETURN_IF_ERROR(CheckPushRepo(client, repo));
  MG_RETURN_IF_ERROR(CheckPushRepo(client, from_repo));
  MG_RETURN_IF_ERROR(CheckPushDigest(digest));
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
    CancelUpload(client, repo, ResolveUploadLocation(client, *location));
  }
  return MountOutcome::kNotMounted;
}

Result<std::string> PutManifest(RegistryClient& client, const std::string& repo, const std::string& reference,
                                std::string_view bytes, std::string_view media_type) {
  MG_RETURN_IF_ERROR(CheckPushRepo(client, repo));
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
