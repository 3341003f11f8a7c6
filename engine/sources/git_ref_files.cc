#include "sources/git_ref_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "util/strings.h"

namespace mg {
namespace {

using Tags = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kTagRefPrefix = "refs/tags/";
constexpr size_t kObjectIdHex = 40;  // SHA-1: a SHA-256 repository names an extension
// A loose object's header and its first lines fit in this much inflated output; the compressed
// bytes read for them are capped likewise (a tag object is a few hundred bytes).
constexpr size_t kObjectHeadBytes = 512;
constexpr size_t kObjectReadBytes = 4096;
// Annotated tags of annotated tags followed before git is asked instead.
constexpr int kMaxPeelDepth = 16;
// Caps on what is read: a loose ref or HEAD, the config, packed-refs (as `git ls-remote`'s own
// listing is capped in sources/git_tags.cc).
constexpr size_t kMaxSmallFile = 4096;
constexpr size_t kMaxConfig = size_t{4} << 20;
constexpr size_t kMaxPackedRefs = size_t{256} << 20;

bool IsObjectId(std::string_view s) { return s.size() == kObjectIdHex && IsLowerHex(s); }

enum class PathKind { kMissing, kDirectory, kRegular, kOther };

PathKind PathKindOf(const std::string& path, struct stat* st = nullptr) {
  struct stat local;
  struct stat& s = st != nullptr ? *st : local;
  if (::lstat(path.c_str(), &s) != 0) return PathKind::kMissing;
  if (S_ISDIR(s.st_mode)) return PathKind::kDirectory;
  if (S_ISREG(s.st_mode)) return PathKind::kRegular;
  return PathKind::kOther;
}

// Closes its descriptor when it goes.
struct OwnedFd {
  int fd;
  ~OwnedFd() {
    if (fd >= 0) ::close(fd);
  }
};

// The content of the regular file `path`: no FIFO waited on, no link followed (unless `follow`),
// at most `max` bytes (`prefix`: its first `max` bytes, however long it is). nullopt when it is
// missing, not a regular file, longer than `max` (unless `prefix`), or unreadable.
std::optional<std::string> ReadRegular(const std::string& path, size_t max, bool prefix = false, bool follow = false) {
  const OwnedFd owned{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW))};
  const int fd = owned.fd;
  if (fd < 0) return std::nullopt;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  std::string out;
  char buf[65536];
  for (;;) {
    const size_t want = std::min(sizeof buf, max + 1 - out.size());
    if (want == 0) break;
    const ssize_t n = ::read(fd, buf, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  if (out.size() > max) {
    if (!prefix) return std::nullopt;
    out.resize(max);
  }
  return out;
}

// A tag name (below refs/tags/) whose bytes alone make it valid for git (check-ref-format(1)),
// and that git's loose-ref walk does not skip: components of [A-Za-z0-9._+-], none empty, none
// starting with '.', none ending in ".lock" or '.'. Stricter than git: anything else is git's.
bool IsPlainTagName(std::string_view name) {
  if (name.empty()) return false;
  for (const std::string& part : Split(name, '/')) {
    if (part.empty() || part.front() == '.' || part.back() == '.' || EndsWith(part, ".lock")) return false;
    for (char c : part) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '+' || c == '-';
      if (!ok) return false;
    }
    if (part.find("..") != std::string::npos) return false;
  }
  return true;
}

// The git directory of `dir`, or why there is none this reader may use.
std::optional<std::string> GitDirOf(const std::string& dir, std::string* why_not) {
  struct stat st;
  if (PathKindOf(dir, &st) != PathKind::kDirectory) {
    *why_not = dir + " is not a directory";
    return std::nullopt;
  }
  std::string git_dir;
  switch (PathKindOf(dir + "/.git")) {
    case PathKind::kDirectory:
      if (st.st_uid != ::geteuid()) {
        *why_not = dir + " belongs to another user (git's safe.directory decides)";
        return std::nullopt;
      }
      git_dir = dir + "/.git";
      break;
    case PathKind::kMissing:
      git_dir = dir;  // a bare repository, if it has the parts of one
      break;
    default: *why_not = dir + "/.git is no directory (a gitlink or a link)"; return std::nullopt;
  }
  struct stat git_st;
  if (PathKindOf(git_dir + "/HEAD") != PathKind::kRegular || PathKindOf(git_dir + "/objects") != PathKind::kDirectory ||
      PathKindOf(git_dir + "/refs", &git_st) != PathKind::kDirectory) {
    *why_not = git_dir + " has no HEAD, objects/ and refs/";
    return std::nullopt;
  }
  if (PathKindOf(git_dir, &git_st) != PathKind::kDirectory || git_st.st_uid != ::geteuid()) {
    *why_not = git_dir + " belongs to another user (git's safe.directory decides)";
    return std::nullopt;
  }
  if (PathKindOf(git_dir + "/commondir") != PathKind::kMissing) {
    *why_not = git_dir + " is a linked worktree's (commondir)";
    return std::nullopt;
  }
  // Replacements (refs/replace/) are not looked at: `git ls-remote` ignores them too.
  std::optional<std::string> head = ReadRegular(git_dir + "/HEAD", kMaxSmallFile);
  std::string_view h = head ? std::string_view(*head) : std::string_view();
  if (!h.empty() && h.back() == '\n') h.remove_suffix(1);
  if (!StartsWith(h, "ref: refs/") && !IsObjectId(h)) {
    *why_not = git_dir + "/HEAD is neither a symbolic ref nor an object id";
    return std::nullopt;
  }
  return git_dir;
}

// Whether the repository's config leaves ref and object storage as this reader knows it, and
// hides no ref (*hides: transfer.hideRefs or uploadpack.hideRefs, which ls-remote obeys).
bool ConfigIsPlain(const std::string& git_dir, std::string* why_not, bool* hides) {
  std::optional<std::string> config = ReadRegular(git_dir + "/config", kMaxConfig);
  if (!config) {
    *why_not = "cannot read " + git_dir + "/config as a regular file of at most 4 MiB";
    return false;
  }
  // Every line is looked at (a hideRefs after an extension still means ls-remote must answer);
  // the first reason is kept.
  bool plain = true;
  auto refuse = [&](std::string reason) {
    if (plain) *why_not = git_dir + "/config " + std::move(reason);
    plain = false;
  };
  const std::string lowered = AsciiLower(*config);
  ForEachLine(lowered, [&](std::string_view raw) {
    std::string_view line = Trim(raw);
    if (line.find("hiderefs") != std::string_view::npos || line.find("include") != std::string_view::npos) {
      // An included file may hide refs too.
      *hides = true;
      refuse("hides refs or includes a file that may (ls-remote obeys hideRefs)");
    }
    if (line.find("extensions") != std::string_view::npos) refuse("names an extension");
    if (line.find("repositoryformatversion") != std::string_view::npos) {
      const size_t eq = line.rfind('=');
      const std::string_view v = eq == std::string_view::npos ? "" : Trim(line.substr(eq + 1));
      if (v != "0" && v != "1") refuse("has repositoryformatversion " + std::string(v));
    }
  });
  return plain;
}

// Whether the user's or the system's git config (as git finds them: GIT_CONFIG_GLOBAL, else
// $XDG_CONFIG_HOME/git/config and ~/.gitconfig; GIT_CONFIG_SYSTEM, else /etc/gitconfig, unless
// GIT_CONFIG_NOSYSTEM) may hide refs: names hideRefs or includes a file, or cannot be read.
bool UserConfigMayHideRefs(std::string* why_not) {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
  };
  std::vector<std::string> paths;
  if (const char* global = std::getenv("GIT_CONFIG_GLOBAL"); global != nullptr) {
    paths.push_back(global);
  } else {
    const std::string home = env("HOME");
    const std::string xdg = env("XDG_CONFIG_HOME");
    if (!xdg.empty()) paths.push_back(xdg + "/git/config");
    else if (!home.empty()) paths.push_back(home + "/.config/git/config");
    if (!home.empty()) paths.push_back(home + "/.gitconfig");
  }
  if (std::getenv("GIT_CONFIG_NOSYSTEM") == nullptr) {
    const char* system = std::getenv("GIT_CONFIG_SYSTEM");
    paths.push_back(system != nullptr ? system : "/etc/gitconfig");
  }
  for (const std::string& path : paths) {
    if (path.empty() || path == "/dev/null") continue;
    struct stat st;
    const bool exists = ::stat(path.c_str(), &st) == 0;
    if (!exists && (errno == ENOENT || errno == ENOTDIR)) continue;
    std::optional<std::string> text =
        exists && S_ISREG(st.st_mode) ? ReadRegular(path, kMaxConfig, false, /*follow=*/true) : std::nullopt;
    const std::string lowered = text ? AsciiLower(*text) : "";
    if (!text || lowered.find("hiderefs") != std::string::npos || lowered.find("include") != std::string::npos) {
      *why_not = path + " may hide refs (hideRefs, an include, or unreadable): ls-remote obeys them";
      return true;
    }
  }
  return false;
}

