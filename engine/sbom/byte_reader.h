// ByteReader: a pull-based byte stream (a layer blob from a file, memory or the network).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace mg {

// Not thread-safe: one consumer.
class ByteReader {
 public:
  virtual ~ByteReader();
  // The next piece of the stream. The view stays valid until the next call to Read() or the
  // reader's destruction. An empty view means end of stream (and every later call returns an
  // empty view too). A non-OK status is a read failure; the stream is then unusable.
  virtual Result<std::string_view> Read() = 0;
};

// Serves a string (not copied: `data` must outlive the reader) in pieces of at most `piece`
// bytes (REQUIRES: piece > 0).
class StringByteReader : public ByteReader {
 public:
  explicit StringByteReader(std::string_view data, size_t piece = size_t{1} << 20) : data_(data), piece_(piece) {}
  Result<std::string_view> Read() override;

 private:
  std::string_view data_;
  size_t piece_;
};

// Reads a file in 1 MiB pieces. Open() errors: NotFound, IOError (naming the path).
class FileByteReader : public ByteReader {
 public:
  static Result<std::unique_ptr<FileByteReader>> Open(const std::string& path);
  ~FileByteReader() override;
  FileByteReader(const FileByteReader&) = delete;
  FileByteReader& operator=(const FileByteReader&) = delete;
  Result<std::string_view> Read() override;

 private:
  FileByteReader(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
  std::string buffer_;
};

}  // namespace mg
