#include "oci/media_types.h"

namespace mg {

std::string ManifestAcceptHeader() {
  return std::string(kMediaTypeOciIndex) + ", " + kMediaTypeOciManifest + ", " + kMediaTypeDockerManifestList +
         ", " + kMediaTypeDockerManifest;
}

std::string BareMediaType(std::string_view content_type) {
  size_t semi = content_type.find(';');
  std::string_view t = content_type.substr(0, semi);
  size_t b = t.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = t.find_last_not_of(" \t");
  return std::string(t.substr(b, e - b + 1));
}

bool IsIndexMediaType(std::string_view media_type) {
  return media_type == kMediaTypeOciIndex || media_type == kMediaTypeDockerManifestList;
}

bool IsManifestMediaType(std::string_view media_type) {
  return media_type == kMediaTypeOciManifest || media_type == kMediaTypeDockerManifest;
}

}  // namespace mg
