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
#include "config/template_dirs.h"  // DefaultTemplateDirs, ListTemplateNames

namespace mg {

enum class TaskScope { kApp, kVersion, kPlatform };
const char* TaskScopeName(TaskScope scope);  // "app", "version", "platform"
// Parses "app" | "version" | "platform".
std::optional<TaskScope> ParseTaskScope(const std::string& name);

// The task types a template may name, in pipeline order: discover probe build merge sbom sign provenance.
const std::vector<std::string>& KnownTaskTypes();
// The scope every node of `type` has: discover per app, build per platform, the rest per version.
// REQUIRES: `type` is one of KnownTaskTypes().
TaskScope ScopeOfTaskType(const std::string& type);

struct TemplateNode {
  std::string name;                // "build"; unique within the template
  std::string type;                // task type: discover|probe|build|merge|sbom|sign|provenance
  TaskScope scope = TaskScope::kVersion;
  std::vector<std::string> after;  // names of nodes in this template
  std::string skip_when;           // "" or "image-complete": unneeded when the probe found the image whole
  SourcePos pos;                   // where [tasks.NAME] starts
  SourcePos after_pos;             // where `after` is written (pos when absent)
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

// Parses and validates a template (docs/templates.md). On any problem returns nullopt and appends
// every problem found to `diags`, sorted by position; `path` is used in positions and, when it ends
// in ".toml", its stem is the template's default name.
std::optional<PipelineTemplate> ParseTemplate(const std::string& text, const std::string& path,
                                              Diagnostics* diags);
std::optional<PipelineTemplate> LoadTemplateFile(const std::string& path, Diagnostics* diags);

// Finds and loads a template by name (or by path: see IsTemplatePath) in `dirs`, typically
// DefaultTemplateDirs(config.engine.graph_path). An unknown name is one diagnostic at
// `referenced_at` listing the known ones.
// Removes every node whose type is in `types` (attestations turned off in [attestations]). A node
// that ran after a removed node now runs after what the removed node ran after, so order holds.
void RemoveNodesOfTypes(PipelineTemplate* tmpl, const std::vector<std::string>& types);

std::optional<PipelineTemplate> FindTemplate(const std::string& name, const std::vector<std::string>& dirs,
                                             Diagnostics* diags, const SourcePos& referenced_at);

}  // namespace mg
