#include "oci/blob_upload.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <utility>

#include "http/url.h"
#include "oci/push.h"
#include "oci/upload_session.h"
#include "util/sha256.h"

namespace mg {
namespace {

namespace fs = std::filesystem;

// The last byte acknowledged by a "Range: 0-<last>" (or "bytes=0-<last>") answer, or -1 when the
// header is absent or unreadable.
int64_t AcknowledgedEnd(const HttpResponse& response) {
  std::string range = response.Header("range").value_or("");
  if (range.rfind("bytes=", 0) == 0) range.erase(0, 6);
  if (range.rfind("0-", 0) != 0) return -1;
  int64_t end = -1;
  auto [ptr, ec] = std::from_chars(range.data() + 2, range.data() + range.size(), end);
  if (ec != std::errc() || ptr != range.data() + range.size()) return -1;
  return end;
}

// The largest chunk a registry's OCI-Chunk-Min-Length may ask for: a chunk is held in memory.
constexpr uint64_t kMaxChunkBytes = uint64_t{256} << 20;

// Reads up to `n` bytes; a read error is IOError.
Result<std::string> ReadSome(std::ifstream& in, size_t n) {
  std::string buf(n, '\0');
  in.read(buf.data(), static_cast<std::streamsize>(n));
  if (in.bad()) return Status::IOError("cannot read the file");
  buf.resize(static_cast<size_t>(in.gcount()));
  return buf;
}

class ChunkedUpload {
 public:
  ChunkedUpload(RegistryClient& client, const std::string& repo, const std::string& digest, const std::string& path,
                uint64_t size)
      : client_(client), repo_(repo), digest_(digest), path_(path), size_(size) {}

  Status Run(size_t chunk_size) {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return Status::IOError("cannot open the file");
    Result<UploadSession> session = StartUpload(client_, repo_);
    if (!session.ok()) return session.status();
    location_ = session->location;
    if (session->min_chunk > kMaxChunkBytes) {
      CancelUpload(client_, repo_, location_);
      return Status::FailedPrecondition(
          "the registry asks for chunks of at least " + std::to_string(session->min_chunk) +
          " bytes (OCI-Chunk-Min-Length in its answer to POST " + client_.base_url() + "/v2/" + repo_ +
          "/blobs/uploads/), more than the " + std::to_string(kMaxChunkBytes >> 20) +
          " MiB a chunk may hold (each is read into memory); the upload was cancelled. Lower the "
          "registry's minimum chunk length to at most that");
    }
    const size_t chunk = std::max<uint64_t>(chunk_size, session->min_chunk);
    Status s = SendChunks(in, chunk);
    if (s.ok()) s = FinishUpload(client_, repo_, digest_, location_, "");
    if (!s.ok()) CancelUpload(client_, repo_, location_);
    return s;
  }

 private:
  Status SendChunks(std::ifstream& in, size_t chunk) {
    Sha256 hash;
    uint64_t offset = 0;
    while (offset < size_) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(chunk, size_ - offset));
      Result<std::string> bytes = ReadSome(in, want);
      if (!bytes.ok()) return bytes.status();
      if (bytes->size() != want) {
        return Status::IOError("the file shrank while it was uploaded: " + std::to_string(size_) +
                               " bytes expected, " + std::to_string(offset + bytes->size()) + " read");
      }
      hash.Update(*bytes);
      MG_RETURN_IF_ERROR(Patch(offset, std::move(bytes).value()));
      offset += want;
    }
    if (in.peek() != std::char_traits<char>::eof()) {
      return Status::IOError("the file grew beyond " + std::to_string(size_) + " bytes while it was uploaded");
    }
    const std::string actual = "sha256:" + hash.FinishHex();
    if (actual != digest_) {
      return Status::Corruption("the file does not match its digest: its content is " + actual +
                                "; the upload was cancelled");
    }
    return Status::OK();
  }

  Status Patch(uint64_t offset, std::string bytes) {
    const uint64_t last = offset + bytes.size() - 1;
    HttpRequest req;
    req.method = "PATCH";
    req.url = location_;
    req.redact_query = true;
    req.follow_redirects = false;
    req.timeout = TimeoutForBody(bytes.size());
    req.headers.push_back({"Content-Type", "application/octet-stream"});
    req.headers.push_back({"Content-Range", std::to_string(offset) + "-" + std::to_string(last)});
    req.body = std::move(bytes);
    Result<HttpResponse> resp = client_.SendAuthorized(std::move(req), repo_, kPushActions);
    if (!resp.ok()) return resp.status();
    HttpRequest described;
    described.method = "PATCH";
    described.url = location_;
    described.redact_query = true;
    if (resp->status != 202) return client_.ErrorFor(described, *resp);
    if (std::optional<std::string> next = resp->Header("location"); next && !next->empty()) {
      location_ = ResolveUploadLocation(client_, *next);
    }
    const int64_t acknowledged = AcknowledgedEnd(*resp);
    if (acknowledged >= 0 && static_cast<uint64_t>(acknowledged) < last) {
      return Status::Corruption(DescribeRequest(described) + ": sent bytes " + std::to_string(offset) + "-" +
                                std::to_string(last) + ", the registry acknowledged only 0-" +
                                std::to_string(acknowledged));
    }
    return Status::OK();
  }

