#include "oci/layout_push.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <utility>
#include <vector>

#include "oci/media_types.h"
#include "oci/push.h"
#include "oci/reference.h"
#include "oci/upload_session.h"
#include "util/atomic_file.h"
#include "util/json.h"
#include "util/sha256.h"

namespace mg {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMaxLayoutJsonBytes = uint64_t{8} << 20;

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = -1;
  std::string role;  // "config", "layer 2", "manifest" (for messages)
};

// A descriptor object {"mediaType","digest","size"} as found in index.json or a manifest.
Result<Descriptor> ParseDescriptor(const Json& j, const std::string& where, std::string role) {
  if (!j.is_object()) return Status::InvalidArgument(where + ": the " + role + " descriptor is not an object");
  Descriptor d;
  d.role = std::move(role);
  if (auto mt = j.find("mediaType"); mt != j.end()) {
    if (!mt->is_string()) return Status::InvalidArgument(where + ": the " + d.role + "'s mediaType is not a string");
    d.media_type = mt->get<std::string>();
  }
  auto digest = j.find("digest");
  if (digest == j.end() || !digest->is_string() || !IsValidDigest(digest->get<std::string>())) {
    return Status::InvalidArgument(where + ": the " + d.role + " has no valid digest");
  }
  d.digest = digest->get<std::string>();
  MG_RETURN_IF_ERROR(CheckPushDigest(d.digest).WithContext(where + ": the " + d.role));
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0) {
    return Status::InvalidArgument(where + ": the " + d.role + " " + d.digest + " has no valid size");
  }
  d.size = size->get<int64_t>();
  return d;
}

std::string BlobPath(const fs::path& layout, const std::string& digest) {
  const size_t colon = digest.find(':');
  return (layout / "blobs" / digest.substr(0, colon) / digest.substr(colon + 1)).string();
}

// The blob file of `d`: present with the descriptor's size.
Status CheckBlobFile(const fs::path& layout, const Descriptor& d) {
  const std::string path = BlobPath(layout, d.digest);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return Status::NotFound("the " + d.role + " blob " + d.digest + " is missing: no file " + path);
  }
  const uint64_t size = fs::file_size(path, ec);
  if (ec) return Status::IOError("cannot stat " + path + ": " + ec.message());
  if (size != static_cast<uint64_t>(d.size)) {
    return Status::Corruption("the " + d.role + " blob file " + path + " has " + std::to_string(size) +
                              " bytes, its descriptor says " + std::to_string(d.size));
  }
  return Status::OK();
}

Result<Json> ReadLayoutJson(const std::string& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec) && fs::file_size(path, ec) > kMaxLayoutJsonBytes) {
    return Status::InvalidArgument(path + " is larger than " + std::to_string(kMaxLayoutJsonBytes) + " bytes");
  }
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::string error;
  Json doc = ParseJson(*text, &error);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument(path + " is not a JSON object" + (error.empty() ? "" : ": " + error));
  }
  return doc;
}

struct Layout {
  Descriptor manifest;
  std::string manifest_bytes;
  std::vector<Descriptor> blobs;  // config first, then layers; each digest once
};