// packed-refs' tags: name -> (object, peeled object or "" when it records none). `peel_known`:
// its "peeled" (or "fully-peeled") trait says every tag that is an annotated tag has a "^" line.
struct PackedTags {
  std::map<std::string, std::pair<std::string, std::string>> tags;
  bool peel_known = false;
};

std::optional<PackedTags> ReadPackedRefs(const std::string& git_dir, std::string* why_not) {
  PackedTags out;
  const std::string path = git_dir + "/packed-refs";
  if (PathKindOf(path) == PathKind::kMissing) return out;
  std::optional<std::string> text = ReadRegular(path, kMaxPackedRefs);
  if (!text) {
    *why_not = "cannot read " + path + " as a regular file of at most 256 MiB";
    return std::nullopt;
  }
  // git stops on what follows; so does this reader (git then says what is wrong): a CR or NUL, a
  // last line without its LF, an empty line, a "^" line that does not follow a ref's line.
  if (text->find('\r') != std::string::npos || text->find('\0') != std::string::npos ||
      (!text->empty() && text->back() != '\n')) {
    *why_not = path + " holds a CR or NUL, or does not end in a newline";
    return std::nullopt;
  }
  if (!text->empty()) text->pop_back();  // the last LF: every piece below is a whole line
  std::string bad;
  std::string last_tag;      // the tag a "^" line peels; empty after another kind of ref
  bool after_ref = false;    // the line before was a ref's (a "^" line may follow only that)
  std::string previous_ref;  // refs must come in strictly increasing byte order, as pack-refs
                             // writes them: git trusts a "sorted" trait and keeps duplicates
  bool first = true;
  ForEachLine(*text, [&](std::string_view line) {
    const bool is_first = first;
    first = false;
    const bool may_peel = after_ref;
    after_ref = false;
    if (line.empty()) return (bad = "(an empty line)").empty();
    if (line.front() == '#') {
      constexpr std::string_view kHeader = "# pack-refs with:";
      if (!is_first || !StartsWith(line, kHeader)) return (bad = std::string(line)).empty();
      for (const std::string& trait : Split(line.substr(kHeader.size()), ' ')) {
        if (trait == "peeled" || trait == "fully-peeled") out.peel_known = true;
      }
      return true;
    }
    if (line.front() == '^') {
      if (!may_peel || !IsObjectId(line.substr(1))) return (bad = std::string(line)).empty();
      if (!last_tag.empty()) out.tags[last_tag].second = std::string(line.substr(1));
      last_tag.clear();
      return true;
    }
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos || !IsObjectId(line.substr(0, sp))) return (bad = std::string(line)).empty();
    std::string_view ref = line.substr(sp + 1);
    last_tag.clear();
    after_ref = true;
    if (!previous_ref.empty() && !(previous_ref < ref)) return (bad = std::string(ref) + " (out of order)").empty();
    previous_ref = std::string(ref);
    if (!StartsWith(ref, kTagRefPrefix)) return true;
    ref.remove_prefix(kTagRefPrefix.size());
    if (!IsPlainTagName(ref)) return (bad = "refs/tags/" + std::string(ref)).empty();
    last_tag = std::string(ref);
    out.tags[last_tag] = {std::string(line.substr(0, sp)), ""};
    return true;
  });
  if (!bad.empty()) {
    *why_not = path + ": a line this reader leaves to git: \"" + bad + "\"";
    return std::nullopt;
  }
  return out;
}

