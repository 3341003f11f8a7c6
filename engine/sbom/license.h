// Declared licenses as SPDX license expressions: Debian machine-readable copyright files (DEP-5,
// https://dep-team.pages.debian.net/deps/dep5/), apk "L:" fields and npm "license" strings.
// Rules and the short-name mapping: docs/sbom.md, "Licenses". Every function here takes untrusted
// text: it never throws, never fails, and bounds what it keeps.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mg {

// A LicenseRef-* used in an expression, with what SPDX's hasExtractedLicensingInfos needs.
struct ExtractedLicense {
  std::string id;    // "LicenseRef-<name>-<8 hex>": the hash covers name and text, so two packages'
                     // different "other" licenses get different ids and equal ones share one
  std::string name;  // as the source named it ("other", "MIT-like", "SEE LICENSE IN LICENSE.md")
  std::string text;  // the license text when the source carries one, else a sentence saying so

  friend bool operator==(const ExtractedLicense&, const ExtractedLicense&) = default;
};

// A normalised declared license. An empty expression means NOASSERTION (nothing usable).
struct DeclaredLicense {
  std::string expression;                  // a valid SPDX license expression, or empty
  std::vector<ExtractedLicense> extracted;  // one per LicenseRef-* in `expression`, sorted by id

  friend bool operator==(const DeclaredLicense&, const DeclaredLicense&) = default;
};

// What a DEP-5 copyright file declares. `machine_readable` is false when the first paragraph has
// no Format field naming the copyright format (a free-form file, as libc6's): nothing else is set.
struct Dep5Copyright {
  bool machine_readable = false;
  // The first lines of the License fields of the header and of every Files paragraph, in order
  // (empty ones left out).
  std::vector<std::string> license_fields;
  // Texts by short name: of standalone License paragraphs, and of License fields of Files
  // paragraphs that carry their text inline (a standalone paragraph wins). In file order.
  std::vector<std::pair<std::string, std::string>> texts;
};

// Parses a debian/copyright file. At most kMaxDep5Fields license fields and texts of at most
// kMaxLicenseTextBytes each are kept (the rest of a text is cut, marked "[...]").
inline constexpr size_t kMaxDep5Fields = 256;
inline constexpr size_t kMaxLicenseTextBytes = size_t{64} << 10;
Dep5Copyright ParseDep5(std::string_view text);

// The license of a Debian package from its copyright file: each License field's expression
// ("GPL-2+ or Artistic, and BSD-3-clause"; "with <name> exception") mapped to SPDX, the distinct
// AND operands of all fields sorted and joined with AND. Short names not on the SPDX License List
// (after Debian's own names are mapped: Expat -> MIT, GPL-2+ -> GPL-2.0-or-later, BSD-3-clause ->
// BSD-3-Clause, ...) become LicenseRef-* with the file's text for them. Empty expression
// (NOASSERTION) when the file is not DEP-5 or has no usable License field. `source_path` only
// appears in the text of a LicenseRef whose text the file does not carry.
DeclaredLicense DebianCopyrightLicense(std::string_view copyright, std::string_view source_path);

// A license declared as an (approximate) SPDX expression, as apk's "L:" and npm's "license" are:
// operators in any case ("mit or apache-2.0"), ids matched to the SPDX list case-insensitively
// ("mit" -> "MIT"), deprecated GNU ids made explicit ("GPL-2.0" -> "GPL-2.0-only", "GPL-2.0+" ->
// "GPL-2.0-or-later"), operands written side by side without an operator joined with AND (old apk
// "MIT BSD"). An id not on the list becomes a LicenseRef-* (its text: the declared name and
// `source_path`); text that is not an expression at all ("SEE LICENSE IN x", "UNLICENSED",
// unbalanced parentheses) becomes one LicenseRef-* for the whole text. Empty (NOASSERTION) when
// `declared` is blank.
DeclaredLicense NormalizeLicenseExpression(std::string_view declared, std::string_view source_path = {});

// Debian's short name (DEP-5 "Short names", case-insensitive) as an SPDX expression, or "" when
// there is none: "GPL-2+" -> "GPL-2.0-or-later", "Expat" -> "MIT", "Perl" -> "Artistic-1.0-Perl OR
// GPL-1.0-or-later", "BSD-3-clause" -> "BSD-3-Clause", any SPDX list id -> itself.
std::string DebianShortNameToSpdx(std::string_view short_name);

// The SPDX list's spelling of a license or exception id, matched case-insensitively; "" when the
// id is not on the list.
std::string CanonicalSpdxLicenseId(std::string_view id);

// A license expression's tokens: "(" and ")" alone, other runs split at whitespace
// ("(MIT OR Apache-2.0)" -> "(", "MIT", "OR", "Apache-2.0", ")"). Pure.
std::vector<std::string> TokenizeLicenseExpression(std::string_view text);
std::string CanonicalSpdxExceptionId(std::string_view id);

}  // namespace mg
