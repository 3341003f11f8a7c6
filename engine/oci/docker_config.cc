#include "oci/docker_config.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "http/base64.h"
#include "oci/credential_helper.h"
#include "http/http_types.h"
#include "util/json.h"

namespace mg {

std::string DefaultDockerConfigPath() {
  const char* dir = std::getenv("DOCKER_CONFIG");
  if (dir != nullptr && *dir != '\0') return std::string(dir) + "/config.json";
  const char* home = std::getenv("HOME");
  std::string home_dir = home != nullptr ? home : "";
  if (home_dir.empty()) {
    if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) home_dir = pw->pw_dir;
  }
  return home_dir + "/.docker/config.json";
}

std::string NormalizeRegistryKey(std::string_view server) {
  std::string_view s = server;
  size_t scheme = s.find("://");
  if (scheme != std::string_view::npos) s = s.substr(scheme + 3);
  size_t slash = s.find('/');
  if (slash != std::string_view::npos) s = s.substr(0, slash);
  std::string key = AsciiLower(s);
  if (key == "index.docker.io" || key == "registry-1.docker.io" || key == "registry.hub.docker.com") {
    return "docker.io";
  }
  return key;
}

Result<DockerConfig> DockerConfig::Parse(std::string_view text, std::string path) {
  DockerConfig config;
  config.path_ = std::move(path);
  config.file_exists_ = true;
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("docker config " + config.path_ + ": " + why);
  };
  std::string error;
  Json root = ParseJson(text, &error);
  if (root.is_discarded()) return bad("not valid JSON: " + error);
  if (!root.is_object()) return bad("the top level must be a JSON object");
  if (auto store = root.find("credsStore"); store != root.end() && !store->is_null()) {
    if (!store->is_string()) return bad("\"credsStore\" must be a string");
    config.creds_store_ = store->get<std::string>();
  }
  if (auto helpers = root.find("credHelpers"); helpers != root.end() && !helpers->is_null()) {
    if (!helpers->is_object()) return bad("\"credHelpers\" must be an object");
    for (auto it = helpers->begin(); it != helpers->end(); ++it) {
      if (!it->is_string()) return bad("credHelpers[\"" + it.key() + "\"] must be a string");
      config.cred_helpers_[NormalizeRegistryKey(it.key())] = it->get<std::string>();
    }
  }
  auto auths = root.find("auths");
  if (auths == root.end()) return config;
  if (!auths->is_object()) return bad("\"auths\" must be an object");
  for (auto it = auths->begin(); it != auths->end(); ++it) {
    const std::string where = "auths[\"" + it.key() + "\"]";
    if (!it->is_object()) return bad(where + " must be an object");
    Credentials creds;
    auto get_string = [&](const char* field, std::string* out) -> Status {
      auto f = it->find(field);
      if (f == it->end() || f->is_null()) return Status::OK();
      if (!f->is_string()) return bad(where + "." + field + " must be a string");
      *out = f->get<std::string>();
      return Status::OK();
    };
    std::string auth;
    MG_RETURN_IF_ERROR(get_string("auth", &auth));
    MG_RETURN_IF_ERROR(get_string("username", &creds.username));
    MG_RETURN_IF_ERROR(get_string("password", &creds.password));
    MG_RETURN_IF_ERROR(get_string("identitytoken", &creds.identity_token));
    if (!auth.empty()) {
      // Never quote the field's value: it is a credential.
      std::optional<std::string> decoded = Base64Decode(auth);
      if (!decoded) return bad(where + ".auth is not valid base64");
      size_t colon = decoded->find(':');
      if (colon == std::string::npos) return bad(where + ".auth must encode \"username:password\"");
      creds.username = decoded->substr(0, colon);
      creds.password = decoded->substr(colon + 1);
    }
    if (creds.empty()) continue;  // e.g. "{}" entries left by credential stores
    config.auths_.emplace(NormalizeRegistryKey(it.key()), std::move(creds));
  }
  return config;
}

Result<DockerConfig> DockerConfig::Load(const std::string& path) {
  std::string p = path.empty() ? DefaultDockerConfigPath() : path;
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      DockerConfig empty;
      empty.path_ = p;
      return empty;
    }
    if (err == EACCES) return Status::PermissionDenied("docker config " + p + ": cannot read: " + std::strerror(err));
    return Status::IOError("docker config " + p + ": cannot read: " + std::strerror(err));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("docker config " + p + ": read failed");
  return Parse(text.str(), p);
}

Result<CredentialLookup> DockerConfig::Find(std::string_view registry, CredentialHelperRunner* runner) const {
  const std::string key = NormalizeRegistryKey(registry);
  std::string helper;
  std::string origin;
  if (auto h = cred_helpers_.find(key); h != cred_helpers_.end()) {
    helper = h->second;
    origin = "credHelpers[\"" + key + "\"] in " + path_;
  } else {
    helper = creds_store_;
    origin = "credsStore in " + path_;
  }
  CredentialLookup found;
  if (!helper.empty()) {
    found.source = HelperProgram(helper) + " (" + origin + ")";
    auto creds = GetHelperCredentials(runner != nullptr ? *runner : DefaultCredentialHelperRunner(), helper,
                                      HelperServerUrl(key), origin);
    if (!creds.ok()) return creds.status();
    found.credentials = std::move(*creds);
    return found;
  }
  found.source = path_;
  if (auto it = auths_.find(key); it != auths_.end()) found.credentials = it->second;
  return found;
}

Result<std::optional<Credentials>> DockerConfig::Lookup(std::string_view registry, CredentialHelperRunner* runner) const {
  auto found = Find(registry, runner);
  if (!found.ok()) return found.status();
  return std::move(found->credentials);
}

std::optional<std::string> GetProcessEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

Result<CredentialLookup> ResolveRegistryCredentials(std::string_view registry, const std::string& auth_file,
                                                    CredentialHelperRunner* runner, const EnvGetter& env) {
  auto get = [&](const char* name) {
    std::optional<std::string> v = env ? env(name) : GetProcessEnv(name);
    return v.value_or("");
  };
  const std::string username = get(kEnvRegistryUsername);
  const std::string password = get(kEnvRegistryPassword);
  if (!username.empty() || !password.empty()) {
    if (username.empty() || password.empty()) {
      return Status::InvalidArgument(std::string(username.empty() ? kEnvRegistryPassword : kEnvRegistryUsername) +
                                     " is set but " + (username.empty() ? kEnvRegistryUsername : kEnvRegistryPassword) +
                                     " is not: set both (credentials for " + NormalizeRegistryKey(registry) +
                                     ") or neither");
    }
    CredentialLookup found;
    found.credentials = Credentials{username, password, ""};
    found.source = std::string("the environment (") + kEnvRegistryUsername + ", " + kEnvRegistryPassword + ")";
    return found;
  }
  std::string path = get(kEnvRegistryAuthFile);
  if (path.empty()) path = auth_file;
  auto config = DockerConfig::Load(path);
  if (!config.ok()) return config.status();
  return config->Find(registry, runner);
}

}  // namespace mg