// Adds the loose refs under `git_dir`/refs/tags/`prefix` to `loose` (name -> object id).
bool ReadLooseTags(const std::string& git_dir, const std::string& prefix, std::map<std::string, std::string>* loose,
                   std::string* why_not) {
  const std::string dir = git_dir + "/refs/tags" + (prefix.empty() ? "" : "/" + prefix);
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), &::closedir);
  if (!d) {
    *why_not = "cannot list " + dir;
    return false;
  }
  for (;;) {
    errno = 0;
    const struct dirent* e = ::readdir(d.get());
    if (e == nullptr) {
      if (errno == 0) break;
      *why_not = "cannot list " + dir + ": " + std::strerror(errno);  // not a short list: git answers
      return false;
    }
    const std::string_view entry = e->d_name;
    if (entry == "." || entry == "..") continue;
    const std::string name = prefix.empty() ? std::string(entry) : prefix + "/" + std::string(entry);
    if (!IsPlainTagName(name)) {
      *why_not = "refs/tags/" + name + " is a name this reader leaves to git";
      return false;
    }
    const std::string path = dir + "/" + std::string(entry);
    switch (PathKindOf(path)) {
      case PathKind::kDirectory:
        if (!ReadLooseTags(git_dir, name, loose, why_not)) return false;
        break;
      case PathKind::kRegular: {
        std::optional<std::string> text = ReadRegular(path, kMaxSmallFile);
        std::string_view id = text ? std::string_view(*text) : std::string_view();
        if (!id.empty() && id.back() == '\n') id.remove_suffix(1);
        if (!IsObjectId(id)) {
          *why_not = path + " holds no object id (a symbolic or broken ref)";
          return false;
        }
        (*loose)[name] = std::string(id);
        break;
      }
      default: *why_not = path + " is no regular file"; return false;
    }
  }
  return true;
}

