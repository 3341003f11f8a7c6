#include "oci/registry_client.h"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/test/unit_test.hpp>

#include <sstream>

#include "oci/media_types.h"
#include "unit/oci/fake_registry.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Status;
using mg::testing::FakeRegistry;

namespace {

const char kManifest[] =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":2},"layers":[]})";

struct Fixture {
  FakeRegistry reg;
  std::vector<std::chrono::milliseconds> sleeps;
  mg::HttpClient http{reg.transport, [this] {
                        mg::HttpClientOptions o;
                        o.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
                        return o;
                      }()};
  std::string digest;
  Fixture() { digest = reg.PutManifest("team/app", "1.0", mg::kMediaTypeOciManifest, kManifest); }

  mg::RegistryClient Client(std::optional<mg::Credentials> creds) {
    return mg::RegistryClient(http, "reg.example", false, std::move(creds), "/home/u/.docker/config.json");
  }
  mg::Credentials Good() { return {reg.user, reg.password, ""}; }
  mg::Credentials Wrong() { return {reg.user, "wrong-pw", ""}; }
};

void ExpectNoSecrets(const std::string& text) {
  BOOST_TEST(text.find("s3cret-pw") == std::string::npos);
  BOOST_TEST(text.find("wrong-pw") == std::string::npos);
  BOOST_TEST(text.find(mg::Base64Encode("alice:s3cret-pw")) == std::string::npos);
  BOOST_TEST(text.find(mg::Base64Encode("alice:wrong-pw")) == std::string::npos);
  BOOST_TEST(text.find("tok-good") == std::string::npos);
}

// Captures everything spdlog logs (debug and up) while alive.
struct LogCapture {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  LogCapture() {
    auto logger = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(registry_client_test)

BOOST_FIXTURE_TEST_CASE(head_existing_and_missing_without_auth, Fixture) {
  auto client = Client(std::nullopt);
  auto head = client.HeadManifest("team/app", "1.0");
  BOOST_REQUIRE_MESSAGE(head.ok(), head.status().ToString());
  BOOST_TEST(head->exists);
  BOOST_TEST(head->digest == digest);
  BOOST_TEST(head->media_type == mg::kMediaTypeOciManifest);
  BOOST_TEST(head->size == static_cast<int64_t>(sizeof(kManifest) - 1));
  auto req = reg.transport.requests().back();
  BOOST_TEST(req.method == "HEAD");
  BOOST_TEST(req.url == "https://reg.example/v2/team/app/manifests/1.0");
  std::string accept = mg::testing::RequestHeader(req, "Accept");
  for (const char* mt : {mg::kMediaTypeOciIndex, mg::kMediaTypeOciManifest, mg::kMediaTypeDockerManifestList,
                         mg::kMediaTypeDockerManifest}) {
    BOOST_TEST(accept.find(mt) != std::string::npos);
  }
  auto missing = client.HeadManifest("team/app", "2.0");
  BOOST_REQUIRE(missing.ok());
  BOOST_TEST(!missing->exists);
}

BOOST_FIXTURE_TEST_CASE(plain_http_base_url, Fixture) {
  mg::RegistryClient client(http, "127.0.0.1:5000", true, std::nullopt);
  BOOST_TEST(client.base_url() == "http://127.0.0.1:5000");
}

BOOST_FIXTURE_TEST_CASE(bearer_token_flow, Fixture) {
  reg.auth = FakeRegistry::Auth::kBearer;
  auto client = Client(Good());
  auto head = client.HeadManifest("team/app", "1.0");
  BOOST_REQUIRE_MESSAGE(head.ok(), head.status().ToString());
  BOOST_TEST(head->exists);
  auto reqs = reg.transport.requests();
  BOOST_REQUIRE(reqs.size() == 3u);
  BOOST_TEST(mg::testing::RequestHeader(reqs[0], "Authorization").empty());
  // The token request carries service, the challenge's scope and Basic credentials.
  BOOST_TEST(reqs[1].url.rfind(FakeRegistry::kRealm, 0) == 0);
  BOOST_TEST(reqs[1].url.find("service=reg.example") != std::string::npos);
  BOOST_TEST(reqs[1].url.find("scope=repository%3Ateam%2Fapp%3Apull") != std::string::npos);
  BOOST_TEST(mg::testing::RequestHeader(reqs[1], "Authorization") == "Basic " + mg::Base64Encode("alice:s3cret-pw"));
  BOOST_TEST(mg::testing::RequestHeader(reqs[2], "Authorization") == "Bearer tok-good");
  // The token is cached for the scope: one more request, no new token.
  BOOST_REQUIRE(client.HeadManifest("team/app", "1.0").ok());
  BOOST_TEST(reg.transport.request_count() == 4u);
  BOOST_TEST(reg.count("GET", FakeRegistry::kRealm) == 1);
  // A new scope fetches its token up front (the realm is known), without another 401.
  reg.PutManifest("team/other", "1.0", mg::kMediaTypeOciManifest, kManifest);
  BOOST_REQUIRE(client.HeadManifest("team/other", "1.0").ok());
  BOOST_TEST(reg.transport.request_count() == 6u);
  BOOST_TEST(reg.count("GET", FakeRegistry::kRealm) == 2);
}

BOOST_FIXTURE_TEST_CASE(bearer_with_identity_token_uses_refresh_grant, Fixture) {
  reg.auth = FakeRegistry::Auth::kBearer;
  reg.identity_token = "refresh-xyz";
  auto client = Client(mg::Credentials{"", "", "refresh-xyz"});
  auto head = client.HeadManifest("team/app", "1.0");
  BOOST_REQUIRE_MESSAGE(head.ok(), head.status().ToString());
  BOOST_TEST(reg.count("POST", FakeRegistry::kRealm) == 1);
  auto token_req = reg.transport.requests()[1];
  BOOST_TEST(mg::testing::RequestHeader(token_req, "Content-Type") == "application/x-www-form-urlencoded");
  BOOST_TEST(token_req.body.find("scope=repository%3Ateam%2Fapp%3Apull") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(bearer_wrong_credentials_is_permission_denied, Fixture) {
  reg.auth = FakeRegistry::Auth::kBearer;
  LogCapture logs;
  auto client = Client(Wrong());
  auto head = client.HeadManifest("team/app", "1.0");
  BOOST_REQUIRE(!head.ok());
  BOOST_CHECK_MESSAGE(head.status().code() == Status::Code::kPermissionDenied, head.status().ToString());
  BOOST_TEST(head.status().message().find("/home/u/.docker/config.json") != std::string::npos);
  BOOST_TEST(head.status().message().find("https://auth.example/token") != std::string::npos);
  ExpectNoSecrets(head.status().message());
  ExpectNoSecrets(logs.out.str());
}

BOOST_FIXTURE_TEST_CASE(bearer_anonymous_token_without_rights_is_permission_denied, Fixture) {
  reg.auth = FakeRegistry::Auth::kBearer;
  auto client = Client(std::nullopt);
  auto head = client.HeadManifest("team/app", "1.0");
  BOOST_REQUIRE(!head.ok());
  BOOST_CHECK_MESSAGE(head.status().code() == Status::Code::kPermissionDenied, head.status().ToString());
  BOOST_TEST(head.status().message().find("no credentials for reg.example") != std::string::npos);
  // Exactly one retry after the challenge: HEAD, token, HEAD.
  BOOST_TEST(reg.transport.request_count() == 3u);
}

// Token realms (issue 9, finding 11): credentials only over https, or over http to the registry's
// own host when the registry itself is plain http.
BOOST_FIXTURE_TEST_CASE(credentials_withheld_from_http_realm_on_another_host, Fixture) {
  reg.auth = FakeRegistry::Auth::kBearer;
  reg.realm = "http://auth.example/token";
  LogCapture logs;
  for (bool plain_http : {false, true}) {
    const size_t before = reg.transport.request_count();
    mg::RegistryClient client(http, "reg.example", plain_http, Good(), "/home/u/.docker/config.json");
    auto head = client.HeadManifest("team/app", "1.0");
    BOOST_REQUIRE(!head.ok());
    BOOST_CHECK_MESSAGE(head.status().code() == Status::Code::kPermissionDenied, head.status().ToString());
    // The token was asked for anonymously: no Basic header, no account.
    const auto reqs = reg.transport.requests();
    int token_requests = 0;
    for (size_t i = before; i < reqs.size(); ++i) {
      const auto& r = reqs[i];
      if (r.url.rfind(reg.realm, 0) != 0) continue;
      ++token_requests;
      BOOST_TEST(mg::testing::RequestHeader(r, "Authorization").empty());
      BOOST_TEST(r.url.find("account=") == std::string::npos);
    }
    BOOST_TEST(token_requests >= 1);
    // The error names the realm and why the credentials were withheld.
    const std::string message = head.status().message();
    BOOST_TEST(message.find("withheld from the token realm http://auth.example/token") != std::string::npos, message);
    BOOST_TEST(message.find("plain http") != std::string::npos, message);
    ExpectNoSecrets(message);
  }
  ExpectNoSecrets(logs.out.str());
}

BOOST_FIXTURE_TEST_CASE(identity_token_withheld_from_http_realm, Fixture) {
  reg.auth = FakeRegistry::Auth::kBearer;
  reg.realm = "http://auth.example/token";
  reg.identity_token = "refresh-xyz";
  auto client = Client(mg::Credentials{"", "", "refresh-xyz"});
  auto head = client.HeadManifest("team/app", "1.0");
  BOOST_REQUIRE(!head.ok());
  BOOST_TEST(reg.count("POST", reg.realm) == 0);
  for (const auto& r : reg.transport.requests()) BOOST_TEST(r.body.find("refresh-xyz") == std::string::npos);
  BOOST_TEST(head.status().message().find("withheld") != std::string::npos, head.status().message());
}

BOOST_FIXTURE_TEST_CASE(credentials_withheld_from_http_realm_of_an_https_registry, Fixture) {
  reg.auth = FakeRegistry::Auth::kBearer;
  reg.realm = "http://reg.example/token";  // the registry's host, but the registry is https
  auto client = Client(Good());
  auto head = client.HeadManifest("team/app", "1.0");
  BOOST_REQUIRE(!head.ok());
  BOOST_TEST(mg::testing::RequestHeader(reg.transport.requests()[1], "Authorization").empty());
  BOOST_TEST(head.status().message().find("withheld") != std::string::npos, head.status().message());
}

BOOST_FIXTURE_TEST_CASE(credentials_sent_to_https_realm_on_another_host, Fixture) {
  reg.auth = FakeRegistry::Auth::kBearer;
  reg.realm = "https://auth.other.example/token";
  for (bool plain_http : {false, true}) {
    const size_t before = reg.transport.request_count();
    mg::RegistryClient client(http, "reg.example", plain_http, Good(), "/home/u/.docker/config.json");
    auto head = client.HeadManifest("team/app", "1.0");
    BOOST_REQUIRE_MESSAGE(head.ok(), head.status().ToString());
    auto reqs = reg.transport.requests();
    BOOST_REQUIRE(reqs.size() == before + 3);
    const auto& token = reqs[before + 1];
    BOOST_TEST(token.url.rfind(reg.realm, 0) == 0);
    BOOST_TEST(mg::testing::RequestHeader(token, "Authorization") == "Basic " + mg::Base64Encode("alice:s3cret-pw"));
    BOOST_TEST(!token.follow_redirects);
  }
}

BOOST_FIXTURE_TEST_CASE(credentials_sent_to_plain_http_registrys_own_host, Fixture) {
  reg.auth = FakeRegistry::Auth::kBearer;
  reg.realm = "http://reg.example:5001/token";  // same host, another port (a token server beside it)
  mg::RegistryClient client(http, "reg.example:5000", true, Good(), "/home/u/.docker/config.json");
  auto head = client.HeadManifest("team/app", "1.0");
  BOOST_REQUIRE_MESSAGE(head.ok(), head.status().ToString());
  auto reqs = reg.transport.requests();
  BOOST_REQUIRE(reqs.size() == 3u);
  BOOST_TEST(reqs[0].url.rfind("http://reg.example:5000/", 0) == 0);
  BOOST_TEST(mg::testing::RequestHeader(reqs[1], "Authorization") == "Basic " + mg::Base64Encode("alice:s3cret-pw"));
  BOOST_TEST(reqs[1].url.find("account=alice") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(basic_flow, Fixture) {
  reg.auth = FakeRegistry::Auth::kBasic;
  auto client = Client(Good());
  auto head = client.HeadManifest("team/app", "1.0");
  BOOST_REQUIRE_MESSAGE(head.ok(), head.status().ToString());
  BOOST_TEST(head->exists);
  auto reqs = reg.transport.requests();
  BOOST_REQUIRE(reqs.size() == 2u);
  BOOST_TEST(mg::testing::RequestHeader(reqs[1], "Authorization") == "Basic " + mg::Base64Encode("alice:s3cret-pw"));
  // Once the registry asked for Basic, credentials go with the first request.
  BOOST_REQUIRE(client.HeadManifest("team/app", "1.0").ok());
  BOOST_TEST(reg.transport.request_count() == 3u);
}

BOOST_FIXTURE_TEST_CASE(basic_wrong_or_absent_credentials, Fixture) {
  reg.auth = FakeRegistry::Auth::kBasic;
  LogCapture logs;
  {
    auto client = Client(Wrong());
    auto head = client.HeadManifest("team/app", "1.0");
    BOOST_REQUIRE(!head.ok());
    BOOST_CHECK_MESSAGE(head.status().code() == Status::Code::kPermissionDenied, head.status().ToString());
    BOOST_TEST(head.status().message().find("check the credentials for reg.example in /home/u/.docker/config.json") !=
               std::string::npos);
    BOOST_TEST(head.status().message().find("https://reg.example/v2/team/app/manifests/1.0") != std::string::npos);
    ExpectNoSecrets(head.status().message());
  }
  {
    auto client = Client(std::nullopt);
    auto get = client.GetManifest("team/app", "1.0");
    BOOST_REQUIRE(!get.ok());
    BOOST_CHECK_MESSAGE(get.status().code() == Status::Code::kPermissionDenied, get.status().ToString());
    BOOST_TEST(get.status().message().find("no credentials") != std::string::npos);
  }
  ExpectNoSecrets(logs.out.str());
}

BOOST_FIXTURE_TEST_CASE(forbidden_is_permission_denied_not_missing, Fixture) {
  reg.forced_status["/manifests/"] = 403;
  auto client = Client(Good());
  auto head = client.HeadManifest("team/app", "1.0");
  BOOST_REQUIRE(!head.ok());
  BOOST_CHECK(head.status().code() == Status::Code::kPermissionDenied);
  BOOST_TEST(head.status().message().find("403") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(server_errors_are_unavailable_after_retries, Fixture) {
  reg.forced_status["/manifests/"] = 500;
  LogCapture logs;
  auto client = Client(Good());
  auto head = client.HeadManifest("team/app", "1.0");
  BOOST_REQUIRE(!head.ok());
  BOOST_CHECK(head.status().code() == Status::Code::kUnavailable);
  BOOST_TEST(reg.transport.request_count() == 4u);  // HttpClient's default attempts
  BOOST_TEST(sleeps.size() == 3u);
  BOOST_TEST(logs.out.str().find("retrying") != std::string::npos);
  ExpectNoSecrets(logs.out.str());
}

BOOST_FIXTURE_TEST_CASE(transport_failure_is_unavailable, Fixture) {
  reg.transport.handler = [](const mg::HttpRequest& r) -> mg::Result<mg::HttpResponse> {
    return Status::Unavailable(r.method + " " + r.url + ": Connection refused");
  };
  auto client = Client(Good());
  auto head = client.HeadManifest("team/app", "1.0");
  BOOST_REQUIRE(!head.ok());
  BOOST_CHECK(head.status().code() == Status::Code::kUnavailable);
  BOOST_TEST(head.status().message().find("Connection refused") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(get_manifest_verifies_digests, Fixture) {
  auto client = Client(std::nullopt);
  auto by_tag = client.GetManifest("team/app", "1.0");
  BOOST_REQUIRE_MESSAGE(by_tag.ok(), by_tag.status().ToString());
  BOOST_TEST(by_tag->digest == digest);
  BOOST_TEST(by_tag->bytes == kManifest);
  BOOST_TEST(by_tag->media_type == mg::kMediaTypeOciManifest);
  BOOST_TEST(by_tag->json["schemaVersion"] == 2);
  auto by_digest = client.GetManifest("team/app", digest);
  BOOST_REQUIRE(by_digest.ok());
  BOOST_TEST(by_digest->digest == digest);

  reg.tamper_manifest_body = std::string(kManifest) + " ";
  auto tampered = client.GetManifest("team/app", digest);
  BOOST_REQUIRE(!tampered.ok());
  BOOST_CHECK(tampered.status().code() == Status::Code::kCorruption);
  BOOST_TEST(tampered.status().message().find("digest mismatch") != std::string::npos);
  // By tag, the Docker-Content-Digest header still catches it.
  auto tampered_tag = client.GetManifest("team/app", "1.0");
  BOOST_REQUIRE(!tampered_tag.ok());
  BOOST_CHECK(tampered_tag.status().code() == Status::Code::kCorruption);
}

BOOST_FIXTURE_TEST_CASE(get_manifest_missing_is_not_found, Fixture) {
  auto client = Client(std::nullopt);
  auto get = client.GetManifest("team/app", "9.9");
  BOOST_REQUIRE(!get.ok());
  BOOST_CHECK(get.status().code() == Status::Code::kNotFound);
}

BOOST_FIXTURE_TEST_CASE(get_blob_verifies, Fixture) {
  auto client = Client(std::nullopt);
  std::string blob_digest = reg.PutBlob("team/app", "{\"os\":\"linux\"}");
  auto blob = client.GetBlob("team/app", blob_digest);
  BOOST_REQUIRE_MESSAGE(blob.ok(), blob.status().ToString());
  BOOST_TEST(*blob == "{\"os\":\"linux\"}");
  auto missing = client.GetBlob("team/app", mg::Sha256Digest("nothing"));
  BOOST_REQUIRE(!missing.ok());
  BOOST_CHECK(missing.status().code() == Status::Code::kNotFound);
  BOOST_TEST(reg.transport.requests().back().max_body_bytes == (size_t{64} << 20));
}

BOOST_FIXTURE_TEST_CASE(rejects_invalid_names_without_a_request, Fixture) {
  auto client = Client(std::nullopt);
  auto a = client.HeadManifest("Team/App", "1.0");
  BOOST_REQUIRE(!a.ok());
  BOOST_CHECK(a.status().code() == Status::Code::kInvalidArgument);
  auto b = client.HeadManifest("team/app", "../../x");
  BOOST_REQUIRE(!b.ok());
  BOOST_CHECK(b.status().code() == Status::Code::kInvalidArgument);
  auto c = client.GetBlob("team/app", "sha256:abc");
  BOOST_REQUIRE(!c.ok());
  BOOST_TEST(reg.transport.request_count() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
