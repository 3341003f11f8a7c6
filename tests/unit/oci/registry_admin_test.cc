#include "oci/registry_admin.h"

#include <boost/test/unit_test.hpp>

#include "unit/oci/fake_registry.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::HttpRequest;
using mg::Status;
using mg::testing::MakeResponse;

namespace {

struct Fixture : mg::testing::FakeRegistryClient {};

const std::string kDigest = "sha256:" + std::string(64, 'a');

}  // namespace

BOOST_AUTO_TEST_SUITE(registry_admin_test)

BOOST_FIXTURE_TEST_CASE(tags_are_listed_across_pages, Fixture) {
  std::vector<std::string> urls;
  reg.transport.handler = [&](const HttpRequest& r) -> mg::Result<mg::HttpResponse> {
    urls.push_back(r.url);
    if (r.url.find("last=b") == std::string::npos) {
      return MakeResponse(200, {{"Link", "</v2/ns/app/tags/list?n=1000&last=b>; rel=\"next\""}},
                          R"({"name":"ns/app","tags":["b","a"]})");
    }
    return MakeResponse(200, {}, R"({"name":"ns/app","tags":["c","a"]})");
  };
  auto tags = mg::ListTags(client, "ns/app");
  BOOST_REQUIRE(tags.ok());
  BOOST_TEST(*tags == std::vector<std::string>({"a", "b", "c"}), boost::test_tools::per_element());
  BOOST_REQUIRE(urls.size() == 2u);
  // The next page on the registry's own origin.
  BOOST_TEST(urls[1] == "https://" + std::string(mg::testing::FakeRegistry::kHost) + "/v2/ns/app/tags/list?n=1000&last=b");
}

BOOST_FIXTURE_TEST_CASE(odd_answers_are_errors_not_exceptions, Fixture) {
  std::string body;
  int status = 200;
  reg.transport.handler = [&](const HttpRequest&) -> mg::Result<mg::HttpResponse> { return MakeResponse(status, {}, body); };
  for (const char* odd : {R"({"tags":"a"})", R"({"tags":[1,2]})", R"([])", "not json", R"({"tags":{}})"}) {
    body = odd;
    auto tags = mg::ListTags(client, "ns/app");
    BOOST_TEST(!tags.ok(), odd);
    BOOST_TEST(tags.status().message().find("/v2/ns/app/tags/list") != std::string::npos, tags.status().message());
  }
  // No tags at all: null, absent, or a repository never pushed (404).
  for (const char* none : {R"({"name":"ns/app","tags":null})", R"({"name":"ns/app"})"}) {
    body = none;
    auto tags = mg::ListTags(client, "ns/app");
    BOOST_TEST_REQUIRE(tags.ok(), tags.status().ToString());
    BOOST_TEST(tags->empty());
  }
  status = 404;
  body = R"({"errors":[{"code":"NAME_UNKNOWN"}]})";
  auto unknown = mg::ListTags(client, "ns/app");
  BOOST_TEST_REQUIRE(unknown.ok());
  BOOST_TEST(unknown->empty());
  BOOST_TEST(!mg::ListTags(client, "NS/Bad Name").ok());
}

BOOST_FIXTURE_TEST_CASE(deletes_are_by_digest_and_a_refusal_says_how_to_enable_them, Fixture) {
  int status = 202;
  std::string body;
  std::vector<std::string> methods;
  reg.transport.handler = [&](const HttpRequest& r) -> mg::Result<mg::HttpResponse> {
    methods.push_back(r.method + " " + r.url);
    return MakeResponse(status, {}, body);
  };
  BOOST_TEST(mg::DeleteManifest(client, "ns/app", kDigest).ok());
  BOOST_REQUIRE(methods.size() == 1u);
  BOOST_TEST(methods[0].find("DELETE ") == 0u);
  BOOST_TEST(methods[0].find("/v2/ns/app/manifests/" + kDigest) != std::string::npos);
  // A tag is refused before any request.
  Status tag = mg::DeleteManifest(client, "ns/app", "1.0.0");
  BOOST_TEST((tag.code() == Status::Code::kInvalidArgument));
  BOOST_TEST(methods.size() == 1u);
  status = 404;
  BOOST_TEST((mg::DeleteManifest(client, "ns/app", kDigest).code() == Status::Code::kNotFound));
  status = 405;
  body = R"({"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]})";
  Status refused = mg::DeleteManifest(client, "ns/app", kDigest);
  BOOST_TEST((refused.code() == Status::Code::kNotImplemented));
  BOOST_TEST(refused.message().find("refuses to delete manifests") != std::string::npos, refused.message());
  BOOST_TEST(refused.message().find("storage.delete.enabled: true") != std::string::npos, refused.message());
  // Another client error is not a refusal (prune goes on with the other tags after it).
  status = 400;
  body = R"({"errors":[{"code":"DIGEST_INVALID"}]})";
  BOOST_TEST((mg::DeleteManifest(client, "ns/app", kDigest).code() != Status::Code::kNotImplemented));
  status = 500;
  body = "";
  BOOST_TEST((mg::DeleteManifest(client, "ns/app", kDigest).code() == Status::Code::kUnavailable));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
