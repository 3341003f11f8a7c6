// CRC-32 (IEEE 802.3, the zlib/PNG polynomial 0xEDB88320 reflected) for framing on-disk records.
#pragma once

#include <cstdint>
#include <string_view>

namespace mg {

// CRC-32 of `data`; Crc32("123456789") == 0xCBF43926. zlib's crc32_z: the same values the
// project's earlier slicing-by-8 code wrote, so existing record logs stay readable
// (tests/unit/util/crc32_test.cc pins them). Thread-safe.
uint32_t Crc32(std::string_view data);

}  // namespace mg
