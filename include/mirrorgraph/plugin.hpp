// mirrorgraph plugin SDK: a header-only C++17 wrapper over the C ABI in mirrorgraph/plugin.h.
//
// An author derives from mirrorgraph::Plugin and names the class once:
//
//   class Hello : public mirrorgraph::Plugin {
//    public:
//     std::string Configure(mirrorgraph::Host& host, const std::string& in_json) override;
//     std::string Discover(mirrorgraph::Host& host, const std::string& in_json) override;  // optional
//     std::string Recipe(mirrorgraph::Host& host, const std::string& in_json) override;    // optional
//   };
//   MIRRORGRAPH_PLUGIN(Hello, "hello", "1.0.0")
//
// The macro defines the static mg_plugin table and the exported entry point `mirrorgraph_plugin_v1`.
// Use it exactly once per plugin, at namespace scope, in one .cc file.
//
// JSON travels as std::string both ways (use any JSON library). A method reports failure by
// throwing: every trampoline catches every exception and returns its what() as the call's error
// message, so no exception ever crosses the ABI. Strings handed to the engine are malloc'ed and
// released by the table's free_string.
//
// Thread-safety: the engine creates one instance of the class (default-constructed on first use)
// and may call its methods from several threads at once; keep per-call state on the stack or guard
// shared state yourself.
#ifndef MIRRORGRAPH_PLUGIN_HPP_
#define MIRRORGRAPH_PLUGIN_HPP_

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "mirrorgraph/plugin.h"

namespace mirrorgraph {

// The exception plugin code throws to fail a call (any std::exception works; this one is also what
// Host throws when a host service fails).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The engine's services during one call. Valid only until the method it was passed to returns.
// Methods may be called from any thread while that call runs.
class Host {
 public:
  explicit Host(const mg_host* host) noexcept : host_(host) {}

  // One line in the calling task's log; level is MG_LOG_DEBUG .. MG_LOG_ERROR. Never throws.
  void Log(int level, const std::string& msg) const noexcept {
    if (Has(offsetof(mg_host, log) + sizeof(host_->log)) && host_->log != nullptr) {
      host_->log(host_->ctx, level, msg.data(), msg.size());
    }
  }

  // An HTTP request through the engine (see mg_host.http for the request and response JSON).
  // Returns the response JSON (any HTTP status); throws Error when no answer came at all.
  std::string Http(const std::string& request_json) const {
    if (!Has(offsetof(mg_host, http) + sizeof(host_->http)) || host_->http == nullptr) {
      throw Error("the engine offers no http service");
    }
    return CallHost(host_->http, request_json, "http request");
  }

  // Runs a built-in upstream source ({"type":"git-tags","url":...}); returns
  // {"candidates":[...]} as JSON. Throws Error on failure.
  std::string DiscoverSource(const std::string& source_json) const {
    if (!Has(offsetof(mg_host, discover_source) + sizeof(host_->discover_source)) ||
        host_->discover_source == nullptr) {
      throw Error("the engine offers no discover_source service");
    }
    return CallHost(host_->discover_source, source_json, "discover_source");
  }

  // The raw table, for services newer than this wrapper (check MG_TABLE_HAS first). May be NULL.
  const mg_host* raw() const noexcept { return host_; }

 private:
  using HostFn = int (*)(void*, const char*, size_t, char**, size_t*, char**);

  bool Has(size_t end) const noexcept { return host_ != nullptr && host_->struct_size >= end; }

  void Free(char* s) const noexcept {
    if (s != nullptr && Has(offsetof(mg_host, free_string) + sizeof(host_->free_string)) &&
        host_->free_string != nullptr) {
      host_->free_string(s);
    }
  }

  std::string CallHost(HostFn fn, const std::string& in, const char* what) const {
    char* out = nullptr;
    size_t out_len = 0;
    char* err = nullptr;
    int rc = fn(host_->ctx, in.data(), in.size(), &out, &out_len, &err);
    if (rc != 0) {
      std::string msg = err != nullptr ? std::string(err) : std::string(what) + " failed";
      Free(err);
      Free(out);
      throw Error(msg);
    }
    Free(err);
    std::string result = out != nullptr ? std::string(out, out_len) : std::string();
    Free(out);
    return result;
  }

