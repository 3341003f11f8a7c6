#include "oci/upload_dedup.h"

namespace mg {

Status InFlightUploads::Run(const std::string& repo, const std::string& digest,
                            const std::function<Status()>& upload, bool* joined) {
  const std::string key = repo + "@" + digest;
  *joined = false;
  std::unique_lock<std::mutex> lock(mu_);
  for (auto it = running_.find(key); it != running_.end(); it = running_.find(key)) {
    std::shared_ptr<Flight> other = it->second;
    ++waiting_;
    cv_.wait(lock, [&] { return other->done; });
    --waiting_;
    if (other->ok) {
      *joined = true;
      return Status::OK();
    }
    // It failed: the first waiter to get here runs the upload itself, the others wait on it.
  }
  auto mine = std::make_shared<Flight>();
  running_[key] = mine;
  lock.unlock();
  auto finish = [&](bool ok) {
    std::lock_guard<std::mutex> relock(mu_);
    mine->done = true;
    mine->ok = ok;
    running_.erase(key);
    cv_.notify_all();
  };
  Status s;
  try {
    s = upload();
  } catch (...) {
    finish(false);
    throw;
  }
  finish(s.ok());
  return s;
}

int InFlightUploads::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_;
}

}  // namespace mg
