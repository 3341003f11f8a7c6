#include "sign/fulcio_client.h"

#include "http/base64.h"
#include "http/url.h"
#include "sign/signer.h"
#include "util/json.h"
#include "util/quote_value.h"

namespace mg {
Result<FulcioCertificate> RequestSigningCertificate(HttpClient& http, const std::string& fulcio_url,
                                                    const IdentityToken& token, KeySigner& key) {
  std::string base = fulcio_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string what = "requesting a signing certificate from Fulcio at " + RedactUrl(base) + " for " +
                           token.Principal() + " (issuer " + token.issuer + ")";
  Result<std::string> proof = key.Sign(token.Principal());
  if (!proof.ok()) return proof.status().WithContext(what);
  const Json body = {{"credentials", {{"oidcIdentityToken", token.raw}}},
                     {"publicKeyRequest",
                      {{"publicKey", {{"algorithm", "ECDSA"}, {"content", key.public_key().Pem()}}},
                       {"proofOfPossession", Base64Encode(*proof)}}}};
  HttpRequest request;
  request.method = "POST";
  request.url = base + "/api/v2/signingCert";
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  request.body = CanonicalJson(body);
  request.timeout = std::chrono::seconds(60);
  request.max_body_bytes = size_t{1} << 20;
  // The body carries the identity token: a 307/308 would post it again to wherever it points.
  request.follow_redirects = false;
  Result<HttpResponse> response = http.Send(request);
  if (!response.ok()) return response.status().WithContext(what);
  const int status = response->status;
  // Fulcio may quote what it refused: the token never leaves in a message.
  auto quote = [&token](std::string_view text) { return QuoteResponseBody(text, token.raw); };
  if (status >= 500 || status == 429) {
    return Status::Unavailable(what + ": it answered " + std::to_string(status) + ": " + quote(response->body));
  }
  if (status >= 300 && status < 400) {
    const std::optional<std::string> location = response->Header("location");
    return Status::FailedPrecondition(what + ": it answered " + std::to_string(status) + " (a redirect" +
                                      (location ? " to " + QuoteValue(RedactUrl(*location)) : "") +
                                      "), not followed because the request carries the identity token; "
                                      "set [attestations] fulcio_url to the address that serves "
                                      "/api/v2/signingCert itself");
  }
  const std::string message = StringField(ParseJson(response->body), "message", response->body);
  if (status == 401 || status == 403) {
    return Status::PermissionDenied(what + ": it refused the identity token (" + std::to_string(status) +
                                    "): " + quote(message));
  }
  if (status != 200 && status != 201) {
    return Status::InvalidArgument(what + ": it answered " + std::to_string(status) + ": " + quote(message));
  }
  Json answer = ParseJson(response->body);
  const Json* signed_cert = FindField(answer, "signedCertificateEmbeddedSct");
  if (signed_cert == nullptr) signed_cert = FindField(answer, "signedCertificateDetachedSct");
  const Json* certificates = signed_cert == nullptr ? nullptr : FindField(ObjectField(*signed_cert, "chain"), "certificates");
  if (certificates == nullptr || !certificates->is_array() || certificates->empty()) {
    return Status::Corruption(what + ": the answer holds no certificate chain: " + quote(response->body));
  }
  FulcioCertificate cert;
  for (size_t i = 0; i < certificates->size(); ++i) {
    const Json& pem = (*certificates)[i];
    if (!pem.is_string() || pem.get<std::string>().find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      return Status::Corruption(what + ": certificate " + std::to_string(i) + " of the answer is not a PEM certificate");
    }
    std::string text = pem.get<std::string>();
    if (text.back() != '\n') text += '\n';
    (i == 0 ? cert.leaf_pem : cert.chain_pem) += text;
  }
  return cert;
}

}  // namespace mg
