#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "cache/action_cache.h"
#include "cache/journal.h"
#include "cache/record_log.h"
#include "util/atomic_file.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;

namespace {
struct TempDir {
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("mg-cache-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string str() const { return path.string(); }
  std::filesystem::path path;
  static inline int n = 0;
};

std::string Key(char c) { return std::string(64, c); }

Json Entry(int v) { return Json{{"type", "build"}, {"params", {{"v", v}}}, {"result", {{"digest", v}}}}; }

std::string Slurp(const std::string& p) { return ReadFile(p).value(); }
}  // namespace

BOOST_AUTO_TEST_SUITE(action_cache_test)

BOOST_AUTO_TEST_CASE(put_then_reopen_finds_entries_by_key_and_id) {
  TempDir d;
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_TEST(c->Put(Key('a'), "build:x", Entry(1)).ok());
    BOOST_TEST(c->Put(Key('b'), "build:x", Entry(2)).ok());
    BOOST_TEST(c->Put(Key('c'), "build:y", Entry(3)).ok());
  }
  auto c = ActionCache::Open(d.str()).value();
  BOOST_TEST(c->size() == 3u);
  BOOST_TEST(c->Get(Key('a'))->entry()["result"]["digest"] == 1);
  BOOST_TEST(c->LatestFor("build:x")->key == Key('b'));
  BOOST_TEST(c->Get(Key('d')) == nullptr);
  BOOST_TEST(c->Get(Key('c'))->result_hash() == ActionCache::ResultHash(Json{{"digest", 3}}));
}

// A record's result hash is found by its position after the key: a key that is not a hex SHA-256
// is refused, and nothing is written.
BOOST_AUTO_TEST_CASE(put_refuses_a_key_that_is_not_64_characters) {
  TempDir d;
  auto c = ActionCache::Open(d.str()).value();
  Status short_key = c->Put("abc", "build:x", Entry(1));
  BOOST_TEST(!short_key.ok());
  BOOST_TEST(short_key.message().find("not a hex SHA-256") != std::string::npos, short_key.message());
  BOOST_TEST(!c->Put(Key('a'), "", Entry(1)).ok());
  BOOST_TEST(c->size() == 0u);
  BOOST_TEST(c->Put(Key('a'), "build:x", Entry(1)).ok());
  BOOST_TEST(c->Get(Key('a'))->result_hash() == ActionCache::ResultHash(Json{{"digest", 1}}));
}

// The task-id index is built on the first LatestFor() (a no-op run never asks): records put before
// it and after it are both found, the latest of an id winning either way.
BOOST_AUTO_TEST_CASE(latest_for_sees_records_put_before_and_after_its_first_call) {
  TempDir d;
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_TEST(c->Put(Key('a'), "build:x", Entry(1)).ok());
    BOOST_TEST(c->Put(Key('b'), "build:x", Entry(2)).ok());
  }
  auto c = ActionCache::Open(d.str()).value();
  BOOST_TEST(c->Put(Key('c'), "build:y", Entry(3)).ok());  // before the index exists
  BOOST_REQUIRE(c->LatestFor("build:x") != nullptr);
  BOOST_TEST(c->LatestFor("build:x")->key == Key('b'));
  BOOST_REQUIRE(c->LatestFor("build:y") != nullptr);
  BOOST_TEST(c->LatestFor("build:y")->key == Key('c'));
  BOOST_TEST(c->Put(Key('d'), "build:x", Entry(4)).ok());  // after: the index is kept current
  BOOST_TEST(c->Put(Key('e'), "build:z", Entry(5)).ok());
  BOOST_TEST(c->LatestFor("build:x")->key == Key('d'));
  BOOST_REQUIRE(c->LatestFor("build:z") != nullptr);
  BOOST_TEST(c->LatestFor("build:z")->key == Key('e'));
  BOOST_TEST(c->LatestFor("build:none") == nullptr);
}

