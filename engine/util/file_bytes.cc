#include "util/file_bytes.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>
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
// The SIGBUS action ours replaced, to which every SIGBUS that is not about our mappings goes on:
// a copy made by each install (under g_install_mu), published whole and never freed, so a handler
// already running (chained to by an action that replaced ours) never reads one being written when
// a new mapping re-installs ours. One small allocation per re-install, which only happens when
// something replaced ours; each copy links the one before, so all stay reachable. Null until the
// first install.
struct SavedAction {
  struct sigaction action;
  const SavedAction* older;
};
std::atomic<const SavedAction*> g_previous{nullptr};
static_assert(std::atomic<const SavedAction*>::is_always_lock_free, "the SIGBUS handler reads g_previous");
std::mutex g_install_mu;

// Hands a SIGBUS that is not ours to the action that was installed before ours.
void PassOn(int sig, siginfo_t* info, void* ucontext) {
  // A previous handler that itself passes SIGBUS on to the one it replaced — ours, when ours was
  // installed before it and again after — would bring the signal back here: then the default.
  static thread_local bool passing = false;
  const bool again = passing;
  passing = true;
  const SavedAction* published = g_previous.load(std::memory_order_acquire);
  struct sigaction previous {};
  if (published != nullptr) previous = published->action;  // else SIG_DFL, as before any install
  if (!again && (previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
    previous.sa_sigaction(sig, info, ucontext);
    passing = false;
    return;
  }
  if (!again && previous.sa_handler == SIG_IGN && info->si_code <= 0) {  // sent, and ignored before us
    passing = false;
    return;
  }
  if (!again && (previous.sa_flags & SA_SIGINFO) == 0 && previous.sa_handler != SIG_DFL &&
      previous.sa_handler != SIG_IGN) {
    previous.sa_handler(sig);
    passing = false;
    return;
  }
  // The default (a fault cannot be ignored either): the process ends by SIGBUS, as without us. A
  // fault re-executes its instruction once this returns and meets the default; a sent one is
  // raised again.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(SIGBUS, &dfl, nullptr);
  if (info->si_code <= 0) ::raise(sig);
}

void OnSigbus(int sig, siginfo_t* info, void* ucontext) {
  const int saved_errno = errno;
  // Only a fault on an address (BUS_ADRERR: a page past a file's end) can be about a mapping; for
  // a signal sent by kill(2) si_addr is not an address at all.
  if (info != nullptr && info->si_code == BUS_ADRERR) {
    const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
    for (GuardSlot& slot : g_slots) {
      const uintptr_t begin = slot.begin.load(std::memory_order_acquire);
      if (begin != 0 && addr >= begin && addr - begin < slot.size.load(std::memory_order_relaxed)) {
        ssize_t unused = ::write(STDERR_FILENO, slot.message, slot.message_len);
        (void)unused;
        ::_exit(FileBytes::kShrunkExitCode);
      }
    }
  }
  PassOn(sig, info, ucontext);
  errno = saved_errno;
}

// Installs OnSigbus unless it is the installed action already. Checked at every new mapping, not
// once: something else (a test framework, a library) may have replaced it since. False when ours
// is not installed (the action could not be read, or no memory for its copy): no mapping then.
bool InstallHandler() {
  std::lock_guard<std::mutex> lock(g_install_mu);
  struct sigaction current {};
  if (::sigaction(SIGBUS, nullptr, &current) != 0) return false;
  if ((current.sa_flags & SA_SIGINFO) != 0 && current.sa_sigaction == OnSigbus) return true;
  auto* saved = new (std::nothrow) SavedAction{current, g_previous.load(std::memory_order_relaxed)};
  if (saved == nullptr) return false;
  struct sigaction ours {};
  ours.sa_sigaction = OnSigbus;
  ours.sa_flags = SA_SIGINFO;
  sigemptyset(&ours.sa_mask);
  g_previous.store(saved, std::memory_order_release);
  // Read back: a runtime may refuse or ignore the change (ASan with handle_sigbus=2 keeps its own).
  struct sigaction installed {};
  if (::sigaction(SIGBUS, &ours, nullptr) == 0 && ::sigaction(SIGBUS, nullptr, &installed) == 0 &&
      (installed.sa_flags & SA_SIGINFO) != 0 && installed.sa_sigaction == OnSigbus) {
    return true;
  }
  g_previous.store(saved->older, std::memory_order_release);  // `saved` stays allocated: a handler may hold it
  return false;
}

// Claims a slot for [begin, begin + size) of `path`; -1 when every slot is taken or the handler
// could not be installed (the caller then copies the file).
int Guard(const char* begin, size_t size, const std::string& path) {
  if (!InstallHandler()) return -1;
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
  if (load == Load::kCopy) {
    auto copy = ReadFile(path);
    if (!copy.ok()) return copy.status();
    return FileBytes(std::move(copy.value()));
  }
  // One open for either way: mapped when large enough and mappable, else read from the same fd.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ReadFile(path).status();  // its error, worded like every other read's
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) >= kMapThreshold) {
    const auto size = static_cast<size_t>(st.st_size);
    // MAP_POPULATE: the whole file is read at once, so page faults do not interleave with parsing.
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p != MAP_FAILED) {
      const int slot = Guard(static_cast<const char*>(p), size, path);
      if (slot >= 0) {
        ::close(fd);
        FileBytes bytes;
        bytes.map_ = static_cast<const char*>(p);
        bytes.map_size_ = size;
        bytes.guard_slot_ = slot;
        return bytes;
      }
      ::munmap(p, size);  // every slot taken, or no handler: copied below instead
    }
  }
  auto copy = ReadOpenFile(fd, path);
  ::close(fd);
  if (!copy.ok()) return copy.status();
  return FileBytes(std::move(copy.value()));
}

}  // namespace mg
