// A RemoteCache in memory for executor tests: entries by key, scripted failures, recorded calls.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "cache/remote_cache.h"

namespace mg::testing {

// Get(): kError when `unreachable`; kRejected when the key is in `reject`; else kHit with the
// stored text (unchecked: the executor must check it) or kMiss. Put(): fails when `fail_puts`,
// else stores. Thread-safe.
class FakeRemoteCache : public RemoteCache {
 public:
  RemoteLookup Get(std::string_view key, std::string_view id, CancelToken*) override {
    std::lock_guard<std::mutex> l(mu_);
    gets_.push_back(std::string(id));
    if (unreachable) return {RemoteLookup::Kind::kError, "", "fake://remote: connection refused"};
    if (reject.count(std::string(key))) return {RemoteLookup::Kind::kRejected, "", "fake://remote: damaged"};
    auto it = entries.find(std::string(key));
    if (it == entries.end()) return {};
    return {RemoteLookup::Kind::kHit, it->second, ""};
  }
  Status Put(std::string_view key, std::string_view id, const std::string& entry_text) override {
    std::lock_guard<std::mutex> l(mu_);
    puts_.push_back(std::string(id));
    if (fail_puts) return Status::Unavailable("fake://remote: HTTP 503 on the manifest PUT");
    entries[std::string(key)] = entry_text;
    return Status::OK();
  }
  std::string Describe() const override { return "fake://remote"; }

  std::vector<std::string> gets() {
    std::lock_guard<std::mutex> l(mu_);
    return gets_;
  }
  std::vector<std::string> puts() {
    std::lock_guard<std::mutex> l(mu_);
    return puts_;
  }

  // Set before a run, read after it (not during).
  std::map<std::string, std::string> entries;  // key -> entry text
  std::set<std::string> reject;
  bool unreachable = false;
  bool fail_puts = false;

 private:
  std::mutex mu_;
  std::vector<std::string> gets_;
  std::vector<std::string> puts_;
};

}  // namespace mg::testing
