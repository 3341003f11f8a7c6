// mg_plugin_check PATH|NAME NAME [CONFIG_JSON]: loads the plugin at PATH (or named NAME, searching
// the default directories and $MIRRORGRAPH_PLUGIN_PATH) through PluginRegistry, checks
// that its name is NAME, calls configure with {"app":NAME,"config":CONFIG_JSON} and prints
// "<name> <version> <file>" and the configure output. Exit status 0 when all of that works.
#include <cstdio>
#include <string>

#include "plugin/plugin_registry.h"

namespace {

class NoHost : public mg::HostServices {
 public:
  void Log(int level, std::string_view msg) override {
    std::fprintf(stderr, "plugin log [%d]: %.*s\n", level, static_cast<int>(msg.size()), msg.data());
  }
  mg::Result<std::string> Http(std::string_view) override { return mg::Status::Unavailable("no network here"); }
  mg::Result<std::string> DiscoverSource(std::string_view) override {
    return std::string(R"({"candidates":[{"version":"1.0.0","tag":"v1.0.0","commit":""}]})");
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s PATH NAME [CONFIG_JSON]\n", argv[0]);
    return 2;
  }
  const bool is_path = std::string(argv[1]).find('/') != std::string::npos;
  mg::PluginRegistry registry({}, is_path ? mg::PluginRegistry::Defaults::kExclude : mg::PluginRegistry::Defaults::kInclude);
  auto plugin = registry.Load(argv[1]);
  if (!plugin.ok()) {
    std::fprintf(stderr, "%s\n", plugin.status().ToString().c_str());
    return 1;
  }
  const auto& p = *plugin.value();
  std::printf("%s %s %s\n", p.name().c_str(), p.version().c_str(), p.file().c_str());
  if (p.name() != argv[2]) {
    std::fprintf(stderr, "expected plugin name %s, got %s\n", argv[2], p.name().c_str());
    return 1;
  }
  mg::Json config = argc > 3 ? mg::ParseJson(argv[3]) : mg::Json::object();
  if (config.is_discarded()) {
    std::fprintf(stderr, "CONFIG_JSON is not JSON\n");
    return 2;
  }
  NoHost host;
  auto out = p.Configure(host, mg::Json{{"app", p.name()}, {"config", config}, {"defaults", mg::Json::object()}});
  if (!out.ok()) {
    std::fprintf(stderr, "%s\n", out.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", mg::CanonicalJson(out.value()).c_str());
  auto discovered = p.Discover(host, mg::Json{{"app", p.name()}, {"config", config}});
  if (!discovered.ok()) {
    std::fprintf(stderr, "%s\n", discovered.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", mg::CanonicalJson(discovered.value()).c_str());
  return 0;
}
