#include "ci/github_workflow.h"

#include "ci/install_script.h"
#include "ci/yaml.h"

namespace mg {
namespace {

// Pinned by major version tag (docs/ci.md says how to pin by commit instead).
constexpr const char* kCheckout = "actions/checkout@v4";
constexpr const char* kCache = "actions/cache@v4";
constexpr const char* kCacheRestore = "actions/cache/restore@v4";
constexpr const char* kGithubInstallPrefix = "~/.mirrorgraph-install";

// `s` as a string literal of a GitHub expression: single-quoted, quotes doubled.
std::string ExpressionString(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("''") : std::string(1, ch);
  return out + "'";
}

bool IsGhcr(const Config& c) { return c.registry.host == "ghcr.io"; }


bool AnyEmulation(const Config& c) {
  for (const auto& app : c.apps) {
    if (app.enabled && app.emulation) return true;
  }
  return false;
}

// Job-level permissions. `push`: the job writes to the registry; `oidc`: it signs keyless and asks
// GitHub for an OIDC token (audience sigstore) to trade for a Fulcio certificate.
void Permissions(YamlText& y, const Config& c, bool push, bool oidc = false) {
  y.Key(4, "permissions");
  y.Raw(6, "contents", "read");
  if (IsGhcr(c)) y.Raw(6, "packages", push ? "write" : "read");
  if (oidc) {
    y.Comment(6, "Keyless signing: the job's OIDC token becomes a short-lived Fulcio certificate.");
    y.Raw(6, "id-token", "write");
  }
}

// The environment every mirrorgraph step gets: registry credentials and the forge token.
void ToolEnv(YamlText& y, int indent, const Config& c, bool key_passphrase) {
  y.Key(indent, "env");
  if (IsGhcr(c)) {
    y.Raw(indent + 2, "MIRRORGRAPH_REGISTRY_USERNAME", "${{ github.actor }}");
    y.Raw(indent + 2, "MIRRORGRAPH_REGISTRY_PASSWORD", "${{ secrets.GITHUB_TOKEN }}");
  } else {
    y.Raw(indent + 2, "MIRRORGRAPH_REGISTRY_USERNAME", "${{ secrets.MIRRORGRAPH_REGISTRY_USERNAME }}");
    y.Raw(indent + 2, "MIRRORGRAPH_REGISTRY_PASSWORD", "${{ secrets.MIRRORGRAPH_REGISTRY_PASSWORD }}");
  }
  y.Comment(indent + 2, "GitHub API requests (discover) count against this token's higher rate limit.");
  y.Raw(indent + 2, "GITHUB_TOKEN", "${{ github.token }}");
  if (key_passphrase) y.Raw(indent + 2, "COSIGN_PASSWORD", "${{ secrets.COSIGN_PASSWORD }}");
}

void Checkout(YamlText& y) {
  y.Line(6, "- uses: " + std::string(kCheckout));
  y.Key(8, "with");
  y.Raw(10, "persist-credentials", "false");
}

void Install(YamlText& y, const Config& c) {
  if (!c.ci.install.empty()) {
    y.Line(6, "- name: Install mirrorgraph ([ci] install)");
    y.Literal(8, "run", c.ci.install);
    return;
  }
  y.Line(6, "- name: Restore the mirrorgraph build");
  y.Raw(8, "uses", kCache);
  y.Key(8, "with");
  y.Raw(10, "path", kGithubInstallPrefix);
  y.Raw(10, "key", "mirrorgraph-install-${{ runner.os }}-${{ runner.arch }}-${{ vars.MIRRORGRAPH_SOURCE_SHA256 }}");
  y.Line(6, "- name: Install mirrorgraph");
  y.Key(8, "env");
  y.Raw(10, "MIRRORGRAPH_SOURCE_URL", "${{ vars.MIRRORGRAPH_SOURCE_URL }}");
  y.Raw(10, "MIRRORGRAPH_SOURCE_SHA256", "${{ vars.MIRRORGRAPH_SOURCE_SHA256 }}");
  y.Literal(8, "run", DefaultInstallScript("$HOME/.mirrorgraph-install") +
                          "echo \"$prefix/bin\" >> \"$GITHUB_PATH\"\n");
}

// The state directory as an extra cache tier: restored from the newest entry of this job kind
// (and platform), saved under a key unique to this run and leg.
// `per_leg`: one key per matrix leg (legs of one run save separately). Restores the newest entry of
// the same kind, else the newest the publish job saved (the most complete state).
void StateCache(YamlText& y, const PipelineContext& ctx, const std::string& kind, bool save, bool per_leg) {
  y.Line(6, std::string("- name: ") + (save ? "Restore and save" : "Restore") + " the state directory");
  y.Raw(8, "uses", save ? kCache : kCacheRestore);
  y.Key(8, "with");
  y.Pair(10, "path", ctx.state_dir);
  y.Raw(10, "key", "mirrorgraph-state-" + kind + "-${{ github.run_id }}-${{ github.run_attempt }}" +
                       (per_leg ? "-${{ strategy.job-index }}" : ""));
  y.Raw(10, "restore-keys", "|");
  y.Line(12, "mirrorgraph-state-" + kind + "-");
  if (kind != "publish") y.Line(12, "mirrorgraph-state-publish-");
}

}  // namespace

std::string GitHubWorkflow(const PipelineContext& ctx) {
  const Config& c = *ctx.config;
  const std::string mg = "mirrorgraph";
  const std::string cfg = " -c " + ctx.config_path;
  YamlText y;
  y.Comment(0, GeneratedHeader(ctx, "mirrorgraph ci github"));
  if (std::string warning = RemoteCacheWarning(c); !warning.empty()) {
    y.Line(0, "");
    y.Comment(0, "WARNING: " + warning);
  }
  y.Line(0, "");
  y.Pair(0, "name", "mirrorgraph");
  y.Line(0, "");
  y.Key(0, "on");
  y.Key(2, "schedule");
  y.Line(4, "- cron: " + YamlDoubleQuoted(c.ci.schedule));
  y.Raw(2, "workflow_dispatch", "{}");
  y.Line(0, "");
  y.Comment(0, "Every job states what it needs; nothing else is granted.");
  y.Raw(0, "permissions", "{}");
  y.Line(0, "");
  y.Comment(0, "One run at a time, never cancelled halfway: a newer run waits, so two never push at once.");
  y.Key(0, "concurrency");
  y.Raw(2, "group", "mirrorgraph-${{ github.repository }}");
  y.Raw(2, "cancel-in-progress", "false");
  y.Line(0, "");
  y.Key(0, "jobs");

  // plan
  y.Key(2, "plan");
  y.Pair(4, "runs-on", c.ci.runner);
  Permissions(y, c, /*push=*/false);
  y.Key(4, "outputs");
  y.Raw(6, "matrix", "${{ steps.plan.outputs.matrix }}");
  y.Raw(6, "units", "${{ steps.plan.outputs.units }}");
  y.Key(4, "steps");
  Checkout(y);
  Install(y, c);
  StateCache(y, ctx, "plan", /*save=*/false, /*per_leg=*/false);
  y.Line(6, "- name: Plan");
  y.Raw(8, "id", "plan");
  ToolEnv(y, 8, c, /*sign=*/false);
  y.Literal(8, "run",
            mg + " plan" + cfg + " --matrix matrix.json\n"
            "{\n"
            "  echo \"matrix=$(jq -c . matrix.json)\"\n"
            "  echo \"units=$(jq '.include | length' matrix.json)\"\n"
            "} >> \"$GITHUB_OUTPUT\"\n");
  y.Line(0, "");

  // build
  y.Key(2, "build");
  y.Raw(4, "needs", "plan");
  y.Raw(4, "if", "needs.plan.outputs.units != '0'");
  y.Raw(4, "name", "${{ matrix.unit }}");
  y.Raw(4, "runs-on", "${{ matrix.runner }}");
  Permissions(y, c, /*push=*/true);
  y.Key(4, "strategy");
  y.Raw(6, "fail-fast", "false");
  y.Raw(6, "matrix", "${{ fromJSON(needs.plan.outputs.matrix) }}");
  y.Key(4, "steps");
  Checkout(y);
  Install(y, c);
  if (AnyEmulation(c)) {
    y.Line(6, "- name: QEMU for a platform built under emulation (no native runner in [runners])");
    y.Raw(8, "if", YamlDoubleQuoted("${{ matrix.platform != 'linux/amd64' && matrix.runner == " + ExpressionString(c.ci.runner) + " }}"));
    y.Literal(8, "run", "sudo apt-get update -q\nsudo apt-get install -y -q --no-install-recommends qemu-user-static\n");
  }
  StateCache(y, ctx, "build-${{ matrix.platform }}", /*save=*/true, /*per_leg=*/true);
  y.Line(6, "- name: Build");
  ToolEnv(y, 8, c, /*sign=*/false);
  y.Comment(10, "The unit id comes from upstream tags: passed as data, never pasted into the script.");
  y.Raw(10, "MG_UNIT", "${{ matrix.unit }}");
  y.Literal(8, "run", mg + " run" + cfg + " --unit \"$MG_UNIT\"\n");
  y.Line(0, "");

  // publish
  y.Key(2, "publish");
  y.Line(4, "needs: [plan, build]");
  y.Comment(4, "After every leg, even failed ones, so what is done gets merged; not after a cancel.");
  y.Raw(4, "if", "${{ !cancelled() && needs.plan.result == 'success' }}");
  y.Pair(4, "runs-on", c.ci.runner);
  const SigningMode signing = PublishSigning(c);
  Permissions(y, c, /*push=*/true, /*oidc=*/signing == SigningMode::kKeyless);
  y.Key(4, "steps");
  Checkout(y);
  Install(y, c);
  StateCache(y, ctx, "publish", /*save=*/true, /*per_leg=*/false);
  y.Line(6, "- name: Merge, sign and attest");
  ToolEnv(y, 8, c, signing == SigningMode::kKey);
  y.Literal(8, "run", mg + " run" + cfg + "\n");
  return y.str();
}

}  // namespace mg
