#include "sign/simple_signing.h"

#include "http/base64.h"
#include "oci/reference.h"

namespace mg {

std::string SimpleSigningPayload(const std::string& docker_reference, const std::string& manifest_digest,
                                 const Json& optional) {
  Json doc = {
      {"critical",
       {{"identity", {{"docker-reference", docker_reference}}},
        {"image", {{"docker-manifest-digest", manifest_digest}}},
        {"type", std::string(kSimpleSigningType)}}},
      {"optional", optional.is_object() && !optional.empty() ? optional : Json(nullptr)},
  };
  return CanonicalJson(doc);
}

Json CosignSignatureAnnotations(const SignatureMaterial& material) {
  Json out = {{std::string(kCosignSignatureAnnotation), Base64Encode(material.signature)}};
  if (!material.certificate_pem.empty()) out[std::string(kCosignCertificateAnnotation)] = material.certificate_pem;
  if (!material.chain_pem.empty()) out[std::string(kCosignChainAnnotation)] = material.chain_pem;
  if (!material.rekor_bundle_json.empty()) out[std::string(kCosignBundleAnnotation)] = material.rekor_bundle_json;
  if (!material.sigstore_bundle_json.empty()) out[std::string(kSigstoreBundleAnnotation)] = material.sigstore_bundle_json;
  return out;
}

Result<SimpleSigningClaims> ParseSimpleSigningPayload(std::string_view payload) {
  auto bad = [](const std::string& why) {
    return Status::InvalidArgument("simple signing payload: " + why);
  };
  std::string error;
  Json doc = ParseJson(payload, &error);
  if (!error.empty() || !doc.is_object()) return bad("not a JSON object");
  auto critical = doc.find("critical");
  if (critical == doc.end() || !critical->is_object()) return bad("no \"critical\" object");
  for (const auto& [key, value] : critical->items()) {
    if (key != "identity" && key != "image" && key != "type") return bad("unknown critical field \"" + key + "\"");
  }
  auto type = critical->find("type");
  if (type == critical->end() || !type->is_string() || type->get<std::string>() != kSimpleSigningType) {
    return bad("critical.type is not \"" + std::string(kSimpleSigningType) + "\"");
  }
  auto image = critical->find("image");
  if (image == critical->end() || !image->is_object()) return bad("no critical.image object");
  auto digest = image->find("docker-manifest-digest");
  if (digest == image->end() || !digest->is_string() || !IsValidDigest(digest->get<std::string>())) {
    return bad("critical.image.docker-manifest-digest is missing or not a valid digest");
  }
  auto identity = critical->find("identity");
  if (identity == critical->end() || !identity->is_object()) return bad("no critical.identity object");
  auto reference = identity->find("docker-reference");
  if (reference == identity->end() || !reference->is_string()) {
    return bad("critical.identity.docker-reference is missing or not a string");
  }
  SimpleSigningClaims claims;
  claims.docker_reference = reference->get<std::string>();
  claims.manifest_digest = digest->get<std::string>();
  auto optional = doc.find("optional");
  if (optional != doc.end()) {
    if (!optional->is_null() && !optional->is_object()) return bad("\"optional\" is neither null nor an object");
    claims.optional = *optional;
  }
  return claims;
}

}  // namespace mg
