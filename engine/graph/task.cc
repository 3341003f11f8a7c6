#include "graph/task.h"

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

std::string FormatTaskId(TaskType type, const TaskCoords& c) {
  std::string id = TaskTypeName(type);
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

}  // namespace mg
