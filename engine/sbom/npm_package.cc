#include "sbom/npm_package.h"

#include <string>
#include <vector>

#include "util/json.h"

namespace mg {
namespace {

// A SAX handler that keeps only what the SBOM needs, so a package.json with a huge "readme" or
// deeply nested junk costs no more than reading it. Nesting deeper than kMaxDepth stops the parse.
class ManifestSax {
 public:
  static constexpr size_t kMaxDepth = 64;

  std::string name, version, license, license_type;
  std::vector<std::string> licenses;
  bool top_is_object = false;
  bool too_deep = false;
  std::string error;

  bool null() { return Scalar(); }
  bool boolean(bool) { return Scalar(); }
  bool number_integer(Json::number_integer_t) { return Scalar(); }
  bool number_unsigned(Json::number_unsigned_t) { return Scalar(); }
  bool number_float(Json::number_float_t, const std::string&) { return Scalar(); }
  bool binary(Json::binary_t&) { return Scalar(); }
  bool string(std::string& s) {
    if (stack_.empty()) return true;
    const size_t depth = stack_.size();
    const std::string& top_key = stack_[0].key;
    if (depth == 1) {
      if (top_key == "name") name = s;
      if (top_key == "version") version = s;
      if (top_key == "license") license = s;
    } else if (depth == 2 && top_key == "license" && stack_[1].object && stack_[1].key == "type") {
      license_type = s;
    } else if (depth == 2 && top_key == "licenses" && !stack_[1].object) {
      licenses.push_back(s);
    } else if (depth == 3 && top_key == "licenses" && !stack_[1].object && stack_[2].object &&
               stack_[2].key == "type") {
      licenses.push_back(s);
    }
    return true;
  }
  bool start_object(size_t) { return Push(true); }
  bool end_object() { return Pop(); }
  bool start_array(size_t) { return Push(false); }
  bool end_array() { return Pop(); }
  bool key(std::string& k) {
    if (!stack_.empty()) stack_.back().key = k;
    return true;
  }
  bool parse_error(size_t position, const std::string&, const nlohmann::detail::exception& e) {
    error = "at byte " + std::to_string(position) + ": " + e.what();
    return false;
  }

 private:
  struct Frame {
    bool object;
    std::string key;
  };
  bool Scalar() { return !stack_.empty(); }  // a scalar at the top level is not a manifest
  bool Push(bool object) {
    if (stack_.empty()) {
      if (seen_top_) return false;
      seen_top_ = true;
      top_is_object = object;
      if (!object) return false;
    }
    if (stack_.size() >= kMaxDepth) {
      too_deep = true;
      return false;
    }
    stack_.push_back({object, ""});
    return true;
  }
  bool Pop() {
    if (!stack_.empty()) stack_.pop_back();
    return true;
  }
  std::vector<Frame> stack_;
  bool seen_top_ = false;
};

}  // namespace

Result<Package> ParseNpmPackageJson(std::string_view text, std::string_view source_path, bool require_version) {
  const std::string where(source_path);
  ManifestSax sax;
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &sax);
  } catch (const std::exception& e) {
    return Status::Corruption(where + ": not valid JSON: " + e.what());
  }
  if (sax.too_deep) {
    return Status::Corruption(where + ": nested deeper than " + std::to_string(ManifestSax::kMaxDepth) + " levels");
  }
  if (!ok || !sax.top_is_object) {
    return Status::Corruption(where + ": not a JSON object" + (sax.error.empty() ? "" : " (" + sax.error + ")"));
  }
  Package p;
  p.type = "npm";
  p.source_path = where;
  p.name = sax.name;
  p.version = sax.version;
  if (p.name.empty()) return Status::InvalidArgument(where + ": no \"name\"");
  if (p.version.empty() && require_version) return Status::InvalidArgument(where + ": no \"version\"");
  p.license = !sax.license.empty() ? sax.license : sax.license_type;
  if (p.license.empty()) {
    for (const std::string& l : sax.licenses) {
      if (l.empty()) continue;
      if (!p.license.empty()) p.license += " OR ";
      p.license += l;
    }
  }
  return p;
}

}  // namespace mg
