// InFlightUploads: one upload at a time per blob and repository within a process.
//
// docker-registry (distribution 2.x, filesystem storage) rewrites a repository's link file for a
// blob on every committed upload of it, truncating it first; a manifest PUT that reads the link
// in that moment fails with 400 DIGEST_INVALID / MANIFEST_BLOB_UNKNOWN. Two platform legs of one
// image often upload the same layer at the same time: collapsing those uploads into one removes
// the race inside mirrorgraph (PutManifest retries what other processes may still cause).
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "util/status.h"

namespace mg {

// Thread-safe. Keys are (repository, digest); the object belongs to one registry's client.
class InFlightUploads {
 public:
  // Runs `upload` for `digest` into `repo` unless another thread is running one for the same
  // pair, in which case it waits for that one to end:
  //  - the other one succeeded: returns OK without calling `upload`, *joined = true;
  //  - it failed: this caller runs `upload` itself (others keep waiting, now on this one), so one
  //    caller's failure (a corrupt file, a cancellation) never becomes another's.
  // Otherwise *joined = false and `upload`'s Status is returned. `upload` runs without the lock
  // held, on the calling thread. A caller that must stop waits no longer than the upload it waits
  // for (which ends when cancelled).
  Status Run(const std::string& repo, const std::string& digest, const std::function<Status()>& upload,
             bool* joined);

  // Callers waiting in Run() right now, over all keys (for tests and logs).
  int waiting() const;

 private:
  struct Flight {
    bool done = false;
    bool ok = false;
  };
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::shared_ptr<Flight>> running_;  // GUARDED_BY(mu_): "<repo>@<digest>" -> upload in progress
  int waiting_ = 0;                         // GUARDED_BY(mu_)
};

}  // namespace mg