  const mg_host* host_;
};

// Base class of a C++ plugin. Methods take the call's input JSON and return its output JSON (see
// mirrorgraph/plugin.h for both documents); they report failure by throwing.
class Plugin {
 public:
  virtual ~Plugin() = default;

  // Required: checks one app's config table and describes its images and source.
  virtual std::string Configure(Host& host, const std::string& in_json) = 0;

  // Optional: by default fails, saying the plugin does not implement it.
  virtual std::string Discover(Host& host, const std::string& in_json) {
    (void)host;
    (void)in_json;
    throw Error("this plugin does not implement discover");
  }

  // Optional: by default fails, saying the plugin does not implement it.
  virtual std::string Recipe(Host& host, const std::string& in_json) {
    (void)host;
    (void)in_json;
    throw Error("this plugin does not implement recipe");
  }
};

namespace detail {

// A malloc'ed NUL-terminated copy of s, or nullptr when out of memory.
inline char* CopyString(const char* s, size_t len) noexcept {
  char* p = static_cast<char*>(std::malloc(len + 1));
  if (p == nullptr) return nullptr;
  if (len != 0) std::memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

inline void FreeString(char* s) noexcept { std::free(s); }

inline void SetError(char** errptr, const char* msg) noexcept {
  if (errptr != nullptr) *errptr = CopyString(msg, std::strlen(msg));
}

// The single instance of the plugin class, constructed on first use (thread-safe).
template <typename P>
P& Instance() {
  static P instance;
  return instance;
}

using Method = std::string (Plugin::*)(Host&, const std::string&);

// The C function behind one table entry: never throws, never lets an exception escape.
template <typename P, Method M>
int Call(const mg_host* host, const char* in, size_t in_len, char** out, size_t* out_len,
         char** errptr) noexcept {
  if (out != nullptr) *out = nullptr;
  if (out_len != nullptr) *out_len = 0;
  if (errptr != nullptr) *errptr = nullptr;
  try {
    if (out == nullptr) throw Error("called with out == NULL");
    Host h(host);
    Plugin& plugin = Instance<P>();
    std::string result = (plugin.*M)(h, in != nullptr ? std::string(in, in_len) : std::string());
    char* copy = CopyString(result.data(), result.size());
    if (copy == nullptr) throw std::bad_alloc();
    *out = copy;
    if (out_len != nullptr) *out_len = result.size();
    return 0;
  } catch (const std::exception& e) {
    SetError(errptr, e.what());
  } catch (...) {
    SetError(errptr, "unknown exception (not derived from std::exception)");
  }
  return 1;
}

}  // namespace detail
}  // namespace mirrorgraph

// Defines the plugin's table and entry point. CLASS derives from mirrorgraph::Plugin and is
// default-constructible; NAME is a string literal matching [a-z0-9-]+ (the file must be named
// mirrorgraph-NAME.so, as mirrorgraph_add_plugin does); VERSION is a string literal, part of every
// task key the plugin influences: change it whenever the plugin's output changes.
#define MIRRORGRAPH_PLUGIN(CLASS, NAME, VERSION)                                                    \
  static_assert(std::is_base_of<::mirrorgraph::Plugin, CLASS>::value,                             \
                "MIRRORGRAPH_PLUGIN: " #CLASS " must derive from mirrorgraph::Plugin");            \
  static_assert(std::is_default_constructible<CLASS>::value,                                      \
                "MIRRORGRAPH_PLUGIN: " #CLASS " must be default-constructible");                   \
  static const mg_plugin mirrorgraph_plugin_table_ = {                                            \
      MG_PLUGIN_ABI_VERSION,                                                                      \
      static_cast<uint32_t>(sizeof(mg_plugin)),                                                   \
      NAME,                                                                                       \
      VERSION,                                                                                    \
      &::mirrorgraph::detail::Call<CLASS, &::mirrorgraph::Plugin::Configure>,                     \
      &::mirrorgraph::detail::Call<CLASS, &::mirrorgraph::Plugin::Discover>,                      \
      &::mirrorgraph::detail::Call<CLASS, &::mirrorgraph::Plugin::Recipe>,                        \
      &::mirrorgraph::detail::FreeString,                                                         \
  };                                                                                              \
  extern "C" MG_PLUGIN_EXPORT const mg_plugin* mirrorgraph_plugin_v1(void) {                      \
    return &mirrorgraph_plugin_table_;                                                            \
  }

#endif  // MIRRORGRAPH_PLUGIN_HPP_