BOOST_AUTO_TEST_CASE(result_and_finished_at_are_read_without_the_rest_of_the_entry) {
  TempDir d;
  // Members that could fool a scan for the top-level "result": nested "result" keys, strings with
  // quotes, escapes and brackets, arrays of objects.
  std::vector<Json> entries = {
      Json{{"duration_ms", 3}, {"finished_at", 1795720084572}, {"params", {{"result", "nested"}, {"s", "}\"],{"}}},
           {"inputs", Json::object()}, {"result", {{"versions", {{{"v", "1"}}, {{"v", "2\"}"}}}}}}, {"type", "probe"}},
      Json{{"a", Json::array({Json::object(), "x"})}, {"result", "plain"}, {"z", 1}},
      Json{{"result", nullptr}, {"finished_at", -5}},
      Json{{"finished_at", 7}},
      Json{{"result", 42}},
  };
  {
    auto c = ActionCache::Open(d.str()).value();
    for (size_t i = 0; i < entries.size(); ++i) BOOST_TEST(c->Put(Key(static_cast<char>('a' + i)), "t", entries[i]).ok());
  }
  auto c = ActionCache::Open(d.str()).value();
  for (size_t i = 0; i < entries.size(); ++i) {
    const ActionCache::Record* r = c->Get(Key(static_cast<char>('a' + i)));
    BOOST_REQUIRE(r != nullptr);
    BOOST_TEST(r->result() == entries[i].value("result", Json()), CanonicalJson(entries[i]));
    BOOST_TEST(r->finished_at() == entries[i].value("finished_at", int64_t{0}), CanonicalJson(entries[i]));
    // The same answers once the whole entry is parsed.
    BOOST_TEST(r->entry() == entries[i]);
    BOOST_TEST(r->result() == entries[i].value("result", Json()));
  }
}

BOOST_AUTO_TEST_CASE(torn_tail_is_dropped_and_appends_stay_readable) {
  TempDir d;
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_REQUIRE(c->Put(Key('a'), "build:x", Entry(1)).ok());
    BOOST_REQUIRE(c->Put(Key('b'), "build:y", Entry(2)).ok());
  }
  // Simulate a crash in the middle of writing a third record.
  std::string path = d.str() + "/cache.log";
  std::string data = Slurp(path);
  std::ofstream(path, std::ios::app) << "1234abcd\t" << Key('c') << "\tpartial";
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_TEST(c->dropped_records() == 1u);
    BOOST_TEST(c->size() == 2u);
    BOOST_TEST(c->Put(Key('d'), "build:z", Entry(4)).ok());
  }
  auto c = ActionCache::Open(d.str()).value();
  BOOST_TEST(c->dropped_records() == 0u);
  BOOST_TEST(c->size() == 3u);
  BOOST_TEST(c->Get(Key('d')) != nullptr);
}

BOOST_AUTO_TEST_CASE(flipped_byte_drops_only_that_record) {
  TempDir d;
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_REQUIRE(c->Put(Key('a'), "build:x", Entry(1)).ok());
    BOOST_REQUIRE(c->Put(Key('b'), "build:y", Entry(2)).ok());
    BOOST_REQUIRE(c->Put(Key('c'), "build:z", Entry(3)).ok());
  }
  std::string path = d.str() + "/cache.log";
  std::string data = Slurp(path);
  size_t pos = data.find("build:y");
  data[pos + 2] = 'X';
  BOOST_TEST(WriteFileAtomic(path, data).ok());
  auto c = ActionCache::Open(d.str()).value();
  BOOST_TEST(c->dropped_records() == 1u);
  BOOST_TEST(c->Get(Key('b')) == nullptr);
  BOOST_TEST(c->Get(Key('a')) != nullptr);
  BOOST_TEST(c->Get(Key('c')) != nullptr);
}

