// --unit and --shard selection (exec/selection.h): which tasks each selects, the balance and
// stability of the shard assignment, and the parsing of I/N.
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

#include "exec/selection.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using mg::TaskSelection;
using mg::Task;
using mg::TaskType;

namespace {

Task Make(TaskType type, const std::string& app, const std::string& version, const std::string& platform = "",
          const std::string& image = "", int rank = -1) {
  Task t;
  t.type = type;
  t.coords = {app, image.empty() ? app : image, version, platform};
  t.id = mg::FormatTaskId(type, t.coords);
  t.version_rank = rank;
  return t;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(selection_test)

BOOST_AUTO_TEST_CASE(a_unit_selects_its_build_legs_of_every_image_and_its_apps_discover) {
  TaskSelection s;
  s.unit = "outline@1.0.0/linux/arm64";
  BOOST_TEST(mg::Selects(s, Make(TaskType::kBuild, "outline", "1.0.0", "linux/arm64")));
  BOOST_TEST(mg::Selects(s, Make(TaskType::kBuild, "outline", "1.0.0", "linux/arm64", "base-outline")));
  BOOST_TEST(mg::Selects(s, Make(TaskType::kDiscover, "outline", "")));
  BOOST_TEST(!mg::Selects(s, Make(TaskType::kDiscover, "mattermost", "")));
  BOOST_TEST(!mg::Selects(s, Make(TaskType::kBuild, "outline", "1.0.0", "linux/amd64")));
  BOOST_TEST(!mg::Selects(s, Make(TaskType::kBuild, "outline", "1.0.1", "linux/arm64")));
  BOOST_TEST(!mg::Selects(s, Make(TaskType::kBuild, "outline2", "1.0.0", "linux/arm64")));
  // The merge and the attestations are the final run's: the probe comes in as an ancestor.
  BOOST_TEST(!mg::Selects(s, Make(TaskType::kMerge, "outline", "1.0.0")));
  BOOST_TEST(!mg::Selects(s, Make(TaskType::kProbe, "outline", "1.0.0")));
  BOOST_TEST(s.Describe() == "--unit outline@1.0.0/linux/arm64");

  mg::UnitId u;
  BOOST_TEST(mg::ParseUnit("a@1/linux/arm64/v8", &u));
  BOOST_TEST(u.app == "a");
  BOOST_TEST(u.version == "1");
  BOOST_TEST(u.platform == "linux/arm64/v8");
  for (const char* bad : {"", "a", "a@1", "@1/linux/amd64", "a@/linux/amd64", "a@1/"}) BOOST_TEST(!mg::ParseUnit(bad, &u), bad);
}

BOOST_AUTO_TEST_CASE(shards_partition_versions_whole_and_balanced) {
  const int kShards = 3;
  std::map<int, int> per_shard;
  for (const std::string app : {"hello", "outline", "mattermost", "a", "b"}) {
    for (int rank = 0; rank < 7; ++rank) {
      const std::string version = "1." + std::to_string(rank) + ".0";
      std::set<int> owners;
      for (int shard = 1; shard <= kShards; ++shard) {
        TaskSelection s;
        s.shard = shard;
        s.shards = kShards;
        // Every task of the version lands in the same share, and every share has the discover.
        bool build = mg::Selects(s, Make(TaskType::kBuild, app, version, "linux/amd64", "", rank));
        BOOST_TEST(build == mg::Selects(s, Make(TaskType::kBuild, app, version, "linux/arm64", "", rank)));
        BOOST_TEST(build == mg::Selects(s, Make(TaskType::kMerge, app, version, "", "", rank)));
        BOOST_TEST(build == mg::Selects(s, Make(TaskType::kSign, app, version, "", "", rank)));
        BOOST_TEST(mg::Selects(s, Make(TaskType::kDiscover, app, "")));
        if (build) owners.insert(shard);
      }
      BOOST_TEST_REQUIRE(owners.size() == 1u, app << "@" << version);
      per_shard[*owners.begin()]++;
      BOOST_TEST(*owners.begin() == mg::ShardOf(app, version, rank, kShards));
    }
  }
  // 5 apps x 7 versions, dealt round-robin per app: 7 = 3+2+2, so every share gets 10 to 15.
  for (int shard = 1; shard <= kShards; ++shard) {
    BOOST_TEST(per_shard[shard] >= 10, "share " << shard << ": " << per_shard[shard]);
    BOOST_TEST(per_shard[shard] <= 15, "share " << shard << ": " << per_shard[shard]);
  }
  // Stable: the same inputs give the same share; the app's offset moves its versions together.
  BOOST_TEST(mg::ShardOf("hello", "1.0.0", 0, 3) == mg::ShardOf("hello", "9.9.9", 0, 3));
  BOOST_TEST(mg::ShardOf("hello", "1.0.0", 1, 3) % 3 == (mg::ShardOf("hello", "1.0.0", 0, 3) + 1) % 3);
  BOOST_TEST(mg::ShardOf("x", "1", -1, 1) == 1);
  for (int n = 1; n <= 9; ++n) {
    int s = mg::ShardOf("hello", "1.0.0", -1, n);
    BOOST_TEST((s >= 1 && s <= n));
  }
}

BOOST_AUTO_TEST_CASE(shard_text_is_parsed_strictly) {
  int i = 0, n = 0;
  std::string why;
  BOOST_TEST(mg::ParseShard("2/3", &i, &n, &why));
  BOOST_TEST(i == 2);
  BOOST_TEST(n == 3);
  BOOST_TEST(mg::ParseShard("1/1", &i, &n, &why));
  for (const char* bad : {"4/3", "0/3", "3", "a/b", "1/0", "-1/3", "1/3x", "1 /3", "", "/", "1/1001", "99999/99999"}) {
    why.clear();
    BOOST_TEST(!mg::ParseShard(bad, &i, &n, &why), bad);
    BOOST_TEST(!why.empty(), bad);
  }
  mg::ParseShard("4/3", &i, &n, &why);
  BOOST_TEST(why.find("between 1 and N=3") != std::string::npos, why);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