Result<Layout> ReadLayout(const fs::path& dir) {
  const std::string marker = (dir / "oci-layout").string();
  Result<Json> layout_file = ReadLayoutJson(marker);
  if (!layout_file.ok()) {
    return layout_file.status().WithContext("not an OCI image layout (" + marker + ")");
  }
  if (auto v = layout_file->find("imageLayoutVersion"); v == layout_file->end() || !v->is_string()) {
    return Status::InvalidArgument(marker + " has no imageLayoutVersion: not an OCI image layout");
  }

  const std::string index_path = (dir / "index.json").string();
  Result<Json> index = ReadLayoutJson(index_path);
  if (!index.ok()) return index.status();
  auto entries = index->find("manifests");
  if (entries == index->end() || !entries->is_array()) {
    return Status::InvalidArgument(index_path + " has no \"manifests\" array");
  }
  if (entries->size() != 1) {
    return Status::InvalidArgument(index_path + " lists " + std::to_string(entries->size()) +
                                   " manifests; exactly one image is expected (one `buildah bud --tag oci:DIR` "
                                   "per directory)");
  }
  Result<Descriptor> entry = ParseDescriptor((*entries)[0], index_path, "manifest");
  if (!entry.ok()) return entry.status();
  Layout out;
  out.manifest = *entry;
  if (IsIndexMediaType(out.manifest.media_type)) {
    return Status::InvalidArgument(index_path + ": the manifest " + out.manifest.digest + " is an index (" +
                                   out.manifest.media_type + "), not a single image; push each platform's "
                                   "image on its own");
  }
  if (!out.manifest.media_type.empty() && !IsManifestMediaType(out.manifest.media_type)) {
    return Status::InvalidArgument(index_path + ": the manifest " + out.manifest.digest + " has media type " +
                                   out.manifest.media_type + ", not an OCI or Docker v2 image manifest");
  }
  if (out.manifest.size > static_cast<int64_t>(kMaxLayoutJsonBytes)) {
    return Status::InvalidArgument(index_path + ": the manifest " + out.manifest.digest + " is larger than " +
                                   std::to_string(kMaxLayoutJsonBytes) + " bytes");
  }
  MG_RETURN_IF_ERROR(CheckBlobFile(dir, out.manifest));
  const std::string manifest_path = BlobPath(dir, out.manifest.digest);
  Result<std::string> bytes = ReadFile(manifest_path);
  if (!bytes.ok()) return bytes.status();
  out.manifest_bytes = std::move(bytes).value();
  if (const std::string actual = Sha256Digest(out.manifest_bytes); actual != out.manifest.digest) {
    return Status::Corruption("the manifest blob file " + manifest_path + " does not match its digest: its content is " +
                              actual);
  }

  std::string error;
  Json manifest = ParseJson(out.manifest_bytes, &error);
  if (manifest.is_discarded() || !manifest.is_object()) {
    return Status::InvalidArgument("the manifest " + manifest_path + " is not a JSON object" +
                                   (error.empty() ? "" : ": " + error));
  }
  std::string doc_type;
  if (auto mt = manifest.find("mediaType"); mt != manifest.end() && mt->is_string()) doc_type = mt->get<std::string>();
  if (IsIndexMediaType(doc_type) || manifest.contains("manifests")) {
    return Status::InvalidArgument("the manifest " + manifest_path + " is an index, not a single image; push each "
                                   "platform's image on its own");
  }
  if (out.manifest.media_type.empty()) out.manifest.media_type = doc_type.empty() ? kMediaTypeOciManifest : doc_type;
  if (!doc_type.empty() && doc_type != out.manifest.media_type) {
    return Status::InvalidArgument("the manifest " + manifest_path + " says mediaType " + doc_type + ", " +
                                   index_path + " says " + out.manifest.media_type);
  }
  if (!IsManifestMediaType(out.manifest.media_type)) {
    return Status::InvalidArgument("the manifest " + manifest_path + " has media type " + out.manifest.media_type +
                                   ", not an OCI or Docker v2 image manifest");
  }

  auto config = manifest.find("config");
  auto layers = manifest.find("layers");
  if (config == manifest.end() || layers == manifest.end() || !layers->is_array()) {
    return Status::InvalidArgument("the manifest " + manifest_path + " lacks a config or a layers array");
  }
  std::set<std::string> seen;
  Result<Descriptor> config_desc = ParseDescriptor(*config, manifest_path, "config");
  if (!config_desc.ok()) return config_desc.status();
  seen.insert(config_desc->digest);
  out.blobs.push_back(*config_desc);
  for (size_t i = 0; i < layers->size(); ++i) {
    Result<Descriptor> layer = ParseDescriptor((*layers)[i], manifest_path, "layer " + std::to_string(i + 1));
    if (!layer.ok()) return layer.status();
    if (seen.insert(layer->digest).second) out.blobs.push_back(*layer);
  }
  for (const Descriptor& d : out.blobs) MG_RETURN_IF_ERROR(CheckBlobFile(dir, d));
  return out;
}

}  // namespace

Result<PushedManifest> PushOciLayout(RegistryClient& client, const std::string& repo, const std::string& layout_dir,
                                     const BlobUploadOptions& options) {
  const std::string what = "push OCI layout " + layout_dir + " to " + client.registry() + "/" + repo;
  Status valid = CheckPushRepo(client, repo);
  if (!valid.ok()) return valid.WithContext(what);
  Result<Layout> layout = ReadLayout(layout_dir);
  if (!layout.ok()) return layout.status().WithContext(what);

  auto upload = [&](const Descriptor& d) -> Status {
    Result<BlobUploadPath> up = UploadBlobFile(client, repo, d.digest, BlobPath(layout_dir, d.digest), options);
    return up.ok() ? Status::OK() : up.status().WithContext(what + ": " + d.role);
  };
  for (const Descriptor& d : layout->blobs) MG_RETURN_IF_ERROR(upload(d));
  ManifestPutOptions put_options;
  put_options.reupload = [&](const std::vector<std::string>& missing) -> Status {
    for (const Descriptor& d : layout->blobs) {
      if (std::find(missing.begin(), missing.end(), d.digest) != missing.end()) MG_RETURN_IF_ERROR(upload(d));
    }
    return Status::OK();
  };
  Result<std::string> put = PutManifest(client, repo, layout->manifest.digest, layout->manifest_bytes,
                                        layout->manifest.media_type, put_options);
  if (!put.ok()) return put.status().WithContext(what);
  PushedManifest pushed;
  pushed.digest = *put;
  pushed.media_type = layout->manifest.media_type;
  pushed.size = static_cast<int64_t>(layout->manifest_bytes.size());
  return pushed;
}

}  // namespace mg
