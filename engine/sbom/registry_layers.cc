#include "sbom/registry_layers.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

#include "oci/media_types.h"
#include "oci/reference.h"
#include "util/sha256.h"

namespace mg {
namespace {

// A bounded single-producer, single-consumer byte queue; the consumer side is a ByteReader.
class BlobPipe : public ByteReader {
 public:
  explicit BlobPipe(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

  // Producer: queues a copy of `piece`, waiting while the queue is full. False once the consumer
  // gave up (the transfer should stop); true without queueing once it finished early (draining).
  bool Push(std::string_view piece) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return queued_ < capacity_ || state_ != State::kReading; });
    if (state_ == State::kAbandoned) return false;
    if (state_ == State::kDraining) return true;
    chunks_.emplace_back(piece);
    queued_ += piece.size();
    cv_.notify_all();
    return true;
  }
  // Producer: no more pieces; `status` is what the last Read() returns (OK: end of stream).
  void Close(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    close_status_ = std::move(status);
    cv_.notify_all();
  }
  // Consumer: stops reading because it failed / because it is done.
  void Abandon() { SetState(State::kAbandoned); }
  void Drain() { SetState(State::kDraining); }

  Result<std::string_view> Read() override {
    std::unique_lock<std::mutex> lock(mu_);
    if (!current_.empty()) {
      queued_ -= current_.size();
      current_.clear();
      cv_.notify_all();
    }
    cv_.wait(lock, [&] { return !chunks_.empty() || closed_; });
    if (chunks_.empty()) {
      if (!close_status_.ok()) return close_status_;
      return std::string_view();
    }
    current_ = std::move(chunks_.front());
    chunks_.pop_front();
    return std::string_view(current_);
  }

 private:
  enum class State { kReading, kDraining, kAbandoned };
  void SetState(State s) {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = s;
    chunks_.clear();
    cv_.notify_all();
  }

  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;  // GUARDED_BY(mu_)
  size_t queued_ = 0;               // GUARDED_BY(mu_): bytes in chunks_ and current_
  State state_ = State::kReading;   // GUARDED_BY(mu_)
  bool closed_ = false;             // GUARDED_BY(mu_)
  Status close_status_;             // GUARDED_BY(mu_)
  std::string current_;             // the piece the consumer holds
};

bool IsLayerMediaType(const std::string& mt) {
  return mt.rfind("application/vnd.oci.image.layer.v1.tar", 0) == 0 ||
         mt.rfind("application/vnd.docker.image.rootfs.diff.tar", 0) == 0;
}

bool IsForeignLayer(const std::string& mt) {
  return mt.rfind("application/vnd.oci.image.layer.nondistributable.", 0) == 0 ||
         mt.rfind("application/vnd.docker.image.rootfs.foreign.", 0) == 0;
}

}  // namespace

