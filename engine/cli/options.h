// Command-line parsing (Boost.Program_options) for every `mirrorgraph` command.
#pragma once

#include <string>

namespace mg {

// Exit codes (docs/cli.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitTaskFailed = 1,   // a task failed or was blocked
  kExitUsage = 2,        // bad command line or config; nothing ran
  kExitStateBusy = 3,    // the state directory is locked by another run, or unusable
  kExitCannotVerify = 4, // verify: the image could not be read (not found, registry unreachable, denied)
  // ci: 1 means --check found the file stale or missing; 3 the file could not be written.
  kExitInterrupted = 130,  // SIGINT; interrupted by SIGTERM: 143, by SIGHUP: 129 (128 + the signal)
};

struct CliOptions {
  std::string command;            // run | plan | graph | explain | status | plugins | keygen | verify | ci | prune | version | help
  std::string config = "mirror.toml";
  std::string state_dir;          // empty: engine.state_dir, else .mirrorgraph beside the config
  int jobs = 0;                   // 0: engine.jobs, else CPUs + 2
  std::string only;
  std::string unit;               // run --unit ID: one build leg (and the discover/probe it needs)
  std::string shard;              // run/plan --shard I/N, as written; parsed into shard_index/shard_count
  int shard_index = 0;            // 1-based I; 0: no --shard
  int shard_count = 0;
  std::string matrix_file;        // plan --matrix FILE: the units as a CI matrix (docs/ci.md); ci gitlab --child reads it
  bool offline = false;
  bool fail_fast = false;
  std::string json_file;
  int verbose = 0;
  bool dot = false;               // graph --dot (the default)
  bool graph_json = false;        // graph --json
  std::string task;               // explain TASK
  std::string plugin_file;        // plugins --path FILE
  std::string output_key_prefix = "cosign";  // keygen --output-key-prefix PREFIX
  std::string image;              // verify IMAGE[:TAG|@DIGEST]
  std::string key;                // verify --key cosign.pub
  // verify, keyless (docs/cli.md): exactly one of identity / identity_regexp, one of issuer /
  // issuer_regexp; never with --key.
  std::string certificate_identity;            // --certificate-identity X
  std::string certificate_identity_regexp;     // --certificate-identity-regexp RE
  std::string certificate_oidc_issuer;         // --certificate-oidc-issuer Y
  std::string certificate_oidc_issuer_regexp;  // --certificate-oidc-issuer-regexp RE
  std::string trusted_root;       // verify --trusted-root trusted_root.json
  bool config_given = false;      // -c/--config was on the command line (verify reads it only then)
  bool keyless() const {
    return !certificate_identity.empty() || !certificate_identity_regexp.empty() ||
           !certificate_oidc_issuer.empty() || !certificate_oidc_issuer_regexp.empty();
  }
  bool plain_http = false;        // verify --plain-http
  bool verify_json = false;       // verify --json (a flag there, not a file)
  std::string require;            // verify --require sbom,provenance,signature (sign/required_attestations.h)
  std::string ci_target;          // ci github|gitlab
  std::string output;             // ci --output FILE ("-": stdout); empty: the target's default path
  bool check = false;             // ci --check: compare with the file instead of writing it
  bool child = false;             // ci gitlab --child: the child pipeline of --matrix FILE
  bool apply = false;             // prune --apply: delete (else a dry run)
  std::string metrics_file;       // run --metrics FILE: the run's metrics (docs/metrics.md)
  std::string notify_url;         // run --notify URL: POST a JSON summary of a notable run
};

// Parses argv. Returns kExitOk and fills `out`, or prints the problem (or the help/version text)
// to stderr/stdout and returns the exit code to use (kExitUsage for errors; -1 for help/version
// printed successfully, meaning "exit 0 now").
int ParseCli(int argc, char** argv, CliOptions* out);

}  // namespace mg
