#include "sbom/spdx.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include "sbom/license.h"
#include "sbom/purl.h"
#include "util/sha256.h"

namespace mg {
namespace {

bool IsIdChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-'; }

// [A-Za-z0-9.-] only, as SPDXIDs and LicenseRef ids require.
std::string Sanitize(std::string_view s, size_t max = 64) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) break;
    out.push_back(IsIdChar(c) ? c : '-');
  }
  return out;
}

std::string ShortHash(std::string_view text) { return Sha256Hex(text).substr(0, 16); }

bool IsSha256Digest(const std::string& d) {
  if (d.size() != 71 || d.rfind("sha256:", 0) != 0) return false;
  return std::all_of(d.begin() + 7, d.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'); });
}

bool IsTimestamp(const std::string& t) {
  static const char kShape[] = "dddd-dd-ddTdd:dd:ddZ";
  if (t.size() != sizeof(kShape) - 1) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    if (kShape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(t[i])) : t[i] != kShape[i]) return false;
  }
  return true;
}

// Recursive-descent check of the SPDX license expression grammar (SPDX 2.3 annex D).
class ExpressionParser {
 public:
  explicit ExpressionParser(const std::string& text) : tokens_(TokenizeLicenseExpression(text)) {}
  bool Valid() {
    if (tokens_.empty()) return false;
    return Or(0) && pos_ == tokens_.size();
  }

 private:
  bool Or(int depth) {
    if (!And(depth)) return false;
    while (Peek("OR")) {
      ++pos_;
      if (!And(depth)) return false;
    }
    return true;
  }
  bool And(int depth) {
    if (!Term(depth)) return false;
    while (Peek("AND")) {
      ++pos_;
      if (!Term(depth)) return false;
    }
    return true;
  }
  bool Term(int depth) {
    if (depth > 32 || pos_ >= tokens_.size()) return false;
    if (Peek("(")) {
      ++pos_;
      if (!Or(depth + 1) || !Peek(")")) return false;
      ++pos_;
      return true;
    }
    if (!Simple(tokens_[pos_], /*allow_plus=*/true)) return false;
    ++pos_;
    if (Peek("WITH")) {
      ++pos_;
      if (pos_ >= tokens_.size() || !Simple(tokens_[pos_], false)) return false;
      ++pos_;
    }
    return true;
  }
  static bool IdString(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsIdChar); }
  static bool Simple(const std::string& t, bool allow_plus) {
    if (t == "AND" || t == "OR" || t == "WITH" || t == "(" || t == ")") return false;
    std::string_view s(t);
    if (s.rfind("DocumentRef-", 0) == 0) {
      size_t colon = s.find(':');
      if (colon == std::string_view::npos || !IdString(s.substr(12, colon - 12))) return false;
      s = s.substr(colon + 1);
      return s.rfind("LicenseRef-", 0) == 0 && IdString(s.substr(11));
    }
    if (s.rfind("LicenseRef-", 0) == 0) return IdString(s.substr(11));
    if (allow_plus && s.size() > 1 && s.back() == '+') s.remove_suffix(1);
    return IdString(s);
  }
  bool Peek(const char* t) const { return pos_ < tokens_.size() && tokens_[pos_] == t; }

  std::vector<std::string> tokens_;
  size_t pos_ = 0;
};

struct Builder {
  explicit Builder(const SpdxInput& input) : in(input) {}

  const SpdxInput& in;
  Json packages = Json::array();
  Json relationships = Json::array();
  std::map<std::string, ExtractedLicense> license_refs;  // LicenseRef id -> its name and text
  std::set<std::string> ids;

  std::string UniqueId(std::string id) {
    std::string candidate = id;
    for (int n = 2; !ids.insert(candidate).second; ++n) candidate = id + "-" + std::to_string(n);
    return candidate;
  }

  // licenseDeclared of a package: its copyright file's license (deb), else the declared one
  // normalised (sbom/license.h); NOASSERTION when neither says anything.
  std::string License(const Package& p) {
    DeclaredLicense d = !p.copyright_license.expression.empty() ? p.copyright_license
                                                                 : NormalizeLicenseExpression(p.license, p.source_path);
    if (d.expression.empty() || !ExpressionParser(d.expression).Valid()) return "NOASSERTION";
    for (ExtractedLicense& e : d.extracted) license_refs.emplace(e.id, std::move(e));
    return d.expression;
  }

  void Relate(const std::string& from, const char* type, const std::string& to) {
    relationships.push_back({{"spdxElementId", from}, {"relationshipType", type}, {"relatedSpdxElement", to}});
  }

