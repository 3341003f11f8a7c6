#include "sign/signer_cache.h"

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <tuple>

namespace mg {
namespace {

// What identifies the content and permissions of a key file without reading it.
struct FileStamp {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  mode_t mode = 0;
  bool operator==(const FileStamp& o) const {
    return std::tie(dev, ino, size, mtime_ns, mode) == std::tie(o.dev, o.ino, o.size, o.mtime_ns, o.mode);
  }
};

struct Entry {
  std::mutex mu;  // held while loading, so that concurrent first calls decrypt once
  FileStamp stamp;
  std::shared_ptr<KeySigner> signer;  // GUARDED_BY(mu)
};

std::mutex g_mu;
// Never destroyed: tasks on other threads may still be signing while the process exits.
auto* const g_entries = new std::map<std::string, std::shared_ptr<Entry>>();  // GUARDED_BY(g_mu)
std::atomic<int> g_loads{0};

bool Stamp(const std::string& path, FileStamp* out) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  out->dev = st.st_dev;
  out->ino = st.st_ino;
  out->size = st.st_size;
  out->mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  out->mode = st.st_mode;
  return true;
}

}  // namespace

Result<std::shared_ptr<KeySigner>> SharedKeySigner(const std::string& key_path, const KeyPassphrase& passphrase) {
  std::error_code ec;
  std::string path = std::filesystem::absolute(key_path, ec).lexically_normal().string();
  if (ec) path = key_path;
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    std::shared_ptr<Entry>& slot = (*g_entries)[path];
    if (!slot) slot = std::make_shared<Entry>();
    entry = slot;
  }
  std::lock_guard<std::mutex> lock(entry->mu);
  FileStamp before;
  const bool stamped = Stamp(path, &before);
  if (stamped && entry->signer && entry->stamp == before) return entry->signer;
  entry->signer.reset();
  MG_ASSIGN_OR_RETURN(PrivateKey key, LoadPrivateKeyFile(path, passphrase));
  g_loads.fetch_add(1);
  auto signer = std::make_shared<KeySigner>(std::move(key));
  // Cache only when the file did not change while it was read.
  FileStamp after;
  if (stamped && Stamp(path, &after) && after == before) {
    entry->stamp = after;
    entry->signer = signer;
  }
  return signer;
}

int SharedKeySignerLoads() { return g_loads.load(); }

}  // namespace mg
