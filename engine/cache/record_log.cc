#include "cache/record_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "util/atomic_file.h"
#include "util/crc32.h"

namespace mg {
namespace {

std::string Header(std::string_view magic, int version) {
  return std::string(magic) + " v" + std::to_string(version) + "\n";
}

bool ParseHex32(std::string_view s, uint32_t* out) {
  if (s.size() != 8) return false;
  uint32_t v = 0;
  for (char c : s) {
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
    else return false;
  }
  *out = v;
  return true;
}

// The advice that goes with a failed write into the state directory.
std::string WriteFailure(const std::string& path, int err) {
  std::string message = "cannot write " + path + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT || err == EFBIG) {
    message += " (free space on the file system holding it, or point --state-dir elsewhere, then run again; "
               "what was recorded before is kept)";
  }
  return message;
}

}  // namespace

std::string RecordLog::Frame(std::string_view payload) {
  std::string line;
  line.reserve(payload.size() + 10);
  AppendFrame(&line, payload);
  return line;
}

void RecordLog::AppendFrame(std::string* out, std::string_view payload) {
  char crc[9];
  std::snprintf(crc, sizeof(crc), "%08x", Crc32(payload));
  out->append(crc, 8);
  out->push_back('\t');
  out->append(payload);
  out->push_back('\n');
}

Result<RecordLog::Contents> RecordLog::Read(const std::string& path, std::string_view magic, int version,
                                            int oldest_version, FileBytes::Load load) {
  Contents c;
  auto data = FileBytes::Read(path, load);
  if (!data.ok()) {
    if (data.status().code() == Status::Code::kNotFound) return c;
    return data.status();
  }
  c.data = std::move(data.value());
  std::string_view rest = c.data.view();
  for (int v = version; v >= (oldest_version < 0 ? version : oldest_version); --v) {
    const std::string header = Header(magic, v);
    if (rest.substr(0, header.size()) == header) {
      c.header_ok = true;
      c.version = v;
      rest.remove_prefix(header.size());
      break;
    }
  }
  if (!c.header_ok) return c;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) {  // torn tail: the writer died mid-record
      ++c.dropped;
      break;
    }
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    uint32_t crc = 0;
    if (line.size() < 9 || line[8] != '\t' || !ParseHex32(line.substr(0, 8), &crc) ||
        Crc32(line.substr(9)) != crc) {
      ++c.dropped;
      continue;
    }
    c.records.push_back(line.substr(9));
  }
  return c;
}

Result<RecordLog> RecordLog::OpenForAppend(const std::string& path, std::string_view magic, int version,
                                           bool truncate) {
  int flags = O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return Status::IOError("open " + path + ": " + std::strerror(errno));
  RecordLog log(fd, path);
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) return Status::IOError("seek " + path + ": " + std::strerror(errno));
  // A torn tail: cut back to just after the last LF (to nothing when there is none, and the
  // header is written again below).
  char last = '\n';
  if (size > 0 && ::pread(fd, &last, 1, size - 1) != 1) return Status::IOError("read " + path + ": a short read of its end");
  if (last != '\n') {
    off_t end = size;
    char buf[4096];
    off_t keep = 0;
    while (end > 0 && keep == 0) {
      const off_t start = end > static_cast<off_t>(sizeof buf) ? end - static_cast<off_t>(sizeof buf) : 0;
      const ssize_t n = ::pread(fd, buf, static_cast<size_t>(end - start), start);
      if (n != end - start) return Status::IOError("read " + path + ": " + (n < 0 ? std::strerror(errno) : "a short read"));
      for (ssize_t i = n; i > 0; --i) {
        if (buf[i - 1] == '\n') {
          keep = start + i;
          break;
        }
      }
      end = start;
    }
    if (::ftruncate(fd, keep) != 0) return Status::IOError("truncate " + path + ": " + std::strerror(errno));
    size = keep;
  }
  log.good_size_ = size;
  if (size == 0) MG_RETURN_IF_ERROR(log.WriteAll(Header(magic, version)));
  return log;
}

Status RecordLog::Rewrite(const std::string& path, std::string_view magic, int version,
                          const std::vector<std::string_view>& records) {
  std::string out = Header(magic, version);
  for (std::string_view r : records) AppendFrame(&out, r);
  return WriteFileAtomic(path, out);
}

RecordLog::RecordLog(RecordLog&& other) noexcept
    : fd_(other.fd_),
      path_(std::move(other.path_)),
      buffer_(std::move(other.buffer_)),
      good_size_(other.good_size_),
      broken_(std::move(other.broken_)),
      write_(std::move(other.write_)) {
  other.fd_ = -1;
}

RecordLog& RecordLog::operator=(RecordLog&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      (void)Flush();
      ::close(fd_);
    }
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    buffer_ = std::move(other.buffer_);
    good_size_ = other.good_size_;
    broken_ = std::move(other.broken_);
    write_ = std::move(other.write_);
    other.fd_ = -1;
  }
  return *this;
}

RecordLog::~RecordLog() {
  if (fd_ >= 0) {
    (void)Flush();
    ::close(fd_);
  }
}

Status RecordLog::Append(std::string_view payload) {
  AppendFrame(&buffer_, payload);
  return Flush();
}

Status RecordLog::AppendBuffered(std::string_view payload) {
  AppendFrame(&buffer_, payload);
  return buffer_.size() >= (64u << 10) ? Flush() : Status::OK();
}

Status RecordLog::WriteAll(std::string_view data) {
  if (!broken_.empty()) return Status::FailedPrecondition(broken_);
  const size_t total = data.size();
  while (!data.empty()) {
    ssize_t n = write_ ? write_(fd_, data.data(), data.size()) : ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;  // 0 bytes for a non-empty write: no progress, give up
      std::string message = WriteFailure(path_, err);
      // Undo the torn part: the next record must start on a record boundary. good_size_ never
      // falls below the size the file had when this log was opened, so this never cuts bytes a
      // reader mapped before (ActionCache maps its files under the same lock: util/file_bytes.h).
      // Whatever trims a file here must keep that true.
      if (data.size() != total && ::ftruncate(fd_, good_size_) != 0) {
        broken_ = message + "; the torn record at its end could not be removed (ftruncate: " +
                  std::strerror(errno) + "), so no more records are appended to it in this run";
        return Status::IOError(broken_);
      }
      return Status::IOError(message);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  good_size_ += static_cast<off_t>(total);
  return Status::OK();
}

Status RecordLog::Flush() {
  if (buffer_.empty()) return Status::OK();
  Status s = WriteAll(buffer_);
  buffer_.clear();
  return s;
}

Status RecordLog::Sync() {
  MG_RETURN_IF_ERROR(Flush());
  if (::fdatasync(fd_) != 0) return Status::IOError(WriteFailure(path_, errno) + " (fdatasync)");
  return Status::OK();
}

}  // namespace mg
