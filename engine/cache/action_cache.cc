#include "cache/action_cache.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <cstdio>

#include "util/sha256.h"

namespace mg {
namespace {
constexpr std::string_view kCacheMagic = "mirrorgraph-cache";

// payload: key \t result_hash \t id \t entry-json
bool SplitPayload(std::string_view p, std::string_view out[4]) {
  for (int i = 0; i < 3; ++i) {
    size_t tab = p.find('\t');
    if (tab == std::string_view::npos) return false;
    out[i] = p.substr(0, tab);
    p.remove_prefix(tab + 1);
  }
  out[3] = p;
  return out[0].size() == 64 && out[1].size() == 64 && !out[2].empty();
}
// Index just past the string starting at s[i] == '"', or npos.
size_t SkipString(std::string_view s, size_t i) {
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (s[j] == '\\') ++j;
    else if (s[j] == '"') return j + 1;
  }
  return std::string_view::npos;
}

// Index just past the JSON value starting at s[i] (compact JSON), or npos.
size_t SkipValue(std::string_view s, size_t i) {
  int depth = 0;
  for (size_t j = i; j < s.size();) {
    char c = s[j];
    if (c == '"') {
      j = SkipString(s, j);
      if (j == std::string_view::npos || depth == 0) return j;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return j;  // the end of a scalar that closes its container
      if (--depth == 0) return j + 1;
    } else if (c == ',' && depth == 0) {
      return j;
    }
    ++j;
  }
  return depth == 0 ? s.size() : std::string_view::npos;
}

// The text of the top-level member `name` of a compact JSON object: "" when absent, nullopt when
// the text is not compact JSON this scan follows (the caller then parses all of it).
std::optional<std::string_view> MemberText(std::string_view s, std::string_view name) {
  if (s.empty() || s.front() != '{') return std::nullopt;
  size_t i = 1;
  while (i < s.size()) {
    if (s[i] == '}') return std::string_view();
    if (s[i] != '"') return std::nullopt;
    size_t key_end = SkipString(s, i);
    if (key_end == std::string_view::npos || key_end >= s.size() || s[key_end] != ':') return std::nullopt;
    std::string_view key = s.substr(i + 1, key_end - i - 2);
    size_t value = key_end + 1;
    size_t value_end = SkipValue(s, value);
    if (value_end == std::string_view::npos || value_end == value) return std::nullopt;
    if (key == name) return s.substr(value, value_end - value);
    i = value_end < s.size() && s[value_end] == ',' ? value_end + 1 : value_end;
  }
  return std::nullopt;
}

}  // namespace

Json ActionCache::Record::result() const {
  std::optional<std::string_view> text;
  if (!parsed_) text = MemberText(entry_text, "result");
  if (!text) return entry().is_object() ? entry().value("result", Json()) : Json();
  if (text->empty()) return Json();
  Json j = ParseJson(*text);
  return j.is_discarded() ? Json() : j;
}

