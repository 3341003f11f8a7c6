// CRC-32 (IEEE 802.3, the zlib/PNG polynomial) for framing on-disk records.
#pragma once

#include <cstdint>
#include <string_view>

namespace mg {

// CRC-32 of `data`; Crc32("123456789") == 0xCBF43926.
uint32_t Crc32(std::string_view data);

}  // namespace mg
