#include "cache/action_cache.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <cstdio>
#include <filesystem>

#include "util/atomic_file.h"
#include "util/sha256.h"

namespace mg {
namespace {
constexpr std::string_view kCacheMagic = "mirrorgraph-cache";
constexpr std::string_view kMaterialMagic = "mirrorgraph-cache-material";
constexpr int kOldestCacheVersion = 1;  // v1: the key material inside each cache.log record

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

// `entry`'s canonical text without the key material (`hot`) and of the key material alone
// (`material`; "" when the entry has none).
void SplitEntry(const Json& entry, std::string* hot, std::string* material) {
  Json h = Json::object();
  Json m = Json::object();
  if (entry.is_object()) {
    for (const auto& [name, value] : entry.items()) (ActionCache::IsMaterialMember(name) ? m : h)[name] = value;
  }
  *hot = CanonicalJson(h);
  *material = m.empty() ? std::string() : CanonicalJson(m);
}

std::string CacheLine(std::string_view key, std::string_view hash, std::string_view id, std::string_view entry) {
  std::string line;
  line.reserve(key.size() + hash.size() + id.size() + entry.size() + 3);
  line.append(key).append("\t").append(hash).append("\t").append(id).append("\t").append(entry);
  return line;
}

// Whether `path` is absent, empty, or starts with the header of `magic` v`version` (one short read).
bool AbsentOrHeaderIs(const std::string& path, std::string_view magic, int version) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return true;
  const std::string header = std::string(magic) + " v" + std::to_string(version) + "\n";
  std::string got(header.size(), '\0');
  const size_t n = std::fread(got.data(), 1, got.size(), f);
  std::fclose(f);
  return n == 0 || (n == header.size() && got == header);
}

}  // namespace

bool ActionCache::IsMaterialMember(std::string_view name) {
  return name == "identity" || name == "inputs" || name == "params";
}

Json ActionCache::Record::result() const {
  std::optional<std::string_view> text;
  if (!parsed_) text = MemberText(entry_text, "result");
  if (!text) return entry().is_object() ? entry().value("result", Json()) : Json();
  if (text->empty()) return Json();
  Json j = ParseJson(*text);
  if (j.is_discarded()) return Json();
  return j;  // moved: a conditional expression would copy the parsed tree
}

bool ActionCache::Record::from_remote() const {
  std::optional<std::string_view> text;
  if (!parsed_) text = MemberText(entry_text, kOriginMember);
  if (!text) return StringField(entry(), kOriginMember) != kLocalOrigin;
  return !(text->size() == kLocalOrigin.size() + 2 && text->front() == '"' && text->back() == '"' &&
           text->substr(1, kLocalOrigin.size()) == kLocalOrigin);
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
  if (parsed_) return *parsed_;
  Json e = ParseJson(entry_text);
  if (e.is_discarded()) e = Json();
  if (e.is_object() && owner_ != nullptr) {
    if (std::optional<std::string_view> m = owner_->MaterialFor(key)) {
      const Json material = ParseJson(*m);
      if (material.is_object()) {
        for (const auto& [name, value] : material.items()) {
          if (IsMaterialMember(name)) e[name] = value;
        }
      }
    }
  }
  parsed_ = std::make_unique<Json>(std::move(e));
  return *parsed_;
}

std::string ActionCache::ResultHash(const Json& result) { return Sha256Hex(CanonicalJson(result)); }

void ActionCache::Index(Record record) {
  auto index = static_cast<uint32_t>(records_.size());
  const Record& r = records_.emplace_back(std::move(record));
  by_key_.Put(FlatHashIndex::Hash(r.key), index, [&](uint32_t v) { return records_[v].key == r.key; });
  if (by_id_built_) IndexId(index);
}

void ActionCache::IndexId(uint32_t index) const {
  const std::string_view id = records_[index].id;
  by_id_.Put(FlatHashIndex::Hash(id), index, [&](uint32_t v) { return records_[v].id == id; });
}

Result<std::unique_ptr<ActionCache>> ActionCache::Open(const std::string& dir) { return Load(dir, false); }

Result<std::unique_ptr<ActionCache>> ActionCache::OpenReadOnly(const std::string& dir) {
  return Load(dir, true);
}

