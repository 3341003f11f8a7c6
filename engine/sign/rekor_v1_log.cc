// Rekor v1 REST client (sign/transparency_log.h).
#include <algorithm>

#include "http/base64.h"
#include "http/url.h"
#include "sign/transparency_log.h"
#include "util/quote_value.h"
#include "util/sha256.h"

namespace mg {
namespace {

std::string Bounded(std::string_view text) { return QuoteResponseBody(text); }

std::string HexDecode(std::string_view hex, bool* ok) {
  *ok = hex.size() % 2 == 0;
  std::string out;
  for (size_t i = 0; *ok && i + 1 < hex.size(); i += 2) {
    auto nibble = [&](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      *ok = false;
      return 0;
    };
    out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  }
  return out;
}

class RekorV1Log final : public TransparencyLog {
 public:
  RekorV1Log(HttpClient& http, std::string base_url) : http_(http), base_(std::move(base_url)) {
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }

  Result<TlogEntry> AddHashedRekord(std::string_view payload_sha256_hex, std::string_view der_signature,
                                    std::string_view certificate_pem) override {
    return Add(HashedRekordProposal(payload_sha256_hex, der_signature, certificate_pem), "hashedrekord");
  }

  Result<TlogEntry> AddDsse(std::string_view envelope_json, std::string_view certificate_pem) override {
    return Add(DsseProposal(envelope_json, certificate_pem), "dsse");
  }

  std::string Describe() const override { return "Rekor at " + RedactUrl(base_); }

 private:
  Result<TlogEntry> Add(const Json& proposal, const std::string& kind) {
    HttpRequest request;
    request.method = "POST";
    request.url = base_ + "/api/v1/log/entries";
    request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    request.body = CanonicalJson(proposal);
    request.timeout = std::chrono::seconds(60);
    request.max_body_bytes = size_t{4} << 20;
    Result<HttpResponse> response = http_.Send(request);
    const std::string what = "recording a " + kind + " entry in " + Describe();
    if (!response.ok()) return response.status().WithContext(what);
    if (response->status == 409) return Existing(*response, what);
    if (response->status >= 500 || response->status == 429) {
      return Status::Unavailable(what + ": it answered " + std::to_string(response->status) + ": " +
                                 Bounded(response->body));
    }
    if (response->status != 201 && response->status != 200) {
      return Status::InvalidArgument(what + ": it refused the entry (" + std::to_string(response->status) +
                                     "): " + Bounded(StringField(ParseJson(response->body), "message", response->body)));
    }
    Result<TlogEntry> entry = ParseRekorV1Entry(ParseJson(response->body));
    if (!entry.ok()) return entry.status().WithContext(what);
    entry->kind = kind;
    return entry;
  }

  // A 409 names the existing entry in its Location header (or its body's message).
  Result<TlogEntry> Existing(const HttpResponse& conflict, const std::string& what) {
    std::optional<std::string> location = conflict.Header("location");
    if (!location || location->empty()) {
      return Status::Corruption(what + ": it answered 409 (already logged) without naming the entry");
    }
    HttpRequest get;
    get.url = (*location)[0] == '/' ? OriginOf(base_) + *location : *location;
    get.headers = {{"Accept", "application/json"}};
    get.timeout = std::chrono::seconds(60);
    Result<HttpResponse> response = http_.Send(get);
    if (!response.ok()) return response.status().WithContext(what + ": reading the existing entry");
    if (response->status != 200) {
      return Status::Unavailable(what + ": reading the existing entry answered " + std::to_string(response->status));
    }
    Result<TlogEntry> entry = ParseRekorV1Entry(ParseJson(response->body));
    if (!entry.ok()) return entry.status().WithContext(what + ": the existing entry");
    return entry;
  }

  static std::string OriginOf(const std::string& url) {
    const size_t scheme = url.find("://");
    const size_t slash = scheme == std::string::npos ? std::string::npos : url.find('/', scheme + 3);
    return slash == std::string::npos ? url : url.substr(0, slash);
  }

  HttpClient& http_;
  std::string base_;
};

}  // namespace

std::unique_ptr<TransparencyLog> NewRekorV1Log(HttpClient& http, std::string base_url) {
  return std::make_unique<RekorV1Log>(http, std::move(base_url));
}

Json HashedRekordProposal(std::string_view payload_sha256_hex, std::string_view der_signature,
                          std::string_view certificate_pem) {
  return {{"apiVersion", "0.0.1"},
          {"kind", "hashedrekord"},
          {"spec",
           {{"data", {{"hash", {{"algorithm", "sha256"}, {"value", std::string(payload_sha256_hex)}}}}},
            {"signature",
             {{"content", Base64Encode(der_signature)},
              {"publicKey", {{"content", Base64Encode(certificate_pem)}}}}}}}};
}

Json DsseProposal(std::string_view envelope_json, std::string_view certificate_pem) {
  return {{"apiVersion", "0.0.1"},
          {"kind", "dsse"},
          {"spec",
           {{"proposedContent",
             {{"envelope", std::string(envelope_json)}, {"verifiers", Json::array({Base64Encode(certificate_pem)})}}}}}};
}

Result<TlogEntry> ParseRekorV1Entry(const Json& answer) {
  if (!answer.is_object() || answer.size() != 1) {
    return Status::Corruption("the log's answer is not one entry ({\"<uuid>\": {...}})");
  }
  // Not `const auto& [uuid, e] = *answer.items().begin()`: that binds to a temporary proxy that
  // is gone by the next line (it threw json invalid_iterator.214 against a real log).
  const auto first = answer.begin();
  const std::string uuid = first.key();
  const Json& e = first.value();
  if (!e.is_object()) {
    return Status::Corruption("the log's answer is not an entry: the value of \"" + Bounded(uuid) +
                              "\" is not an object with body, integratedTime, logID and logIndex");
  }
  TlogEntry entry;
  entry.uuid = uuid;
  std::optional<std::string> body = Base64Decode(StringField(e, "body"));
  if (!body || body->empty()) return Status::Corruption("the log entry " + Bounded(uuid) + " has no base64 \"body\"");
  entry.body = std::move(*body);
  Json parsed_body = ParseJson(entry.body);
  entry.kind = StringField(parsed_body, "kind");
  entry.version = StringField(parsed_body, "apiVersion");
  std::optional<int64_t> time = IntField(e, "integratedTime");
  std::optional<int64_t> index = IntField(e, "logIndex");
  entry.log_id_hex = StringField(e, "logID");
  if (!time || !index || entry.log_id_hex.empty()) {
    return Status::Corruption("the log entry " + Bounded(uuid) + " lacks integratedTime, logIndex or logID");
  }
  bool hex_ok = false;
  (void)HexDecode(entry.log_id_hex, &hex_ok);
  if (!hex_ok) return Status::Corruption("the log entry " + Bounded(uuid) + " has a logID that is not hex");
  entry.integrated_time = *time;
  entry.log_index = *index;
  const Json& verification = ObjectField(e, "verification");
  if (std::optional<std::string> set = OptStringField(verification, "signedEntryTimestamp")) {
    std::optional<std::string> raw = Base64Decode(*set);
    if (!raw) return Status::Corruption("the log entry " + Bounded(uuid) + " has a signedEntryTimestamp that is not base64");
    entry.signed_entry_timestamp = std::move(*raw);
  }
  if (const Json* proof = FindField(verification, "inclusionProof"); proof != nullptr && proof->is_object()) {
    entry.inclusion_proof = *proof;
  }
  return entry;
}

}  // namespace mg
