#include "sign/required_attestations.h"

#include "oci/media_types.h"
#include "sign/intoto.h"
#include "util/strings.h"

namespace mg {
namespace {

constexpr std::string_view kSlsaProvenancePrefix = "https://slsa.dev/provenance/";

std::string Where(const ImageVerification& v, const SubjectVerification& s) {
  const std::string name = !s.platform.empty() ? s.platform : IsIndexMediaType(v.media_type) ? "index" : "image";
  return name + " " + s.digest;
}

// The requirement for one attestation kind on one subject: "" when met, else why not.
std::string CheckKind(const SubjectVerification& s, const char* kind, std::string_view shown_type,
                      bool (*matches)(std::string_view)) {
  const AttestationVerification* failed = nullptr;
  for (const AttestationVerification& a : s.attestations) {
    if (!matches(a.predicate_type)) continue;
    if (a.ok) return "";
    if (failed == nullptr) failed = &a;
  }
  if (failed == nullptr) {
    return "required " + std::string(kind) + " attestation (" + std::string(shown_type) + ") is missing";
  }
  return "required " + std::string(kind) + " attestation does not verify: " +
         (failed->problem.empty() ? "no reason given" : failed->problem);
}

bool IsSbom(std::string_view type) { return type == kSpdxPredicateType; }
bool IsProvenance(std::string_view type) { return StartsWith(type, kSlsaProvenancePrefix); }

}  // namespace

std::string RequiredAttestations::ToString() const {
  std::string out;
  if (signature) out += "signature";
  if (sbom) out += std::string(out.empty() ? "" : ",") + "sbom";
  if (provenance) out += std::string(out.empty() ? "" : ",") + "provenance";
  return out;
}

Result<RequiredAttestations> ParseRequiredAttestations(std::string_view list) {
  static const std::vector<std::string> kKinds = {"signature", "sbom", "provenance"};
  RequiredAttestations out;
  for (const std::string& raw : Split(list, ',')) {
    const std::string word(Trim(raw));
    if (word.empty()) continue;
    if (word == "signature") {
      out.signature = true;
    } else if (word == "sbom") {
      out.sbom = true;
    } else if (word == "provenance") {
      out.provenance = true;
    } else {
      auto hint = DidYouMean(word, kKinds);
      return Status::InvalidArgument("--require: unknown attestation kind '" + word.substr(0, 64) + "'" +
                                     (hint ? "; did you mean '" + *hint + "'?" : "") +
                                     " (the kinds are signature, sbom and provenance)");
    }
  }
  if (!out.any()) {
    return Status::InvalidArgument("--require needs a list of kinds: signature, sbom, provenance (e.g. --require sbom,provenance)");
  }
  return out;
}

std::vector<std::string> CheckRequiredAttestations(const ImageVerification& v, const RequiredAttestations& required) {
  std::vector<std::string> out;
  for (const SubjectVerification& s : v.subjects) {
    const std::string where = Where(v, s);
    if (required.signature && (!s.signature_problem.empty() || s.valid_signatures <= 0)) {
      out.push_back(where + ": required signature does not verify: " +
                    (s.signature_problem.empty() ? "no signature verifies" : s.signature_problem));
    }
    if (required.sbom) {
      if (std::string why = CheckKind(s, "sbom", kSpdxPredicateType, &IsSbom); !why.empty()) out.push_back(where + ": " + why);
    }
    if (required.provenance) {
      if (std::string why = CheckKind(s, "provenance", kSlsaProvenanceV1PredicateType, &IsProvenance); !why.empty()) {
        out.push_back(where + ": " + why);
      }
    }
  }
  if (v.subjects.empty() && required.any()) out.push_back(v.image + "@" + v.digest + ": nothing was verified");
  return out;
}

}  // namespace mg
