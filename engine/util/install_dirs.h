// Where an installed mirrorgraph finds its data, wherever the install tree was moved.
#pragma once

#include <string>

namespace mg {

// `<prefix>/<relative>` where <prefix> is the parent of the directory holding the running
// executable (…/bin/mirrorgraph -> …), read from /proc/self/exe. Empty when it cannot be told.
// `relative` is a path under the install prefix, like "lib/mirrorgraph/plugins".
std::string BesideExecutable(const std::string& relative);

}  // namespace mg
