#include "cache/action_cache.h"

#include <cstdio>

#include "util/sha256.h"

namespace mg {
namespace {
constexpr std::string_view kMagic = "mirrorgraph-cache";

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
}  // namespace

const Json& ActionCache::Record::entry() const {
  if (!parsed_) parsed_ = ParseJson(entry_text);
  if (parsed_->is_discarded()) parsed_ = Json();
  return *parsed_;
}

std::string ActionCache::ResultHash(const Json& result) { return Sha256Hex(CanonicalJson(result)); }

void ActionCache::Index(Record record) {
  const Record* r = &records_.emplace_back(std::move(record));
  by_key_[r->key] = r;
  by_id_[r->id] = r;
}

Result<std::unique_ptr<ActionCache>> ActionCache::Open(const std::string& dir) { return Load(dir, false); }

Result<std::unique_ptr<ActionCache>> ActionCache::OpenReadOnly(const std::string& dir) {
  return Load(dir, true);
}

Result<std::unique_ptr<ActionCache>> ActionCache::Load(const std::string& dir, bool read_only) {
  std::unique_ptr<ActionCache> cache(new ActionCache());
  cache->path_ = dir + "/cache.log";
  auto contents = RecordLog::Read(cache->path_, kMagic, kFormatVersion);
  if (!contents.ok()) return contents.status();
  bool fresh = !contents->header_ok;
  if (fresh && !contents->data.empty() && !read_only) {
    // Foreign or other-version file: keep it for inspection, start empty.
    std::rename(cache->path_.c_str(), (cache->path_ + ".unreadable").c_str());
    cache->set_aside_ = true;
  }
  cache->dropped_ = contents->dropped;
  // The payload views point into contents->data; moving the string keeps its heap buffer.
  cache->data_ = std::move(contents->data);
  cache->by_key_.reserve(contents->records.size());
  cache->by_id_.reserve(contents->records.size());
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
      if (cache->by_key_[r.key] == &r) {
        std::string line(r.key);
        line.append("\t").append(r.result_hash).append("\t").append(r.id).append("\t").append(r.entry_text);
        keep.push_back(std::move(line));
      }
    }
    std::vector<std::string_view> views(keep.begin(), keep.end());
    MG_RETURN_IF_ERROR(RecordLog::Rewrite(cache->path_, kMagic, kFormatVersion, views));
  }
  auto log = RecordLog::OpenForAppend(cache->path_, kMagic, kFormatVersion, /*truncate=*/fresh);
  if (!log.ok()) return log.status();
  cache->log_.emplace(std::move(log.value()));
  return cache;
}

const ActionCache::Record* ActionCache::Get(std::string_view key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : it->second;
}

const ActionCache::Record* ActionCache::LatestFor(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
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
