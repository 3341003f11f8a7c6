// PEM text (RFC 7468, with RFC 1421 headers such as "Proc-Type: 4,ENCRYPTED") split into blocks.
//
// Pure functions, thread-safe. A block's `der` may be key material: callers that hold private
// keys wipe it (WipeString) when done. Error messages never quote base64 or decoded bytes.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace mg {

struct PemBlock {
  std::string label;                           // "PRIVATE KEY", "ENCRYPTED SIGSTORE PRIVATE KEY", ...
  std::map<std::string, std::string> headers;  // RFC 1421 headers ("Proc-Type", "DEK-Info"); usually empty
  std::string der;                             // the decoded body
  std::string text;                            // the block as written, BEGIN line to END line inclusive
};

// Every block of `text`, in order; anything outside blocks is ignored (comments, other text).
// Errors: InvalidArgument naming `source_name` and the block's label for a BEGIN line without its
// END line, a mismatched END label, or a body that is not base64.
Result<std::vector<PemBlock>> ParsePem(std::string_view text, std::string_view source_name);

// "-----BEGIN <label>-----\n" + base64 of `der` in 64-column lines + "-----END <label>-----\n".
std::string EncodePem(std::string_view label, std::string_view der);

// Overwrites the string's bytes with zeros (not optimised away) and clears it.
void WipeString(std::string* s);

}  // namespace mg
