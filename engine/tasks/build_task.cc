#include "tasks/build_task.h"

#include <unistd.h>

#include <filesystem>
#include <vector>

#include "build/dockerfile_edits.h"
#include "build/recipe.h"
#include "build/registry_auth_file.h"
#include "build/source_fetch.h"
#include "http/url_credentials.h"
#include "oci/reference.h"
#include "tasks/engine_host.h"
#include "util/clock.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace mg {

namespace fs = std::filesystem;

BuildTaskRunner::BuildTaskRunner(BuildSettings settings, RegistryClient* registry)
    : settings_(std::move(settings)), registry_(registry) {
  settings_.builder.state_dir = settings_.state_dir;
  settings_.builder.registry = registry;
}

Result<Builder*> BuildTaskRunner::BuilderFor(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = builders_.find(name);
  if (it != builders_.end()) return it->second.get();
  auto b = MakeBuilder(name, settings_.builder);
  if (!b.ok()) return b.status();
  Builder* raw = b->get();
  builders_[name] = std::move(b.value());
  return raw;
}

namespace {

// Removes a directory tree when it goes out of scope (the build's scratch space).
class ScratchDir {
 public:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The committer time of HEAD in `repo`, or -1.
int64_t CommitEpoch(const std::string& repo) {
  SubprocessOptions opt;
  opt.argv = {"git", "-C", repo, "log", "-1", "--format=%ct"};
  opt.timeout = std::chrono::seconds(60);
  auto r = RunSubprocess(opt);
  if (!r.ok() || r->exit_code != 0) return -1;
  try {
    return std::stoll(std::string(Trim(r->stdout_text)));
  } catch (...) {
    return -1;
  }
}

// A path inside `root` for a recipe's relative path (validated by ParseRecipe).
std::string Inside(const std::string& root, const std::string& rel) {
  return (fs::path(root) / rel).lexically_normal().string();
}

}  // namespace

std::string WorkRoot(const std::string& state_dir) { return state_dir + "/work"; }

Status RemoveLeftoverWorkDirs(const std::string& state_dir, bool leftovers_stopped) {
  const std::string root = WorkRoot(state_dir);
  std::error_code ec;
  std::vector<fs::path> leftovers;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) leftovers.push_back(it->path());
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return Status::IOError("cannot list " + root + ": " + ec.message());
  }
  std::string failed;
  for (const fs::path& entry : leftovers) {
    // Only a real directory holds an auth file: a link to one elsewhere is not followed.
    if (!leftovers_stopped) {
      const fs::file_status st = fs::symlink_status(entry, ec);
      if (ec) {
        failed += (failed.empty() ? "" : "; ") + entry.string() + ": " + ec.message();
        continue;
      }
      if (!fs::is_directory(st)) continue;
    }
    const fs::path path = leftovers_stopped ? entry : entry / kAuthFileName;
    fs::remove_all(path, ec);  // a missing auth file is no error (remove_all of nothing is 0)
    if (ec) failed += (failed.empty() ? "" : "; ") + path.string() + ": " + ec.message();
  }
  if (!failed.empty()) return Status::IOError("cannot remove what an earlier run left in " + root + ": " + failed);
  return Status::OK();
}