  static std::string SourceInfo(const Package& p) {
    std::string from = p.type == "deb"    ? "the dpkg database"
                       : p.type == "apk"  ? "the apk database"
                       : p.type == "npm"  ? "an npm package.json"
                       : p.type == "golang" ? "Go build information"
                                            : "a file";
    return "acquired package info from " + from + ": " + p.source_path;
  }

  std::string AddImage(const SpdxImage& image) {
    std::string arch;
    {
      size_t slash = image.platform.find('/');
      if (slash != std::string::npos) arch = image.platform.substr(slash + 1, image.platform.find('/', slash + 1) - slash - 1);
    }
    const std::string hex = image.digest.substr(7);
    const std::string id = UniqueId("SPDXRef-Image-" + (image.platform.empty() ? std::string() : Sanitize(image.platform) + "-") +
                                    hex.substr(0, 16));
    Json pkg = {{"SPDXID", id},
                {"name", in.repository},
                {"versionInfo", image.digest},
                {"downloadLocation", "NOASSERTION"},
                {"filesAnalyzed", false},
                {"licenseConcluded", "NOASSERTION"},
                {"licenseDeclared", "NOASSERTION"},
                {"copyrightText", "NOASSERTION"},
                {"primaryPackagePurpose", "CONTAINER"},
                {"checksums", Json::array({{{"algorithm", "SHA256"}, {"checksumValue", hex}}})},
                {"externalRefs", Json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                               {"referenceType", "purl"},
                                               {"referenceLocator", OciPurl(in.repository, image.digest, arch, in.tag)}}})}};
    if (!image.platform.empty()) pkg["description"] = "container image for " + image.platform;
    packages.push_back(std::move(pkg));

    const OsInfo& os = image.scan.os;
    if (os.found()) {
      std::string os_id = UniqueId("SPDXRef-OperatingSystem-" + hex.substr(0, 16));
      Json o = {{"SPDXID", os_id},
                {"name", os.id.empty() ? os.name : os.id},
                {"downloadLocation", "NOASSERTION"},
                {"filesAnalyzed", false},
                {"licenseConcluded", "NOASSERTION"},
                {"licenseDeclared", "NOASSERTION"},
                {"copyrightText", "NOASSERTION"},
                {"primaryPackagePurpose", "OPERATING_SYSTEM"},
                {"sourceInfo", "acquired package info from os-release: " + os.source_path}};
      if (!os.version_id.empty()) o["versionInfo"] = os.version_id;
      if (!os.pretty_name.empty()) o["description"] = os.pretty_name;
      packages.push_back(std::move(o));
      Relate(id, "CONTAINS", os_id);
    }
    for (const Package& p : image.scan.packages) {
      std::string key = image.digest + "\n" + p.type + "\n" + p.name + "\n" + p.version + "\n" + p.arch + "\n" + p.source_path;
      std::string pid = UniqueId("SPDXRef-Package-" + Sanitize(p.type, 16) + "-" + Sanitize(p.name) + "-" + ShortHash(key));
      Json j = {{"SPDXID", pid},
                {"name", p.name},
                {"downloadLocation", "NOASSERTION"},
                {"filesAnalyzed", false},
                {"licenseConcluded", "NOASSERTION"},
                {"licenseDeclared", License(p)},
                {"copyrightText", "NOASSERTION"},
                {"primaryPackagePurpose", p.is_application ? "APPLICATION" : "LIBRARY"},
                {"sourceInfo", SourceInfo(p)}};
      if (!p.version.empty()) j["versionInfo"] = p.version;
      if (!p.purl.empty()) {
        j["externalRefs"] = Json::array(
            {{{"referenceCategory", "PACKAGE-MANAGER"}, {"referenceType", "purl"}, {"referenceLocator", p.purl}}});
      }
      packages.push_back(std::move(j));
      Relate(id, "CONTAINS", pid);
    }
    return id;
  }
};

}  // namespace

std::string SpdxNamespace(const std::string& repository, const std::string& digest) {
  std::string out = "https://mirrorgraph.invalid/spdx/";
  static const char kHex[] = "0123456789ABCDEF";
  for (char ch : repository + "@" + digest) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || std::string_view("-._~:/@").find(ch) != std::string_view::npos) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool IsSpdxLicenseExpression(const std::string& expression) { return ExpressionParser(expression).Valid(); }

