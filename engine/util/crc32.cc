#include "util/crc32.h"

#include <zlib.h>

namespace mg {

uint32_t Crc32(std::string_view data) {
  return static_cast<uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(data.data()), data.size()));
}

}  // namespace mg
