#include "sign/intoto.h"

#include "oci/reference.h"
#include "util/strings.h"

namespace mg {
namespace {

bool IsAlgorithmName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<InTotoSubject> SubjectFromOciDigest(std::string name, std::string_view oci_digest) {
  if (!IsValidDigest(oci_digest)) {
    return Status::InvalidArgument("in-toto subject " + name + ": '" + std::string(oci_digest) +
                                   "' is not a valid OCI digest");
  }
  size_t colon = oci_digest.find(':');
  InTotoSubject subject;
  subject.name = std::move(name);
  subject.digest[std::string(oci_digest.substr(0, colon))] = std::string(oci_digest.substr(colon + 1));
  return subject;
}

Status ValidateDigestSet(const std::map<std::string, std::string>& digest, std::string_view where) {
  const std::string w(where);
  if (digest.empty()) return Status::InvalidArgument(w + ": empty digest set");
  for (const auto& [alg, hex] : digest) {
    if (!IsAlgorithmName(alg)) {
      return Status::InvalidArgument(w + ": digest algorithm '" + alg + "' is not a name of letters, digits, '-' and '_'");
    }
    if (!IsLowerHex(hex)) return Status::InvalidArgument(w + ": digest " + alg + " is not lowercase hex");
    if (alg == "sha256" && hex.size() != 64) return Status::InvalidArgument(w + ": a sha256 digest has 64 hex digits");
    if (alg == "sha512" && hex.size() != 128) return Status::InvalidArgument(w + ": a sha512 digest has 128 hex digits");
  }
  return Status::OK();
}

Status ValidateStatement(const InTotoStatement& statement) {
  auto bad = [](const std::string& why) { return Status::InvalidArgument("in-toto statement: " + why); };
  if (statement.subjects.empty()) return bad("no subject");
  for (size_t i = 0; i < statement.subjects.size(); ++i) {
    Status st = ValidateDigestSet(statement.subjects[i].digest, "subject[" + std::to_string(i) + "]");
    if (!st.ok()) return bad(st.message());
  }
  if (statement.predicate_type.empty()) return bad("empty predicateType");
  if (!statement.predicate.is_object()) return bad("the predicate is not a JSON object");
  return Status::OK();
}

Result<std::string> SerializeStatement(const InTotoStatement& statement) {
  MG_RETURN_IF_ERROR(ValidateStatement(statement));
  return SerializeStatementWithPredicateText(statement.subjects, statement.predicate_type,
                                             CanonicalJson(statement.predicate));
}

Result<std::string> SerializeStatementWithPredicateText(const std::vector<InTotoSubject>& subjects,
                                                        std::string_view predicate_type,
                                                        std::string_view canonical_predicate) {
  InTotoStatement check;  // the predicate checked below, as text
  check.subjects = subjects;
  check.predicate_type = std::string(predicate_type);
  MG_RETURN_IF_ERROR(ValidateStatement(check));
  if (canonical_predicate.size() < 2 || canonical_predicate.front() != '{' || canonical_predicate.back() != '}') {
    return Status::InvalidArgument("in-toto statement: the predicate is not a JSON object");
  }
  // Keys in canonical (byte) order: "_type" < "predicate" < "predicateType" < "subject".
  std::string out;
  out.reserve(canonical_predicate.size() + 128 + 160 * subjects.size());
  CanonicalJsonWriter w(&out);
  w.BeginObject().Key("_type").String(kInTotoStatementV1).Key("predicate").Raw(canonical_predicate);
  w.Key("predicateType").String(predicate_type).Key("subject").BeginArray();
  for (const InTotoSubject& s : subjects) {
    w.BeginObject().Key("digest").BeginObject();
    for (const auto& [alg, hex] : s.digest) w.DynamicKey(alg).String(hex);  // a std::map: sorted
    w.EndObject().Key("name").String(s.name).EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

Result<InTotoStatement> ParseStatement(std::string_view json) {
  auto bad = [](const std::string& why) { return Status::InvalidArgument("in-toto statement: " + why); };
  std::string error;
  Json doc = ParseJson(json, &error);
  if (!error.empty() || !doc.is_object()) return bad("not a JSON object");
  auto type = doc.find("_type");
  if (type == doc.end() || !type->is_string()) return bad("no _type");
  const std::string type_text = type->get<std::string>();
  if (type_text != kInTotoStatementV1 && type_text != kInTotoStatementV01) {
    return bad("unsupported _type '" + type_text + "' (expected " + std::string(kInTotoStatementV1) + ")");
  }
  InTotoStatement statement;
  auto subjects = doc.find("subject");
  if (subjects == doc.end() || !subjects->is_array()) return bad("subject is not an array");
  for (const Json& s : *subjects) {
    if (!s.is_object()) return bad("a subject is not an object");
    InTotoSubject subject;
    if (auto name = s.find("name"); name != s.end()) {
      if (!name->is_string()) return bad("a subject name is not a string");
      subject.name = name->get<std::string>();
    }
    auto digest = s.find("digest");
    if (digest == s.end() || !digest->is_object()) return bad("a subject has no digest object");
    for (const auto& [alg, hex] : digest->items()) {
      if (!hex.is_string()) return bad("a subject digest value is not a string");
      subject.digest[alg] = hex.get<std::string>();
    }
    statement.subjects.push_back(std::move(subject));
  }
  auto predicate_type = doc.find("predicateType");
  if (predicate_type == doc.end() || !predicate_type->is_string()) return bad("no predicateType");
  statement.predicate_type = predicate_type->get<std::string>();
  auto predicate = doc.find("predicate");
  statement.predicate = predicate == doc.end() ? Json::object() : *predicate;
  MG_RETURN_IF_ERROR(ValidateStatement(statement));
  return statement;
}

}  // namespace mg