Result<std::unique_ptr<ActionCache>> ActionCache::Load(const std::string& dir, bool read_only) {
  std::unique_ptr<ActionCache> cache(new ActionCache());
  cache->path_ = dir + "/cache.log";
  cache->material_path_ = dir + "/cache-material.log";
  cache->read_only_ = read_only;
  auto contents = RecordLog::Read(cache->path_, kCacheMagic, kFormatVersion, kOldestCacheVersion, cache->FileLoad());
  if (!contents.ok()) return contents.status();
  bool fresh = !contents->header_ok;
  if (fresh && !contents->data.empty() && !read_only) {
    // Foreign or newer-version file: keep it for inspection, start empty. When it cannot be set
    // aside, stop: starting empty would truncate it.
    const std::string aside = cache->path_ + ".unreadable";
    if (std::rename(cache->path_.c_str(), aside.c_str()) != 0) {
      return Status::IOError("cannot set the unreadable cache " + cache->path_ + " aside as " + aside + ": " +
                             std::strerror(errno) + "; move or remove one of them, then run again");
    }
    cache->set_aside_ = true;
    contents->data = FileBytes();  // the set-aside file's bytes: no record points into them
  }
  // v1 records carry their whole entry; v2 records find their key material in the material log.
  const bool v1 = contents->header_ok && contents->version == 1;
  cache->dropped_ = contents->dropped;
  // The payload views point into contents->data; moving it keeps its bytes where they are.
  cache->data_ = std::move(contents->data);
  cache->by_key_.Reserve(contents->records.size());
  std::string_view f[4];
  for (std::string_view payload : contents->records) {
    if (!SplitPayload(payload, f)) {
      ++cache->dropped_;
      continue;
    }
    Record r;
    r.key = f[0];
    r.id = f[2];
    r.entry_text = f[3];
    r.owner_ = v1 ? nullptr : cache.get();
    cache->Index(std::move(r));
  }
  if (read_only) return cache;
  // Absent or empty (truncated by hand, or a kill before its header): no key has its material.
  std::error_code ec;
  const bool material_absent = std::filesystem::file_size(cache->material_path_, ec) == 0 || ec;
  if (fresh || !AbsentOrHeaderIs(cache->material_path_, kMaterialMagic, kMaterialFormatVersion)) {
    // A new cache, or a material log of another format: start the material log afresh (it only
    // serves explain for the records of this cache.log).
    MG_RETURN_IF_ERROR(RecordLog::Rewrite(cache->material_path_, kMaterialMagic, kMaterialFormatVersion, {}));
    cache->material_gaps_ = !cache->records_.empty();
  } else if (material_absent) {
    cache->material_gaps_ = !cache->records_.empty();
  }
  if (v1) {
    MG_RETURN_IF_ERROR(cache->Migrate());
  } else if (!fresh && (cache->dropped_ > 0 || (cache->records_.size() > 1024 &&
                                                 cache->records_.size() > 2 * cache->by_key_.size()))) {
    // Compact when superseded records dominate: keep the latest record of every key, in order.
    MG_RETURN_IF_ERROR(cache->Compact());
  }
  auto log = RecordLog::OpenForAppend(cache->path_, kCacheMagic, kFormatVersion, /*truncate=*/fresh);
  if (!log.ok()) return log.status();
  cache->log_.emplace(std::move(log.value()));
  auto material = RecordLog::OpenForAppend(cache->material_path_, kMaterialMagic, kMaterialFormatVersion, false);
  if (!material.ok()) return material.status();
  cache->material_log_.emplace(std::move(material.value()));
  return cache;
}

Status ActionCache::Migrate() {
  // The latest record of every key, in order; the in-memory records keep their whole entries.
  std::vector<std::string> lines;
  std::vector<std::string> materials;
  std::string hot;
  std::string material;
  for (const Record& r : records_) {
    if (Get(r.key) != &r) continue;
    const Json entry = ParseJson(r.entry_text);
    if (entry.is_object()) {
      SplitEntry(entry, &hot, &material);
    } else {
      hot = std::string(r.entry_text);  // damaged: kept as it was, dropped when it is used
      material.clear();
    }
    lines.push_back(CacheLine(r.key, r.result_hash(), r.id, hot));
    if (!material.empty()) materials.push_back(std::string(r.key) + "\t" + material);
  }
  // The material first: a kill between the two renames leaves the v1 file, migrated again later.
  MG_RETURN_IF_ERROR(RecordLog::Rewrite(material_path_, kMaterialMagic, kMaterialFormatVersion,
                                        std::vector<std::string_view>(materials.begin(), materials.end())));
  return RecordLog::Rewrite(path_, kCacheMagic, kFormatVersion, std::vector<std::string_view>(lines.begin(), lines.end()));
}

Status ActionCache::Compact() {
  std::vector<std::string> lines;
  std::vector<std::string> materials;
  for (const Record& r : records_) {
    if (Get(r.key) != &r) continue;
    lines.push_back(CacheLine(r.key, r.result_hash(), r.id, r.entry_text));
    if (std::optional<std::string_view> m = MaterialFor(r.key)) materials.push_back(std::string(r.key) + "\t" + std::string(*m));
  }
  MG_RETURN_IF_ERROR(RecordLog::Rewrite(material_path_, kMaterialMagic, kMaterialFormatVersion,
                                        std::vector<std::string_view>(materials.begin(), materials.end())));
  return RecordLog::Rewrite(path_, kCacheMagic, kFormatVersion, std::vector<std::string_view>(lines.begin(), lines.end()));
}

