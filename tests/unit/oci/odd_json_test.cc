// Registry answers with unexpected JSON types (numbers where strings are expected, arrays where
// objects are, null): every one ends in a Status or a well-defined result, never an exception.
#include <boost/test/unit_test.hpp>

#include "oci/index_builder.h"
#include "oci/media_types.h"
#include "oci/probe.h"
#include "unit/oci/fake_registry.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::Json;
using mg::ProbeState;
using mg::Status;
using mg::testing::FakeRegistry;
using mg::testing::FakeRegistryClient;

namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Runs `fn`, failing the test (not the binary) when it throws.
template <typename Fn>
auto NoThrow(const std::string& what, Fn fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    BOOST_ERROR(what << " threw: " << e.what());
  }
  return Status::Internal("threw");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(odd_json_test)

// The "errors" body of a 4xx/5xx is quoted in the message; whatever its shape, the answer is a
// failed Status with the HTTP code, and a numeric "code" is shown as a number.
BOOST_AUTO_TEST_CASE(odd_error_bodies_are_quoted_or_ignored) {
  struct Case {
    const char* body;
    const char* quoted;  // "" when nothing is quoted
  };
  const Case cases[] = {
      {R"({"errors":[{"code":401}]})", " (401)"},
      {R"({"errors":[{"code":401,"message":"no"}]})", " (401: no)"},
      {R"({"errors":[{"code":"DENIED","message":{"why":1}}]})", " (DENIED)"},
      {R"({"errors":[null,5,"s",[],{"code":null,"message":"m"}]})", " (m)"},
      {R"({"errors":{"code":"X"}})", ""},
      {R"({"errors":null})", ""},
      {R"({"errors":"denied"})", ""},
      {R"([{"code":"X"}])", ""},
      {"null", ""},
      {R"("text")", ""},
      {"not json {", ""},
  };
  for (const Case& c : cases) {
    FakeRegistryClient f;
    f.reg.PutManifest("team/app", "1.0", mg::kMediaTypeOciManifest, "{}");
    f.reg.forced_status["/manifests/"] = 403;
    f.reg.forced_body = c.body;
    auto got = NoThrow(c.body, [&]() -> Status { return f.client.GetManifest("team/app", "1.0").status(); });
    BOOST_TEST(!got.ok(), c.body);
    BOOST_TEST((got.code() == Status::Code::kPermissionDenied), c.body << ": " << got.ToString());
    BOOST_TEST(Contains(got.message(), std::string("HTTP 403 forbidden") + c.quoted + ";"), c.body << ": " << got.message());
  }
}

// The token endpoint's answer: a wrong-typed field reads as absent.
BOOST_AUTO_TEST_CASE(odd_token_answers) {
  struct Case {
    const char* body;
    const char* error;  // "" when the answer is usable
  };
  const Case cases[] = {
      {R"({"token":5,"access_token":"tok-good"})", ""},
      {R"({"token":"tok-good","expires_in":"300"})", ""},
      {R"({"token":"tok-good","expires_in":1e300})", ""},
      {R"({"token":"tok-good","expires_in":18446744073709551615})", ""},
      {R"({"token":"tok-good","expires_in":9223372036854775807})", ""},
      {R"({"token":null})", "the answer holds no token"},
      {R"({"token":["tok-good"]})", "the answer holds no token"},
      {R"(["tok-good"])", "the answer is not a JSON object"},
  };
  for (const Case& c : cases) {
    FakeRegistryClient f;
    f.reg.auth = FakeRegistry::Auth::kBearer;
    f.reg.PutManifest("team/app", "1.0", mg::kMediaTypeOciManifest, "{}");
    auto inner = f.reg.transport.handler;
    const std::string body = c.body;
    f.reg.transport.handler = [inner, body](const mg::HttpRequest& r) -> mg::Result<mg::HttpResponse> {
      if (r.url.rfind(FakeRegistry::kRealm, 0) == 0) return mg::testing::MakeResponse(200, {}, body);
      return inner(r);
    };
    auto got = NoThrow(c.body, [&]() -> Status { return f.client.GetManifest("team/app", "1.0").status(); });
    BOOST_TEST(got.ok() == (*c.error == '\0'), c.body << ": " << got.ToString());
    BOOST_TEST(Contains(got.message(), c.error), c.body << ": " << got.message());
  }
}