BOOST_AUTO_TEST_CASE(foreign_file_is_set_aside_not_fatal) {
  TempDir d;
  BOOST_TEST(WriteFileAtomic(d.str() + "/cache.log", "mirrorgraph-cache v999\nwhatever\n").ok());
  auto c = ActionCache::Open(d.str());
  BOOST_REQUIRE(c.ok());
  BOOST_TEST(c.value()->set_aside());
  BOOST_TEST(c.value()->size() == 0u);
  BOOST_TEST(std::filesystem::exists(d.str() + "/cache.log.unreadable"));
  BOOST_TEST(c.value()->Put(Key('a'), "t", Entry(1)).ok());
}

BOOST_AUTO_TEST_CASE(read_only_cache_refuses_writes_and_changes_nothing) {
  TempDir d;
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_REQUIRE(c->Put(Key('a'), "build:x", Entry(1)).ok());
  }
  std::string before = Slurp(d.str() + "/cache.log");
  auto ro = ActionCache::OpenReadOnly(d.str()).value();
  BOOST_TEST(ro->Get(Key('a')) != nullptr);
  BOOST_TEST(!ro->Put(Key('b'), "x", Entry(2)).ok());
  BOOST_TEST(Slurp(d.str() + "/cache.log") == before);
  auto missing = ActionCache::OpenReadOnly(d.str() + "/nope");
  BOOST_REQUIRE(missing.ok());
  BOOST_TEST(missing.value()->size() == 0u);
}

// An observation's entry: the same key material every run (the key is its hash), a new result.
Json Observed(int result) { return Json{{"type", "probe"}, {"params", {{"v", 1}}}, {"result", {{"digest", result}}}}; }

BOOST_AUTO_TEST_CASE(superseded_records_are_compacted) {
  TempDir d;
  {
    auto c = ActionCache::Open(d.str()).value();
    for (int i = 0; i < 3000; ++i) BOOST_REQUIRE(c->Put(Key('a'), "probe:x", Observed(i)).ok());  // one key, rewritten
  }
  auto c = ActionCache::Open(d.str()).value();
  BOOST_TEST(c->size() == 1u);
  BOOST_TEST(c->Get(Key('a'))->entry()["result"]["digest"] == 2999);
  BOOST_TEST(c->Get(Key('a'))->entry()["params"]["v"] == 1);  // the kept record's material
  BOOST_TEST(Slurp(d.str() + "/cache.log").size() < 1000u);
  BOOST_TEST(Slurp(d.str() + "/cache-material.log").size() < 1000u);
}

// The material of a key the cache holds is written once: a key is the hash of its material, and
// an observation re-recorded every run would otherwise append it again every run. When the
// material log was lost, it is written again.
BOOST_AUTO_TEST_CASE(a_keys_material_is_written_once_unless_the_material_log_was_lost) {
  TempDir d;
  const std::string material_log = d.str() + "/cache-material.log";
  auto records = [](const std::string& path, std::string_view magic, int version) {
    auto r = RecordLog::Read(path, magic, version, -1, FileBytes::Load::kCopy);
    BOOST_REQUIRE(r.ok());
    return r->records.size();
  };
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_REQUIRE(c->Put(Key('a'), "probe:x", Observed(1)).ok());
    BOOST_REQUIRE(c->Put(Key('a'), "probe:x", Observed(2)).ok());
    BOOST_REQUIRE(c->Put(Key('b'), "probe:y", Observed(3)).ok());
  }
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_REQUIRE(c->Put(Key('a'), "probe:x", Observed(4)).ok());  // a later run: same key
    BOOST_TEST(c->Get(Key('a'))->entry() == Observed(4));
  }
  BOOST_TEST(records(material_log, "mirrorgraph-cache-material", ActionCache::kMaterialFormatVersion) == 2u);  // a and b, once each
  BOOST_TEST(records(d.str() + "/cache.log", "mirrorgraph-cache", ActionCache::kFormatVersion) == 4u);
  auto reopened = ActionCache::Open(d.str()).value();
  BOOST_TEST(reopened->Get(Key('a'))->entry() == Observed(4));
  reopened.reset();

  std::filesystem::remove(material_log);  // lost: the next run writes the material again
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_REQUIRE(c->Put(Key('a'), "probe:x", Observed(5)).ok());
  }
  BOOST_TEST(records(material_log, "mirrorgraph-cache-material", ActionCache::kMaterialFormatVersion) == 1u);
  BOOST_TEST(ActionCache::Open(d.str()).value()->Get(Key('a'))->entry() == Observed(5));

  std::ofstream(material_log, std::ios::trunc).flush();  // emptied: the same
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_REQUIRE(c->Put(Key('a'), "probe:x", Observed(6)).ok());
  }
  BOOST_TEST(ActionCache::Open(d.str()).value()->Get(Key('a'))->entry() == Observed(6));
}

