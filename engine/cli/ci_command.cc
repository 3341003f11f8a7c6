// `mirrorgraph ci github|gitlab` (docs/ci.md, docs/cli.md): writes, prints or checks the generated
// CI pipeline. Needs the config only: no plugin, no network, no state directory.
#include <filesystem>
#include <iostream>

#include "ci/github_workflow.h"
#include "ci/gitlab_pipeline.h"
#include "ci/pipeline_context.h"
#include "cli/commands.h"
#include "util/atomic_file.h"
#include "util/quote_value.h"

namespace mg {
namespace {

namespace fs = std::filesystem;

// The command line that writes `output` again (the one the header and --check print).
std::string Regenerate(const CliOptions& o, const std::string& config_path, const std::string& default_output) {
  std::string cmd = "mirrorgraph ci " + o.ci_target + " -c " + config_path;
  if (o.child) cmd += " --child --matrix " + o.matrix_file;
  if (!o.output.empty() && o.output != "-" && o.output != default_output) cmd += " --output " + o.output;
  return cmd;
}

}  // namespace

int CiCommand(const CliOptions& o) {
  Diagnostics diags;
  auto config = LoadConfig(o.config, &diags);
  if (!config) {
    std::cerr << diags.ToString() << "mirrorgraph: " << diags.size()
              << " problem(s) in the config; no pipeline was written\n";
    return kExitUsage;
  }
  std::error_code ec;
  const std::string cwd = fs::current_path(ec).string();
  if (ec) {
    std::cerr << "mirrorgraph: cannot read the current directory: " << ec.message() << "\n";
    return kExitUsage;
  }
  const std::string default_output = o.child ? kGitLabChildPath
                                     : o.ci_target == "github" ? kGitHubWorkflowPath
                                                               : kGitLabPipelinePath;
  const std::string output = o.output.empty() ? default_output : o.output;
  // The config path in the regenerate command is the repository-relative one the jobs use.
  auto probe = MakePipelineContext(*config, o.config, cwd, "");
  if (!probe.ok()) {
    std::cerr << "mirrorgraph: " << probe.status().message() << "\n";
    return kExitUsage;
  }
  PipelineContext ctx = std::move(probe.value());
  ctx.regenerate = Regenerate(o, ctx.config_path, default_output);
  ctx.output = output == "-" ? default_output : output;

  std::string text;
  if (o.ci_target == "github") {
    text = GitHubWorkflow(ctx);
  } else if (!o.child) {
    text = GitLabPipeline(ctx);
    if (config->ci.runner == "ubuntu-24.04" && !o.check) {
      std::cerr << "mirrorgraph: note: [ci] runner is GitHub's default label \"ubuntu-24.04\", so the GitLab jobs "
                   "take any runner; set [ci] runner and [runners] to your GitLab runners' tags to choose "
                   "(docs/ci.md, \"Runners\")\n";
    }
  } else {
    auto matrix_text = ReadFile(o.matrix_file);
    if (!matrix_text.ok()) {
      std::cerr << "mirrorgraph: cannot read the matrix: " << matrix_text.status().message()
                << " (write it with `mirrorgraph plan --matrix " << o.matrix_file << "`)\n";
      return kExitUsage;
    }
    auto units = ParseMatrix(matrix_text.value(), o.matrix_file);
    if (!units.ok()) {
      std::cerr << "mirrorgraph: " << units.status().message() << "\n";
      return kExitUsage;
    }
    text = GitLabChildPipeline(ctx, units.value());
  }

  if (std::string warning = RemoteCacheWarning(*config); !warning.empty() && !o.check && !o.child) {
    std::string one_line = warning;
    for (char& ch : one_line) ch = ch == '\n' ? ' ' : ch;
    std::cerr << "mirrorgraph: warning: " << one_line << "\n";
  }
  if (output == "-") {
    std::cout << text << std::flush;
    return kExitOk;
  }
  if (o.check) {
    auto on_disk = ReadFile(output);
    if (!on_disk.ok() && !fs::exists(output)) {
      std::cerr << "mirrorgraph: " << output << " does not exist; write it with:\n  " << ctx.regenerate << "\n";
      return kExitTaskFailed;
    }
    if (!on_disk.ok()) {
      std::cerr << "mirrorgraph: cannot read " << output << ": " << on_disk.status().message() << "\n";
      return kExitTaskFailed;
    }
    if (on_disk.value() != text) {
      std::cerr << "mirrorgraph: " << output
                << " is stale: it differs from what this config and this mirrorgraph generate; regenerate it "
                   "with:\n  "
                << ctx.regenerate << "\n";
      return kExitTaskFailed;
    }
    std::cerr << "mirrorgraph: " << output << " is up to date\n";
    return kExitOk;
  }
  const fs::path parent = fs::path(output).parent_path();
  if (!parent.empty()) {
    if (Status mk = MakeDirs(parent.string()); !mk.ok()) {
      std::cerr << "mirrorgraph: cannot write " << output << ": " << mk.message() << "\n";
      return kExitStateBusy;
    }
  }
  if (Status w = WriteFileAtomic(output, text); !w.ok()) {
    std::cerr << "mirrorgraph: cannot write " << output << ": " << w.message() << "\n";
    return kExitStateBusy;
  }
  std::cerr << "mirrorgraph: wrote " << output << "\n";
  return kExitOk;
}

}  // namespace mg