// The type of the loose object `id` and, for a tag, the object and type it names.
struct ObjectHead {
  std::string type;
  std::string target;       // a tag's "object" line
  std::string target_type;  // a tag's "type" line
};

std::optional<ObjectHead> ReadLooseObjectHead(const std::string& git_dir, const std::string& id, std::string* why_not) {
  const std::string path = git_dir + "/objects/" + id.substr(0, 2) + "/" + id.substr(2);
  if (PathKindOf(path) == PathKind::kMissing) {
    *why_not = "object " + id + " is not loose (packed, or in an alternate)";
    return std::nullopt;
  }
  std::optional<std::string> in = ReadRegular(path, kObjectReadBytes, /*prefix=*/true);
  unsigned char out[kObjectHeadBytes];
  z_stream z{};
  if (!in || in->empty() || ::inflateInit(&z) != Z_OK) {
    *why_not = "cannot read " + path + " as a regular file";
    return std::nullopt;
  }
  z.next_in = reinterpret_cast<Bytef*>(in->data());
  z.avail_in = static_cast<uInt>(in->size());
  z.next_out = out;
  z.avail_out = sizeof out;
  const int rc = ::inflate(&z, Z_SYNC_FLUSH);
  const size_t got = sizeof out - z.avail_out;
  ::inflateEnd(&z);
  if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
    *why_not = path + " is no zlib stream";
    return std::nullopt;
  }
  const std::string_view text(reinterpret_cast<const char*>(out), got);
  const size_t nul = text.find('\0');
  const size_t sp = text.find(' ');
  if (nul == std::string_view::npos || sp == std::string_view::npos || sp > nul) {
    *why_not = path + " has no object header";
    return std::nullopt;
  }
  ObjectHead head{std::string(text.substr(0, sp)), "", ""};
  if (head.type == "commit" || head.type == "tree" || head.type == "blob") return head;
  if (head.type != "tag") {
    *why_not = path + " is an object of type \"" + head.type + "\"";
    return std::nullopt;
  }
  // "object <id>\ntype <type>\n..." (git's tag object format)
  std::string_view body = text.substr(nul + 1);
  constexpr std::string_view kObject = "object ", kType = "\ntype ";
  const size_t type_end = body.find('\n', kObject.size() + kObjectIdHex + kType.size());
  if (!StartsWith(body, kObject) || !IsObjectId(body.substr(kObject.size(), kObjectIdHex)) ||
      body.substr(kObject.size() + kObjectIdHex, kType.size()) != kType || type_end == std::string_view::npos) {
    *why_not = path + " is a tag object this reader leaves to git";
    return std::nullopt;
  }
  head.target = std::string(body.substr(kObject.size(), kObjectIdHex));
  const size_t type_start = kObject.size() + kObjectIdHex + kType.size();
  head.target_type = std::string(body.substr(type_start, type_end - type_start));
  // git refuses to peel a tag of an unknown type or without its "tag <name>" line (ls-remote then
  // prints the tag object alone): such a tag is git's to answer.
  const bool known_type = head.target_type == "commit" || head.target_type == "tree" || head.target_type == "blob" ||
                          head.target_type == "tag";
  // git's parse_tag_buffer: a "tag " line with a name and its LF, in an object of 64 bytes or more.
  const std::string_view tag_line = body.substr(type_end + 1);
  const size_t tag_end = tag_line.find('\n');
  uint64_t size = 0;
  const std::string_view size_text = text.substr(sp + 1, nul - sp - 1);
  const bool sized = !size_text.empty() && size_text.size() < 12 &&
                     size_text.find_first_not_of("0123456789") == std::string_view::npos;
  if (sized) size = std::stoull(std::string(size_text));
  if (!known_type || !StartsWith(tag_line, "tag ") || tag_end == std::string_view::npos || tag_end <= 4 || !sized ||
      size < 64) {
    *why_not = path + " is a tag object this reader leaves to git";
    return std::nullopt;
  }
  return head;
}

