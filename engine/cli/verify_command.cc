#include <iostream>
#include <memory>

#include "cli/attest_commands.h"
#include "http/curl_transport.h"
#include "http/http_client.h"
#include "oci/docker_config.h"
#include "oci/media_types.h"
#include "oci/reference.h"
#include "oci/registry_client.h"
#include "sign/cosign_verify.h"
#include "sign/intoto.h"
#include "config/config.h"
#include "sign/keys.h"
#include "sign/signature_verifier.h"
#include "sign/trusted_root.h"
#include "sign/required_attestations.h"

namespace mg {
namespace {

std::string KindOf(const ImageVerification& v) {
  if (IsIndexMediaType(v.media_type)) {
    return "index, " + std::to_string(v.subjects.size() - 1) + " platform(s)";
  }
  return "image manifest";
}

// One line about a verified attestation: its type and what it says.
std::string DescribeAttestation(const AttestationVerification& a) {
  std::string line = a.predicate_type.empty() ? "(no predicate type)" : a.predicate_type;
  if (!a.ok) return line + ": FAILED: " + a.problem;
  line += ": ok";
  const Json& s = a.summary;
  if (a.predicate_type == kSpdxPredicateType && s.contains("packages")) {
    line += ", SPDX SBOM of " + std::to_string(s["packages"].get<int64_t>()) + " package(s)";
  }
  if (a.predicate_type == kSlsaProvenanceV1PredicateType) {
    line += ", SLSA provenance";
    if (s.contains("sources")) {
      for (const Json& src : s["sources"]) {
        line += "; source " + src.value("uri", "") + " at commit " + src.value("commit", "");
      }
    }
    if (!s.value("builder", "").empty()) line += "; builder " + s.value("builder", "");
    if (s.contains("reconstructed")) line += "; RECONSTRUCTED (see the warning below)";
  }
  return line;
}

void PrintReport(const ImageVerification& v, const std::string& signer_line, std::ostream& out) {
  out << "image   " << v.image << (IsValidDigest(v.reference) ? "@" : ":") << v.reference << "\n"
      << "digest  " << v.digest << " (" << KindOf(v) << ")\n"
      << signer_line << "\n";
  int signatures = 0, attestations = 0;
  for (const SubjectVerification& s : v.subjects) {
    const std::string name = !s.platform.empty() ? s.platform : IsIndexMediaType(v.media_type) ? "index" : "image";
    out << "\n" << name << " " << s.digest << "\n";
    if (s.signature_problem.empty()) {
      ++signatures;
      out << "  signature    ok (" << s.valid_signatures << " of " << s.signature_layers << " verify)\n";
    } else {
      out << "  signature    FAILED: " << s.signature_problem << "\n";
    }
    if (s.attestations.empty()) out << "  attestations none\n";
    for (const AttestationVerification& a : s.attestations) {
      attestations += a.ok ? 1 : 0;
      out << "  attestation  " << DescribeAttestation(a) << "\n";
    }
    for (const std::string& note : s.notes) out << "  note         " << note << "\n";
  }
  out << "\n";
  // A reconstructed provenance verifies (it is ours and true) but says less than a build-time one:
  // a warning, not a failure (docs/attestations.md, "What mirrorgraph verify checks").
  for (const std::string& w : v.Warnings()) {
    out << "warning: " << w << "; a `mirrorgraph run` with the state directory that built it replaces it "
        << "(docs/attestations.md, \"Reconstructed provenance\")\n";
  }
  const std::vector<std::string> failures = v.Failures();
  if (failures.empty()) {
    out << "verified: " << signatures << " signature(s) and " << attestations << " attestation(s)\n";
    return;
  }
  out << "FAILED: " << failures.size() << " check(s) failed:\n";
  for (const std::string& f : failures) out << "  " << f << "\n";
}

// The trust material of keyless verification: --trusted-root, else [attestations] trusted_root of
// the config given with -c, else cosign's SIGSTORE_ROOT_FILE + SIGSTORE_REKOR_PUBLIC_KEY.
// InvalidArgument naming the file and what is wrong.
Result<TrustedRoot> ResolveTrustedRoot(const CliOptions& options) {
  if (!options.trusted_root.empty()) return TrustedRoot::LoadFile(options.trusted_root);
  if (options.config_given) {
    Diagnostics diags;
    std::optional<Config> config = LoadConfig(options.config, &diags);
    if (!config) return Status::InvalidArgument(diags.ToString() + "the config " + options.config + " has problems");
    if (!config->attestations.trusted_root.empty()) {
      Result<TrustedRoot> root = TrustedRoot::LoadFile(config->attestations.trusted_root);
      if (!root.ok()) return root.status().WithContext("[attestations] trusted_root of " + options.config);
      return root;
    }
  }
  MG_ASSIGN_OR_RETURN(std::optional<TrustedRoot> env, TrustedRoot::FromCosignEnvironment());
  if (env) return std::move(*env);
  return Status::InvalidArgument(
      "keyless verification needs a trusted root: --trusted-root trusted_root.json, [attestations] trusted_root in "
      "the config given with -c, or SIGSTORE_ROOT_FILE (the CA chain, PEM) and SIGSTORE_REKOR_PUBLIC_KEY (the log's "
      "key, PEM) as for cosign");
}

// The verifier the flags ask for, with the report's "key"/"signer" line.
Result<std::unique_ptr<SignatureVerifier>> MakeVerifier(const CliOptions& options, std::string* line) {
  if (!options.keyless()) {
    MG_ASSIGN_OR_RETURN(PublicKey key, LoadPublicKeyFile(options.key));
    *line = "key     " + key.Fingerprint() + " (" + options.key + ")";
    return std::unique_ptr<SignatureVerifier>(std::make_unique<KeyVerifier>(std::move(key)));
  }
  const bool identity_re = !options.certificate_identity_regexp.empty();
  const bool issuer_re = !options.certificate_oidc_issuer_regexp.empty();
  MG_ASSIGN_OR_RETURN(IdentityPolicy policy,
                      IdentityPolicy::Make(identity_re ? options.certificate_identity_regexp : options.certificate_identity,
                                           identity_re,
                                           issuer_re ? options.certificate_oidc_issuer_regexp : options.certificate_oidc_issuer,
                                           issuer_re));
  MG_ASSIGN_OR_RETURN(TrustedRoot root, ResolveTrustedRoot(options));
  *line = "signer  keyless, " + policy.Describe() + "\ntrust   " + root.source;
  for (const std::string& s : root.skipped) *line += "\nnote    skipped " + s;
  return std::unique_ptr<SignatureVerifier>(KeylessVerifier::Create(std::move(root), std::move(policy)));
}

}  // namespace

int VerifyCommand(const CliOptions& options, const std::atomic<int>* interrupt) {
  auto fail = [](const std::string& message, int code) {
    std::cerr << "mirrorgraph verify: " << message << "\n";
    return code;
  };
  Result<ImageReference> ref = ParseImageReference(options.image);
  if (!ref.ok()) return fail(ref.status().message(), kExitUsage);
  std::string signer_line;
  Result<std::unique_ptr<SignatureVerifier>> verifier = MakeVerifier(options, &signer_line);
  if (!verifier.ok()) return fail(verifier.status().message(), kExitUsage);
  Result<CredentialLookup> creds = ResolveRegistryCredentials(ref->registry, "");
  if (!creds.ok()) return fail(creds.status().message(), kExitUsage);

  CurlTransport transport;
  HttpClient http(transport, HttpClientOptions{});
  RegistryClient client(http, ref->registry, options.plain_http, std::move(creds->credentials), creds->source);
  Result<ImageVerification> v = VerifyCosignImage(client, ref->repository, ref->Reference(), **verifier);
  if (interrupt != nullptr && interrupt->load() != 0) return fail("interrupted", 128 + interrupt->load());
  if (!v.ok()) {
    const Status& s = v.status();
    return fail(s.message(), s.code() == Status::Code::kInvalidArgument ? kExitUsage : kExitCannotVerify);
  }
  // --require (checked by ParseCli): kinds every subject must carry, verified.
  Result<RequiredAttestations> parsed = ParseRequiredAttestations(options.require);
  const RequiredAttestations required = parsed.ok() ? *parsed : RequiredAttestations{};
  const std::vector<std::string> unmet = CheckRequiredAttestations(*v, required);
  if (options.verify_json) {
    Json j = v->ToJson();
    if (required.any()) j.update({{"required", required.ToString()}, {"required_failures", unmet}, {"ok", v->ok() && unmet.empty()}});
    std::cout << PrettyJson(j) << "\n";
  } else {
    PrintReport(*v, signer_line, std::cout);
    if (!unmet.empty()) std::cout << "FAILED: " << unmet.size() << " requirement(s) of --require " << required.ToString() << " not met:\n";
    for (const std::string& line : unmet) std::cout << "  " << line << "\n";
  }
  return v->ok() && unmet.empty() ? kExitOk : kExitTaskFailed;
}

}  // namespace mg