TaskOutcome BuildTaskRunner::Run(const TaskContext& ctx, const ResolvedApp& app) {
  if (!app.error.empty()) return {Status::FailedPrecondition(app.error), {}};
  if (registry_ == nullptr) return {Status::FailedPrecondition("no registry client configured"), {}};
  const Json p = ctx.task.Params();
  const std::string repo = p.value("repository", ""), platform = p.value("platform", "");
  const std::string version = p.value("version", ""), tag = p.value("tag", version);

  std::string redo_note;
  if (ctx.cached_result != nullptr) {
    // The cached result may come from a remote cache tier (docs/cache.md): read without throwing,
    // and only a digest counts (a tag would name whatever it points at now).
    std::string digest = StringField(*ctx.cached_result, "digest");
    if (!IsValidDigest(digest)) {
      redo_note = "the cached result names no valid digest: rebuilt";
    } else {
      auto head = registry_->HeadManifest(repo, digest);
      if (!head.ok()) return {head.status().WithContext("re-checking the cached build " + digest), {}};
      if (head->exists) return {Status::OK(), {}, true, "re-checked " + digest + " in the registry"};
      redo_note = "the cached image " + digest + " is gone from " + settings_.target.host + "/" + repo + ": rebuilt";
    }
    ctx.log(redo_note);
  }

  const int64_t started_on = SystemClock::Default()->NowMillis();
  auto builder = BuilderFor(p.value("builder", "buildah"));
  if (!builder.ok()) return {builder.status(), {}};
  auto builder_version = (*builder)->Version();
  if (!builder_version.ok()) return {builder_version.status(), {}};

  // The recipe.
  EngineHost host(nullptr, ctx.log, &ctx.cancel);
  Json in = {{"app", app.model.app},       {"image", p.value("image", "")}, {"version", version},
             {"tag", tag},                 {"platform", platform},          {"config", app.config},
             {"registry", settings_.target.host}, {"namespace", settings_.target.namespace_}};
  auto answer = app.plugin->Recipe(host, in);
  if (!answer.ok()) return {answer.status().WithContext("plugin " + app.plugin->name() + " recipe"), {}};
  auto recipe = ParseRecipe(*answer);
  if (!recipe.ok()) {
    return {recipe.status().WithContext("plugin " + app.plugin->name() + " (" + app.plugin->file() + ")"), {}};
  }

  // Scratch space: the checkout, the auth file, the builder's files. Removed afterwards; what a
  // killed run's attempts left, the next run removes before it starts (RemoveLeftoverWorkDirs).
  std::error_code ec;
  ScratchDir work(WorkRoot(settings_.state_dir) + "/" + TaskAttemptDirName(ctx.task.id, ::getpid()));
  fs::create_directories(work.path(), ec);
  if (ec) return {Status::IOError("cannot create the work directory " + work.path() + ": " + ec.message()), {}};
  fs::permissions(work.path(), fs::perms::owner_all, ec);

  // ParseRecipe refused credentials in the URL; what is logged and stored is redacted all the same.
  const std::string shown_url = RedactUrlCredentials(recipe->source.url);
  const std::string src = work.path() + "/src";
  ctx.log("fetching " + shown_url + " at " + recipe->source.ref);
  auto fetched = FetchSource(recipe->source, src, p.value("commit", ""), ctx.log, &ctx.cancel, settings_.build_timeout);
  if (!fetched.ok()) return {fetched.status(), {}};
  ctx.log("source at commit " + fetched->commit);

  for (const auto& [what, rel] : {std::pair{"Dockerfile", recipe->dockerfile}, std::pair{"context", recipe->context}}) {
    if (!fs::exists(Inside(src, rel), ec)) {
      return {Status::FailedPrecondition(std::string("the recipe's ") + what + " \"" + rel + "\" does not exist in " +
                                         shown_url + " at " + recipe->source.ref + " (plugin " +
                                         app.plugin->name() + ")"),
              {}};
    }
  }
  auto edits = ApplyEdits(src, recipe->edits, recipe->dockerfile);
  if (!edits.ok()) return {edits.status().WithContext("recipe of " + app.plugin->name()), {}};
  for (const std::string& e : *edits) ctx.log("edit: " + e);

  std::optional<RegistryAuthFile> auth;
  if (settings_.credentials && !settings_.credentials->empty()) {
    auto a = RegistryAuthFile::Create(work.path() + "/" + kAuthFileName, settings_.target.host, *settings_.credentials);
    if (!a.ok()) return {a.status(), {}};
    auth.emplace(std::move(a.value()));
  }

  BuildRequest req;
  req.context_dir = Inside(src, recipe->context);
  req.dockerfile = Inside(src, recipe->dockerfile);
  req.platform = platform;
  req.build_args = recipe->build_args;
  req.registry = settings_.target.host;
  req.repository = repo;
  req.plain_http = settings_.plain_http;
  req.auth_file = auth ? auth->path() : "";
  req.emulation = p.value("emulation", false);
  req.source_epoch = CommitEpoch(src);
  req.work_dir = work.path();
  req.labels = {{"org.opencontainers.image.version", version},
                {"org.opencontainers.image.revision", fetched->commit},
                {"org.opencontainers.image.source", shown_url}};
  for (const std::string& image : recipe->depends_on_images) req.mount_from.push_back(settings_.target.Repository(image));
  req.log = ctx.log;
  req.cancel = &ctx.cancel;
  req.timeout = settings_.build_timeout;
  ctx.log("building " + platform + " with " + (*builder)->name());
  auto built = (*builder)->BuildAndPush(req);
  if (!built.ok()) return {built.status(), {}};
  ctx.log("pushed " + settings_.target.host + "/" + repo + "@" + built->digest);

  Json result = {{"digest", built->digest},
                 {"media_type", built->media_type},
                 {"size", built->size},
                 {"platform", platform},
                 {"source", {{"type", recipe->source.type}, {"url", shown_url},
                             {"ref", recipe->source.ref}, {"commit", fetched->commit}}},
                 {"builder", {{"name", (*builder)->name()}, {"version", *builder_version}}},
                 {"recipe", recipe->ToJson()},
                 {"edits_applied", *edits},
                 // When and in which run it was built: provenance's times, wherever the result is
                 // read (this state directory's cache, or another runner's through the remote tier).
                 {"ran", {{"run_id", settings_.run_id},
                          {"started_on", started_on},
                          {"finished_on", SystemClock::Default()->NowMillis()}}}};
  return {Status::OK(), std::move(result), false, redo_note};
}

}  // namespace mg
