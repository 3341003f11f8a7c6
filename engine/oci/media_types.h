// OCI and Docker manifest media types.
#pragma once

#include <string>
#include <string_view>

namespace mg {

inline constexpr char kMediaTypeOciIndex[] = "application/vnd.oci.image.index.v1+json";
inline constexpr char kMediaTypeOciManifest[] = "application/vnd.oci.image.manifest.v1+json";
inline constexpr char kMediaTypeOciConfig[] = "application/vnd.oci.image.config.v1+json";
inline constexpr char kMediaTypeDockerManifestList[] = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr char kMediaTypeDockerManifest[] = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr char kMediaTypeDockerConfig[] = "application/vnd.docker.container.image.v1+json";

// The Accept header value for manifest requests: both index kinds, both manifest kinds.
std::string ManifestAcceptHeader();

// The media type without parameters or surrounding space ("a/b; charset=x" -> "a/b").
std::string BareMediaType(std::string_view content_type);

bool IsIndexMediaType(std::string_view media_type);     // OCI index or Docker manifest list
bool IsManifestMediaType(std::string_view media_type);  // OCI or Docker v2 image manifest

}  // namespace mg
