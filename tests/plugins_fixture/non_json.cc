// Test plugin: configure returns text that is not JSON; discover returns a JSON array (not an
// object); recipe calls the host's http service and returns its answer (or fails when it fails).
#include <string>

#include "mirrorgraph/plugin.hpp"

class NonJson : public mirrorgraph::Plugin {
 public:
  std::string Configure(mirrorgraph::Host&, const std::string&) override { return "this is { not json"; }
  std::string Discover(mirrorgraph::Host&, const std::string&) override { return "[1,2,3]"; }
  std::string Recipe(mirrorgraph::Host& host, const std::string& in) override {
    host.Log(MG_LOG_INFO, "recipe called");
    return host.Http(in);
  }
};

MIRRORGRAPH_PLUGIN(NonJson, "non-json", "0.1.0")
