#include "plugin/plugin.h"

#include <dlfcn.h>

#include <cstddef>
#include <cstring>
#include <utility>

#include "plugin/host_table.h"

namespace mg {
namespace {

constexpr size_t kV1TableSize = offsetof(mg_plugin, free_string) + sizeof(mg_plugin::free_string);
// A plugin's error message is quoted up to this many bytes.
constexpr size_t kMaxErrorBytes = 4096;

bool IsValidPluginName(const char* name) {
  if (name == nullptr || *name == '\0') return false;
  for (const char* p = name; *p != '\0'; ++p) {
    bool ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-';
    if (!ok) return false;
  }
  return true;
}

// A Status with `code` and `message`; Internal when `code` is OK.
Status WithCode(Status::Code code, std::string message) {
  switch (code) {
    case Status::Code::kNotFound: return Status::NotFound(std::move(message));
    case Status::Code::kInvalidArgument: return Status::InvalidArgument(std::move(message));
    case Status::Code::kIOError: return Status::IOError(std::move(message));
    case Status::Code::kCorruption: return Status::Corruption(std::move(message));
    case Status::Code::kUnavailable: return Status::Unavailable(std::move(message));
    case Status::Code::kPermissionDenied: return Status::PermissionDenied(std::move(message));
    case Status::Code::kCancelled: return Status::Cancelled(std::move(message));
    case Status::Code::kFailedPrecondition: return Status::FailedPrecondition(std::move(message));
    case Status::Code::kNotImplemented: return Status::NotImplemented(std::move(message));
    case Status::Code::kOk:
    case Status::Code::kInternal: break;
  }
  return Status::Internal(std::move(message));
}

}  // namespace

Status ValidatePluginTable(const mg_plugin* table, const std::string& file, const std::string& expected_name) {
  const std::string prefix = "plugin " + file + ": ";
  if (table == nullptr) {
    return Status::FailedPrecondition(prefix + MG_PLUGIN_ENTRY_SYMBOL "() returned NULL");
  }
  if (table->abi_version != MG_PLUGIN_ABI_VERSION) {
    return Status::FailedPrecondition(prefix + "built for ABI " + std::to_string(table->abi_version) +
                                      ", this engine speaks ABI " + std::to_string(MG_PLUGIN_ABI_VERSION) +
                                      "; rebuild it against mirrorgraph " MIRRORGRAPH_VERSION "'s SDK");
  }
  if (table->struct_size < kV1TableSize) {
    return Status::FailedPrecondition(prefix + "its mg_plugin table is " + std::to_string(table->struct_size) +
                                      " bytes, smaller than the " + std::to_string(kV1TableSize) +
                                      " bytes of an ABI 1 table; rebuild it against mirrorgraph " MIRRORGRAPH_VERSION
                                      "'s SDK");
  }
  if (!IsValidPluginName(table->name)) {
    return Status::FailedPrecondition(prefix + "its table has an invalid name '" +
                                      (table->name == nullptr ? std::string("(null)") : std::string(table->name)) +
                                      "' (expected [a-z0-9-]+)");
  }
  if (!expected_name.empty() && expected_name != table->name) {
    return Status::FailedPrecondition(prefix + "its table names it '" + table->name + "' but it was loaded as '" +
                                      expected_name + "'; rename the file to mirrorgraph-" + table->name +
                                      ".so or fix the name in the plugin");
  }
  if (table->version == nullptr || *table->version == '\0') {
    return Status::FailedPrecondition(prefix + "its table has no version");
  }
  const char* missing = nullptr;
  if (table->configure == nullptr) missing = "configure";
  else if (table->discover == nullptr) missing = "discover";
  else if (table->recipe == nullptr) missing = "recipe";
  else if (table->free_string == nullptr) missing = "free_string";
  if (missing != nullptr) {
    return Status::FailedPrecondition(prefix + "its table has a NULL " + missing +
                                      " function; every ABI 1 function is required (return an error instead)");
  }
  return Status::OK();
}

Plugin::Plugin(const mg_plugin* table, std::string file, void* dl_handle)
    : table_(table), name_(table->name), version_(table->version), file_(std::move(file)), dl_handle_(dl_handle) {}

Plugin::~Plugin() {
  if (dl_handle_ != nullptr) dlclose(dl_handle_);
}

Json Plugin::Identity() const { return Json{{"file", file_}, {"name", name_}, {"version", version_}}; }

Result<Json> Plugin::Configure(HostServices& host, const Json& in) const {
  return Call("configure", table_->configure, host, in);
}

Result<Json> Plugin::Discover(HostServices& host, const Json& in) const {
  return Call("discover", table_->discover, host, in);
}

Result<Json> Plugin::Recipe(HostServices& host, const Json& in) const {
  return Call("recipe", table_->recipe, host, in);
}

Result<Json> Plugin::Call(const char* function, Fn fn, HostServices& host, const Json& in) const {
  const std::string text = CanonicalJson(in);
  HostCall call(&host);
  char* out = nullptr;
  size_t out_len = 0;
  char* err = nullptr;
  const int rc = fn(call.table(), text.data(), text.size(), &out, &out_len, &err);

  // `out` is (pointer, *out_len): never read past out_len (it need not be NUL-terminated). The
  // error message is NUL-terminated by the ABI; it is read up to a bound all the same.
  const bool has_out = out != nullptr;
  std::string output;
  if (has_out) output.assign(out, out_len);
  std::string message = err != nullptr ? std::string(err, strnlen(err, kMaxErrorBytes)) : std::string();
  if (message.size() == kMaxErrorBytes) message += "... (cut at " + std::to_string(kMaxErrorBytes) + " bytes)";
  if (out != nullptr) table_->free_string(out);
  if (err != nullptr) table_->free_string(err);

  const std::string prefix = "plugin " + file_ + ": " + function;
  if (rc != 0) {
    if (message.empty()) message = "no error message (returned " + std::to_string(rc) + ")";
    Status host_error = call.last_error();
    return WithCode(host_error.ok() ? Status::Code::kInternal : host_error.code(), prefix + " failed: " + message);
  }
  if (!has_out) return Status::Corruption(prefix + " returned success but no output");
  if (output.empty()) {
    return Status::Corruption(prefix + " returned success with *out_len 0; set *out_len to the output's length");
  }
  std::string parse_error;
  Json parsed = ParseJson(output, &parse_error);
  if (parsed.is_discarded()) {
    return Status::Corruption(prefix + " returned invalid JSON (" + parse_error + ")");
  }
  if (!parsed.is_object()) {
    return Status::Corruption(prefix + " returned JSON that is not an object: " + CanonicalJson(parsed).substr(0, 200));
  }
  return parsed;
}

}  // namespace mg
