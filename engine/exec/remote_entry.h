// The document a remote cache stores per task key (docs/cache.md, "The entry document"), and the
// check that makes a remote entry usable: its key material must re-hash to the key asked for.
//
//   {"entry":{"duration_ms","finished_at","identity","inputs","params","result","type","v"},
//    "format":1,"id":"<task id>","key":"<64 hex>"}
//
// canonical JSON (util/json.h). "entry" is exactly what the action cache stores for the key. All
// reads use the non-throwing accessors of util/json.h: the text comes from the network.
#pragma once

#include <string>
#include <string_view>

#include "util/json.h"
#include "util/status.h"

namespace mg {

inline constexpr int kRemoteEntryFormat = 1;

// The document for `entry` (an object holding the key material and "result") of task `id` under
// `key`, canonical JSON.
std::string EncodeRemoteEntry(std::string_view key, std::string_view id, const Json& entry);

// OK when `entry` is an object holding "result" and key material {"v","type","params","identity",
// "inputs"} whose TaskKey (exec/task_key.h) is exactly `key`. Otherwise Corruption saying what is
// wrong ("its key material hashes to 0123abcd…, not …").
Status CheckEntryKey(const Json& entry, std::string_view key);

// The entry of a document read for task `id` under `key`: parsed without throwing, the format
// version, key and id compared, then CheckEntryKey. Errors (Corruption; NotImplemented for another
// format version) say why in a few words, for a warning that names where the text came from.
Result<Json> DecodeRemoteEntry(std::string_view text, std::string_view key, std::string_view id);

}  // namespace mg
