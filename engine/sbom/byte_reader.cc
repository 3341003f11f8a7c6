#include "sbom/byte_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mg {

ByteReader::~ByteReader() = default;

Result<std::string_view> StringByteReader::Read() {
  size_t n = std::min(piece_, data_.size());
  std::string_view out = data_.substr(0, n);
  data_.remove_prefix(n);
  return out;
}

Result<std::unique_ptr<FileByteReader>> FileByteReader::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = path + ": " + std::strerror(err);
    if (err == ENOENT) return Status::NotFound(msg);
    return Status::IOError(msg);
  }
  return std::unique_ptr<FileByteReader>(new FileByteReader(fd, path));
}

FileByteReader::~FileByteReader() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::string_view> FileByteReader::Read() {
  buffer_.resize(size_t{1} << 20);
  for (;;) {
    ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
    if (n >= 0) return std::string_view(buffer_.data(), static_cast<size_t>(n));
    if (errno == EINTR) continue;
    return Status::IOError(path_ + ": read: " + std::strerror(errno));
  }
}

}  // namespace mg
