// mirror.toml text -> Config or Diagnostics (config/config.h ParseConfig). The reader must never
// crash or throw, must report at least one diagnostic whenever it rejects a file, and must give
// every diagnostic a message.
#include <cstdint>

#include "config/config.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(mg::fuzz::AsView(data, size));
  mg::Diagnostics diags;
  std::optional<mg::Config> config = mg::ParseConfig(text, "/fuzz/mirror.toml", &diags);
  if (!config && diags.empty()) mg::fuzz::Violated("a rejected config without a diagnostic");
  for (const mg::Diagnostic& d : diags.items()) {
    if (d.message.empty()) mg::fuzz::Violated("a diagnostic without a message", d.ToString());
  }
  (void)diags.ToString();
  if (config) {
    for (const mg::AppConfig& app : config->apps) {
      for (const std::string& p : app.platforms) {
        std::string why;
        if (!mg::IsValidPlatform(p, &why)) mg::fuzz::Violated("an accepted app platform is invalid", p);
      }
      (void)app.PositionOf("source.tag_pattern");
    }
  }
  return 0;
}