// Index entries whose platform or annotations have the wrong types are not platforms; a
// "manifests" that is not an array is a damaged index.
BOOST_AUTO_TEST_CASE(probe_of_odd_indexes) {
  const std::string d1 = mg::Sha256Digest("amd64");
  FakeRegistryClient f;
  const std::string good = R"({"digest":")" + d1 + R"(","platform":{"os":"linux","architecture":"amd64"}})";
  const std::string odd_entries[] = {
      R"({"digest":5,"platform":{"os":1,"architecture":["arm64"]}})",
      R"({"platform":"linux/arm64"})",
      R"({"platform":null,"annotations":"x"})",
      R"({"platform":{"os":"linux","architecture":"arm64"},"annotations":{"vnd.docker.reference.type":7}})",
      "null", "17", R"("linux/arm64")", "[]"};
  for (const std::string& odd : odd_entries) {
    const std::string index = R"({"schemaVersion":2,"manifests":[)" + good + "," + odd + "]}";
    f.reg.PutManifest("team/app", "1.0", mg::kMediaTypeOciIndex, index);
    auto r = NoThrow(odd, [&] { return mg::ProbeImage(f.client, "team/app", "1.0", {"linux/amd64"}, nullptr); });
    BOOST_REQUIRE_MESSAGE(r.ok(), odd << ": " << r.status().ToString());
    BOOST_CHECK_MESSAGE(r->state == ProbeState::kComplete, odd);
    // The typed arm64 entry with a numeric annotation counts; all others are skipped.
    const size_t want = odd.find("\"annotations\":{") != std::string::npos ? 2u : 1u;
    BOOST_TEST(r->platforms.size() == want, odd);
  }
  for (const char* manifests : {R"({})", "null", R"("x")", "3"}) {
    f.reg.PutManifest("team/app", "1.0", mg::kMediaTypeOciIndex,
                      std::string(R"({"schemaVersion":2,"manifests":)") + manifests + "}");
    auto r = NoThrow(manifests, [&] { return mg::ProbeImage(f.client, "team/app", "1.0", {"linux/amd64"}, nullptr); });
    BOOST_TEST(!r.ok(), manifests);
    BOOST_TEST((r.status().code() == Status::Code::kCorruption), manifests << ": " << r.status().ToString());
  }
}

// A single-platform manifest whose config descriptor or config blob has the wrong types: a
// failed probe / describe naming what is missing.
BOOST_AUTO_TEST_CASE(odd_configs_fail_probe_and_describe) {
  FakeRegistryClient f;
  const std::string configs[] = {R"({"digest":5})", R"(["x"])", "null", R"({"digest":null})", R"("sha256:00")"};
  for (const std::string& config : configs) {
    const std::string manifest = R"({"schemaVersion":2,"config":)" + config + R"(,"layers":[]})";
    const std::string digest = f.reg.PutManifest("team/app", "1.0", mg::kMediaTypeOciManifest, manifest);
    auto r = NoThrow(config, [&] { return mg::ProbeImage(f.client, "team/app", "1.0", {"linux/amd64"}, nullptr); });
    BOOST_TEST(!r.ok(), config);
    BOOST_TEST(Contains(r.status().message(), "without a config digest"), config << ": " << r.status().ToString());
    auto d = NoThrow(config, [&] { return mg::DescribePlatformManifest(f.client, "team/app", digest); });
    BOOST_TEST(!d.ok(), config);
    BOOST_TEST(Contains(d.status().message(), "has no config digest"), config << ": " << d.status().ToString());
  }
  const std::string bad_blobs[] = {R"({"os":1,"architecture":"amd64"})", R"({"os":"linux","architecture":null})",
                                   R"(["linux","amd64"])", "null"};
  for (const std::string& bad : bad_blobs) {
    const std::string cfg = f.reg.PutBlob("team/app", bad);
    const std::string manifest = R"({"schemaVersion":2,"config":{"digest":")" + cfg + R"(","size":1},"layers":[]})";
    const std::string digest = f.reg.PutManifest("team/app", "1.0", mg::kMediaTypeOciManifest, manifest);
    auto r = NoThrow(bad, [&] { return mg::ProbeImage(f.client, "team/app", "1.0", {"linux/amd64"}, nullptr); });
    BOOST_TEST(!r.ok(), bad);
    BOOST_TEST(Contains(r.status().message(), "without os/architecture"), bad << ": " << r.status().ToString());
    auto d = NoThrow(bad, [&] { return mg::DescribePlatformManifest(f.client, "team/app", digest); });
    BOOST_TEST(!d.ok(), bad);
    BOOST_TEST((d.status().code() == Status::Code::kCorruption), bad << ": " << d.status().ToString());
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
