#include "cache/remote_cache.h"

namespace mg {

const char* RemoteLookupKindName(RemoteLookup::Kind kind) {
  switch (kind) {
    case RemoteLookup::Kind::kHit: return "hit";
    case RemoteLookup::Kind::kMiss: return "miss";
    case RemoteLookup::Kind::kRejected: return "rejected";
    case RemoteLookup::Kind::kError: return "error";
  }
  return "?";
}

}  // namespace mg
