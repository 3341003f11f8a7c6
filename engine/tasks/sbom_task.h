// The sbom task's pieces that are worth testing on their own (the task itself is RunSbomTask in
// tasks/attest_tasks.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mg {

// An image config's "created" (RFC 3339: "2024-05-06T09:08:09.123456789+02:00", "...Z") as an
// SPDX creation time, UTC to the second ("2024-05-06T07:08:09Z"; fractions dropped, offsets
// applied). nullopt when `rfc3339` is not of that form. Pure, thread-safe.
std::optional<std::string> SpdxCreatedFrom(std::string_view rfc3339);

// What the document's creation time is when an image's config has no usable "created": the Unix
// epoch, deterministic like the rest of the document.
inline constexpr char kSpdxFallbackCreated[] = "1970-01-01T00:00:00Z";

}  // namespace mg
