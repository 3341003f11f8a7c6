// `mirrorgraph prune [--apply] [--json FILE]` (docs/cli.md, "prune"): the tags of versions that
// left the window, beyond [prune] keep, with what is attached to them. A plan first (read-only):
// the window of each app is what its discover task finds now; an app whose discover fails is not
// touched. Without --apply nothing is deleted.
#include <iostream>
#include <map>
#include <set>

#include "cli/commands.h"
#include "cli/execute.h"
#include "oci/prune_plan.h"
#include "oci/reference.h"
#include "oci/registry_admin.h"
#include "util/atomic_file.h"
#include "util/json.h"
#include "util/strings.h"

namespace mg {
namespace {

// The manifest a tag names and, for an index, the manifests it lists (digest -> platform).
struct Named {
  std::string digest;
  std::vector<std::string> children;
  std::map<std::string, std::string> platforms;
};

Result<Named> ReadNamed(RegistryClient& registry, const std::string& repo, const std::string& tag) {
  Result<Manifest> m = registry.GetManifest(repo, tag);
  if (!m.ok()) return m.status();
  Named n;
  n.digest = m->digest;
  for (const Json& entry : ArrayField(m->json, "manifests")) {
    const std::string d = StringField(entry, "digest");
    if (d.empty()) continue;
    n.children.push_back(d);
    const Json& p = ObjectField(entry, "platform");
    const std::string os = StringField(p, "os"), arch = StringField(p, "architecture"), variant = StringField(p, "variant");
    if (!os.empty() && !arch.empty()) n.platforms[d] = os + "/" + arch + (variant.empty() ? "" : "/" + variant);
  }
  return n;
}

// The result of one repository: what was decided and done.
struct RepoOutcome {
  Json json;
  size_t tags = 0, manifests = 0, failures = 0;
  bool refused = false;  // the registry refuses deletes: stop everything
};

// Reads, plans and (with `apply`) deletes in one repository.
// `interrupt` (a signal number, 0: none) stops it between deletions.
RepoOutcome PruneRepository(RegistryClient& registry, const std::string& repo, const std::vector<std::string>& window,
                            int keep, bool apply, const std::atomic<int>* interrupt) {
  RepoOutcome out;
  Json& j = out.json;
  j = {{"repository", repo}};
  auto fail = [&](const std::string& message) {
    j["error"] = message;
    ++out.failures;
    std::cout << "  " << repo << ": " << message << "; nothing of it is deleted\n";
    return out;
  };
  Result<std::vector<std::string>> tags = ListTags(registry, repo);
  if (!tags.ok()) return fail("cannot list its tags: " + tags.status().message());
  const TagClasses classes = ClassifyTags(*tags, window, keep);
  j["window"] = classes.window;
  j["kept"] = classes.kept;
  j["others"] = classes.others;
  const std::set<std::string> present(tags->begin(), tags->end());

  // Every manifest a remaining tag names or lists, and what is attached to those, is protected.
  std::set<std::string> protected_digests;
  std::map<std::string, std::string> attached;  // attached tag -> its manifest digest
  auto attach = [&](const std::string& subject) -> Status {
    for (const std::string& suffix : CosignSuffixes()) {
      const std::string tag = CosignTag(subject, suffix);
      if (present.count(tag) == 0 || attached.count(tag) > 0) continue;
      Result<ManifestHead> head = registry.HeadManifest(repo, tag);
      if (!head.ok()) return head.status();
      if (!head->exists) continue;
      if (head->digest.empty()) {
        Result<Manifest> m = registry.GetManifest(repo, tag);
        if (!m.ok()) return m.status();
        attached[tag] = m->digest;
      } else {
        attached[tag] = head->digest;
      }
    }
    return Status::OK();
  };
  std::vector<std::string> remaining = classes.window;
  remaining.insert(remaining.end(), classes.kept.begin(), classes.kept.end());
  remaining.insert(remaining.end(), classes.others.begin(), classes.others.end());
  for (const std::string& tag : remaining) {
    Result<Named> n = ReadNamed(registry, repo, tag);
    if (!n.ok()) {
      if (n.status().code() == Status::Code::kNotFound) continue;  // untagged meanwhile
      return fail("cannot read the kept tag " + tag + ": " + n.status().message());
    }
    std::vector<std::string> subjects = n->children;
    subjects.push_back(n->digest);
    for (const std::string& d : subjects) {
      protected_digests.insert(d);
      if (Status a = attach(d); !a.ok()) return fail("cannot read what is attached to " + d + ": " + a.message());
    }
  }
  for (const auto& [tag, digest] : attached) protected_digests.insert(digest);

  Json pruned = Json::array();
  std::vector<PrunePlan> plans;
  for (const std::string& tag : classes.doomed) {
    Result<Named> n = ReadNamed(registry, repo, tag);
    if (!n.ok()) {
      if (n.status().code() == Status::Code::kNotFound) continue;
      return fail("cannot read " + tag + ": " + n.status().message());
    }
    std::vector<std::string> subjects = n->children;
    subjects.push_back(n->digest);
    for (const std::string& d : subjects) {
      if (Status a = attach(d); !a.ok()) return fail("cannot read what is attached to " + d + ": " + a.message());
    }
    plans.push_back(PlanPrune({tag, n->digest, n->children}, protected_digests, attached, n->platforms));
  }

  for (const PrunePlan& plan : plans) {
    Json p = {{"tag", plan.tag}, {"digest", plan.digest}};
    if (!plan.skipped.empty()) {
      p["skipped"] = plan.skipped;
      std::cout << "  skip   " << repo << ":" << plan.tag << ": " << plan.skipped << "\n";
      pruned.push_back(std::move(p));
      continue;
    }
    std::cout << "  " << (apply ? "delete " : "would delete ") << repo << ":" << plan.tag << " (" << plan.digest << ", "
              << plan.deletions.size() << " manifest" << (plan.deletions.size() == 1 ? "" : "s") << ")\n";
    Json deletions = Json::array();
    bool complete = true;
    for (const Deletion& d : plan.deletions) {
      Json dj = {{"digest", d.digest}, {"what", d.what}};
      std::cout << "      " << d.what << "  " << d.digest;
      if (apply && interrupt != nullptr && interrupt->load() != 0) {
        dj["error"] = "interrupted";
        complete = false;
        std::cout << "  not deleted: interrupted";
      } else if (apply && !out.refused) {
        Status s = DeleteManifest(registry, repo, d.digest);
        if (s.ok() || s.code() == Status::Code::kNotFound) {
          dj["deleted"] = true;
          ++out.manifests;
          std::cout << (s.ok() ? "  deleted" : "  already gone");
        } else {
          dj["error"] = s.message();
          complete = false;
          ++out.failures;
          out.refused = s.code() == Status::Code::kNotImplemented;
          std::cout << "  FAILED: " << s.message();
        }
      } else if (!apply) {
        ++out.manifests;
      }
      std::cout << "\n";
      deletions.push_back(std::move(dj));
    }
    p["deletions"] = std::move(deletions);
    if (complete && !out.refused) ++out.tags;
    pruned.push_back(std::move(p));
  }
  j["pruned"] = std::move(pruned);
  return out;
}

}  // namespace

int PruneCommand(const CliOptions& o, const std::atomic<int>* interrupt) {
  int code = 0;
  auto session = Session::Open(o, &code);
  if (!session) return code;
  Outcome plan;
  if (auto early = Execute(*session, /*dry_run=*/true, interrupt, &plan, /*quiet=*/o.verbose == 0)) return *early;
  if (plan.summary.interrupted) return plan.summary.ExitCode();
  if (session->registry() == nullptr) {
    std::cerr << "mirrorgraph: prune: no registry connection\n";
    return kExitUsage;
  }
  RegistryClient& registry = *session->registry();

  // The window of each app: the versions its discover selects now.
  std::map<std::string, std::vector<std::string>> windows;
  std::map<std::string, std::string> unknown;  // app -> why its window is not known
  for (TaskGraph::Index i = 0; i < plan.graph.size() && i < plan.states.size(); ++i) {
    const Task& t = plan.graph.task(i);
    if (t.type != TaskType::kDiscover || t.placeholder) continue;
    const TaskRunState& s = plan.states[i];
    if (!HasResult(s.status)) {
      unknown[t.coords.app] = "its discover:" + t.coords.app + " " + TaskStatusName(s.status) +
                              (s.error.empty() ? "" : ": " + s.error);
      continue;
    }
    std::vector<std::string>& w = windows[t.coords.app];
    for (const Json& v : ArrayField(s.result, "versions")) {
      if (std::string version = StringField(v, "version"); !version.empty()) w.push_back(version);
    }
  }

  Json report = {{"apply", o.apply}, {"apps", Json::array()}};
  size_t tags = 0, manifests = 0, failures = 0;
  bool refused = false;
  for (const ResolvedApp& app : session->apps()) {
    const std::string& name = app.model.app;
    const int keep = session->config().prune.KeepFor(name);
    Json aj = {{"app", name}, {"keep", keep}, {"repositories", Json::array()}};
    auto window = windows.find(name);
    if (!app.error.empty() || window == windows.end()) {
      const std::string why = !app.error.empty() ? app.error
                              : unknown.count(name) > 0 ? unknown[name]
                                                        : "its discover did not run";
      std::cout << "prune " << name << ": not pruned: " << why << "\n";
      aj["error"] = why;
      ++failures;
      report["apps"].push_back(std::move(aj));
      continue;
    }
    std::cout << "prune " << name << ": window " << (window->second.empty() ? "(empty)" : Join(window->second, ", "))
              << "; keep " << keep << " more\n";
    if (window->second.empty()) {
      // An empty window (every upstream tag gone, or a pattern that matches nothing) is more
      // likely a mistake than a wish to delete every version.
      std::cout << "  not pruned: the window is empty (nothing discovered); check `mirrorgraph explain discover:" << name
                << "`\n";
      aj["error"] = "the window is empty";
      ++failures;
      report["apps"].push_back(std::move(aj));
      continue;
    }
    for (const ImageSpec& image : app.model.images) {
      const std::string repo = session->target().Repository(image.name);
      RepoOutcome r = refused ? RepoOutcome{} : PruneRepository(registry, repo, window->second, keep, o.apply, interrupt);
      if (refused) r.json = {{"repository", repo}, {"error", "not tried: the registry refuses deletes"}};
      tags += r.tags;
      manifests += r.manifests;
      failures += r.failures;
      refused = refused || r.refused;
      aj["repositories"].push_back(std::move(r.json));
    }
    report["apps"].push_back(std::move(aj));
  }
  report["summary"] = {{"tags", tags}, {"manifests", manifests}, {"failures", failures}};
  if (!o.json_file.empty()) {
    if (Status s = WriteFileAtomic(o.json_file, CanonicalJson(report) + "\n"); !s.ok()) {
      std::cerr << "mirrorgraph: cannot write the JSON report: " << s.message() << "\n";
      return kExitStateBusy;
    }
  }
  if (o.apply) {
    std::cerr << "prune: deleted " << tags << " tag(s) (" << manifests << " manifests)";
  } else {
    std::cerr << "prune: would delete " << tags << " tag(s) (" << manifests << " manifests); `mirrorgraph prune --apply` deletes them";
  }
  if (failures > 0) std::cerr << "; " << failures << " problem(s) above";
  std::cerr << ". Blobs stay until the registry's garbage collection (docs/cli.md, \"prune\").\n";
  if (refused) {
    std::cerr << "mirrorgraph: the registry " << registry.registry()
              << " refuses deletes: enable them (docker-registry: storage.delete.enabled: true) or prune by hand\n";
  }
  if (interrupt != nullptr && interrupt->load() != 0) return 128 + interrupt->load();
  return failures > 0 ? kExitTaskFailed : kExitOk;
}

}  // namespace mg