// A material log whose last record was torn by a kill: the next record starts a line of its
// own (before, it was glued to the torn one and dropped with it, its key's material lost).
BOOST_AUTO_TEST_CASE(a_torn_material_tail_does_not_swallow_the_next_material) {
  TempDir d;
  const std::string material_log = d.str() + "/cache-material.log";
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_REQUIRE(c->Put(Key('a'), "probe:x", Observed(1)).ok());
  }
  std::ofstream(material_log, std::ios::app) << "0badc0de\t" << Key('z') << "\t{\"params\":";  // torn
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_REQUIRE(c->Put(Key('b'), "probe:y", Observed(2)).ok());
  }
  auto c = ActionCache::Open(d.str()).value();
  BOOST_TEST(c->Get(Key('b'))->entry() == Observed(2));
  BOOST_TEST(c->Get(Key('a'))->entry() == Observed(1));
  BOOST_TEST(Slurp(material_log).find("0badc0de") == std::string::npos);
}

// A damaged material record of a held key, seen once the material log is loaded (explain, a
// miss): the next Put of that key writes its material again.
BOOST_AUTO_TEST_CASE(a_damaged_material_record_is_written_again_once_seen) {
  TempDir d;
  const std::string material_log = d.str() + "/cache-material.log";
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_REQUIRE(c->Put(Key('a'), "probe:x", Observed(1)).ok());
  }
  std::string text = Slurp(material_log);
  const size_t at = text.find("\"v\":1");
  BOOST_REQUIRE(at != std::string::npos);
  text[at + 4] = '7';  // the CRC no longer matches: the record is dropped when loaded
  BOOST_REQUIRE(WriteFileAtomic(material_log, text).ok());
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_TEST(!c->Get(Key('a'))->entry().contains("params"));  // loads the material log
    BOOST_REQUIRE(c->Put(Key('a'), "probe:x", Observed(2)).ok());
  }
  BOOST_TEST(ActionCache::Open(d.str()).value()->Get(Key('a'))->entry() == Observed(2));
}

// v2: cache.log holds no key material; cache-material.log does, and entry() puts them together.
BOOST_AUTO_TEST_CASE(key_material_lives_in_its_own_log_and_entry_is_whole) {
  TempDir d;
  const Json whole = {{"type", "build"},
                      {"v", 1},
                      {"params", {{"tag", "v1.2.3"}, {"platform", "linux/arm64"}}},
                      {"identity", {{"engine", "0.1.0"}}},
                      {"inputs", {{"probe:x@1", Key('9')}}},
                      {"result", {{"digest", "sha256:ab"}}},
                      {"finished_at", 17},
                      {"duration_ms", 3}};
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_TEST(c->Put(Key('a'), "build:x@1/linux/arm64", whole).ok());
    BOOST_TEST(c->Get(Key('a'))->entry() == whole);  // before a reopen too
  }
  const std::string log = Slurp(d.str() + "/cache.log");
  BOOST_TEST(log.rfind("mirrorgraph-cache v2\n", 0) == 0u);
  BOOST_TEST(log.find("v1.2.3") == std::string::npos);
  BOOST_TEST(log.find("sha256:ab") != std::string::npos);
  BOOST_TEST(Slurp(d.str() + "/cache-material.log").find("v1.2.3") != std::string::npos);
  auto c = ActionCache::Open(d.str()).value();
  const ActionCache::Record* r = c->Get(Key('a'));
  BOOST_REQUIRE(r != nullptr);
  BOOST_TEST(r->result() == whole["result"]);
  BOOST_TEST(r->finished_at() == 17);
  BOOST_TEST(r->entry() == whole);

  // The material log lost: results stay, the entry has no key material.
  std::filesystem::remove(d.path / "cache-material.log");
  auto lost = ActionCache::OpenReadOnly(d.str()).value();
  BOOST_TEST(lost->Get(Key('a'))->entry()["result"] == whole["result"]);
  BOOST_TEST(!lost->Get(Key('a'))->entry().contains("params"));
}

