#include "ci/gitlab_pipeline.h"

#include "ci/install_script.h"
#include "ci/yaml.h"

namespace mg {
namespace {

constexpr const char* kGitlabInstallPrefix = "$CI_PROJECT_DIR/.mirrorgraph-install";
constexpr const char* kInstallDir = ".mirrorgraph-install/";
// [ci] runner's built-in default is a GitHub label that GitLab runners do not carry: with it, the
// jobs it would tag take any runner instead (docs/ci.md, "Runners").
constexpr const char* kDefaultRunner = "ubuntu-24.04";

bool Tagged(const Config& c, const std::string& runner) {
  return !(c.ci.runner == kDefaultRunner && runner == kDefaultRunner);
}

// A variable value GitLab does not expand: '$' doubled (GitLab reads "$$" as one literal '$').
std::string Unexpanded(const std::string& s) {
  std::string out;
  for (char ch : s) {
    out += ch;
    if (ch == '$') out += '$';
  }
  return out;
}

bool StateDirCacheable(const PipelineContext& ctx) { return !ctx.state_dir.empty() && ctx.state_dir[0] != '/'; }

// The hidden job every mirrorgraph job extends: image, install, never interrupted.
void BaseJob(YamlText& y, const PipelineContext& ctx) {
  const Config& c = *ctx.config;
  y.Comment(0, "What every mirrorgraph job shares. Registry credentials come from the CI/CD variables\n"
               "MIRRORGRAPH_REGISTRY_USERNAME and MIRRORGRAPH_REGISTRY_PASSWORD (masked)" +
                   std::string(PublishSigning(c) == SigningMode::kKey ? ", the signing key's\npassphrase from COSIGN_PASSWORD" : "") +
                   "; mirrorgraph reads them from the environment.");
  y.Key(0, ".mirrorgraph");
  y.Pair(2, "image", c.ci.gitlab_image);
  y.Raw(2, "interruptible", "false");
  y.Key(2, "variables");
  y.Raw(4, "GIT_DEPTH", "\"1\"");
  y.Key(2, "before_script");
  if (!c.ci.install.empty()) {
    y.LiteralItem(4, c.ci.install);
  } else {
    y.LiteralItem(4, DefaultInstallScript(kGitlabInstallPrefix) + "export PATH=\"$prefix/bin:$PATH\"\n");
  }
  y.Line(0, "");
}

// A job's caches: the installed build (default install only) and the state directory, keyed by
// `name` (no '/'); `policy` "pull" for jobs that write no state.
void Caches(YamlText& y, const PipelineContext& ctx, const std::string& name, const std::string& policy) {
  const Config& c = *ctx.config;
  const bool install = c.ci.install.empty();
  const bool state = StateDirCacheable(ctx);
  if (!install && !state) return;
  y.Key(2, "cache");
  if (install) {
    y.Line(4, "- key: mirrorgraph-install-" + name + "-$MIRRORGRAPH_SOURCE_SHA256");
    y.Key(6, "paths");
    y.Item(8, kInstallDir);
  }
  if (state) {
    y.Line(4, "- key: mirrorgraph-state-" + name);
    y.Key(6, "paths");
    y.Item(8, ctx.state_dir + "/");
    y.Raw(6, "policy", policy);
    if (name != "publish") {
      y.Key(6, "fallback_keys");
      y.Item(8, "mirrorgraph-state-publish");
    }
  }
}

void Tags(YamlText& y, const Config& c, const std::string& runner) {
  if (!Tagged(c, runner)) return;
  y.Key(2, "tags");
  y.Item(4, runner);
}

}  // namespace

std::string GitLabPipeline(const PipelineContext& ctx) {
  const Config& c = *ctx.config;
  const std::string cfg = " -c " + ctx.config_path;
  YamlText y;
  y.Comment(0, GeneratedHeader(ctx, "mirrorgraph ci gitlab") + "\n\nInclude it from .gitlab-ci.yml:\n  include:\n" +
                   "    - local: " + (ctx.output.empty() ? std::string(kGitLabPipelinePath) : ctx.output) + "\nand create a pipeline schedule (CI/CD > Schedules) with the cron " +
                   c.ci.schedule + "\n(UTC), from [ci] schedule. Jobs use the default stages build and deploy.");
  if (std::string warning = RemoteCacheWarning(c); !warning.empty()) {
    y.Line(0, "");
    y.Comment(0, "WARNING: " + warning);
  }
  y.Line(0, "");
  y.Comment(0, "Scheduled and manual (Run pipeline) pipelines only.");
  y.Key(0, ".mirrorgraph-rules");
  y.Key(2, "rules");
  y.Line(4, "- if: $CI_PIPELINE_SOURCE == \"schedule\"");
  y.Line(4, "- if: $CI_PIPELINE_SOURCE == \"web\"");
  y.Line(0, "");
  BaseJob(y, ctx);

  y.Comment(0, "Checks the upstreams and the registry, writes the build legs as matrix.json and the child\n"
               "pipeline that runs them.");
  y.Key(0, "mirrorgraph-plan");
  y.Line(2, "extends: [.mirrorgraph, .mirrorgraph-rules]");
  y.Raw(2, "stage", "build");
  Tags(y, c, c.ci.runner);
  Caches(y, ctx, "main", "pull");
  y.Key(2, "script");
  y.Item(4, "mirrorgraph plan" + cfg + " --matrix matrix.json");
  y.Item(4, "mirrorgraph ci gitlab" + cfg + " --child --matrix matrix.json --output " + kGitLabChildPath);
  y.Key(2, "artifacts");
  y.Key(4, "paths");
  y.Item(6, "matrix.json");
  y.Item(6, kGitLabChildPath);
  y.Raw(4, "expire_in", "1 week");
  y.Line(0, "");

  y.Comment(0, "One job per build leg, in a child pipeline; this job fails when a leg fails, but publish\n"
               "still runs (allow_failure) and merges what is complete. One at a time across pipelines.");
  y.Key(0, "mirrorgraph-build");
  y.Raw(2, "extends", ".mirrorgraph-rules");
  y.Raw(2, "stage", "build");
  y.Line(2, "needs: [mirrorgraph-plan]");
  y.Key(2, "trigger");
  y.Key(4, "include");
  y.Line(6, std::string("- artifact: ") + kGitLabChildPath);
  y.Raw(8, "job", "mirrorgraph-plan");
  y.Raw(4, "strategy", "depend");
  y.Raw(2, "resource_group", "mirrorgraph");
  y.Raw(2, "allow_failure", "true");
  y.Line(0, "");

  y.Comment(0, "Merges, signs and attests what the legs built (and retries a leg that failed there).");
  y.Key(0, "mirrorgraph-publish");
  y.Line(2, "extends: [.mirrorgraph, .mirrorgraph-rules]");
  y.Raw(2, "stage", "deploy");
  y.Line(2, "needs: [mirrorgraph-plan, mirrorgraph-build]");
  y.Raw(2, "resource_group", "mirrorgraph");
  Tags(y, c, c.ci.runner);
  Caches(y, ctx, "publish", "pull-push");
  if (PublishSigning(c) == SigningMode::kKeyless) {
    y.Comment(2, "Keyless signing: GitLab's OIDC token for Sigstore, read from SIGSTORE_ID_TOKEN.");
    y.Key(2, "id_tokens");
    y.Key(4, "SIGSTORE_ID_TOKEN");
    y.Raw(6, "aud", "sigstore");
  }
  y.Key(2, "script");
  y.Item(4, "mirrorgraph run" + cfg);
  return y.str();
}

std::string GitLabChildPipeline(const PipelineContext& ctx, const std::vector<MatrixUnit>& units) {
  const Config& c = *ctx.config;
  const std::string cfg = " -c " + ctx.config_path;
  YamlText y;
  y.Comment(0, GeneratedHeader(ctx, "mirrorgraph ci gitlab --child") +
                   "\nThe child pipeline of one run: " + std::to_string(units.size()) + " build leg(s).");
  y.Line(0, "");
  BaseJob(y, ctx);
  if (units.empty()) {
    y.Comment(0, "A pipeline needs a job: the plan found no build leg to run.");
    y.Key(0, "mirrorgraph-nothing-to-build");
    y.Raw(2, "stage", "build");
    y.Pair(2, "image", c.ci.gitlab_image);
    Tags(y, c, c.ci.runner);
    y.Key(2, "script");
    y.Item(4, "echo 'mirrorgraph: the plan has no build leg to run'");
    return y.str();
  }
  // Untagged legs first (any runner), then tagged ones; each group split into jobs of at most
  // kGitLabMatrixLimit legs, named mirrorgraph-unit, mirrorgraph-unit-2, ...
  std::vector<const MatrixUnit*> untagged, tagged;
  for (const auto& u : units) (Tagged(c, u.runner) ? tagged : untagged).push_back(&u);
  int job = 0;
  for (const auto* group : {&untagged, &tagged}) {
    for (size_t start = 0; start < group->size(); start += kGitLabMatrixLimit) {
      ++job;
      y.Key(0, job == 1 ? std::string("mirrorgraph-unit") : "mirrorgraph-unit-" + std::to_string(job));
      y.Raw(2, "extends", ".mirrorgraph");
      y.Raw(2, "stage", "build");
      if (group == &tagged) y.Line(2, "tags: [$MG_RUNNER]");
      y.Key(2, "parallel");
      y.Key(4, "matrix");
      for (size_t i = start; i < group->size() && i < start + kGitLabMatrixLimit; ++i) {
        const MatrixUnit& u = *(*group)[i];
        y.Line(6, "- MG_UNIT: " + YamlScalar(Unexpanded(u.unit)));
        y.Pair(8, "MG_RUNNER", Unexpanded(u.runner));
        y.Pair(8, "MG_CACHE_NAME", "build-" + PlatformSlug(Unexpanded(u.platform)));
      }
      Caches(y, ctx, "$MG_CACHE_NAME", "pull-push");
      y.Key(2, "script");
      y.Comment(4, "The unit id comes from upstream tags: a variable, quoted, never pasted into the script.");
      y.Item(4, "mirrorgraph run" + cfg + " --unit \"$MG_UNIT\"");
      y.Line(0, "");
    }
  }
  return y.str();
}

}  // namespace mg
