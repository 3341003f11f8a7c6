#include "util/crc32.h"

#include <boost/crc.hpp>

namespace mg {

uint32_t Crc32(std::string_view data) {
  boost::crc_32_type crc;
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

}  // namespace mg
