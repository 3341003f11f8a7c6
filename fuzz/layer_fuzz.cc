// The SBOM layer scanner (sbom/layer_scanner.h) on an untrusted layer blob: tar, gzip- or
// zstd-compressed or not, with dpkg/apk databases, os-release, package.json files, whiteouts and
// links inside. The blob is fed in pieces of a size taken from its length, so piece boundaries
// move. It must never crash; after an error every later call fails with FailedPrecondition.
#include <cstdint>

#include "fuzz_util.h"
#include "sbom/layer_scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view blob = mg::fuzz::AsView(data, size);
  mg::ScanOptions options;
  options.max_database_bytes = size_t{64} << 10;
  options.max_package_json_bytes = size_t{16} << 10;
  options.max_go_buildinfo_bytes = size_t{16} << 10;
  mg::LayerScanner scanner(options);
  mg::StringByteReader reader(blob, 1 + size % 509);
  const mg::Status added = scanner.AddLayer(reader, "sha256:fuzz");
  mg::Result<mg::ScanResult> result = scanner.Finish();
  if (!added.ok() && (result.ok() || result.status().code() != mg::Status::Code::kFailedPrecondition)) {
    mg::fuzz::Violated("Finish after a failed layer did not fail with FailedPrecondition", result.status().message());
  }
  return 0;
}
