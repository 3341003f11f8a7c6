#include "graph/task.h"

#include <cctype>

#include <array>

namespace mg {
namespace {
constexpr std::array<const char*, kTaskTypeCount> kNames = {"discover", "probe",  "build",     "merge",
                                                            "sbom",     "sign",   "provenance"};
}  // namespace

const char* TaskTypeName(TaskType type) { return kNames[static_cast<size_t>(type)]; }

std::optional<TaskType> ParseTaskType(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (name == kNames[i]) return static_cast<TaskType>(i);
  }
  return std::nullopt;
}

bool IsObservation(TaskType type) { return type == TaskType::kDiscover || type == TaskType::kProbe; }

bool KeyIgnoresInputs(TaskType type) {
  return type == TaskType::kSign || type == TaskType::kSbom || type == TaskType::kProvenance;
}

bool ReadsRecordedResults(TaskType type) { return type == TaskType::kProvenance; }

bool RechecksCachedResult(TaskType type) {
  return type == TaskType::kBuild || type == TaskType::kMerge || type == TaskType::kSign ||
         type == TaskType::kSbom || type == TaskType::kProvenance;
}

std::string TaskFileStem(const std::string& id) {
  // A prefix-free code: kept characters, '_' and '+' stand alone, and '%' always starts a
  // three-character escape, so the stem decodes back to exactly one id.
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(id.size() + 8);
  for (char c : id) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '.' || c == '-' || c == '@') {
      out += c;
    } else if (c == '/') {
      out += '_';
    } else if (c == ':') {
      out += '+';
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

std::string TaskAttemptDirName(const std::string& task_id, long pid) {
  return TaskFileStem(task_id) + "." + std::to_string(pid);
}

std::string FormatTaskId(TaskType type, const TaskCoords& c) {
  const std::string_view type_name = TaskTypeName(type);
  std::string id;
  id.reserve(type_name.size() + c.app.size() + c.image.size() + c.version.size() + c.platform.size() + 4);
  id += type_name;
  id += ':';
  id += c.app;
  if (!c.image.empty() && c.image != c.app) {
    id += '/';
    id += c.image;
  }
  if (!c.version.empty()) {
    id += '@';
    id += c.version;
  }
  if (!c.platform.empty()) {
    id += '/';
    id += c.platform;
  }
  return id;
}

Json Task::Params() const {
  Json j = ParseJson(params_text);
  if (j.is_discarded()) return Json();
  return j;  // moved: a conditional expression would copy the parsed tree
}

Json Task::Identity() const {
  Json j = ParseJson(IdentityText());
  if (j.is_discarded()) return Json();
  return j;
}

void Task::SetParams(const Json& params) { params_text = CanonicalJson(params); }

void Task::SetIdentity(const Json& identity) {
  identity_text = std::make_shared<const std::string>(CanonicalJson(identity));
}

}  // namespace mg
