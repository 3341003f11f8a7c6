// Which tasks a run is restricted to: --only, --unit and --shard (docs/cli.md, docs/ci.md).
//
// --only PATTERN is a glob (* and ?) over a task's scope forms: "app", "app@version" and
// "app@version/os/arch" (with "app/image" in place of "app" for the extra images of multi-image
// apps). A task is selected when the pattern matches one of its forms; app-scoped tasks (discover)
// when the part before '@' matches the app. Examples: "hello" (the whole app), "hello@1.2.*",
// "*@1.2.0/linux/arm64" (one leg of every app).
//
// --unit APP@VERSION/OS/ARCH[/VARIANT] selects the build legs of that app, version and platform
// (one per image of the app: a multi-image app's images of one platform are built in one unit, in
// their dependency order) and the discover task of the app; `plan --matrix` lists the units.
//
// --shard I/N selects the version-scoped tasks (probe, build legs, merge, attestations) of the
// versions in share I of N (ShardOf), and every app-scoped task. A version's whole subgraph lands
// in one share, so a share finishes what it starts. Versions are dealt round-robin in the order of
// their app's discover result, from an offset derived from the app's name: shares stay balanced
// (within one version per app) and processes that discover the same versions agree without
// talking to each other. Processes that discover different versions (a release published between
// their starts) may build a version twice or leave it to the final plain run — never lose it.
//
// The executor also runs every ancestor of a selected task and marks the rest "unneeded".
#pragma once

#include <string>

#include "graph/task.h"

namespace mg {

struct TaskSelection {
  std::string only;  // --only pattern; empty: no restriction
  std::string unit;  // --unit APP@VERSION/PLATFORM; empty: none
  int shard = 0;     // --shard I/N as 1-based I and N; N == 0: none
  int shards = 0;

  bool empty() const { return only.empty() && unit.empty() && shards == 0; }
  // "--only hello", "--unit build:hello@1.0.0/linux/arm64", "--shard 2/3" (joined by " and ").
  std::string Describe() const;
};

// A unit id's parts. ParseUnit fills them from "APP@VERSION/OS/ARCH[/VARIANT]" and returns false
// (nothing checked against a config) when a part is missing.
struct UnitId {
  std::string app;
  std::string version;
  std::string platform;
};
bool ParseUnit(const std::string& text, UnitId* out);
std::string FormatUnit(const TaskCoords& coords);  // "app@version/platform"

bool SelectedBy(const std::string& pattern, const Task& task);
// Every restriction of `selection` holds for `task` (ancestors are the executor's business).
bool Selects(const TaskSelection& selection, const Task& task);
// The 1-based share, among `shards` (>= 1), of the version at `rank` in `app`'s discover result:
// (rank + offset) modulo `shards`, plus one, where the offset is the first 8 bytes of SHA-256(app),
// big endian. A task without a rank (-1) is placed by SHA-256("app@version") instead. Stable
// across machines and releases (docs/ci.md).
int ShardOf(const std::string& app, const std::string& version, int rank, int shards);
// Parses "I/N" (1 <= I <= N, N <= 1000) into *shard, *shards; otherwise a message saying what is wrong.
bool ParseShard(const std::string& text, int* shard, int* shards, std::string* why);

}  // namespace mg
