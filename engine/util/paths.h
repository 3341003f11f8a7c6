// Path helpers shared by the layers.
#pragma once

#include <string>

namespace mg {

// `path` made absolute against this process's working directory and lexically normalised
// ("a/../b" -> "<cwd>/b"). An absolute path is only normalised; an empty path stays empty; when
// the working directory cannot be read, `path` is returned as it is.
std::string AbsolutePath(const std::string& path);

}  // namespace mg
