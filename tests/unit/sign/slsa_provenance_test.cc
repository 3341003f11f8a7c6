// SLSA provenance v1 predicates: shape, determinism, defaults, validation.
#include "sign/slsa_provenance.h"

#include <boost/test/unit_test.hpp>

#include "util/json.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";
const std::string kBase = "sha256:" + std::string(64, 'c');

mg::ResourceDescriptor Descriptor(std::string uri, std::map<std::string, std::string> digest, std::string name = "") {
  mg::ResourceDescriptor d;
  d.uri = std::move(uri);
  d.digest = std::move(digest);
  d.name = std::move(name);
  return d;
}

mg::SlsaProvenanceInput Example() {
  mg::SlsaProvenanceInput in;
  in.external_parameters = {{"app", "hello"},
                            {"version", "1.2.0"},
                            {"platforms", {"linux/amd64", "linux/arm64"}},
                            {"source", {{"repository", "https://git.example.org/hello.git"}, {"tag", "v1.2.0"}}}};
  in.internal_parameters = {{"builder", {{"backend", "buildah"}, {"version", "1.28.2"}}}};
  in.resolved_dependencies.push_back(mg::OciDigestDependency("oci://docker.io/library/debian:12", kBase).value());
  in.resolved_dependencies.push_back(
      mg::GitCommitDependency("https://git.example.org/hello.git", "refs/tags/v1.2.0", kCommit).value());
  in.builder_version = {{"mirrorgraph", "0.1.0"}};
  in.invocation_id = "run-42";
  in.started_on_millis = 1714979289123;   // 2024-05-06T07:08:09.123Z
  in.finished_on_millis = 1714979349000;  // 2024-05-06T07:09:09.000Z
  return in;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(slsa_provenance_test)

BOOST_AUTO_TEST_CASE(builds_the_v1_shape_with_sorted_dependencies) {
  mg::Result<mg::Json> p = mg::BuildSlsaProvenance(Example());
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  const std::string expected =
      R"({"buildDefinition":{"buildType":"https://mirrorgraph.invalid/buildtypes/container@v1",)"
      R"("externalParameters":{"app":"hello","platforms":["linux/amd64","linux/arm64"],)"
      R"("source":{"repository":"https://git.example.org/hello.git","tag":"v1.2.0"},"version":"1.2.0"},)"
      R"("internalParameters":{"builder":{"backend":"buildah","version":"1.28.2"}},)"
      R"("resolvedDependencies":[)"
      R"({"digest":{"gitCommit":")" + kCommit + R"("},"uri":"git+https://git.example.org/hello.git@refs/tags/v1.2.0"},)"
      R"({"digest":{"sha256":")" + std::string(64, 'c') + R"("},"uri":"oci://docker.io/library/debian:12"}]},)"
      R"("runDetails":{"builder":{"id":"https://mirrorgraph.invalid/builder@v1","version":{"mirrorgraph":"0.1.0"}},)"
      R"("metadata":{"finishedOn":"2024-05-06T07:09:09.000Z","invocationId":"run-42",)"
      R"("startedOn":"2024-05-06T07:08:09.123Z"}}})";
  BOOST_CHECK_EQUAL(mg::CanonicalJson(*p), expected);
}

BOOST_AUTO_TEST_CASE(same_input_in_another_order_gives_the_same_bytes) {
  mg::SlsaProvenanceInput a = Example();
  mg::SlsaProvenanceInput b = Example();
  std::swap(b.resolved_dependencies[0], b.resolved_dependencies[1]);
  b.resolved_dependencies.push_back(b.resolved_dependencies[0]);  // an exact duplicate is dropped
  BOOST_CHECK_EQUAL(mg::CanonicalJson(mg::BuildSlsaProvenance(a).value()),
                    mg::CanonicalJson(mg::BuildSlsaProvenance(b).value()));
}

BOOST_AUTO_TEST_CASE(minimal_input_omits_empty_optional_fields) {
  mg::SlsaProvenanceInput in;
  in.builder_id = "https://ci.example.org/runners/mirror";
  mg::Result<mg::Json> p = mg::BuildSlsaProvenance(in);
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  BOOST_CHECK_EQUAL(mg::CanonicalJson(*p),
                    R"({"buildDefinition":{"buildType":"https://mirrorgraph.invalid/buildtypes/container@v1",)"
                    R"("externalParameters":{}},"runDetails":{"builder":{"id":"https://ci.example.org/runners/mirror"}}})");
}

BOOST_AUTO_TEST_CASE(descriptor_fields_and_byproducts) {
  mg::SlsaProvenanceInput in;
  mg::ResourceDescriptor d;
  d.uri = "https://downloads.example.org/app-1.2.0.tar.gz";
  d.digest = {{"sha256", std::string(64, 'd')}};
  d.name = "app.tar.gz";
  d.download_location = "https://mirror.example.org/app-1.2.0.tar.gz";
  d.media_type = "application/gzip";
  d.annotations = {{"build-arg", "APP_TARBALL"}};
  in.resolved_dependencies.push_back(d);
  in.byproducts.push_back(Descriptor("", {{"sha256", std::string(64, 'e')}}, "build-log"));
  mg::Result<mg::Json> p = mg::BuildSlsaProvenance(in);
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  const mg::Json& dep = (*p)["buildDefinition"]["resolvedDependencies"][0];
  BOOST_CHECK_EQUAL(dep["uri"], d.uri);
  BOOST_CHECK_EQUAL(dep["name"], "app.tar.gz");
  BOOST_CHECK_EQUAL(dep["downloadLocation"], d.download_location);
  BOOST_CHECK_EQUAL(dep["mediaType"], "application/gzip");
  BOOST_CHECK_EQUAL(dep["annotations"]["build-arg"], "APP_TARBALL");
  BOOST_CHECK_EQUAL((*p)["runDetails"]["byproducts"][0]["name"], "build-log");
}

BOOST_AUTO_TEST_CASE(invalid_inputs_are_refused_naming_the_field) {
  auto check = [](const mg::SlsaProvenanceInput& in, const std::string& says) {
    mg::Result<mg::Json> p = mg::BuildSlsaProvenance(in);
    BOOST_REQUIRE(!p.ok());
    BOOST_CHECK(p.status().code() == mg::Status::Code::kInvalidArgument);
    BOOST_CHECK_MESSAGE(p.status().message().find(says) != std::string::npos, p.status().message());
  };
  mg::SlsaProvenanceInput in = Example();
  in.build_type = "container";
  check(in, "buildType 'container' is not an absolute URI");
  in = Example();
  in.builder_id = "my builder";
  check(in, "builder_id");
  in = Example();
  in.external_parameters = mg::Json::array();
  check(in, "externalParameters");
  in = Example();
  in.internal_parameters = "x";
  check(in, "internalParameters");
  in = Example();
  in.resolved_dependencies.push_back(Descriptor("", {}, "nothing"));
  check(in, "neither uri nor digest");
  in = Example();
  in.resolved_dependencies.push_back(Descriptor("x:y", {{"sha256", "abc"}}));
  check(in, "64 hex digits");
  in = Example();
  in.finished_on_millis = *in.started_on_millis - 1;
  check(in, "finishedOn is before startedOn");

  BOOST_CHECK(!mg::GitCommitDependency("https://h/r.git", "v1", "abc").ok());
  BOOST_CHECK(!mg::GitCommitDependency("", "v1", kCommit).ok());
  BOOST_CHECK_EQUAL(mg::GitCommitDependency("git+ssh://h/r.git", "", kCommit)->uri, "git+ssh://h/r.git");
  BOOST_CHECK(!mg::OciDigestDependency("oci://x", "sha256:1").ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