int64_t ActionCache::Record::finished_at() const {
  std::optional<std::string_view> text;
  if (!parsed_) text = MemberText(entry_text, "finished_at");
  if (!text) {
    const Json& e = entry();
    return e.is_object() && e.contains("finished_at") && e["finished_at"].is_number_integer()
               ? e["finished_at"].get<int64_t>()
               : 0;
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  return ec == std::errc() && end == text->data() + text->size() ? v : 0;
}

const Json& ActionCache::Record::entry() const {
  if (!parsed_) parsed_ = ParseJson(entry_text);
  if (parsed_->is_discarded()) parsed_ = Json();
  return *parsed_;
}

std::string ActionCache::ResultHash(const Json& result) { return Sha256Hex(CanonicalJson(result)); }

void ActionCache::Index(Record record) {
  auto index = static_cast<uint32_t>(records_.size());
  const Record& r = records_.emplace_back(std::move(record));
  by_key_.Put(FlatHashIndex::Hash(r.key), index, [&](uint32_t v) { return records_[v].key == r.key; });
  by_id_.Put(FlatHashIndex::Hash(r.id), index, [&](uint32_t v) { return records_[v].id == r.id; });
}

Result<std::unique_ptr<ActionCache>> ActionCache::Open(const std::string& dir) { return Load(dir, false); }

Result<std::unique_ptr<ActionCache>> ActionCache::OpenReadOnly(const std::string& dir) {
  return Load(dir, true);
}

Result<std::unique_ptr<ActionCache>> ActionCache::Load(const std::string& dir, bool read_only) {
  std::unique_ptr<ActionCache> cache(new ActionCache());
  cache->path_ = dir + "/cache.log";
  auto contents = RecordLog::Read(cache->path_, kCacheMagic, kFormatVersion);
  if (!contents.ok()) return contents.status();
  bool fresh = !contents->header_ok;
  if (fresh && !contents->data.empty() && !read_only) {
    // Foreign or other-version file: keep it for inspection, start empty. When it cannot be set
    // aside, stop: starting empty would truncate it.
    const std::string aside = cache->path_ + ".unreadable";
    if (std::rename(cache->path_.c_str(), aside.c_str()) != 0) {
      return Status::IOError("cannot set the unreadable cache " + cache->path_ + " aside as " + aside + ": " +
                             std::strerror(errno) + "; move or remove one of them, then run again");
    }
    cache->set_aside_ = true;
  }
  cache->dropped_ = contents->dropped;
  // The payload views point into contents->data; moving the string keeps its heap buffer.
  cache->data_ = std::move(contents->data);
  cache->by_key_.Reserve(contents->records.size());
  cache->by_id_.Reserve(contents->records.size());
  std::string_view f[4];
  for (std::string_view payload : contents->records) {
    if (!SplitPayload(payload, f)) {
      ++cache->dropped_;
      continue;
    }
    Record r;
    r.key = f[0];
    r.result_hash = f[1];
    r.id = f[2];
    r.entry_text = f[3];
    cache->Index(std::move(r));
  }
  if (read_only) return cache;
  // Compact when superseded records dominate: keep the latest record of every key, in order.
  bool compact = cache->dropped_ > 0 ||
                 (cache->records_.size() > 1024 && cache->records_.size() > 2 * cache->by_key_.size());
  if (compact && !fresh) {
    std::vector<std::string> keep;
    for (const Record& r : cache->records_) {
      if (cache->Get(r.key) == &r) {
        std::string line(r.key);
        line.append("\t").append(r.result_hash).append("\t").append(r.id).append("\t").append(r.entry_text);
        keep.push_back(std::move(line));
      }
    }
    std::vector<std::string_view> views(keep.begin(), keep.end());
    MG_RETURN_IF_ERROR(RecordLog::Rewrite(cache->path_, kCacheMagic, kFormatVersion, views));
  }
  auto log = RecordLog::OpenForAppend(cache->path_, kCacheMagic, kFormatVersion, /*truncate=*/fresh);
  if (!log.ok()) return log.status();
  cache->log_.emplace(std::move(log.value()));
  return cache;
}

const ActionCache::Record* ActionCache::Get(std::string_view key) const {
  uint32_t v = by_key_.Find(FlatHashIndex::Hash(key), [&](uint32_t i) { return records_[i].key == key; });
  return v == FlatHashIndex::kNone ? nullptr : &records_[v];
}

const ActionCache::Record* ActionCache::LatestFor(std::string_view id) const {
  uint32_t v = by_id_.Find(FlatHashIndex::Hash(id), [&](uint32_t i) { return records_[i].id == id; });
  return v == FlatHashIndex::kNone ? nullptr : &records_[v];
}

Status ActionCache::Put(const std::string& key, const std::string& id, const Json& entry) {
  if (!log_) return Status::FailedPrecondition("the action cache was opened read-only");
  std::string hash = ResultHash(entry.contains("result") ? entry["result"] : Json());
  std::string payload = key + "\t" + hash + "\t" + id + "\t" + CanonicalJson(entry);
  MG_RETURN_IF_ERROR(log_->Append(payload));
  std::string_view stored = appended_.emplace_back(std::move(payload));
  Record r;
  r.key = stored.substr(0, key.size());
  r.result_hash = stored.substr(key.size() + 1, hash.size());
  r.id = stored.substr(key.size() + hash.size() + 2, id.size());
  r.entry_text = stored.substr(key.size() + hash.size() + id.size() + 3);
  Index(std::move(r));
  return Status::OK();
}

}  // namespace mg
