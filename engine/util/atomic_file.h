// Durable file I/O: atomic replacement, durable appends, whole-file reads.
//
// All functions are thread-safe (they share no state) and never throw. Errors carry the path and
// strerror text. Concurrent WriteFileAtomic() calls to one path are safe: each uses its own
// temporary file and the last rename wins.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace mg {

// Replaces `path` with `data` so that a reader (or a crash) sees either the old or the new
// content, never a mix: writes a temporary file in the same directory, fsyncs it, renames it
// over `path`, then fsyncs the directory. `mode` is applied exactly (not filtered by the umask).
// The parent directory must exist.
Status WriteFileAtomic(const std::string& path, std::string_view data, int mode = 0644);

// The whole content of `path`. NotFound when it does not exist; IOError otherwise.
Result<std::string> ReadFile(const std::string& path);
// The rest of the open file `fd` from its current offset; `path` names it in errors. The caller
// keeps ownership of `fd`.
Result<std::string> ReadOpenFile(int fd, const std::string& path);

// Writes all of `data` at the end of the open file `fd` (opened with O_APPEND) and fdatasyncs
// it. The caller keeps ownership of `fd`.
Status AppendFileDurable(int fd, std::string_view data);

// Opens (creating with 0644 when absent) `path`, appends `data`, fsyncs the file, and fsyncs the
// directory when the file was created.
Status AppendFileDurable(const std::string& path, std::string_view data);

// mkdir -p: creates `path` and any missing parents with `mode`. OK when it already exists as a
// directory; FailedPrecondition when it (or a parent) exists and is not a directory.
Status MakeDirs(const std::string& path, int mode = 0755);

}  // namespace mg
