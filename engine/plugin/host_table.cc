#include "plugin/host_table.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

namespace mg {
namespace {

// A malloc'ed NUL-terminated copy (released by FreeStringFn); nullptr when out of memory.
char* CopyString(std::string_view s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p == nullptr) return nullptr;
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

std::string_view View(const char* s, size_t len) { return s == nullptr ? std::string_view() : std::string_view(s, len); }

}  // namespace

HostCall::HostCall(HostServices* services) : services_(services) {
  std::memset(&table_, 0, sizeof(table_));
  table_.abi_version = MG_PLUGIN_ABI_VERSION;
  table_.struct_size = sizeof(mg_host);
  table_.ctx = this;
  table_.log = &HostCall::LogFn;
  table_.http = &HostCall::HttpFn;
  table_.discover_source = &HostCall::DiscoverSourceFn;
  table_.free_string = &HostCall::FreeStringFn;
}

Status HostCall::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

void HostCall::LogFn(void* ctx, int level, const char* msg, size_t msg_len) {
  try {
    static_cast<HostCall*>(ctx)->services_->Log(level, View(msg, msg_len));
  } catch (...) {
    // Logging never fails a plugin call.
  }
}

int HostCall::HttpFn(void* ctx, const char* req, size_t req_len, char** resp, size_t* resp_len, char** errptr) {
  auto* self = static_cast<HostCall*>(ctx);
  try {
    return self->Finish(self->services_->Http(View(req, req_len)), resp, resp_len, errptr);
  } catch (const std::exception& e) {
    return self->Finish(Status::Internal(std::string("host http threw: ") + e.what()), resp, resp_len, errptr);
  } catch (...) {
    return self->Finish(Status::Internal("host http threw"), resp, resp_len, errptr);
  }
}

int HostCall::DiscoverSourceFn(void* ctx, const char* source, size_t source_len, char** out, size_t* out_len,
                               char** errptr) {
  auto* self = static_cast<HostCall*>(ctx);
  try {
    return self->Finish(self->services_->DiscoverSource(View(source, source_len)), out, out_len, errptr);
  } catch (const std::exception& e) {
    return self->Finish(Status::Internal(std::string("host discover_source threw: ") + e.what()), out, out_len,
                        errptr);
  } catch (...) {
    return self->Finish(Status::Internal("host discover_source threw"), out, out_len, errptr);
  }
}

void HostCall::FreeStringFn(char* s) { std::free(s); }

int HostCall::Finish(Result<std::string> result, char** out, size_t* out_len, char** errptr) {
  if (out != nullptr) *out = nullptr;
  if (out_len != nullptr) *out_len = 0;
  if (errptr != nullptr) *errptr = nullptr;
  Status status = result.ok() ? Status::OK() : result.status();
  if (status.ok()) {
    if (out == nullptr) {
      status = Status::InvalidArgument("host function called with out == NULL");
    } else {
      *out = CopyString(result.value());
      if (*out == nullptr) status = Status::Internal("out of memory");
      else if (out_len != nullptr) *out_len = result.value().size();
    }
  }
  if (status.ok()) return 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_error_ = status;
  }
  if (errptr != nullptr) *errptr = CopyString(status.message());
  return 1;
}

}  // namespace mg