// The object `id` peels to (itself unless it is an annotated tag), from loose objects. A tag's
// target is taken at its word when it says commit, tree or blob (git does not read it either to
// peel); one that says "tag" must be a tag object.
std::optional<std::string> PeelLoose(const std::string& git_dir, std::string id, std::string* why_not) {
  bool must_be_tag = false;
  for (int depth = 0; depth < kMaxPeelDepth; ++depth) {
    std::optional<ObjectHead> head = ReadLooseObjectHead(git_dir, id, why_not);
    if (!head) return std::nullopt;
    if (must_be_tag && head->type != "tag") {
      *why_not = "object " + id + " is named a tag by the tag that points at it, but is a " + head->type;
      return std::nullopt;
    }
    if (head->type != "tag") return id;
    id = head->target;
    if (head->target_type != "tag") return id;
    must_be_tag = true;
  }
  *why_not = "tags of tags deeper than " + std::to_string(kMaxPeelDepth) + " levels";
  return std::nullopt;
}

}  // namespace

RefFilesTags ReadTagsFromRepositoryFiles(const std::string& dir) {
  RefFilesTags out;
  std::optional<std::string> git_dir = GitDirOf(dir, &out.why_not);
  if (!git_dir || !ConfigIsPlain(*git_dir, &out.why_not, &out.hidden_refs)) return out;
  if (UserConfigMayHideRefs(&out.why_not)) {
    out.hidden_refs = true;
    return out;
  }
  // The loose refs first, then packed-refs, as git reads them: a `git pack-refs` in between
  // writes packed-refs before it deletes the loose refs it packed, so every tag is in one view.
  std::map<std::string, std::string> loose;
  switch (PathKindOf(*git_dir + "/refs/tags")) {
    case PathKind::kMissing: break;
    case PathKind::kDirectory:
      if (!ReadLooseTags(*git_dir, "", &loose, &out.why_not)) return out;
      break;
    default: out.why_not = *git_dir + "/refs/tags is no directory (a link, which git follows)"; return out;
  }
  std::optional<PackedTags> packed = ReadPackedRefs(*git_dir, &out.why_not);
  if (!packed) return out;
  Tags tags;
  tags.reserve(packed->tags.size() + loose.size());
  // A loose ref wins over a packed one of the same name (git's files backend).
  for (const auto& [name, entry] : packed->tags) {
    if (loose.count(name) != 0) continue;
    const auto& [id, peeled] = entry;
    if (!peeled.empty()) {
      tags.emplace_back(name, peeled);
    } else if (packed->peel_known) {
      tags.emplace_back(name, id);
    } else {
      std::optional<std::string> target = PeelLoose(*git_dir, id, &out.why_not);
      if (!target) return out;
      tags.emplace_back(name, std::move(*target));
    }
  }
  for (const auto& [name, id] : loose) {
    std::optional<std::string> target = PeelLoose(*git_dir, id, &out.why_not);
    if (!target) return out;
    tags.emplace_back(name, std::move(*target));
  }
  std::sort(tags.begin(), tags.end());
  out.tags = std::move(tags);
  return out;
}

}  // namespace mg
