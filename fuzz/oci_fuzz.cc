// What the engine parses from a registry (untrusted): image manifests, indexes, image configs,
// error bodies and token answers, through the real RegistryClient, ProbeImage,
// DescribePlatformManifest, PutManifest and ReadCosignLayers, against an in-memory registry that
// serves the fuzz input. Input: the first line names the role of the rest:
//   index | manifest | docker   the document served as the tag's manifest (with an OCI index,
//                               an OCI manifest, or no Content-Type: the client infers it);
//                               config blobs resolve to a fixed linux/arm64 config
//   config                      the document is the image config of a generated manifest
//   error [STATUS]              every request is answered STATUS (default 500) with the document
//   token                       the document is the token server's answer to a Bearer challenge
//   challenge                   the document is a 401's WWW-Authenticate header
// Checks: nothing crashes or throws; a probe that succeeds has a state consistent with its
// missing platforms.
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "http/http_client.h"
#include "oci/index_builder.h"
#include "oci/media_types.h"
#include "oci/probe.h"
#include "oci/push.h"
#include "oci/registry_client.h"
#include "sign/cosign_storage.h"
#include "util/sha256.h"

namespace {

constexpr char kRepo[] = "mirror/app";
constexpr char kConfig[] = R"({"architecture":"arm64","os":"linux","variant":"v8","rootfs":{"type":"layers","diff_ids":[]}})";

enum class Role { kIndex, kManifest, kDocker, kConfig, kError, kToken, kChallenge };

mg::HttpResponse Answer(int status, std::string body, std::map<std::string, std::string> headers = {}) {
  mg::HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

// Serves one document according to its role. Single-threaded use.
class FuzzRegistry : public mg::HttpTransport {
 public:
  FuzzRegistry(Role role, int error_status, std::string doc) : role_(role), error_status_(error_status), doc_(std::move(doc)) {
    if (role_ == Role::kConfig) {
      manifest_ = std::string(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)") +
                  R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                  mg::Sha256Digest(doc_) + R"(","size":)" + std::to_string(doc_.size()) + R"(},"layers":[]})";
      config_ = doc_;
    } else {
      manifest_ = doc_;
      config_ = kConfig;
    }
  }

  const std::string& manifest() const { return manifest_; }

  mg::Result<mg::HttpResponse> Send(const mg::HttpRequest& request) override {
    const std::string& url = request.url;
    if (role_ == Role::kError) return Answer(error_status_, doc_);
    if (url.find("/token") != std::string::npos) {
      return Answer(200, role_ == Role::kToken ? doc_ : std::string(R"({"token":"t","expires_in":300})"));
    }
    if ((role_ == Role::kToken || role_ == Role::kChallenge) && !Authorized(request)) {
      const std::string challenge =
          role_ == Role::kChallenge ? doc_ : std::string(R"(Bearer realm="http://127.0.0.1/token",service="fuzz")");
      return Answer(401, R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})",
                    {{"www-authenticate", challenge}});
    }
    if (url.find("/manifests/") != std::string::npos) {
      if (request.method == "PUT") return Answer(201, "", {{"docker-content-digest", mg::Sha256Digest(request.body)}});
      std::map<std::string, std::string> headers = {{"docker-content-digest", mg::Sha256Digest(manifest_)}};
      if (role_ == Role::kIndex) headers["content-type"] = mg::kMediaTypeOciIndex;
      if (role_ == Role::kManifest || role_ == Role::kConfig) headers["content-type"] = mg::kMediaTypeOciManifest;
      return Answer(200, request.method == "HEAD" ? "" : manifest_, std::move(headers));
    }
    if (url.find("/blobs/") != std::string::npos) {
      const std::string digest = url.substr(url.rfind('/') + 1);
      if (digest == mg::Sha256Digest(config_)) return Answer(200, config_);
      return Answer(404, R"({"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]})");
    }
    return Answer(404, "");
  }

 private:
  static bool Authorized(const mg::HttpRequest& request) {
    for (const auto& [name, value] : request.headers) {
      if (name == "Authorization") return true;
    }
    return false;
  }

  Role role_;
  int error_status_;
  std::string doc_;
  std::string manifest_;
  std::string config_;
};

Role RoleOf(std::string_view line, int* status) {
  if (line == "index") return Role::kIndex;
  if (line == "docker") return Role::kDocker;
  if (line == "config") return Role::kConfig;
  if (line == "token") return Role::kToken;
  if (line == "challenge") return Role::kChallenge;
  if (line.substr(0, 5) == "error") {
    *status = 500;
    if (line.size() == 9 && line[5] == ' ') {
      int s = 0;
      for (char c : line.substr(6)) s = s * 10 + (c >= '0' && c <= '9' ? c - '0' : 0);
      if (s >= 100) *status = s;
    }
    return Role::kError;
  }
  return Role::kManifest;
}

void CheckProbe(const mg::Result<mg::ProbeResult>& probe) {
  if (!probe.ok()) return;
  const bool complete = probe->state == mg::ProbeState::kComplete;
  if (complete != probe->missing_platforms.empty()) mg::fuzz::Violated("probe state and missing platforms disagree");
  if (std::optional<mg::ProbeResult> again = mg::ProbeResult::FromJson(probe->ToJson()); !again) {
    mg::fuzz::Violated("a probe result does not read back");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [line, doc] = mg::fuzz::SplitFirstLine(mg::fuzz::AsView(data, size));
  int error_status = 500;
  const Role role = RoleOf(line, &error_status);
  FuzzRegistry registry(role, error_status, std::string(doc));
  mg::HttpClientOptions options;
  options.max_attempts = 1;
  options.sleep = [](std::chrono::milliseconds) {};
  mg::HttpClient http(registry, options);
  mg::RegistryClient client(http, "127.0.0.1:5000", /*plain_http=*/true, mg::Credentials{"user", "secret", ""});

  // One probe per input (which platforms are wanted depends on the input's length), then what
  // the role makes reachable.
  const bool manifest_role = role == Role::kManifest || role == Role::kIndex || role == Role::kDocker;
  if (size % 2 == 0) {
    CheckProbe(mg::ProbeImage(client, kRepo, "1.0.0", {"linux/amd64", "linux/arm64"}, nullptr));
  } else {
    CheckProbe(mg::ProbeImage(client, kRepo, "1.0.0", {"linux/arm64"}, nullptr));
  }
  if (manifest_role || role == Role::kConfig) {
    const std::string digest = mg::Sha256Digest(role == Role::kConfig ? registry.manifest() : std::string(doc));
    (void)mg::DescribePlatformManifest(client, kRepo, digest);
    if (role != Role::kConfig) (void)mg::ReadCosignLayers(client, kRepo, digest, ".sig");
  }
  if (role == Role::kIndex || role == Role::kManifest) {
    (void)mg::PutManifest(client, kRepo, "1.0.0", doc,
                          role == Role::kIndex ? mg::kMediaTypeOciIndex : mg::kMediaTypeOciManifest);
  }
  if (manifest_role) (void)mg::ProbeResult::FromJson(mg::ParseJson(doc));
  return 0;
}
