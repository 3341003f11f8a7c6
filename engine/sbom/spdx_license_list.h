// The identifiers of the SPDX License List (https://spdx.org/licenses/), as data.
#pragma once

#include <cstddef>

namespace mg {

// License identifiers (deprecated ones included, e.g. "GPL-2.0"), sorted by strcmp.
extern const char* const kSpdxLicenseIds[];
extern const size_t kSpdxLicenseIdCount;

// License exception identifiers ("GCC-exception-3.1"), sorted by strcmp.
extern const char* const kSpdxExceptionIds[];
extern const size_t kSpdxExceptionIdCount;

}  // namespace mg
