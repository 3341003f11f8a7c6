#include "sbom/license.h"

#include <boost/test/unit_test.hpp>

#include <set>

#include "sbom/spdx.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::DebianCopyrightLicense;
using mg::DeclaredLicense;
using mg::NormalizeLicenseExpression;

namespace {

// Fixtures written for these tests in the shapes of real Debian copyright files (zlib1g, bash,
// libssl3, tzdata, libc6 on a Debian/Ubuntu system): header fields, Files paragraphs with
// multi-line Files and Copyright, inline license texts, " ." paragraph breaks, standalone License
// paragraphs, Comment fields.
const char kZlibShape[] =
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
    "Upstream-Name: zlib\n"
    "Source: https://zlib.net/\n"
    "\n"
    "Files: *\n"
    "Copyright: 1995-2022 Jean-loup Gailly and Mark Adler\n"
    "License: Zlib\n"
    "\n"
    "Files: contrib/minizip/*\n"
    "Copyright: 1998-2010 Gilles Vollant\n"
    "License: Zlib\n"
    "\n"
    "Files: debian/*\n"
    "Copyright: 2000-2024 Somebody Packaging\n"
    "License: Zlib\n"
    "\n"
    "License: Zlib\n"
    " This software is provided 'as-is', without any express or implied warranty.\n"
    " .\n"
    " Permission is granted to anyone to use this software for any purpose.\n";

const char kBashShape[] =
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
    "Upstream-Contact: someone@example.org\n"
    "Comment:\n"
    " The prepackaged version of a shell.\n"
    " .\n"
    " Put together by a maintainer.\n"
    "Source:\n"
    " ftp.example.org:/pub/shell\n"
    "Files-Excluded:\n"
    " doc/FAQ\n"
    "\n"
    "Files: *\n"
    "Copyright: (C) 1987-2022 Free Software Foundation, Inc.\n"
    "License: GPL-3+\n"
    "\n"
    "Files:\n"
    " tests/a.tests\n"
    " tests/b.tests\n"
    "Copyright: (C) 2005 Someone\n"
    "License: GPL-3+\n"
    "\n"
    "Files: y.tab.*\n"
    "Copyright: (C) 1984-2021 Free Software Foundation,\n"
    "   Inc.\n"
    "License: GPL-3+ with Bison exception\n"
    "   This program is free software: you can redistribute it.\n"
    " .\n"
    "   As a special exception, you may create a larger work that contains\n"
    "   part or all of the parser skeleton.\n"
    "\n"
    "Files: lib/intl/*\n"
    "Copyright: (C) 1995-2002 Free Software Foundation, Inc.\n"
    "License: GPL-2+\n"
    "\n"
    "Files: doc/manual.texi\n"
    "Copyright: (C) 1988-2022 Free Software Foundation, Inc.\n"
    "License: GFDL-NIV-1.3\n"
    "\n"
    "Files: lib/sh/inet_aton.c\n"
    "Copyright:\n"
    " * Copyright (c) 1983, 1990, 1993\n"
    " *    The Regents of the University of California.\n"
    "License: BSD-4-clause-UC and MIT-like\n"
    "\n"
    "License: BSD-4-clause-UC\n"
    " * Redistribution and use in source and binary forms, with or without\n"
    " * modification, are permitted.\n"
    "\n"
    "License: MIT-like\n"
    " * Permission to use, copy, modify, and distribute this software for any\n"
    " * purpose with or without fee is hereby granted.\n"
    "\n"
    "Files: support/man2html.c\n"
    "Copyright: 1995 Someone Else\n"
    "License: permissive\n"
    "\n"
    "License: GPL-3+\n"
    " Bash is free software; you can redistribute it under the terms of the GNU\n"
    " General Public License, version 3 or later.\n";

const char kSslShape[] =
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
    "Upstream-Name: OpenSSL\n"
    "Source: https://www.openssl.org/source/\n"
    "\n"
    "Files: *\n"
    "Copyright: 1998-2024 The OpenSSL Project Authors\n"
    "License: Apache-2.0\n"
    "\n"
    "Files: external/perl/Text-Template-1.56/*\n"
    "Copyright: 2013-2019 Some Author\n"
    "License: Artistic or GPL-1+\n"
    "\n"
    "License: Apache-2.0\n"
    " See /usr/share/common-licenses/Apache-2.0.\n"
    "\n"
    "License: Artistic\n"
    " See /usr/share/common-licenses/Artistic.\n";

const char kTzdataShape[] =
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
    "Upstream-Name: tz\n"
    "\n"
    "Files: *\n"
    "Copyright: none\n"
    "License: public-domain\n"
    " This database is in the public domain.\n";

const char kLibcShape[] =
    "This is the Debian prepackaged version of the GNU C Library version 2.36.\n"
    "\n"
    "It was put together by the GNU Libc Maintainers from the upstream sources.\n"
    "\n"
    "Copyright (C) 1991-2023 Free Software Foundation, Inc.\n"
    "\n"
    "The GNU C Library is free software; you can redistribute it and/or\n"
    "modify it under the terms of the GNU Lesser General Public License.\n";

const mg::ExtractedLicense* Ref(const DeclaredLicense& d, const std::string& name) {
  for (const mg::ExtractedLicense& e : d.extracted) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

// Every expression is valid SPDX, and its LicenseRefs are exactly the extracted ones.
void CheckWellFormed(const DeclaredLicense& d) {
  if (d.expression.empty()) {
    BOOST_TEST(d.extracted.empty());
    return;
  }
  BOOST_TEST(mg::IsSpdxLicenseExpression(d.expression), d.expression);
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
  std::set<std::string> have;
  for (const auto& e : d.extracted) {
    have.insert(e.id);
    BOOST_TEST(!e.text.empty());
  }
  BOOST_TEST((used == have), d.expression);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(license_test)

BOOST_AUTO_TEST_CASE(dep5_single_license_repeated_is_listed_once) {
  DeclaredLicense d = DebianCopyrightLicense(kZlibShape, "/usr/share/doc/zlib1g/copyright");
  BOOST_TEST(d.expression == "Zlib");
  BOOST_TEST(d.extracted.empty());
}

BOOST_AUTO_TEST_CASE(dep5_parses_fields_and_texts) {
  mg::Dep5Copyright f = mg::ParseDep5(kBashShape);
  BOOST_TEST(f.machine_readable);
  BOOST_TEST((f.license_fields == std::vector<std::string>{"GPL-3+", "GPL-3+", "GPL-3+ with Bison exception", "GPL-2+",
                                                           "GFDL-NIV-1.3", "BSD-4-clause-UC and MIT-like", "permissive"}));
  // Standalone paragraphs first, then inline texts of Files paragraphs; " ." is an empty line.
  BOOST_REQUIRE_EQUAL(f.texts.size(), 4u);
  BOOST_TEST(f.texts[0].first == "BSD-4-clause-UC");
  BOOST_TEST(f.texts[2].first == "GPL-3+");
  BOOST_TEST(f.texts[3].first == "GPL-3+ with Bison exception");
  BOOST_TEST(f.texts[3].second.find("redistribute it.\n\n  As a special exception") != std::string::npos, f.texts[3].second);
}

BOOST_AUTO_TEST_CASE(dep5_many_files_paragraphs_combine_with_and) {
  DeclaredLicense d = DebianCopyrightLicense(kBashShape, "/usr/share/doc/bash/copyright");
  CheckWellFormed(d);
  const mg::ExtractedLicense* bison = Ref(d, "GPL-3+ with Bison exception");
  const mg::ExtractedLicense* mit_like = Ref(d, "MIT-like");
  const mg::ExtractedLicense* permissive = Ref(d, "permissive");
  BOOST_REQUIRE(bison != nullptr);
  BOOST_REQUIRE(mit_like != nullptr);
  BOOST_REQUIRE(permissive != nullptr);
  BOOST_TEST(d.extracted.size() == 3u);
  // Sorted operands, each once; SPDX ids for the Debian names, LicenseRefs for the others.
  BOOST_TEST(d.expression == "BSD-4-Clause-UC AND GFDL-1.3-no-invariants-only AND GPL-2.0-or-later AND "
                             "GPL-3.0-or-later AND " + bison->id + " AND " + mit_like->id + " AND " + permissive->id);
  // Texts: the inline one of a Files paragraph, a standalone paragraph's, or a note naming the file.
  BOOST_TEST(bison->text.find("parser skeleton") != std::string::npos);
  BOOST_TEST(mit_like->text.find("Permission to use, copy, modify") != std::string::npos);
  BOOST_TEST(permissive->text.find("\"permissive\" in /usr/share/doc/bash/copyright") != std::string::npos, permissive->text);
  BOOST_TEST(mit_like->id.rfind("LicenseRef-MIT-like-", 0) == 0, mit_like->id);
}

BOOST_AUTO_TEST_CASE(dep5_alternatives_and_debian_names) {
  DeclaredLicense d = DebianCopyrightLicense(kSslShape, "/usr/share/doc/libssl3/copyright");
  BOOST_TEST(d.expression == "Apache-2.0 AND (Artistic-1.0-Perl OR GPL-1.0-or-later)");
  BOOST_TEST(d.extracted.empty());
  CheckWellFormed(d);
}

BOOST_AUTO_TEST_CASE(dep5_public_domain_keeps_its_text) {
  DeclaredLicense d = DebianCopyrightLicense(kTzdataShape, "/usr/share/doc/tzdata/copyright");
  BOOST_REQUIRE_EQUAL(d.extracted.size(), 1u);
  BOOST_TEST(d.expression == d.extracted[0].id);
  BOOST_TEST(d.extracted[0].id.rfind("LicenseRef-public-domain-", 0) == 0);
  BOOST_TEST(d.extracted[0].text == "This database is in the public domain.");
  CheckWellFormed(d);
}

BOOST_AUTO_TEST_CASE(dep5_comma_lowers_precedence_and_exceptions_map) {
  auto one = [](const std::string& field) {
    std::string text = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
                       "Files: *\nCopyright: x\nLicense: " + field + "\n";
    DeclaredLicense d = DebianCopyrightLicense(text, "/c");
    CheckWellFormed(d);
    return d.expression;
  };
  BOOST_TEST(one("GPL-2+ or Artistic-2.0, and BSD-3-clause") == "BSD-3-Clause AND (GPL-2.0-or-later OR Artistic-2.0)");
  BOOST_TEST(one("GPL-2+ or Artistic-2.0 and BSD-3-clause") == "GPL-2.0-or-later OR Artistic-2.0 AND BSD-3-Clause");
  BOOST_TEST(one("Expat") == "MIT");
  BOOST_TEST(one("LGPL-2.1+") == "LGPL-2.1-or-later");
  BOOST_TEST(one("LGPL-2") == "LGPL-2.0-only");
  BOOST_TEST(one("GPL-2") == "GPL-2.0-only");
  BOOST_TEST(one("Perl") == "Artistic-1.0-Perl OR GPL-1.0-or-later");
  BOOST_TEST(one("GPL-3+ with GCC-exception-3.1 exception") == "GPL-3.0-or-later WITH GCC-exception-3.1");
  BOOST_TEST(one("GPL-2 with Linux-syscall-note exception") == "GPL-2.0-only WITH Linux-syscall-note");
  BOOST_TEST(one("MPL-1.1 or GPL-2+ or LGPL-2.1+") == "MPL-1.1 OR GPL-2.0-or-later OR LGPL-2.1-or-later");
  // An unknown exception keeps the whole term as one LicenseRef.
  BOOST_TEST(one("GPL-2+ with OpenSSL exception").rfind("LicenseRef-GPL-2-with-OpenSSL-exception-", 0) == 0);
  // Malformed fields: a dangling operator makes the whole field one LicenseRef.
  BOOST_TEST(one("GPL-2+ or").rfind("LicenseRef-GPL-2-or-", 0) == 0);
  BOOST_TEST(one("and , or with").rfind("LicenseRef-", 0) == 0);
  // ... and defines only that one, not the operands it read before it failed.
  DeclaredLicense half = DebianCopyrightLicense("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
                                                "Files: *\nLicense: other and\n", "/c");
  BOOST_REQUIRE_EQUAL(half.extracted.size(), 1u);
  BOOST_TEST(half.extracted[0].name == "other and");
  // A standalone paragraph without a text does not count as the text.
  DeclaredLicense empty_text = DebianCopyrightLicense("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
                                                      "Files: *\nLicense: other\n\nLicense: other\n", "/c");
  BOOST_REQUIRE_EQUAL(empty_text.extracted.size(), 1u);
  BOOST_TEST(empty_text.extracted[0].text.find("does not include its text") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(noassertion_when_nothing_usable) {
  BOOST_TEST(DebianCopyrightLicense(kLibcShape, "/x").expression.empty());  // free-form, not DEP-5
  BOOST_TEST(DebianCopyrightLicense("", "/x").expression.empty());
  BOOST_TEST(DebianCopyrightLicense("Format: something else\n\nFiles: *\nLicense: MIT\n", "/x").expression.empty());
  // DEP-5, but no Files paragraph or header carries a License field (standalone ones do not count).
  BOOST_TEST(DebianCopyrightLicense("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
                                    "Files: *\nCopyright: x\n\nLicense: MIT\n text\n", "/x")
                 .expression.empty());
  // An empty first line (only a text) is nothing usable either.
  BOOST_TEST(DebianCopyrightLicense("Format: http://dep.debian.net/deps/dep5\n\nFiles: *\nLicense:\n some text\n", "/x")
                 .expression.empty());
  // The header's License counts; CRLF line ends are read.
  BOOST_TEST(DebianCopyrightLicense("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\r\n"
                                    "License: ISC\r\n", "/x")
                 .expression == "ISC");
}

BOOST_AUTO_TEST_CASE(dep5_malformed_input_never_throws) {
  std::string nasty = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n";
  nasty += "Files: *\nLicense: " + std::string(5000, '(') + "\n";
  nasty += "\n\n \n continuation without field\n:no name\nLicense: \xff\xfe\x00 weird\n";
  nasty += "Files: a\nLicense: " + std::string(100000, 'x') + "\n";
  for (int i = 0; i < 2000; ++i) nasty += "Files: f" + std::to_string(i) + "\nLicense: L" + std::to_string(i) + "\n\n";
  DeclaredLicense d = DebianCopyrightLicense(nasty, "/x");
  CheckWellFormed(d);
  BOOST_TEST(d.extracted.size() <= mg::kMaxDep5Fields);
  for (const auto& e : d.extracted) BOOST_TEST(e.text.size() <= mg::kMaxLicenseTextBytes + 8);
}

BOOST_AUTO_TEST_CASE(different_texts_under_one_name_get_different_refs) {
  auto with_other = [](const std::string& text) {
    return DebianCopyrightLicense("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
                                  "Files: *\nLicense: other\n\nLicense: other\n " + text + "\n", "/x");
  };
  DeclaredLicense a = with_other("Text A"), b = with_other("Text B"), a2 = with_other("Text A");
  BOOST_TEST(a.expression != b.expression);
  BOOST_TEST((a == a2));  // deterministic
}

BOOST_AUTO_TEST_CASE(apk_and_npm_expressions) {
  auto norm = [](const std::string& s) {
    DeclaredLicense d = NormalizeLicenseExpression(s, "/lib/apk/db/installed");
    CheckWellFormed(d);
    return d;
  };
  BOOST_TEST(norm("GPL-2.0-only OR MIT").expression == "GPL-2.0-only OR MIT");
  BOOST_TEST(norm("mit and bsd-2-clause").expression == "MIT AND BSD-2-Clause");
  BOOST_TEST(norm("MIT BSD-3-Clause").expression == "MIT AND BSD-3-Clause");  // old apk: side by side
  BOOST_TEST(norm("GPL-2.0").expression == "GPL-2.0-only");
  BOOST_TEST(norm("GPL-2.0+").expression == "GPL-2.0-or-later");
  BOOST_TEST(norm("LGPL-2.1+ AND GPL-2.0-or-later").expression == "LGPL-2.1-or-later AND GPL-2.0-or-later");
  BOOST_TEST(norm("MPL-1.1+").expression == "MPL-1.1+");
  BOOST_TEST(norm("(MIT OR Apache-2.0) AND BSD-3-Clause").expression == "(MIT OR Apache-2.0) AND BSD-3-Clause");
  BOOST_TEST(norm("((MIT))").expression == "MIT");
  BOOST_TEST(norm("Apache-2.0 WITH LLVM-exception").expression == "Apache-2.0 WITH LLVM-exception");
  BOOST_TEST(norm("  ").expression.empty());

  // An id not on the list becomes a LicenseRef with a text saying where it was declared.
  DeclaredLicense bsd = norm("MIT AND BSD");
  BOOST_REQUIRE_EQUAL(bsd.extracted.size(), 1u);
  BOOST_TEST(bsd.expression == "MIT AND " + bsd.extracted[0].id);
  BOOST_TEST(bsd.extracted[0].name == "BSD");
  BOOST_TEST(bsd.extracted[0].text.find("/lib/apk/db/installed") != std::string::npos);
  // Side by side with an unlisted word: free text, one LicenseRef for all of it, text as declared.
  for (const char* text : {"SEE LICENSE IN LICENSE.md", "UNLICENSED", "(MIT", "MIT)", "MIT OR", "WITH", "MIT WITH"}) {
    DeclaredLicense d = norm(text);
    BOOST_REQUIRE_EQUAL(d.extracted.size(), 1u);
    BOOST_TEST(d.expression == d.extracted[0].id, text);
    BOOST_TEST(d.extracted[0].text == text);
  }
  // Someone else's LicenseRef is kept, with a text.
  DeclaredLicense ref = norm("LicenseRef-acme OR MIT");
  BOOST_TEST(ref.expression == "LicenseRef-acme OR MIT");
  BOOST_TEST(norm("LicenseRef-acme WITH LLVM-exception").expression == "LicenseRef-acme WITH LLVM-exception");
  // ... and not defined when it is not used (an unknown exception makes the term one new LicenseRef).
  DeclaredLicense acme = norm("LicenseRef-acme WITH Acme-exception");
  BOOST_REQUIRE_EQUAL(acme.extracted.size(), 1u);
  BOOST_TEST(acme.extracted[0].name == "LicenseRef-acme WITH Acme-exception");
  // An unknown exception: the term becomes one LicenseRef.
  DeclaredLicense ex = norm("GPL-2.0-or-later WITH Acme-exception");
  BOOST_REQUIRE_EQUAL(ex.extracted.size(), 1u);
  BOOST_TEST(ex.extracted[0].name == "GPL-2.0-or-later WITH Acme-exception");
  // Deep nesting and long input: not an expression, no crash.
  DeclaredLicense deep = norm(std::string(1000, '(') + "MIT" + std::string(1000, ')'));
  BOOST_TEST(deep.extracted.size() == 1u);
  std::string many;
  for (int i = 0; i < 3000; ++i) many += "MIT OR ";
  BOOST_TEST(norm(many + "MIT").extracted.size() == 1u);
}

BOOST_AUTO_TEST_CASE(short_names_and_list_lookups) {
  BOOST_TEST(mg::DebianShortNameToSpdx("BSD-3-clause") == "BSD-3-Clause");
  BOOST_TEST(mg::DebianShortNameToSpdx("bsd-2-CLAUSE") == "BSD-2-Clause");
  BOOST_TEST(mg::DebianShortNameToSpdx("GPL-2+") == "GPL-2.0-or-later");
  BOOST_TEST(mg::DebianShortNameToSpdx("GPLv3") == "GPL-3.0-only");
  BOOST_TEST(mg::DebianShortNameToSpdx("AGPL-3+") == "AGPL-3.0-or-later");
  BOOST_TEST(mg::DebianShortNameToSpdx("GFDL-NIV-1.3+") == "GFDL-1.3-no-invariants-or-later");
  BOOST_TEST(mg::DebianShortNameToSpdx("CC0") == "CC0-1.0");
  BOOST_TEST(mg::DebianShortNameToSpdx("Zlib") == "Zlib");
  BOOST_TEST(mg::DebianShortNameToSpdx("GPL").empty());  // no version: not one SPDX id
  BOOST_TEST(mg::DebianShortNameToSpdx("GPL-9").empty());
  BOOST_TEST(mg::DebianShortNameToSpdx("public-domain").empty());
  BOOST_TEST(mg::CanonicalSpdxLicenseId("apache-2.0") == "Apache-2.0");
  BOOST_TEST(mg::CanonicalSpdxLicenseId("Apache-2.1").empty());
  BOOST_TEST(mg::CanonicalSpdxExceptionId("classpath-exception-2.0") == "Classpath-exception-2.0");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
