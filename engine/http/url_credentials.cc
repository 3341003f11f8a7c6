#include "http/url_credentials.h"

#include <cctype>

#include "http/url.h"

namespace mg {
namespace {

// The userinfo of `text` when it is "scheme://userinfo@host...", with its scheme; false otherwise.
bool SplitUserinfo(std::string_view text, std::string_view* scheme, std::string_view* userinfo) {
  size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0 || !std::isalpha(static_cast<unsigned char>(text[0]))) return false;
  for (char c : text.substr(0, sep)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
  }
  std::string_view rest = text.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return false;
  *scheme = text.substr(0, sep);
  *userinfo = authority.substr(0, at);
  return true;
}

bool IsSsh(std::string_view scheme) {
  std::string s;
  for (char c : scheme) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "ssh" || s == "git+ssh" || s == "ssh+git";
}

}  // namespace

bool UrlHasCredentials(std::string_view text) {
  std::string_view scheme, userinfo;
  if (!SplitUserinfo(text, &scheme, &userinfo)) return false;
  return !IsSsh(scheme) || userinfo.find(':') != std::string_view::npos;
}

std::string RedactUrlCredentials(std::string_view text) {
  return UrlHasCredentials(text) ? RedactUrl(text) : std::string(text);
}

std::string ScrubUrlCredentials(std::string text, std::string_view url) {
  if (!UrlHasCredentials(url)) return text;
  std::string_view scheme, userinfo;
  SplitUserinfo(url, &scheme, &userinfo);
  auto replace_all = [&text](std::string_view from, std::string_view to) {
    if (from.empty()) return;
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  };
  replace_all(url, RedactUrlCredentials(url));
  constexpr size_t kMinSecret = 4;
  if (userinfo.size() >= kMinSecret) replace_all(userinfo, "***");
  if (size_t colon = userinfo.find(':'); colon != std::string_view::npos && userinfo.size() - colon - 1 >= kMinSecret) {
    replace_all(userinfo.substr(colon + 1), "***");
  }
  return text;
}

std::string UrlCredentialsProblem(std::string_view url) {
  return "\"" + RedactUrlCredentials(url) +
         "\" with credentials before the host (user:password@ or token@, not shown): URLs are printed and "
         "stored (logs, cache, image labels, provenance), so they must not carry credentials. Remove them and "
         "use: git's credential helpers, GIT_ASKPASS or ~/.netrc for git sources; GITHUB_TOKEN or GITLAB_TOKEN "
         "(or the source's token_env) for forge APIs; the docker config, registry.auth_file or "
         "MIRRORGRAPH_REGISTRY_USERNAME/_PASSWORD for the registry (docs/security.md)";
}

}  // namespace mg
