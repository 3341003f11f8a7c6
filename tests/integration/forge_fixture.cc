#include "forge_fixture.h"

namespace mg::testing {

Result<std::unique_ptr<FakeForge>> FakeForge::Start(const FakeForgeOptions& options) {
  std::vector<std::string> args = {"--token", options.token};
  if (!options.fixtures.empty()) {
    args.push_back("--fixtures");
    args.push_back(options.fixtures);
  }
  auto server = ScriptServer::Start("fake_forge.py", args, "mg-forge");
  if (!server.ok()) return server.status();
  return std::unique_ptr<FakeForge>(new FakeForge(std::move(server.value())));
}

std::string FakeForge::Base(const std::string& mode) const { return server_->Url("/" + mode); }

Result<Json> FakeForge::Requests() const { return server_->GetJsonArray("/_requests"); }

Status FakeForge::Reset() const { return server_->Call("POST", "/_reset").status(); }

}  // namespace mg::testing
