// RemoteCache: the second cache tier, shared between machines (docs/cache.md).
//
// The action cache (cache/action_cache.h) is the first tier, one per state directory. A remote
// tier holds the same entries ({"v","type","params","identity","inputs","result","finished_at",
// "duration_ms"}, canonical JSON) somewhere other runs can read them, e.g. a registry repository
// (remote/oci_remote_cache.h). The executor asks it on a local miss of a non-observation task and
// writes to it after a task ran (exec/executor.h).
//
// Thread-safety: Get() and Put() are called from worker threads, concurrently, for different and
// for equal keys; implementations must be thread-safe. Neither throws (an exception escaping is
// caught by the executor and counted as an error, but implementations must not rely on that).
//
// Trust: a remote entry is data from outside the process. Get() returns kHit only for an entry
// whose key material re-hashes to exactly `key` and whose task id is `id` (exec/remote_entry.h);
// the executor checks it again, and re-checks the result against the registry as it does a local
// hit (RechecksCachedResult). Anything else is kRejected or kError: a miss with a warning, never a
// failed run.
#pragma once

#include <string>
#include <string_view>

#include "util/cancel_token.h"
#include "util/status.h"

namespace mg {

struct RemoteLookup {
  enum class Kind {
    kHit,       // `entry_text` holds the verified entry
    kMiss,      // nothing stored under the key (404)
    kRejected,  // something is stored but unusable (damaged, other format, key or id mismatch)
    kError,     // the remote could not be asked (unreachable, refused, cancelled)
  };
  Kind kind = Kind::kMiss;
  std::string entry_text;  // kHit: the entry, canonical JSON
  // kRejected, kError: one line naming where (the tag) and why, with how to fix when there is one.
  // Never holds credentials.
  std::string warning;
};

// "hit", "miss", "rejected", "error".
const char* RemoteLookupKindName(RemoteLookup::Kind kind);

class RemoteCache {
 public:
  virtual ~RemoteCache() = default;

  // Looks up the entry of task `id` under `key` (64 lowercase hex). `cancel` (may be null) ends
  // waits and transfers early (kError). Thread-safe; never throws.
  virtual RemoteLookup Get(std::string_view key, std::string_view id, CancelToken* cancel) = 0;

  // Stores `entry_text` (the entry's canonical JSON, as the action cache stores it) for task `id`
  // under `key`. Writing a key that is already stored replaces it; two writers of one key both
  // succeed and the last write wins (both entries are valid, being results of the same key).
  // Thread-safe; never throws. Errors name the remote and never hold credentials.
  virtual Status Put(std::string_view key, std::string_view id, const std::string& entry_text) = 0;

  // Where the tier lives, for messages and reports ("oci://127.0.0.1:5000/mirror/cache").
  virtual std::string Describe() const = 0;
};

}  // namespace mg