Result<Json> BuildSpdx(const SpdxInput& input) {
  if (input.repository.empty()) return Status::InvalidArgument("SPDX document: no repository name");
  if (input.images.empty()) return Status::InvalidArgument("SPDX document for " + input.repository + ": no images");
  const bool index = !input.index_digest.empty();
  if (!index && input.images.size() != 1) {
    return Status::InvalidArgument("SPDX document for " + input.repository + ": " +
                                   std::to_string(input.images.size()) + " images need an index digest");
  }
  if (index && !IsSha256Digest(input.index_digest)) {
    return Status::InvalidArgument("SPDX document: index digest '" + input.index_digest + "' is not sha256:<64 hex>");
  }
  for (const SpdxImage& image : input.images) {
    if (!IsSha256Digest(image.digest)) {
      return Status::InvalidArgument("SPDX document: image digest '" + image.digest + "' is not sha256:<64 hex>");
    }
  }
  if (!IsTimestamp(input.created)) {
    return Status::InvalidArgument("SPDX document: creation time '" + input.created +
                                   "' is not of the form YYYY-MM-DDThh:mm:ssZ");
  }

  std::vector<const SpdxImage*> images;
  for (const SpdxImage& image : input.images) images.push_back(&image);
  std::stable_sort(images.begin(), images.end(), [](const SpdxImage* a, const SpdxImage* b) {
    return std::tie(a->platform, a->digest) < std::tie(b->platform, b->digest);
  });

  Builder b(input);
  b.ids.insert("SPDXRef-DOCUMENT");
  const std::string subject_digest = index ? input.index_digest : input.images.front().digest;
  std::string subject;
  if (index) {
    subject = b.UniqueId("SPDXRef-Index-" + input.index_digest.substr(7, 16));
    b.packages.push_back({{"SPDXID", subject},
                          {"name", input.repository},
                          {"versionInfo", input.index_digest},
                          {"description", "multi-platform container image (OCI image index)"},
                          {"downloadLocation", "NOASSERTION"},
                          {"filesAnalyzed", false},
                          {"licenseConcluded", "NOASSERTION"},
                          {"licenseDeclared", "NOASSERTION"},
                          {"copyrightText", "NOASSERTION"},
                          {"primaryPackagePurpose", "CONTAINER"},
                          {"checksums", Json::array({{{"algorithm", "SHA256"}, {"checksumValue", input.index_digest.substr(7)}}})},
                          {"externalRefs", Json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                                         {"referenceType", "purl"},
                                                         {"referenceLocator", OciPurl(input.repository, input.index_digest, "", input.tag)}}})}});
    b.Relate("SPDXRef-DOCUMENT", "DESCRIBES", subject);
    for (const SpdxImage* image : images) {
      // Reserve the relationship slot before the image's own CONTAINS lines.
      size_t at = b.relationships.size();
      std::string id = b.AddImage(*image);
      b.relationships.insert(b.relationships.begin() + static_cast<long>(at),
                             Json{{"spdxElementId", subject}, {"relationshipType", "CONTAINS"}, {"relatedSpdxElement", id}});
    }
  } else {
    size_t at = b.relationships.size();
    subject = b.AddImage(*images.front());
    b.relationships.insert(b.relationships.begin() + static_cast<long>(at),
                           Json{{"spdxElementId", "SPDXRef-DOCUMENT"}, {"relationshipType", "DESCRIBES"}, {"relatedSpdxElement", subject}});
  }

  std::string name = input.repository + (input.tag.empty() ? "" : ":" + input.tag) + "@" + subject_digest;
  Json doc = {{"spdxVersion", "SPDX-2.3"},
              {"dataLicense", "CC0-1.0"},
              {"SPDXID", "SPDXRef-DOCUMENT"},
              {"name", name},
              {"documentNamespace", SpdxNamespace(input.repository, subject_digest)},
              {"creationInfo", {{"created", input.created}, {"creators", Json::array({"Tool: mirrorgraph-" + input.tool_version})}}},
              {"documentDescribes", Json::array({subject})},
              {"packages", std::move(b.packages)},
              {"relationships", std::move(b.relationships)}};
  if (!b.license_refs.empty()) {
    Json infos = Json::array();
    for (const auto& [id, e] : b.license_refs) {  // sorted by id
      infos.push_back({{"licenseId", id}, {"extractedText", e.text}, {"name", e.name}});
    }
    doc["hasExtractedLicensingInfos"] = std::move(infos);
  }
  return doc;
}

Result<std::string> WriteSpdx(const SpdxInput& input) {
  Result<Json> doc = BuildSpdx(input);
  if (!doc.ok()) return doc.status();
  return CanonicalJson(*doc);
}

}  // namespace mg
