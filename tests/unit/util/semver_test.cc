#include "util/semver.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <random>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

namespace {

mg::Version V(const std::string& text) {
  std::optional<mg::Version> v = mg::ParseVersion(text);
  BOOST_REQUIRE_MESSAGE(v.has_value(), "does not parse: " + text);
  return *v;
}

int Cmp(const std::string& a, const std::string& b) { return mg::CompareVersions(V(a), V(b)); }

mg::Candidate C(const std::string& version, const std::string& tag = "") {
  return mg::Candidate{version, tag.empty() ? "v" + version : tag, "sha-" + version, ""};
}

// A release published at `when` (RFC 3339).
mg::Candidate P(const std::string& version, const std::string& when) {
  return mg::Candidate{version, "v" + version, "", when};
}

// Mattermost around 10.5: the ESR line 9.11 gets patch releases after newer minors came out.
std::vector<mg::Candidate> EsrReleases() {
  return {P("10.5.0", "2025-02-14T10:00:00Z"), P("9.11.8", "2025-02-20T09:00:00Z"),
          P("10.4.2", "2025-02-05T10:00:00Z"), P("10.4.1", "2025-01-22T10:00:00Z"),
          P("9.11.7", "2025-01-21T10:00:00Z"), P("10.4.0", "2025-01-16T10:00:00Z")};
}

std::vector<std::string> VersionsOf(const mg::Selection& s) {
  std::vector<std::string> out;
  for (const mg::Candidate& c : s.versions) out.push_back(c.version);
  return out;
}

std::string ReasonFor(const mg::Selection& s, const std::string& version) {
  for (const auto& [v, why] : s.dropped) {
    if (v == version) return why;
  }
  return "<not dropped>";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(semver_test)

BOOST_AUTO_TEST_CASE(parses_parts) {
  mg::Version v = V("1.2.3-rc.1+build.5");
  std::vector<uint64_t> numbers = {1, 2, 3};
  std::vector<std::string> pre = {"rc", "1"};
  BOOST_TEST(v.numbers == numbers, boost::test_tools::per_element());
  BOOST_TEST(v.prerelease == pre, boost::test_tools::per_element());
  BOOST_TEST(v.text == "1.2.3-rc.1+build.5");
  BOOST_TEST(v.is_prerelease());

  BOOST_TEST(V("7").numbers.size() == 1u);
  BOOST_TEST(V("10.1.2.3").numbers.size() == 4u);
  BOOST_TEST(V("2024.01.05").numbers[1] == 1u);  // leading zeros: calendar versions
  BOOST_TEST(V("1.0.0-x-y.z-").prerelease.size() == 2u);
  BOOST_TEST(!V("1.0.0+only.build").is_prerelease());
  BOOST_TEST(V("18446744073709551615").numbers[0] == UINT64_MAX);
}

BOOST_AUTO_TEST_CASE(rejects_non_versions) {
  for (const char* bad : {"", "v1.2.3", "1..2", ".1", "1.", "1.2.x", "latest", "1.2.3-", "1.2.3-rc..1",
                          "1.2.3+", "1.2.3-rc_1", "1.2.3 ", " 1.2.3", "-rc.1", "18446744073709551616",
                          "1.2.3+a+b", "1.2.3-rc.1+"}) {
    BOOST_TEST(!mg::ParseVersion(bad).has_value(), "should not parse: \"" << bad << "\"");
  }
}

BOOST_AUTO_TEST_CASE(numeric_parts_compare_by_value) {
  BOOST_TEST(Cmp("1.10", "1.9") > 0);
  BOOST_TEST(Cmp("1.9.9", "1.10.0") < 0);
  BOOST_TEST(Cmp("10.0.0", "9.99.99") > 0);
  BOOST_TEST(Cmp("2", "1.99.99") > 0);
  BOOST_TEST(Cmp("1.2.3.4", "1.2.3") > 0);       // missing parts are 0
  BOOST_TEST(Cmp("1.2.3.0", "1.2.3.1") < 0);
  BOOST_TEST(Cmp("1.2.3.10", "1.2.3.9") > 0);
}

BOOST_AUTO_TEST_CASE(missing_parts_are_zero_and_text_breaks_ties) {
  BOOST_TEST(mg::SameVersion(V("1.2"), V("1.2.0")));
  BOOST_TEST(mg::SameVersion(V("1.2.0.0"), V("1.2")));
  BOOST_TEST(mg::SameVersion(V("1.0.0+a"), V("1.0.0+b")));
  BOOST_TEST(!mg::SameVersion(V("1.2.0"), V("1.2.1")));
  // The total order still separates them, by text.
  BOOST_TEST(Cmp("1.2", "1.2.0") < 0);
  BOOST_TEST(Cmp("1.2.0", "1.2") > 0);
  BOOST_TEST(Cmp("1.2.0", "1.2.0") == 0);
}

BOOST_AUTO_TEST_CASE(release_is_above_its_prereleases) {
  BOOST_TEST(Cmp("1.0.0-rc.1", "1.0.0") < 0);
  BOOST_TEST(Cmp("1.0.0", "1.0.0-rc.1") > 0);
  BOOST_TEST(Cmp("1.0.0-rc.1", "0.9.9") > 0);  // but above lower releases
  BOOST_TEST(Cmp("1.0-rc.1", "1.0.0") < 0);    // and missing parts still count as 0
}

BOOST_AUTO_TEST_CASE(prerelease_identifiers_follow_semver) {
  BOOST_TEST(Cmp("1.0.0-rc.2", "1.0.0-rc.10") < 0);     // numeric by value
  BOOST_TEST(Cmp("1.0.0-alpha", "1.0.0-beta") < 0);     // alphanumeric by ASCII
  BOOST_TEST(Cmp("1.0.0-alpha", "1.0.0-alpha.1") < 0);  // shorter prefix is lower
  BOOST_TEST(Cmp("1.0.0-1", "1.0.0-alpha") < 0);        // numeric below alphanumeric
  BOOST_TEST(Cmp("1.0.0-rc.1", "1.0.0-rc.a") < 0);
  BOOST_TEST(Cmp("1.0.0-RC.1", "1.0.0-rc.1") < 0);      // ASCII: upper case first
  BOOST_TEST(Cmp("1.0.0-rc.99999999999999999999999", "1.0.0-rc.100000000000000000000000") < 0);

  // The chain from the SemVer 2.0 specification, shuffled and sorted back.
  std::vector<std::string> spec = {"1.0.0-alpha",      "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                                   "1.0.0-beta.2",     "1.0.0-beta.11", "1.0.0-rc.1",       "1.0.0"};
  std::vector<mg::Version> shuffled;
  for (const auto& s : spec) shuffled.push_back(V(s));
  std::mt19937 rng(7);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  std::sort(shuffled.begin(), shuffled.end(),
            [](const mg::Version& a, const mg::Version& b) { return mg::CompareVersions(a, b) < 0; });
  std::vector<std::string> sorted;
  for (const auto& v : shuffled) sorted.push_back(v.text);
  BOOST_TEST(sorted == spec, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(build_metadata_does_not_order) {
  BOOST_TEST(Cmp("1.0.0+zzz", "1.0.1+aaa") < 0);
  BOOST_TEST(Cmp("1.0.0-rc.1+9", "1.0.0-rc.2+1") < 0);
}

BOOST_AUTO_TEST_CASE(order_is_antisymmetric) {
  std::vector<std::string> all = {"1", "1.0", "1.0.0", "1.0.0-rc.1", "1.0.0+b", "1.10", "1.9.9.9", "2.0.0-alpha"};
  for (const auto& a : all) {
    BOOST_TEST(Cmp(a, a) == 0);
    for (const auto& b : all) {
      if (a != b) BOOST_TEST(Cmp(a, b) == -Cmp(b, a), a << " vs " << b);
      if (a != b) BOOST_TEST(Cmp(a, b) != 0, a << " vs " << b);
    }
  }
}

BOOST_AUTO_TEST_CASE(select_sorts_newest_first_and_marks_latest) {
  mg::Selection s = mg::SelectVersions({C("1.9.0"), C("1.10.0"), C("1.2.3"), C("1.10.1-rc.1")}, 10, false);
  std::vector<std::string> expected = {"1.10.1-rc.1", "1.10.0", "1.9.0", "1.2.3"};
  BOOST_TEST(VersionsOf(s) == expected, boost::test_tools::per_element());
  BOOST_TEST(s.latest == "1.10.0");  // never a prerelease
  BOOST_TEST(s.dropped.empty());
  BOOST_TEST(s.versions[1].tag == "v1.10.0");
  BOOST_TEST(s.versions[1].commit == "sha-1.10.0");
}

BOOST_AUTO_TEST_CASE(select_drops_non_versions_with_reason) {
  mg::Selection s = mg::SelectVersions({C("1.0.0"), C("nightly"), C("")}, 10, false);
  std::vector<std::string> expected = {"1.0.0"};
  BOOST_TEST(VersionsOf(s) == expected, boost::test_tools::per_element());
  BOOST_TEST(ReasonFor(s, "nightly") == "not a version");
  BOOST_TEST(ReasonFor(s, "") == "not a version");
  BOOST_TEST(s.dropped.size() == 2u);
}

BOOST_AUTO_TEST_CASE(select_keeps_first_duplicate_by_tag) {
  // "1.2" (tag v1.2) and "1.2.0" (tag v1.2.0) are one version; "v1.2" sorts first.
  mg::Selection s = mg::SelectVersions({C("1.2.0"), C("1.2"), C("1.3.0"), C("1.3.0+build7", "release-1.3.0")},
                                       10, false);
  std::vector<std::string> expected = {"1.3.0+build7", "1.2"};
  BOOST_TEST(VersionsOf(s) == expected, boost::test_tools::per_element());
  BOOST_TEST(s.versions[0].tag == "release-1.3.0");  // "r" < "v"
  BOOST_TEST(ReasonFor(s, "1.2.0") == "duplicate of v1.2");
  BOOST_TEST(ReasonFor(s, "1.3.0") == "duplicate of release-1.3.0");
  BOOST_TEST(s.latest == "1.3.0+build7");
}

BOOST_AUTO_TEST_CASE(select_cuts_to_max_versions) {
  std::vector<mg::Candidate> cands;
  for (int i = 1; i <= 12; ++i) cands.push_back(C("1." + std::to_string(i) + ".0"));
  mg::Selection s = mg::SelectVersions(cands, 10, false);
  BOOST_TEST(s.versions.size() == 10u);
  BOOST_TEST(s.versions.front().version == "1.12.0");
  BOOST_TEST(s.versions.back().version == "1.3.0");
  BOOST_TEST(ReasonFor(s, "1.2.0") == "below the 10 newest versions");
  BOOST_TEST(ReasonFor(s, "1.1.0") == "below the 10 newest versions");
  BOOST_TEST(s.latest == "1.12.0");

  mg::Selection unlimited = mg::SelectVersions(cands, 0, false);
  BOOST_TEST(unlimited.versions.size() == 12u);
}

BOOST_AUTO_TEST_CASE(prereleases_count_towards_the_window) {
  mg::Selection s = mg::SelectVersions({C("2.0.0-rc.2"), C("2.0.0-rc.10"), C("1.9.0"), C("1.8.0")}, 2, false);
  std::vector<std::string> expected = {"2.0.0-rc.10", "2.0.0-rc.2"};
  BOOST_TEST(VersionsOf(s) == expected, boost::test_tools::per_element());
  BOOST_TEST(s.latest == "");  // no release among the selected
}

BOOST_AUTO_TEST_CASE(latest_only) {
  mg::Selection s = mg::SelectVersions({C("1.0.0"), C("1.1.0"), C("1.2.0-beta.1"), C("junk")}, 10, true);
  std::vector<std::string> expected = {"1.1.0"};
  BOOST_TEST(VersionsOf(s) == expected, boost::test_tools::per_element());
  BOOST_TEST(s.latest == "1.1.0");
  BOOST_TEST(ReasonFor(s, "1.2.0-beta.1") == "not the latest release");
  BOOST_TEST(ReasonFor(s, "1.0.0") == "not the latest release");
  BOOST_TEST(ReasonFor(s, "junk") == "not a version");

  mg::Selection none = mg::SelectVersions({C("1.0.0-rc.1")}, 10, true);
  BOOST_TEST(none.versions.empty());
  BOOST_TEST(none.latest == "");
}

BOOST_AUTO_TEST_CASE(newest_window_keeps_the_highest_versions) {
  mg::Selection s = mg::SelectVersions(EsrReleases(), 3, false, mg::Window::kNewest);
  std::vector<std::string> expected = {"10.5.0", "10.4.2", "10.4.1"};
  BOOST_TEST(VersionsOf(s) == expected, boost::test_tools::per_element());
  BOOST_TEST(ReasonFor(s, "9.11.8") == "below the 3 newest versions");
  BOOST_TEST(ReasonFor(s, "10.4.0") == "below the 3 newest versions");
  BOOST_TEST(s.latest == "10.5.0");
  BOOST_TEST(std::string(mg::WindowName(s.window)) == "newest");
  BOOST_TEST(s.note.empty());
}

BOOST_AUTO_TEST_CASE(published_window_keeps_the_most_recently_published) {
  // 9.11.8 (an ESR patch) came out after 10.5.0: the published window mirrors it, the newest does not.
  mg::Selection s = mg::SelectVersions(EsrReleases(), 3, false, mg::Window::kPublished);
  std::vector<std::string> expected = {"10.5.0", "10.4.2", "9.11.8"};  // newest first by version
  BOOST_TEST(VersionsOf(s) == expected, boost::test_tools::per_element());
  BOOST_TEST(ReasonFor(s, "10.4.1") == "older than the 3 most recently published");
  BOOST_TEST(ReasonFor(s, "9.11.7") == "older than the 3 most recently published");
  BOOST_TEST(ReasonFor(s, "10.4.0") == "older than the 3 most recently published");
  BOOST_TEST(s.latest == "10.5.0");  // still the highest release, never the ESR patch
  BOOST_TEST(std::string(mg::WindowName(s.window)) == "published");
  BOOST_TEST(s.versions[2].published == "2025-02-20T09:00:00Z");  // the date travels with the version

  mg::Selection all = mg::SelectVersions(EsrReleases(), 0, false, mg::Window::kPublished);
  BOOST_TEST(all.versions.size() == 6u);
  BOOST_TEST(all.dropped.empty());
}

BOOST_AUTO_TEST_CASE(published_window_compares_instants_not_text) {
  // 10.0.1 at 09:30+02:00 is 07:30Z, before 10.0.0's 08:00Z; 2.0.0 ties 10.0.0 to the millisecond.
  mg::Selection s = mg::SelectVersions({P("10.0.0", "2025-03-01T08:00:00Z"), P("10.0.1", "2025-03-01T09:30:00.000+02:00"),
                                        P("2.0.0", "2025-03-01T08:00:00.000Z")},
                                       2, false, mg::Window::kPublished);
  std::vector<std::string> expected = {"10.0.0", "2.0.0"};
  BOOST_TEST(VersionsOf(s) == expected, boost::test_tools::per_element());
  BOOST_TEST(ReasonFor(s, "10.0.1") == "older than the 2 most recently published");
  // At equal instants the higher version wins the last place.
  mg::Selection one = mg::SelectVersions({P("2.0.0", "2025-03-01T08:00:00Z"), P("10.0.0", "2025-03-01T08:00:00Z")}, 1,
                                         false, mg::Window::kPublished);
  BOOST_TEST(VersionsOf(one) == std::vector<std::string>{"10.0.0"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(published_window_without_dates_falls_back_to_newest) {
  std::vector<mg::Candidate> cands = EsrReleases();
  cands[3].published = "";  // 10.4.1: a source without dates (git tags) or a release without one
  mg::Selection s = mg::SelectVersions(cands, 3, false, mg::Window::kPublished);
  std::vector<std::string> expected = {"10.5.0", "10.4.2", "10.4.1"};
  BOOST_TEST(VersionsOf(s) == expected, boost::test_tools::per_element());
  BOOST_TEST(std::string(mg::WindowName(s.window)) == "newest");
  BOOST_TEST(ReasonFor(s, "9.11.8") == "below the 3 newest versions");
  BOOST_TEST(s.note.find("10.4.1 has no publication date") != std::string::npos, s.note);
  BOOST_TEST(s.note.find("3 newest by version") != std::string::npos, s.note);

  cands[3].published = "last tuesday";
  mg::Selection bad = mg::SelectVersions(cands, 3, false, mg::Window::kPublished);
  BOOST_TEST(std::string(mg::WindowName(bad.window)) == "newest");
  BOOST_TEST(bad.note.find("unreadable publication date \"last tuesday\"") != std::string::npos, bad.note);
}

BOOST_AUTO_TEST_CASE(window_names_round_trip) {
  for (mg::Window w : {mg::Window::kNewest, mg::Window::kPublished}) {
    BOOST_TEST((mg::ParseWindow(mg::WindowName(w)) == w));
  }
  BOOST_TEST(!mg::ParseWindow("Published").has_value());
  BOOST_TEST(!mg::ParseWindow("").has_value());
}

BOOST_AUTO_TEST_CASE(four_part_versions) {
  mg::Selection s = mg::SelectVersions({C("5.1.0.2"), C("5.1.0.10"), C("5.1.0"), C("5.1")}, 10, false);
  std::vector<std::string> expected = {"5.1.0.10", "5.1.0.2", "5.1"};
  BOOST_TEST(VersionsOf(s) == expected, boost::test_tools::per_element());
  BOOST_TEST(ReasonFor(s, "5.1.0") == "duplicate of v5.1");
}

BOOST_AUTO_TEST_CASE(selection_does_not_depend_on_input_order) {
  std::vector<mg::Candidate> cands = {C("1.2"), C("1.2.0"), C("3.0.0-rc.1"), C("2.0.0"), C("0.9"), C("x"),
                                      C("2.0.0+meta", "w2.0.0")};
  mg::Selection reference = mg::SelectVersions(cands, 3, false);
  std::mt19937 rng(42);
  for (int i = 0; i < 20; ++i) {
    std::shuffle(cands.begin(), cands.end(), rng);
    mg::Selection s = mg::SelectVersions(cands, 3, false);
    BOOST_TEST(VersionsOf(s) == VersionsOf(reference), boost::test_tools::per_element());
    BOOST_TEST(s.latest == reference.latest);
    BOOST_TEST((s.dropped == reference.dropped));
  }
  std::vector<std::string> expected = {"3.0.0-rc.1", "2.0.0", "1.2"};
  BOOST_TEST(VersionsOf(reference) == expected, boost::test_tools::per_element());
  BOOST_TEST(reference.latest == "2.0.0");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
