// Pipeline templates (graphs/*.toml): the per-app task shape the expander instantiates.
//
// A template names task nodes, each with a task type, a scope (app | version | platform) and the
// nodes it runs after. Instances connect by scope: a version-scoped node after a platform-scoped one
// depends on every platform instance of the same image and version, and so on. LoadTemplate()
// rejects cycles (printing the path), dangling references and unknown keys.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.h"

namespace mg {

enum class TaskScope { kApp, kVersion, kPlatform };
const char* TaskScopeName(TaskScope scope);

struct TemplateNode {
  std::string name;                // "build"; unique within the template
  std::string type;                // task type: discover|probe|build|merge|sbom|sign|provenance
  TaskScope scope = TaskScope::kVersion;
  std::vector<std::string> after;  // names of nodes in this template
  std::string skip_when;           // "" or "image-complete": unneeded when the probe found the image whole
  SourcePos pos;
};

struct PipelineTemplate {
  std::string name;         // "multi-version"
  std::string description;
  std::string path;         // file it came from
  // Which discovered versions get a per-version subgraph: "newest" (the newest max_versions) or
  // "latest" (only the highest release).
  std::string select = "newest";
  std::vector<TemplateNode> nodes;  // in topological order once loaded (ties by file order)

  const TemplateNode* Find(const std::string& name) const;
};

std::optional<PipelineTemplate> ParseTemplate(const std::string& text, const std::string& path,
                                              Diagnostics* diags);
std::optional<PipelineTemplate> LoadTemplateFile(const std::string& path, Diagnostics* diags);

// Directories searched for "<name>.toml", in order: the config's graph_path entries, the source
// tree's graphs/ (when running from a build tree), the install dir.
std::vector<std::string> DefaultTemplateDirs(const std::vector<std::string>& extra);
// Finds and loads a template by name; an unknown name is a diagnostic listing the known ones.
std::optional<PipelineTemplate> FindTemplate(const std::string& name, const std::vector<std::string>& dirs,
                                             Diagnostics* diags, const SourcePos& referenced_at);

}  // namespace mg
