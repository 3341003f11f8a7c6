#include "oci/prune_plan.h"

#include <boost/test/unit_test.hpp>

#include "oci/reference.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::ClassifyTags;
using mg::CosignTag;
using mg::PlanPrune;

namespace {

std::string Digest(char c) { return "sha256:" + std::string(64, c); }
std::string Hex(char c) { return std::string(64, c); }

}  // namespace

BOOST_AUTO_TEST_SUITE(prune_plan_test)

BOOST_AUTO_TEST_CASE(tags_are_sorted_into_window_kept_doomed_attached_and_others) {
  const std::vector<std::string> tags = {"latest", "1.0.0", "1.1.0", "1.2.0", "2.0.0-rc.1", "0.9.0", "0.10.0",
                                         "sha256-" + Hex('a') + ".sig", "sha256-" + Hex('b') + ".att",
                                         "sha256-" + Hex('c') + ".sbom", "sha256-" + Hex('d') + ".other", "v1.0.0",
                                         "nightly", "1.2"};
  mg::TagClasses c = ClassifyTags(tags, {"1.2.0", "2.0.0-rc.1"}, 2);
  // "1.2" is the same version as 1.2.0: in the window.
  BOOST_TEST(c.window == std::vector<std::string>({"1.2", "1.2.0", "2.0.0-rc.1"}), boost::test_tools::per_element());
  BOOST_TEST(c.kept == std::vector<std::string>({"1.1.0", "1.0.0"}), boost::test_tools::per_element());
  // Newest first, by version order (0.10.0 > 0.9.0), not by text.
  BOOST_TEST(c.doomed == std::vector<std::string>({"0.10.0", "0.9.0"}), boost::test_tools::per_element());
  BOOST_TEST(c.attached.size() == 3u);
  // Never ours to prune: latest, tags that are not versions ("v1.0.0": the tag pattern strips the
  // v, so the engine never writes it), and lookalikes of cosign's tags.
  BOOST_TEST(c.others == std::vector<std::string>({"latest", "nightly", "sha256-" + Hex('d') + ".other", "v1.0.0"}),
             boost::test_tools::per_element());

  // keep 0: everything beyond the window goes; a huge keep: nothing goes.
  BOOST_TEST(ClassifyTags(tags, {"1.2.0"}, 0).doomed.size() == 5u);
  BOOST_TEST(ClassifyTags(tags, {"1.2.0"}, 1000).doomed.empty());
  // Input order does not matter; duplicates count once.
  std::vector<std::string> reversed(tags.rbegin(), tags.rend());
  reversed.push_back("0.9.0");
  mg::TagClasses r = ClassifyTags(reversed, {"2.0.0-rc.1", "1.2.0"}, 2);
  BOOST_TEST(r.doomed == c.doomed, boost::test_tools::per_element());
  BOOST_TEST(r.kept == c.kept, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_doomed_index_goes_with_what_is_attached_first_then_itself_then_its_platforms) {
  const std::string index = Digest('1'), amd = Digest('2'), arm = Digest('3');
  std::map<std::string, std::string> attached = {{CosignTag(index, "sig"), Digest('a')},
                                                 {CosignTag(index, "att"), Digest('b')},
                                                 {CosignTag(amd, "sig"), Digest('c')},
                                                 {CosignTag(arm, "att"), Digest('d')}};
  mg::PrunePlan p = PlanPrune({"1.0.0", index, {amd, arm}}, {}, attached, {{amd, "linux/amd64"}, {arm, "linux/arm64"}});
  BOOST_TEST(p.skipped.empty());
  std::vector<std::string> order;
  for (const mg::Deletion& d : p.deletions) order.push_back(d.digest);
  BOOST_TEST(order == std::vector<std::string>({Digest('c'), Digest('d'), Digest('a'), Digest('b'), index, amd, arm}),
             boost::test_tools::per_element());
  BOOST_TEST(p.deletions[0].what == "signatures of linux/amd64 manifest of 1.0.0");
  BOOST_TEST(p.deletions[3].what == "attestations of index 1.0.0");
  BOOST_TEST(p.deletions[4].what == "index 1.0.0");
}

BOOST_AUTO_TEST_CASE(protected_manifests_are_never_deleted) {
  const std::string index = Digest('1'), shared = Digest('2'), own = Digest('3');
  std::map<std::string, std::string> attached = {{CosignTag(shared, "sig"), Digest('a')}};
  // A child another kept index lists (and what is attached to it) stays; the rest goes.
  mg::PrunePlan p = PlanPrune({"1.0.0", index, {shared, own}}, {shared, Digest('a')}, attached, {});
  BOOST_TEST(p.skipped.empty());
  std::vector<std::string> order;
  for (const mg::Deletion& d : p.deletions) order.push_back(d.digest);
  BOOST_TEST(order == std::vector<std::string>({index, own}), boost::test_tools::per_element());
  BOOST_TEST(p.deletions[1].what == "manifest " + own + " of 1.0.0");

  // The tag's own manifest is named by a kept tag too: deleting it would untag that one; skipped.
  mg::PrunePlan same = PlanPrune({"1.0.0", index, {own}}, {index}, attached, {});
  BOOST_TEST(same.deletions.empty());
  BOOST_TEST(same.skipped.find("a kept tag names the same manifest") != std::string::npos, same.skipped);

  // A single-platform manifest (no children).
  mg::PrunePlan single = PlanPrune({"0.1.0", own, {}}, {}, {{CosignTag(own, "sig"), Digest('e')}}, {});
  BOOST_TEST(single.deletions.size() == 2u);
  BOOST_TEST(single.deletions[1].what == "manifest 0.1.0");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
