#include "oci/reference.h"

#include <boost/test/unit_test.hpp>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(reference_test)

BOOST_AUTO_TEST_CASE(host_port_path_tag) {
  auto r = mg::ParseImageReference("registry.local:5000/team/apps/mattermost:9.11.1");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->registry == "registry.local:5000");
  BOOST_TEST(r->repository == "team/apps/mattermost");
  BOOST_TEST(r->tag == "9.11.1");
  BOOST_TEST(r->digest.empty());
  BOOST_TEST(r->Reference() == "9.11.1");
  BOOST_TEST(r->ToString() == "registry.local:5000/team/apps/mattermost:9.11.1");
}

BOOST_AUTO_TEST_CASE(digest_and_tag_plus_digest) {
  const std::string d = "sha256:" + std::string(64, 'b');
  auto r = mg::ParseImageReference("127.0.0.1:5000/app@" + d);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->registry == "127.0.0.1:5000");
  BOOST_TEST(r->repository == "app");
  BOOST_TEST(r->tag.empty());
  BOOST_TEST(r->digest == d);
  BOOST_TEST(r->Reference() == d);
  auto both = mg::ParseImageReference("localhost/x/y:1.0@" + d);
  BOOST_REQUIRE(both.ok());
  BOOST_TEST(both->registry == "localhost");
  BOOST_TEST(both->tag == "1.0");
  BOOST_TEST(both->Reference() == d);
  BOOST_TEST(both->ToString() == "localhost/x/y:1.0@" + d);
}

BOOST_AUTO_TEST_CASE(docker_hub_defaults) {
  auto r = mg::ParseImageReference("outlinewiki/outline-base");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->registry == "docker.io");
  BOOST_TEST(r->repository == "outlinewiki/outline-base");
  BOOST_TEST(r->Reference() == "latest");
  auto single = mg::ParseImageReference("alpine:3.20");
  BOOST_REQUIRE(single.ok());
  BOOST_TEST(single->repository == "library/alpine");
  BOOST_TEST(single->tag == "3.20");
}

BOOST_AUTO_TEST_CASE(rejects_invalid_references) {
  for (const char* bad : {"", "reg.example/Team/App:1", "reg.example/app:-bad", "reg.example/app@sha256:abc",
                          "reg.example/app@md5:" "0123456789abcdef0123456789abcdef", "reg.example/a//b",
                          "reg.example/a_-b", "reg.example/app:" "t:t", "bad host/app", "reg.example/.app",
                          "reg.example:/app"}) {
    auto r = mg::ParseImageReference(bad);
    BOOST_CHECK_MESSAGE(!r.ok(), std::string("accepted: ") + bad);
    if (!r.ok()) BOOST_CHECK(r.status().code() == mg::Status::Code::kInvalidArgument);
  }
  auto r = mg::ParseImageReference("reg.example/Team/App:1");
  BOOST_TEST(r.status().message().find("reg.example/Team/App:1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(repository_name_grammar) {
  for (const char* ok : {"a", "a/b", "a.b/c_d/e__f/g-h/i---j", "0x/9"}) BOOST_TEST(mg::IsValidRepositoryName(ok));
  for (const char* bad : {"", "A", "a/", "/a", "a..b", "a___b", "a-", "_a", "a b", "a/B"}) {
    BOOST_TEST(!mg::IsValidRepositoryName(bad), bad);
  }
  BOOST_TEST(!mg::IsValidRepositoryName(std::string(256, 'a')));
}

BOOST_AUTO_TEST_CASE(tag_and_digest_grammar) {
  BOOST_TEST(mg::IsValidTag("v1.2.3-rc_1"));
  BOOST_TEST(mg::IsValidTag("_x"));
  BOOST_TEST(mg::IsValidTag(std::string(128, 'a')));
  BOOST_TEST(!mg::IsValidTag(std::string(129, 'a')));
  BOOST_TEST(!mg::IsValidTag(".x"));
  BOOST_TEST(!mg::IsValidTag("a/b"));
  BOOST_TEST(mg::IsValidDigest("sha256:" + std::string(64, '0')));
  BOOST_TEST(mg::IsValidDigest("sha512:" + std::string(128, 'f')));
  BOOST_TEST(!mg::IsValidDigest("sha256:" + std::string(64, 'F')));
  BOOST_TEST(!mg::IsValidDigest("sha256:" + std::string(63, '0')));
  BOOST_TEST(!mg::IsValidDigest("sha256:" + std::string(63, '0') + "g"));
}

BOOST_AUTO_TEST_CASE(registry_hosts) {
  for (const char* ok : {"localhost", "reg.example", "reg.example:5000", "127.0.0.1:5000", "[::1]:5000", "[::1]"}) {
    BOOST_TEST(mg::IsValidRegistryHost(ok), ok);
  }
  for (const char* bad : {"", "reg.example:", "-reg.example", "reg..example", "reg example", "reg.example:port",
                          "[::1", "reg.example:123456"}) {
    BOOST_TEST(!mg::IsValidRegistryHost(bad), bad);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