Status StreamBlob(RegistryClient& client, const std::string& repo, const std::string& digest, int64_t expected_size,
                  const std::function<Status(ByteReader&)>& consume, const BlobStreamOptions& options) {
  if (!IsValidRepositoryName(repo)) {
    return Status::InvalidArgument("invalid repository name '" + repo + "' for " + client.registry());
  }
  if (!IsValidDigest(digest)) return Status::InvalidArgument("invalid blob digest '" + digest + "'");
  if (digest.rfind("sha256:", 0) != 0) {
    return Status::NotImplemented(client.registry() + "/" + repo + "@" + digest + ": only sha256 digests can be verified");
  }

  BlobPipe pipe(options.buffer_bytes);
  bool cancelled_by_us = false;
  auto download = [&] {
    HttpRequest req;
    req.url = client.base_url() + "/v2/" + repo + "/blobs/" + digest;
    req.timeout = options.timeout;
    req.max_body_bytes = size_t{1} << 20;  // for error bodies only
    const std::string what = "GET " + RedactUrl(req.url);
    Sha256 hash;
    uint64_t received = 0;
    bool too_long = false;
    req.body_sink = [&](std::string_view piece) {
      received += piece.size();
      if (expected_size >= 0 && received > static_cast<uint64_t>(expected_size)) {
        too_long = true;
        return false;
      }
      hash.Update(piece);
      if (pipe.Push(piece)) return true;
      cancelled_by_us = true;
      return false;
    };
    Result<HttpResponse> resp = client.SendAuthorized(req, repo, "pull");
    Status st;
    if (too_long) {
      st = Status::Corruption(what + ": the blob is longer than the " + std::to_string(expected_size) +
                              " bytes its descriptor declares");
    } else if (!resp.ok()) {
      st = resp.status();
    } else if (resp->status != 200) {
      st = client.ErrorFor(req, *resp);
    } else if (expected_size >= 0 && received != static_cast<uint64_t>(expected_size)) {
      st = Status::Corruption(what + ": got " + std::to_string(received) + " bytes, the descriptor declares " +
                              std::to_string(expected_size));
    } else if (std::string actual = "sha256:" + hash.FinishHex(); actual != digest) {
      st = Status::Corruption(what + ": content digest mismatch: got " + actual);
    }
    pipe.Close(st);
    return st;
  };

  // Neither side lets an exception escape: the producer's becomes its status (and closes the pipe
  // so the consumer stops waiting), the consumer's becomes its status (so the producer is joined).
  const std::string where = client.registry() + "/" + repo + "@" + digest;
  auto contained = [&where](const char* side, const auto& fn) -> Status {
    try {
      return fn();
    } catch (const std::exception& e) {
      return Status::Internal(where + ": the " + side + " failed unexpectedly: " + e.what());
    } catch (...) {
      return Status::Internal(where + ": the " + side + " failed unexpectedly");
    }
  };
  Status produced;
  std::thread producer;
  try {
    producer = std::thread([&] {
      produced = contained("download", download);
      if (!produced.ok()) pipe.Close(produced);
    });
  } catch (const std::system_error& e) {
    return Status::Internal("cannot start a download thread: " + std::string(e.what()));
  }
  Status consumed = contained("layer scan", [&] { return consume(pipe); });
  if (consumed.ok()) {
    pipe.Drain();
  } else {
    pipe.Abandon();
  }
  producer.join();
  if (!produced.ok() && !cancelled_by_us) return produced;
  return consumed;
}

Status ScanManifestLayers(RegistryClient& client, const std::string& repo, const Json& manifest, LayerScanner& scanner,
                          const BlobStreamOptions& options) {
  const std::string where = client.registry() + "/" + repo;
  auto layers = manifest.find("layers");
  if (!manifest.is_object() || layers == manifest.end() || !layers->is_array()) {
    return Status::InvalidArgument(where + ": the manifest has no \"layers\" (not an image manifest)");
  }
  for (const Json& layer : *layers) {
    const std::string media_type = StringField(layer, "mediaType");
    const std::string digest = StringField(layer, "digest");
    if (digest.empty()) return Status::InvalidArgument(where + ": a layer descriptor without a digest");
    if (IsForeignLayer(media_type)) {
      return Status::NotImplemented(where + "@" + digest + ": foreign (non-distributable) layer " + media_type +
                                    " is not scanned");
    }
    if (!media_type.empty() && !IsLayerMediaType(media_type)) {
      return Status::InvalidArgument(where + "@" + digest + ": layer media type " + media_type +
                                     " is not a container filesystem layer");
    }
    const int64_t size = IntField(layer, "size").value_or(-1);
    MG_RETURN_IF_ERROR(StreamBlob(
        client, repo, digest, size, [&](ByteReader& reader) { return scanner.AddLayer(reader, digest); }, options));
  }
  return Status::OK();
}

Result<ScanResult> ScanImage(RegistryClient& client, const std::string& repo, const std::string& manifest_digest,
                             const ScanOptions& scan_options, const BlobStreamOptions& options) {
  Result<Manifest> manifest = client.GetManifest(repo, manifest_digest);
  if (!manifest.ok()) return manifest.status();
  if (IsIndexMediaType(manifest->media_type)) {
    return Status::InvalidArgument(client.registry() + "/" + repo + "@" + manifest_digest +
                                   " is an index; scan each platform's image manifest");
  }
  LayerScanner scanner(scan_options);
  MG_RETURN_IF_ERROR(ScanManifestLayers(client, repo, manifest->json, scanner, options));
  return scanner.Finish();
}

}  // namespace mg