void ActionCache::LoadMaterial() const {
  material_loaded_ = true;
  auto contents = RecordLog::Read(material_path_, kMaterialMagic, kMaterialFormatVersion, -1, FileLoad());
  if (!contents.ok() || !contents->header_ok) return;  // no material: explain says so
  material_data_ = std::move(contents->data);
  materials_.reserve(contents->records.size());
  material_by_key_.Reserve(contents->records.size());
  for (std::string_view payload : contents->records) {
    const size_t tab = payload.find('\t');
    if (tab != 64) continue;  // damaged: that key's material is lost
    materials_.emplace_back(payload.substr(0, tab), payload.substr(tab + 1));
    const auto index = static_cast<uint32_t>(materials_.size() - 1);
    const std::string_view key = materials_.back().first;
    material_by_key_.Put(FlatHashIndex::Hash(key), index, [&](uint32_t v) { return materials_[v].first == key; });
  }
}

std::optional<std::string_view> ActionCache::MaterialFor(std::string_view key) const {
  if (!material_loaded_) LoadMaterial();
  const uint32_t v =
      material_by_key_.Find(FlatHashIndex::Hash(key), [&](uint32_t i) { return materials_[i].first == key; });
  if (v == FlatHashIndex::kNone) return std::nullopt;
  return materials_[v].second;
}

const ActionCache::Record* ActionCache::Get(std::string_view key) const {
  uint32_t v = by_key_.Find(FlatHashIndex::Hash(key), [&](uint32_t i) { return records_[i].key == key; });
  return v == FlatHashIndex::kNone ? nullptr : &records_[v];
}

const ActionCache::Record* ActionCache::LatestFor(std::string_view id) const {
  if (!by_id_built_) {
    by_id_built_ = true;
    by_id_.Reserve(records_.size());
    for (size_t i = 0; i < records_.size(); ++i) IndexId(static_cast<uint32_t>(i));  // in order: the latest wins
  }
  uint32_t v = by_id_.Find(FlatHashIndex::Hash(id), [&](uint32_t i) { return records_[i].id == id; });
  return v == FlatHashIndex::kNone ? nullptr : &records_[v];
}

Status ActionCache::Put(const std::string& key, const std::string& id, const Json& entry) {
  if (!log_ || !material_log_) return Status::FailedPrecondition("the action cache was opened read-only");
  if (key.size() != 64 || id.empty()) {
    // Record::result_hash() finds the hash 65 bytes into the record: a key is a hex SHA-256.
    return Status::InvalidArgument("action cache key '" + key + "' for task " + id +
                                   " is not a hex SHA-256 (64 characters), or the task id is empty");
  }
  std::string hash = ResultHash(entry.contains("result") ? entry["result"] : Json());
  std::string hot;
  std::string material;
  SplitEntry(entry, &hot, &material);
  // A key is the SHA-256 of its material: a key this cache holds (its record was written after its
  // material) has the same material in the log already — unless the log had gaps at this open.
  // Not written again, so an observation re-recorded every run does not grow the material log.
  // (A material log loaded already answers for the key itself: a damaged record of it is written
  // again.)
  const bool held = Get(key) != nullptr && !(material_loaded_ && !MaterialFor(key));
  if (!material.empty() && (material_gaps_ || !held)) {
    // Written through before the record it explains: a cache record never outlives a kill
    // without its material.
    std::string line = key + "\t" + material;
    MG_RETURN_IF_ERROR(material_log_->Append(line));
    if (material_loaded_) {
      const std::string_view stored = material_appended_.emplace_back(std::move(line));
      materials_.emplace_back(stored.substr(0, key.size()), stored.substr(key.size() + 1));
      const auto index = static_cast<uint32_t>(materials_.size() - 1);
      const std::string_view k = materials_.back().first;
      material_by_key_.Put(FlatHashIndex::Hash(k), index, [&](uint32_t v) { return materials_[v].first == k; });
    }
  }
  std::string payload = CacheLine(key, hash, id, hot);
  MG_RETURN_IF_ERROR(log_->Append(payload));
  std::string_view stored = appended_.emplace_back(std::move(payload));
  Record r;
  r.key = stored.substr(0, key.size());
  r.id = stored.substr(key.size() + hash.size() + 2, id.size());
  r.entry_text = stored.substr(key.size() + hash.size() + id.size() + 3);
  r.owner_ = this;
  Index(std::move(r));
  return Status::OK();
}

Status ActionCache::Sync() {
  if (material_log_) MG_RETURN_IF_ERROR(material_log_->Sync());
  return log_ ? log_->Sync() : Status::OK();
}

}  // namespace mg
