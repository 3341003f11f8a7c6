#include "oci/push.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <utility>

#include "http/url.h"
#include "oci/media_types.h"
#include "oci/reference.h"
#include "oci/upload_session.h"
#include "util/json.h"
#include "util/sha256.h"

namespace mg {
namespace {

// The "code"s of a distribution error body ({"errors":[{"code":..}]}); empty when it has none.
std::set<std::string> RegistryErrorCodes(const std::string& body) {
  std::set<std::string> codes;
  Json doc = ParseJson(body);
  auto errors = doc.is_object() ? doc.find("errors") : doc.end();
  if (!doc.is_object() || errors == doc.end() || !errors->is_array()) return codes;
  for (const Json& e : *errors) {
    if (!e.is_object()) continue;
    if (auto code = e.find("code"); code != e.end() && code->is_string()) codes.insert(code->get<std::string>());
  }
  return codes;
}

// A refusal that a registry gives while a referenced blob is being committed concurrently.
bool IsReferenceRace(const HttpResponse& response) {
  if (response.status != 400) return false;
  for (const std::string& code : RegistryErrorCodes(response.body)) {
    if (code == "MANIFEST_BLOB_UNKNOWN" || code == "BLOB_UNKNOWN" || code == "DIGEST_INVALID") return true;
  }
  return false;
}

// Appends the digest of the descriptor (or of each descriptor of the array) `doc[field]`, skipping
// malformed ones.
void AppendDigests(const Json& doc, const char* field, std::vector<std::string>* out) {
  auto it = doc.find(field);
  if (it == doc.end()) return;
  auto add = [out](const Json& d) {
    if (!d.is_object()) return;
    if (auto digest = d.find("digest"); digest != d.end() && digest->is_string()) out->push_back(digest->get<std::string>());
  };
  if (it->is_array()) {
    for (const Json& d : *it) add(d);
  } else {
    add(*it);
  }
}

// The references of `doc` (an index: its manifests; an image: its config and layers) that `repo`
// lacks, by HEAD.
Result<std::vector<std::string>> MissingReferences(RegistryClient& client, const std::string& repo, const Json& doc,
                                                   bool is_index) {
  std::vector<std::string> refs, missing;
  if (is_index) {
    AppendDigests(doc, "manifests", &refs);
  } else {
    AppendDigests(doc, "config", &refs);
    AppendDigests(doc, "layers", &refs);
  }
  for (const std::string& digest : refs) {
    if (is_index) {
      Result<ManifestHead> head = client.HeadManifest(repo, digest);
      if (!head.ok()) return head.status();
      if (!head->exists) missing.push_back(digest);
    } else {
      Result<bool> exists = BlobExists(client, repo, digest);
      if (!exists.ok()) return exists.status();
      if (!*exists) missing.push_back(digest);
    }
  }
  return missing;
}

}  // namespace

Status PushBlob(RegistryClient& client, const std::string& repo, const std::string& digest, std::string_view bytes) {
  MG_RETURN_IF_ERROR(CheckPushRepo(client, repo));
  MG_RETURN_IF_ERROR(CheckPushDigest(digest));
  const std::string actual = Sha256Digest(bytes);
  if (actual != digest) {
    return Status::InvalidArgument("blob for " + client.registry() + "/" + repo + " does not match its digest: " +
                                   digest + " expected, content is " + actual + "; nothing was sent");
  }
  bool joined = false;
  return client.uploads().Run(repo, digest, [&]() -> Status {
    Result<bool> exists = BlobExists(client, repo, digest);
    if (!exists.ok()) return exists.status();
    if (*exists) return Status::OK();
    Result<UploadSession> session = StartUpload(client, repo);
    if (!session.ok()) return session.status();
    return FinishUpload(client, repo, digest, session->location, std::string(bytes));
  }, &joined);
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
                                std::string_view bytes, std::string_view media_type,
                                const ManifestPutOptions& options) {
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
  const int max_attempts = std::max(1, options.max_attempts);
  for (int attempt = 1;; ++attempt) {
    Result<HttpResponse> resp = client.SendAuthorized(req, repo, kPushActions);
    if (!resp.ok()) return resp.status();
    if (resp->status == 201) {
      std::string header_digest = resp->Header("docker-content-digest").value_or("");
      if (!header_digest.empty() && header_digest != digest) {
        return Status::Corruption(what + ": the registry answered Docker-Content-Digest " + header_digest +
                                  ", the content is " + digest);
      }
      return digest;
    }
    const bool race = IsReferenceRace(*resp);
    if (!race || attempt >= max_attempts) {
      HttpRequest described = req;
      described.body.clear();
      Status error = client.ErrorFor(described, *resp);
      if (!race || attempt == 1) return error;
      return error.WithSuffix("; refused " + std::to_string(attempt) + " times although every blob or manifest it " +
                              "references was present (or uploaded again) before each retry: the registry may be " +
                              "overloaded or damaged");
    }
    Result<std::vector<std::string>> missing = MissingReferences(client, repo, doc, IsIndexMediaType(media_type));
    if (!missing.ok()) return missing.status().WithContext(what + ": re-checking its references");
    if (!missing->empty()) {
      std::string list;
      for (const std::string& d : *missing) list += (list.empty() ? "" : ", ") + d;
      if (!options.reupload) {
        return Status::FailedPrecondition(what + ": the registry lacks " + list + "; push them before the manifest");
      }
      MG_RETURN_IF_ERROR(options.reupload(*missing).WithContext(what + ": uploading again " + list));
    }
    const std::chrono::milliseconds delay = client.http().Backoff(attempt);
    spdlog::debug("{}: HTTP 400 for references the registry has; retrying in {} ms (attempt {}/{})", what,
                  delay.count(), attempt + 1, max_attempts);
    MG_RETURN_IF_ERROR(client.http().Pause(delay, what));
  }
}

}  // namespace mg
