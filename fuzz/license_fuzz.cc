// The license parsers (sbom/license.h) on untrusted text: a Debian copyright file (DEP-5 or not)
// and an apk/npm license declaration. They must never crash or throw, and what they return must
// hold: the expression is empty (NOASSERTION) or a valid SPDX license expression, every
// LicenseRef-* in it is defined exactly once in `extracted` (and nothing else is), texts stay
// within their cap, and the same input gives the same answer.
#include <cstdint>
#include <set>
#include <string>

#include "fuzz_util.h"
#include "sbom/license.h"
#include "sbom/spdx.h"

namespace {

void Check(const mg::DeclaredLicense& d, std::string_view input, const char* what) {
  if (d.expression.empty()) {
    if (!d.extracted.empty()) mg::fuzz::Violated(what, "LicenseRefs without an expression");
    return;
  }
  if (!mg::IsSpdxLicenseExpression(d.expression)) mg::fuzz::Violated(what, d.expression);
  std::set<std::string> used;  // the tokens that are LicenseRefs
  std::string token;
  for (char c : d.expression + " ") {
    if (c == ' ' || c == '(' || c == ')') {
      if (token.rfind("LicenseRef-", 0) == 0) used.insert(token);
      token.clear();
    } else {
      token.push_back(c);
    }
  }
  std::set<std::string> defined;
  for (const mg::ExtractedLicense& e : d.extracted) {
    if (!defined.insert(e.id).second) mg::fuzz::Violated(what, "a LicenseRef defined twice: " + e.id);
    if (e.text.empty() || e.text.size() > mg::kMaxLicenseTextBytes + 8) mg::fuzz::Violated(what, "bad text size for " + e.id);
  }
  if (used != defined) mg::fuzz::Violated(what, "LicenseRefs used and defined differ: " + d.expression);
  (void)input;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = mg::fuzz::AsView(data, size);
  const mg::DeclaredLicense deb = mg::DebianCopyrightLicense(text, "/usr/share/doc/fuzz/copyright");
  Check(deb, text, "DebianCopyrightLicense");
  if (!(deb == mg::DebianCopyrightLicense(text, "/usr/share/doc/fuzz/copyright"))) {
    mg::fuzz::Violated("DebianCopyrightLicense is not deterministic");
  }
  // The first line alone as an apk/npm declaration (the whole input too, when it is short).
  const auto [first, rest] = mg::fuzz::SplitFirstLine(text);
  Check(mg::NormalizeLicenseExpression(first, "/lib/apk/db/installed"), first, "NormalizeLicenseExpression(first line)");
  if (size <= 4096) Check(mg::NormalizeLicenseExpression(text), text, "NormalizeLicenseExpression");
  (void)rest;
  return 0;
}