// An old state directory: a v1 cache.log (whole entries) is read, then migrated by Open().
BOOST_AUTO_TEST_CASE(a_v1_cache_is_read_and_migrated_without_losing_a_result) {
  TempDir d;
  const Json e1 = {{"type", "build"}, {"v", 1}, {"params", {{"tag", "v1"}}}, {"identity", {{"engine", "0.0.9"}}},
                   {"inputs", Json::object()}, {"result", {{"digest", "sha256:01"}}}, {"finished_at", 5}};
  const Json e2 = {{"type", "probe"}, {"v", 1}, {"params", {{"tag", "v2"}}}, {"identity", {{"engine", "0.0.9"}}},
                   {"inputs", Json::object()}, {"result", {{"state", "complete"}}}, {"finished_at", 6}};
  {
    auto v1 = RecordLog::OpenForAppend(d.str() + "/cache.log", "mirrorgraph-cache", 1, true);
    BOOST_REQUIRE(v1.ok());
    for (const auto& [key, id, e] : {std::tuple{Key('a'), "build:x", e1}, std::tuple{Key('b'), "probe:x", e2}}) {
      const std::string line = key + "\t" + ActionCache::ResultHash(e["result"]) + "\t" + id + "\t" + CanonicalJson(e);
      BOOST_TEST(v1->Append(line).ok());
    }
  }
  const std::string before = Slurp(d.str() + "/cache.log");
  {
    auto ro = ActionCache::OpenReadOnly(d.str()).value();  // read as it is, nothing rewritten
    BOOST_TEST(ro->Get(Key('a'))->entry() == e1);
    BOOST_TEST(Slurp(d.str() + "/cache.log") == before);
  }
  {
    auto c = ActionCache::Open(d.str()).value();
    BOOST_TEST(!c->set_aside());
    BOOST_TEST(c->size() == 2u);
    BOOST_TEST(c->Get(Key('a'))->entry() == e1);
    BOOST_TEST(c->LatestFor("probe:x")->result() == e2["result"]);
  }
  BOOST_TEST(!std::filesystem::exists(d.path / "cache.log.unreadable"));
  BOOST_TEST(Slurp(d.str() + "/cache.log").rfind("mirrorgraph-cache v2\n", 0) == 0u);
  auto c = ActionCache::Open(d.str()).value();
  BOOST_TEST(c->Get(Key('a'))->entry() == e1);
  BOOST_TEST(c->Get(Key('b'))->entry() == e2);
  BOOST_TEST(c->Get(Key('b'))->result_hash() == ActionCache::ResultHash(e2["result"]));
}

BOOST_AUTO_TEST_CASE(journal_survives_a_torn_tail) {
  TempDir d;
  {
    auto j = RunJournal::Create(d.str(), "r1").value();
    BOOST_REQUIRE(j.Append({{"event", "task"}, {"id", "a"}}).ok());
    BOOST_REQUIRE(j.Append({{"event", "task"}, {"id", "b"}}, /*durable_now=*/false).ok());
  }
  std::ofstream(d.str() + "/runs/r1.log", std::ios::app) << "deadbeef\t{\"event\":\"ta";
  auto events = RunJournal::Read(d.str(), "r1").value();
  BOOST_TEST(events.size() == 2u);
  BOOST_TEST(events[1]["id"] == "b");
  BOOST_TEST(!RunJournal::Read(d.str(), "nope").ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
