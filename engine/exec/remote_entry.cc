#include "exec/remote_entry.h"

#include "exec/task_key.h"

namespace mg {
namespace {

std::string ShortHex(std::string_view hex) { return std::string(hex.substr(0, 12)) + "…"; }

}  // namespace

std::string EncodeRemoteEntry(std::string_view key, std::string_view id, const Json& entry) {
  return CanonicalJson(Json{{"entry", entry},
                            {"format", kRemoteEntryFormat},
                            {"id", std::string(id)},
                            {"key", std::string(key)}});
}

Status CheckEntryKey(const Json& entry, std::string_view key) {
  if (!entry.is_object()) return Status::Corruption("damaged: the entry is not a JSON object");
  if (FindField(entry, "result") == nullptr) return Status::Corruption("damaged: the entry has no result");
  Json material = Json::object();
  for (const char* field : {"v", "type", "params", "identity", "inputs"}) {
    const Json* v = FindField(entry, field);
    if (v == nullptr) return Status::Corruption(std::string("damaged: the entry's key material has no \"") + field + "\"");
    material[field] = *v;
  }
  const std::string actual = TaskKey(material);
  if (actual != key) {
    return Status::Corruption("key mismatch: its key material hashes to " + ShortHex(actual) + ", not " + ShortHex(key));
  }
  return Status::OK();
}

Result<Json> DecodeRemoteEntry(std::string_view text, std::string_view key, std::string_view id) {
  std::string error;
  Json doc = ParseJson(text, &error);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::Corruption("damaged: the entry document is not a JSON object" + (error.empty() ? "" : " (" + error + ")"));
  }
  std::optional<int64_t> format = IntField(doc, "format");
  if (!format) return Status::Corruption("damaged: the entry document has no integer \"format\"");
  if (*format != kRemoteEntryFormat) {
    return Status::NotImplemented("other format version " + std::to_string(*format) + " (this engine reads " +
                                  std::to_string(kRemoteEntryFormat) + ")");
  }
  const std::string stored_key = StringField(doc, "key");
  if (stored_key != key) {
    return Status::Corruption("key mismatch: the document is stored for key " +
                              (stored_key.empty() ? std::string("(none)") : ShortHex(stored_key)));
  }
  const std::string stored_id = StringField(doc, "id");
  if (stored_id != id) {
    return Status::Corruption("task id mismatch: the entry is for " + (stored_id.empty() ? std::string("(none)") : stored_id) +
                              ", not " + std::string(id));
  }
  const Json* entry = FindField(doc, "entry");
  if (entry == nullptr) return Status::Corruption("damaged: the entry document has no \"entry\"");
  MG_RETURN_IF_ERROR(CheckEntryKey(*entry, key));
  return *entry;
}

}  // namespace mg
