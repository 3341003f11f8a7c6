// What the engine parses from a plugin's output (untrusted: third-party plugins): the bytes a
// plugin function returns (plugin/plugin.h Plugin::Call), then its configure answer
// (tasks/app_resolver.h ApplyConfigureAnswer), discover answer (tasks/runner.h
// DiscoverResultFromCandidates) and recipe (build/recipe.h ParseRecipe, with its edits). A fake
// plugin table linked into the fuzzer returns the fuzz input from every function.
// Checks: nothing crashes or throws; an answer that is not a JSON object is a Corruption error;
// CanonicalJson of a parsed answer is byte for byte nlohmann's compact dump.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "build/recipe.h"
#include "fuzz_util.h"
#include "plugin/plugin.h"
#include "tasks/app_resolver.h"
#include "tasks/engine_host.h"
#include "tasks/runner.h"

namespace {

std::string_view g_output;  // what the fake plugin returns; set per input

int ReturnOutput(const mg_host*, const char*, size_t, char** out, size_t* out_len, char**) {
  // The ABI's output is a plugin-allocated buffer released with the plugin's free_string.
  char* buffer = static_cast<char*>(std::malloc(g_output.size() + 1));
  std::memcpy(buffer, g_output.data(), g_output.size());
  buffer[g_output.size()] = '\0';
  *out = buffer;
  *out_len = g_output.size();
  return 0;
}

void FreeString(char* s) { std::free(s); }

const mg_plugin kTable = [] {
  mg_plugin t{};
  t.abi_version = MG_PLUGIN_ABI_VERSION;
  t.struct_size = sizeof(mg_plugin);
  t.name = "fuzz";
  t.version = "1.0.0";
  t.configure = ReturnOutput;
  t.discover = ReturnOutput;
  t.recipe = ReturnOutput;
  t.free_string = FreeString;
  return t;
}();

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  g_output = mg::fuzz::AsView(data, size);
  if (g_output.size() == 0) return 0;  // out_len 0 means "NUL-terminated" in the ABI
  static mg::Plugin plugin(&kTable, "/fuzz/mirrorgraph-fuzz.so", nullptr);
  mg::EngineHost host(nullptr, nullptr, nullptr);

  mg::Result<mg::Json> answer = plugin.Discover(host, mg::Json{{"app", "fuzz"}});
  if (!answer.ok()) {
    if (answer.status().code() != mg::Status::Code::kCorruption) {
      mg::fuzz::Violated("an unparsable plugin answer is not Corruption", answer.status().message());
    }
    return 0;
  }
  if (!answer->is_object()) mg::fuzz::Violated("a plugin answer that is not an object was accepted");
  // CanonicalJson walks the tree itself (util/json.cc): byte for byte what nlohmann's dump writes.
  if (mg::CanonicalJson(*answer) != answer->dump(-1, ' ', false, mg::Json::error_handler_t::replace)) {
    mg::fuzz::Violated("CanonicalJson differs from nlohmann's compact dump");
  }

  mg::AppConfig app;
  app.name = "fuzz";
  app.key_positions["source"] = {"/fuzz/mirror.toml", 3, 1};
  mg::AppModel model;
  mg::Diagnostics diags;
  if (!mg::ApplyConfigureAnswer(app, *answer, &model, &diags) && diags.empty()) {
    mg::fuzz::Violated("a rejected configure answer without a diagnostic");
  }
  (void)mg::DiscoverResultFromCandidates(*answer, 3, false);
  (void)mg::DiscoverResultFromCandidates(*answer, 0, true);
  mg::Result<mg::Recipe> recipe = mg::ParseRecipe(*answer);
  if (recipe.ok()) (void)recipe->ToJson();
  return 0;
}
