#include "util/file_bytes.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <utility>

#include "util/atomic_file.h"

namespace mg {
namespace {

// The SIGBUS handler's table of live mappings. A slot is claimed (taken) by one mapping, filled,
// then published by storing `begin` with release order; the handler reads only published slots.
// Messages are written once per claim before publishing and never freed, so the handler (which may
// run on any thread, at any point) reads no memory that can go away.
struct GuardSlot {
  std::atomic<bool> taken{false};
  std::atomic<uintptr_t> begin{0};
  std::atomic<size_t> size{0};
  size_t message_len = 0;
  char message[1024] = {};
};
GuardSlot g_slots[FileBytes::kMaxMappings];
struct sigaction g_previous {};  // the SIGBUS action before ours; written once, before ours is installed
std::once_flag g_install_once;

void OnSigbus(int sig, siginfo_t* info, void* /*ucontext*/) {
  const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  for (GuardSlot& slot : g_slots) {
    const uintptr_t begin = slot.begin.load(std::memory_order_acquire);
    if (begin != 0 && addr >= begin && addr - begin < slot.size.load(std::memory_order_relaxed)) {
      ssize_t unused = ::write(STDERR_FILENO, slot.message, slot.message_len);
      (void)unused;
      ::_exit(FileBytes::kShrunkExitCode);
    }
  }
  // Not a mapping of ours: what was installed before handles it. A fault re-executes the faulting
  // instruction once this returns, meeting that action; a SIGBUS sent by kill(2) is raised again.
  ::sigaction(SIGBUS, &g_previous, nullptr);
  if (info->si_code <= 0) ::raise(sig);
}

void InstallHandler() {
  std::call_once(g_install_once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = OnSigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGBUS, &sa, &g_previous);
  });
}

// Claims a slot for [begin, begin + size) of `path`; -1 when every slot is taken.
int Guard(const char* begin, size_t size, const std::string& path) {
  InstallHandler();
  for (int i = 0; i < FileBytes::kMaxMappings; ++i) {
    GuardSlot& slot = g_slots[i];
    bool expected = false;
    if (!slot.taken.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) continue;
    std::string message = "mirrorgraph: stopped: " + path +
                          " shrank while this process was reading it (another program truncated or rewrote it in "
                          "place; the state directory's lock keeps only mirrorgraph out). Keep other programs off "
                          "the state directory while a run holds it, then run again: what was lost is recomputed\n";
    slot.message_len = std::min(message.size(), sizeof(slot.message));
    std::memcpy(slot.message, message.data(), slot.message_len);
    slot.size.store(size, std::memory_order_relaxed);
    slot.begin.store(reinterpret_cast<uintptr_t>(begin), std::memory_order_release);
    return i;
  }
  return -1;
}

void Unguard(int i) {
  g_slots[i].begin.store(0, std::memory_order_release);
  g_slots[i].size.store(0, std::memory_order_relaxed);
  g_slots[i].taken.store(false, std::memory_order_release);
}

}  // namespace

FileBytes::FileBytes(FileBytes&& other) noexcept
    : map_(std::exchange(other.map_, nullptr)),
      guard_slot_(std::exchange(other.guard_slot_, -1)),
      map_size_(std::exchange(other.map_size_, 0)),
      copy_(std::move(other.copy_)) {}

FileBytes& FileBytes::operator=(FileBytes&& other) noexcept {
  if (this != &other) {
    Release();
    map_ = std::exchange(other.map_, nullptr);
    map_size_ = std::exchange(other.map_size_, 0);
    guard_slot_ = std::exchange(other.guard_slot_, -1);
    copy_ = std::move(other.copy_);
  }
  return *this;
}

FileBytes::~FileBytes() { Release(); }

void FileBytes::Release() noexcept {
  if (map_ != nullptr) {
    // Unguarded first: once unmapped, the address range may be reused by another mapping.
    if (guard_slot_ >= 0) Unguard(guard_slot_);
    ::munmap(const_cast<char*>(map_), map_size_);
  }
  map_ = nullptr;
  map_size_ = 0;
  guard_slot_ = -1;
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
        const int slot = Guard(static_cast<const char*>(p), size, path);
        if (slot >= 0) {
          FileBytes bytes;
          bytes.map_ = static_cast<const char*>(p);
          bytes.map_size_ = size;
          bytes.guard_slot_ = slot;
          return bytes;
        }
        ::munmap(p, size);  // every slot taken: copied below instead
      }
    }
  }
  auto copy = ReadFile(path);
  if (!copy.ok()) return copy.status();
  return FileBytes(std::move(copy.value()));
}

}  // namespace mg
