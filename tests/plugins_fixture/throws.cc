// Test plugin (C++ wrapper): configure throws a std::runtime_error, recipe throws a non-std value,
// discover is not implemented (the wrapper's default).
#include <stdexcept>
#include <string>

#include "mirrorgraph/plugin.hpp"

class Throws : public mirrorgraph::Plugin {
 public:
  std::string Configure(mirrorgraph::Host&, const std::string&) override {
    throw std::runtime_error("boom inside configure");
  }
  std::string Recipe(mirrorgraph::Host&, const std::string&) override { throw 42; }
};

MIRRORGRAPH_PLUGIN(Throws, "throws", "0.1.0")
