#include "cli/options.h"

#include <boost/program_options.hpp>
#include <iostream>
#include <vector>

#include "exec/selection.h"
#include "sign/required_attestations.h"
#include "util/file_bytes.h"
#include "util/quote_value.h"
#include "util/strings.h"

namespace po = boost::program_options;

namespace mg {

// A state file that shrank under a run stops it with the "state directory unusable" code.
static_assert(FileBytes::kShrunkExitCode == kExitStateBusy);
namespace {

const char* kUsage =
    "usage: mirrorgraph <command> [options]\n"
    "\n"
    "commands:\n"
    "  run              do everything that is missing, in parallel, resumable\n"
    "  plan             what would run and why (checks upstreams and the registry; changes nothing)\n"
    "  graph [--dot|--json]  the task graph as far as it is known (no network)\n"
    "  explain TASK     why a task would run or is up to date\n"
    "  status           what the last run did\n"
    "  plugins [--path FILE]  the plugins found (or one plugin file) with their versions\n"
  "  keygen [--output-key-prefix PREFIX]  write a cosign-compatible key pair PREFIX.key, PREFIX.pub\n"
  "  verify IMAGE[:TAG|@DIGEST] --key cosign.pub [--plain-http] [--json] [--require KINDS]\n"
  "  verify IMAGE[:TAG|@DIGEST] --certificate-identity[-regexp] X --certificate-oidc-issuer[-regexp] Y\n"
  "         [--trusted-root FILE] [--plain-http] [--json] [--require KINDS]\n"
  "                   check the signatures and attestations of an image and its platforms\n"
    "  ci github|gitlab [--output FILE] [--check]\n"
    "                   write the CI pipeline that runs this config (docs/ci.md)\n"
    "  prune [--apply] [--json FILE]\n"
    "                   list (with --apply: delete) the tags of versions that left the window, beyond\n"
    "                   [prune] keep, with their signatures and attestations\n"
    "  version          the engine version\n"
    "\n";

const std::vector<std::string> kCommands = {"run",     "plan",   "graph",  "explain", "status",
                                            "plugins", "keygen", "verify", "ci",      "prune",   "version", "help"};
const std::vector<std::string> kCiTargets = {"github", "gitlab"};

// verify: --key, or keyless flags (one identity form and one issuer form), never both.
int CheckVerifySigner(const po::variables_map& vm, const CliOptions& o) {
  auto usage = [](const std::string& message) {
    std::cerr << "mirrorgraph: " << message << "\n";
    return kExitUsage;
  };
  const bool identity = vm.count("certificate-identity") != 0, identity_re = vm.count("certificate-identity-regexp") != 0;
  const bool issuer = vm.count("certificate-oidc-issuer") != 0, issuer_re = vm.count("certificate-oidc-issuer-regexp") != 0;
  const bool keyless = identity || identity_re || issuer || issuer_re;
  if (vm.count("key") && keyless) {
    return usage("verify takes --key (a key pair's signatures) or --certificate-identity/--certificate-oidc-issuer "
                 "(keyless signatures), not both");
  }
  if (vm.count("key") && vm.count("trusted-root")) {
    return usage("--trusted-root is for keyless verification (--certificate-identity ...); --key needs none");
  }
  if (!keyless) {
    if (!o.key.empty()) return kExitOk;
    return usage(vm.count("key") ? "--key must name a public key file"
                                 : "verify needs --key cosign.pub (the public key of the pair that signed), or, for "
                                   "keyless signatures, --certificate-identity[-regexp] X and "
                                   "--certificate-oidc-issuer[-regexp] Y");
  }
  if (identity && identity_re) return usage("give --certificate-identity or --certificate-identity-regexp, not both");
  if (issuer && issuer_re) return usage("give --certificate-oidc-issuer or --certificate-oidc-issuer-regexp, not both");
  if (!identity && !identity_re) {
    return usage("keyless verification needs the signer's identity: --certificate-identity X or "
                 "--certificate-identity-regexp RE");
  }
  if (!issuer && !issuer_re) {
    return usage("keyless verification needs the identity's issuer: --certificate-oidc-issuer URL or "
                 "--certificate-oidc-issuer-regexp RE");
  }
  for (const char* flag : {"certificate-identity", "certificate-identity-regexp", "certificate-oidc-issuer",
                           "certificate-oidc-issuer-regexp", "trusted-root"}) {
    if (vm.count(flag) && vm[flag].as<std::string>().empty()) return usage(std::string("--") + flag + " must not be empty");
  }
  return kExitOk;
}

}  // namespace

int ParseCli(int argc, char** argv, CliOptions* out) {
  po::options_description opts("options");
  opts.add_options()
      ("help,h", "show this help")
      ("version", "print the version")
      ("config,c", po::value<std::string>(&out->config)->default_value("mirror.toml"), "the config file")
      ("state-dir", po::value<std::string>(&out->state_dir), "state directory (default: .mirrorgraph beside the config)")
      ("jobs,j", po::value<int>(&out->jobs), "tasks running at once (default: CPUs + 2)")
      ("only", po::value<std::string>(&out->only), "restrict to matching apps/versions/platforms (glob: app, app@1.2.*, *@1.2.0/linux/arm64)")
      ("unit", po::value<std::string>(&out->unit), "run: exactly this build leg (an id from `plan --matrix`) and the discover/probe it needs")
      ("shard", po::value<std::string>(&out->shard), "run/plan: only share I of N of the versions (I/N, e.g. 2/3; docs/ci.md)")
      ("matrix", po::value<std::string>(&out->matrix_file), "plan: write the units to build as a CI matrix (JSON) to FILE; ci gitlab --child: read it")
      ("offline", po::bool_switch(&out->offline), "trust cached discover/probe results instead of re-checking")
      ("fail-fast", po::bool_switch(&out->fail_fast), "stop starting tasks after the first failure")
      ("json", po::value<std::string>(&out->json_file), "run/plan: write a JSON report to FILE; graph: print JSON")
      ("metrics", po::value<std::string>(&out->metrics_file), "run: write metrics for node_exporter's textfile collector to FILE (docs/metrics.md)")
      ("notify", po::value<std::string>(&out->notify_url), "run: POST a JSON summary of a run that built, failed or was blocked to URL")
      ("dot", po::bool_switch(&out->dot), "graph: print Graphviz DOT (default)")
      ("path", po::value<std::string>(&out->plugin_file), "plugins: load this plugin file")
      ("output-key-prefix", po::value<std::string>(&out->output_key_prefix)->default_value("cosign"),
       "keygen: write PREFIX.key and PREFIX.pub")
      ("key", po::value<std::string>(&out->key), "verify: the public key (cosign.pub)")
      ("certificate-identity", po::value<std::string>(&out->certificate_identity),
       "verify (keyless): the signing certificate's identity (email or URI), exactly")
      ("certificate-identity-regexp", po::value<std::string>(&out->certificate_identity_regexp),
       "verify (keyless): a regular expression the whole identity must match")
      ("certificate-oidc-issuer", po::value<std::string>(&out->certificate_oidc_issuer),
       "verify (keyless): the OIDC issuer of the identity, exactly")
      ("certificate-oidc-issuer-regexp", po::value<std::string>(&out->certificate_oidc_issuer_regexp),
       "verify (keyless): a regular expression the whole issuer must match")
      ("trusted-root", po::value<std::string>(&out->trusted_root),
       "verify (keyless): a Sigstore trusted_root.json (default: [attestations] trusted_root of -c, else "
       "SIGSTORE_ROOT_FILE + SIGSTORE_REKOR_PUBLIC_KEY)")
      ("plain-http", po::bool_switch(&out->plain_http), "verify: talk to the registry over http://")
      ("require", po::value<std::string>(&out->require), "verify: fail unless every subject has these, verified (sbom,provenance,signature)")
      ("output", po::value<std::string>(&out->output), "ci: write to FILE ('-': stdout; default: the CI's own path)")
      ("check", po::bool_switch(&out->check), "ci: exit 1 when the file differs from what would be written")
      ("child", po::bool_switch(&out->child), "ci gitlab: the child pipeline of --matrix FILE")
      ("apply", po::bool_switch(&out->apply), "prune: delete (without it prune only lists what it would delete)")
      ("verbose,v", po::value<int>(&out->verbose)->implicit_value(1)->zero_tokens(), "print every task, cached ones too");
  po::options_description hidden;
  hidden.add_options()("args", po::value<std::vector<std::string>>(), "command and arguments");
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("args", -1);
  po::variables_map vm;
  try {
    // "graph --json" takes no value: accept it as a flag when it is the last word or followed by an option.
    // "verify --json" is always a flag (verify writes no report file).
    std::vector<std::string> args(argv + 1, argv + argc);
    bool is_graph = !args.empty() && args[0] == "graph";
    bool is_verify = !args.empty() && args[0] == "verify";
    for (size_t i = 0; i < args.size(); ++i) {
      if (is_verify && args[i] == "--json") {
        out->verify_json = true;
        args.erase(args.begin() + static_cast<long>(i));
        --i;
      } else if (is_graph && args[i] == "--json" && (i + 1 == args.size() || StartsWith(args[i + 1], "-"))) {
        out->graph_json = true;
        args.erase(args.begin() + static_cast<long>(i));
        --i;
      }
    }
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
    out->config_given = vm.count("config") != 0 && !vm["config"].defaulted();
  } catch (const po::error& e) {
    std::cerr << "mirrorgraph: " << e.what() << "\n(run `mirrorgraph --help` for usage)\n";
    return kExitUsage;
  }
  if (vm.count("help")) {
    std::cout << kUsage << opts << "\nexit codes: 0 all good, 1 a task failed or was blocked (verify: a check "
                                   "failed; ci --check: the file is stale; prune: a deletion failed or an app could not be pruned), 2 usage or config error, 3 state directory busy "
                                   "(ci: the file could not be written), 4 verify could not read the image, 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP\n";
    return -1;
  }
  if (vm.count("version")) {
    std::cout << "mirrorgraph " << MIRRORGRAPH_VERSION << "\n";
    return -1;
  }
  std::vector<std::string> args;
  if (vm.count("args")) args = vm["args"].as<std::vector<std::string>>();
  if (args.empty()) {
    std::cerr << kUsage << "mirrorgraph: no command given\n";
    return kExitUsage;
  }
  out->command = args[0];
  if (out->command == "help") {
    std::cout << kUsage << opts;
    return -1;
  }
  if (out->command == "version") {
    std::cout << "mirrorgraph " << MIRRORGRAPH_VERSION << "\n";
    return -1;
  }
  bool known = false;
  for (const auto& c : kCommands) known = known || c == out->command;
  if (!known) {
    auto hint = DidYouMean(out->command, kCommands);
    std::cerr << "mirrorgraph: unknown command '" << out->command << "'"
              << (hint ? "; did you mean '" + *hint + "'?" : "") << "\n(run `mirrorgraph --help` for usage)\n";
    return kExitUsage;
  }
  if (out->command == "explain") {
    if (args.size() != 2) {
      std::cerr << "mirrorgraph: explain takes exactly one task id, e.g. `mirrorgraph explain "
                   "build:hello@1.2.0/linux/amd64` (see `mirrorgraph graph`)\n";
      return kExitUsage;
    }
    out->task = args[1];
  } else if (out->command == "verify") {
    if (args.size() != 2) {
      std::cerr << "mirrorgraph: verify takes exactly one image, e.g. `mirrorgraph verify "
                   "ghcr.io/team/mirror/hello:1.2.0 --key cosign.pub`\n";
      return kExitUsage;
    }
    out->image = args[1];
    if (int code = CheckVerifySigner(vm, *out); code != kExitOk) return code;
    if (auto required = ParseRequiredAttestations(out->require); vm.count("require") && !required.ok()) {
      std::cerr << "mirrorgraph: " << required.status().message() << "\n";
      return kExitUsage;
    }
  } else if (out->command == "ci") {
    if (args.size() != 2) {
      std::cerr << "mirrorgraph: ci takes exactly one target, github or gitlab, e.g. `mirrorgraph ci github` "
                   "(docs/ci.md)\n";
      return kExitUsage;
    }
    out->ci_target = args[1];
    if (out->ci_target != "github" && out->ci_target != "gitlab") {
      auto hint = DidYouMean(out->ci_target, kCiTargets);
      std::cerr << "mirrorgraph: unknown ci target '" << out->ci_target << "'"
                << (hint ? "; did you mean '" + *hint + "'?" : "") << " (the targets are github and gitlab)\n";
      return kExitUsage;
    }
    if (out->child != !out->matrix_file.empty() || (out->child && out->ci_target != "gitlab")) {
      std::cerr << "mirrorgraph: --child and --matrix FILE go together, with ci gitlab only: `mirrorgraph ci gitlab "
                   "--child --matrix matrix.json --output child.yml`\n";
      return kExitUsage;
    }
    if (vm.count("output") && out->output.empty()) {
      std::cerr << "mirrorgraph: --output must not be empty ('-' for stdout)\n";
      return kExitUsage;
    }
    if (out->check && out->output == "-") {
      std::cerr << "mirrorgraph: --check compares with a file: it cannot be used with --output -\n";
      return kExitUsage;
    }
  } else if (args.size() > 1) {
    std::cerr << "mirrorgraph: unexpected argument '" << args[1] << "' for " << out->command << "\n";
    return kExitUsage;
  }
  if (out->command == "keygen" && out->output_key_prefix.empty()) {
    std::cerr << "mirrorgraph: --output-key-prefix must not be empty\n";
    return kExitUsage;
  }
  if (out->command != "verify") {
    for (const char* o : {"certificate-identity", "certificate-identity-regexp", "certificate-oidc-issuer",
                          "certificate-oidc-issuer-regexp", "trusted-root", "require"}) {
      if (vm.count(o)) {
        std::cerr << "mirrorgraph: --" << o << " is an option of verify\n";
        return kExitUsage;
      }
    }
  }
  if (!out->unit.empty() && out->command != "run") {
    std::cerr << "mirrorgraph: --unit is an option of run (`mirrorgraph run --unit ID`)\n";
    return kExitUsage;
  }
  if (vm.count("shard")) {
    std::string why;
    if (out->command != "run" && out->command != "plan") {
      std::cerr << "mirrorgraph: --shard is an option of run and plan\n";
      return kExitUsage;
    }
    if (!ParseShard(out->shard, &out->shard_index, &out->shard_count, &why)) {
      std::cerr << "mirrorgraph: --shard " << QuoteValue(out->shard) << ": " << why << "\n";
      return kExitUsage;
    }
    if (!out->unit.empty()) {
      std::cerr << "mirrorgraph: --unit and --shard cannot be combined: a unit is already one build leg\n";
      return kExitUsage;
    }
  }
  if (vm.count("matrix") && out->command != "plan" && out->command != "ci") {
    std::cerr << "mirrorgraph: --matrix is an option of plan (`mirrorgraph plan --matrix FILE`) and of "
                 "`mirrorgraph ci gitlab --child`\n";
    return kExitUsage;
  }
  if (vm.count("matrix") && out->matrix_file.empty()) {
    std::cerr << "mirrorgraph: --matrix needs a file name (- for standard output)\n";
    return kExitUsage;
  }
  for (const char* name : {"metrics", "notify"}) {
    if (vm.count(name) && out->command != "run") {
      std::cerr << "mirrorgraph: --" << name << " is an option of run (docs/metrics.md)\n";
      return kExitUsage;
    }
  }
  if (vm.count("metrics") && out->metrics_file.empty()) {
    std::cerr << "mirrorgraph: --metrics needs a file name\n";
    return kExitUsage;
  }
  if (vm.count("notify") && !StartsWith(out->notify_url, "http://") && !StartsWith(out->notify_url, "https://")) {
    std::cerr << "mirrorgraph: --notify needs an http:// or https:// URL\n";
    return kExitUsage;
  }
  if (out->apply && out->command != "prune") {
    std::cerr << "mirrorgraph: --apply is an option of prune (`mirrorgraph prune --apply`)\n";
    return kExitUsage;
  }
  if (vm.count("jobs") && out->jobs < 1) {
    std::cerr << "mirrorgraph: --jobs must be at least 1\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace mg
