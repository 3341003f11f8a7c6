#include "sign/slsa_provenance.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "oci/reference.h"
#include "sign/intoto.h"
#include "util/clock.h"
#include "util/strings.h"

namespace mg {
namespace {

// RFC 3986 "scheme:" followed by something.
bool IsAbsoluteUri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= s.size()) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')) return false;
  }
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20) return false;
  }
  return true;
}

Result<Json> DescriptorsJson(std::vector<ResourceDescriptor> list, const std::string& field) {
  for (size_t i = 0; i < list.size(); ++i) {
    const ResourceDescriptor& d = list[i];
    const std::string where = field + "[" + std::to_string(i) + "]";
    if (d.uri.empty() && d.digest.empty()) {
      return Status::InvalidArgument("SLSA provenance: " + where + " has neither uri nor digest");
    }
    if (!d.digest.empty()) {
      Status st = ValidateDigestSet(d.digest, where + (d.uri.empty() ? "" : " (" + d.uri + ")"));
      if (!st.ok()) return Status::InvalidArgument("SLSA provenance: " + st.message());
    }
    if (!d.annotations.is_null() && !d.annotations.is_object()) {
      return Status::InvalidArgument("SLSA provenance: " + where + ".annotations is not an object");
    }
  }
  auto key = [](const ResourceDescriptor& d) { return std::tie(d.uri, d.name, d.digest); };
  std::vector<Json> items;
  std::sort(list.begin(), list.end(), [&](const ResourceDescriptor& a, const ResourceDescriptor& b) {
    if (key(a) != key(b)) return key(a) < key(b);
    // Ties on the identity fields: order by the full rendering so the output stays deterministic.
    return a.download_location + "\n" + a.media_type + "\n" + CanonicalJson(a.annotations) <
           b.download_location + "\n" + b.media_type + "\n" + CanonicalJson(b.annotations);
  });
  Json out = Json::array();
  for (const ResourceDescriptor& d : list) {
    Json j = Json::object();
    if (!d.uri.empty()) j["uri"] = d.uri;
    if (!d.digest.empty()) j["digest"] = d.digest;
    if (!d.name.empty()) j["name"] = d.name;
    if (!d.download_location.empty()) j["downloadLocation"] = d.download_location;
    if (!d.media_type.empty()) j["mediaType"] = d.media_type;
    if (d.annotations.is_object() && !d.annotations.empty()) j["annotations"] = d.annotations;
    if (!out.empty() && out.back() == j) continue;  // exact duplicate
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

Result<Json> BuildSlsaProvenance(const SlsaProvenanceInput& input) {
  auto bad = [](const std::string& why) { return Status::InvalidArgument("SLSA provenance: " + why); };
  if (!IsAbsoluteUri(input.build_type)) return bad("buildType '" + input.build_type + "' is not an absolute URI");
  const std::string builder_id = input.builder_id.empty() ? std::string(kDefaultBuilderId) : input.builder_id;
  if (!IsAbsoluteUri(builder_id)) {
    return bad("runDetails.builder.id '" + builder_id + "' is not an absolute URI (set [attestations] builder_id "
               "to one, e.g. https://ci.example.org/runners/mirror)");
  }
  if (!input.external_parameters.is_object()) return bad("externalParameters is not an object");
  if (!input.internal_parameters.is_null() && !input.internal_parameters.is_object()) {
    return bad("internalParameters is not an object");
  }
  if (input.started_on_millis && input.finished_on_millis && *input.finished_on_millis < *input.started_on_millis) {
    return bad("finishedOn is before startedOn");
  }

  Json build_definition = {{"buildType", input.build_type}, {"externalParameters", input.external_parameters}};
  if (input.internal_parameters.is_object() && !input.internal_parameters.empty()) {
    build_definition["internalParameters"] = input.internal_parameters;
  }
  Result<Json> resolved = DescriptorsJson(input.resolved_dependencies, "resolvedDependencies");
  if (!resolved.ok()) return resolved.status();
  if (!resolved->empty()) build_definition["resolvedDependencies"] = std::move(*resolved);

  Json builder = {{"id", builder_id}};
  if (!input.builder_version.empty()) builder["version"] = input.builder_version;
  Result<Json> builder_deps = DescriptorsJson(input.builder_dependencies, "builderDependencies");
  if (!builder_deps.ok()) return builder_deps.status();
  if (!builder_deps->empty()) builder["builderDependencies"] = std::move(*builder_deps);

  Json run_details = {{"builder", std::move(builder)}};
  Json metadata = Json::object();
  if (!input.invocation_id.empty()) metadata["invocationId"] = input.invocation_id;
  if (input.started_on_millis) metadata["startedOn"] = FormatRfc3339(*input.started_on_millis);
  if (input.finished_on_millis) metadata["finishedOn"] = FormatRfc3339(*input.finished_on_millis);
  if (!metadata.empty()) run_details["metadata"] = std::move(metadata);
  Result<Json> byproducts = DescriptorsJson(input.byproducts, "byproducts");
  if (!byproducts.ok()) return byproducts.status();
  if (!byproducts->empty()) run_details["byproducts"] = std::move(*byproducts);

  return Json{{"buildDefinition", std::move(build_definition)}, {"runDetails", std::move(run_details)}};
}

Result<ResourceDescriptor> GitCommitDependency(std::string_view url, std::string_view ref, std::string_view commit) {
  if (url.empty()) return Status::InvalidArgument("git dependency: empty repository URL");
  if (!IsLowerHex(commit) || (commit.size() != 40 && commit.size() != 64)) {
    return Status::InvalidArgument("git dependency " + std::string(url) + ": commit '" + std::string(commit) +
                                   "' is not 40 or 64 lowercase hex digits");
  }
  ResourceDescriptor d;
  d.uri = (url.substr(0, 4) == "git+" ? "" : "git+") + std::string(url);
  if (!ref.empty()) d.uri += "@" + std::string(ref);
  d.digest["gitCommit"] = std::string(commit);
  return d;
}

Result<ResourceDescriptor> OciDigestDependency(std::string uri, std::string_view oci_digest) {
  if (!IsValidDigest(oci_digest)) {
    return Status::InvalidArgument("dependency " + uri + ": '" + std::string(oci_digest) + "' is not a valid OCI digest");
  }
  size_t colon = oci_digest.find(':');
  ResourceDescriptor d;
  d.uri = std::move(uri);
  d.digest[std::string(oci_digest.substr(0, colon))] = std::string(oci_digest.substr(colon + 1));
  return d;
}

std::optional<ReconstructedProvenance> FindReconstructed(const Json& predicate) {
  if (!predicate.is_object()) return std::nullopt;
  auto def = predicate.find("buildDefinition");
  if (def == predicate.end() || !def->is_object()) return std::nullopt;
  auto internal = def->find("internalParameters");
  if (internal == def->end() || !internal->is_object()) return std::nullopt;
  auto marker = internal->find(std::string(kReconstructedFromField));
  if (marker == internal->end()) return std::nullopt;
  ReconstructedProvenance out;
  if (marker->is_object()) {
    auto why = marker->find("why");
    if (why != marker->end() && why->is_string()) out.why = why->get<std::string>();
  }
  auto unknown = internal->find("unknown");
  if (unknown != internal->end() && unknown->is_array()) {
    for (const Json& u : *unknown) {
      if (u.is_string()) out.unknown.push_back(u.get<std::string>());
    }
  }
  return out;
}

}  // namespace mg
