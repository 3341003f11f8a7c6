#include "util/file_bytes.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "util/atomic_file.h"

namespace mg {

FileBytes::FileBytes(FileBytes&& other) noexcept
    : map_(std::exchange(other.map_, nullptr)), map_size_(std::exchange(other.map_size_, 0)), copy_(std::move(other.copy_)) {}

FileBytes& FileBytes::operator=(FileBytes&& other) noexcept {
  if (this != &other) {
    Release();
    map_ = std::exchange(other.map_, nullptr);
    map_size_ = std::exchange(other.map_size_, 0);
    copy_ = std::move(other.copy_);
  }
  return *this;
}

FileBytes::~FileBytes() { Release(); }

void FileBytes::Release() noexcept {
  if (map_ != nullptr) ::munmap(const_cast<char*>(map_), map_size_);
  map_ = nullptr;
  map_size_ = 0;
}

Result<FileBytes> FileBytes::Read(const std::string& path, Load load) {
  if (load == Load::kMap) {
    // An open that fails here fails in ReadFile below too, which reports it.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      struct stat st {};
      void* p = MAP_FAILED;
      size_t size = 0;
      if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) >= kMapThreshold) {
        size = static_cast<size_t>(st.st_size);
        // MAP_POPULATE: the whole file is read at once, so page faults do not interleave with parsing.
        p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      }
      ::close(fd);
      if (p != MAP_FAILED) {
        FileBytes bytes;
        bytes.map_ = static_cast<const char*>(p);
        bytes.map_size_ = size;
        return bytes;
      }
    }
  }
  auto copy = ReadFile(path);
  if (!copy.ok()) return copy.status();
  return FileBytes(std::move(copy.value()));
}

}  // namespace mg