  RegistryClient& client_;
  const std::string& repo_;
  const std::string& digest_;
  const std::string& path_;
  const uint64_t size_;
  std::string location_;
};

Status UploadMonolithic(RegistryClient& client, const std::string& repo, const std::string& digest,
                        const std::string& path, uint64_t size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open the file");
  Result<std::string> bytes = ReadSome(in, static_cast<size_t>(size));
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() != size || in.peek() != std::char_traits<char>::eof()) {
    return Status::IOError("the file changed size while it was read");
  }
  const std::string actual = Sha256Digest(*bytes);
  if (actual != digest) {
    return Status::Corruption("the file does not match its digest: its content is " + actual +
                              "; nothing was sent");
  }
  Result<UploadSession> session = StartUpload(client, repo);
  if (!session.ok()) return session.status();
  return FinishUpload(client, repo, digest, session->location, std::move(bytes).value());
}

// Steps 2-5 of UploadBlobFile (blob_upload.h); errors without the caller's context.
Result<BlobUploadPath> UploadOnce(RegistryClient& client, const std::string& repo, const std::string& digest,
                                  const std::string& path, uint64_t size, const BlobUploadOptions& options) {
  Result<bool> exists = BlobExists(client, repo, digest);
  if (!exists.ok()) return exists.status();
  if (*exists) return BlobUploadPath::kAlreadyPresent;

  for (const std::string& from : options.mount_from) {
    if (from == repo) continue;
    Result<MountOutcome> mounted = MountBlob(client, repo, digest, from);
    if (mounted.ok() && *mounted == MountOutcome::kMounted) return BlobUploadPath::kMounted;
    if (!mounted.ok()) {
      if (mounted.status().code() == Status::Code::kUnavailable) return mounted.status();
      spdlog::debug("{}/{}: mount of {} from {} failed, going on: {}", client.registry(), repo, digest, from,
                    mounted.status().ToString());
    }
  }

  if (size <= options.chunk_size) {
    MG_RETURN_IF_ERROR(UploadMonolithic(client, repo, digest, path, size));
    return BlobUploadPath::kMonolithic;
  }
  MG_RETURN_IF_ERROR(ChunkedUpload(client, repo, digest, path, size).Run(options.chunk_size));
  return BlobUploadPath::kChunked;
}

}  // namespace

const char* BlobUploadPathName(BlobUploadPath path) {
  switch (path) {
    case BlobUploadPath::kAlreadyPresent:
      return "already-present";
    case BlobUploadPath::kMounted:
      return "mounted";
    case BlobUploadPath::kMonolithic:
      return "monolithic";
    case BlobUploadPath::kChunked:
      return "chunked";
    case BlobUploadPath::kJoined:
      return "joined";
  }
  return "unknown";
}

Result<BlobUploadPath> UploadBlobFile(RegistryClient& client, const std::string& repo, const std::string& digest,
                                      const std::string& path, const BlobUploadOptions& options) {
  MG_RETURN_IF_ERROR(CheckPushRepo(client, repo));
  for (const std::string& from : options.mount_from) MG_RETURN_IF_ERROR(CheckPushRepo(client, from));
  MG_RETURN_IF_ERROR(CheckPushDigest(digest));
  if (options.chunk_size == 0) return Status::InvalidArgument("blob upload: chunk_size must be greater than 0");
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::is_regular_file(st)) {
    return Status::IOError("blob file " + path + " for " + digest + " is missing or not a regular file" +
                           (ec ? ": " + ec.message() : ""));
  }
  const uint64_t size = fs::file_size(path, ec);
  if (ec) return Status::IOError("cannot stat blob file " + path + ": " + ec.message());
  const std::string what = "upload blob " + digest + " (" + path + ") to " + client.registry() + "/" + repo;

  BlobUploadPath how = BlobUploadPath::kJoined;
  bool joined = false;
  Status s = client.uploads().Run(repo, digest, [&]() -> Status {
    Result<BlobUploadPath> done = UploadOnce(client, repo, digest, path, size, options);
    if (!done.ok()) return done.status().WithContext(what);
    how = *done;
    return Status::OK();
  }, &joined);
  if (!s.ok()) return s;
  return joined ? BlobUploadPath::kJoined : how;
}

}  // namespace mg
