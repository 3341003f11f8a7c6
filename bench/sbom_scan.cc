// SBOM scan throughput (docs/benchmarks.md): scans layer files in order, as one image, with the
// real LayerScanner, and prints one line of JSON with what it found and its own timing.
//
// usage: sbom_scan [--floor] LAYER...   (base layer first; gzip, zstd or plain tar files)
//   --floor: only walk the archives with libarchive (decompress, read every header, skip every
//            body), no scanner: the cost of the reading alone, to size the scanner's own overhead.
#include <archive.h>
#include <archive_entry.h>
#include <sys/resource.h>

#include <cstring>

#include <chrono>
#include <cstdio>
#include <string>

#include "sbom/layer_scanner.h"
#include "util/json.h"

namespace {

long MaxRssKb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

int Floor(int argc, char** argv) {
  const auto start = std::chrono::steady_clock::now();
  uint64_t entries = 0;
  for (int i = 2; i < argc; ++i) {
    archive* a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_filter_none(a);
    archive_read_support_format_tar(a);
    if (archive_read_open_filename(a, argv[i], 1 << 20) != ARCHIVE_OK) {
      std::fprintf(stderr, "%s: %s\n", argv[i], archive_error_string(a));
      return 1;
    }
    archive_entry* e = nullptr;
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) ++entries;
    if (r != ARCHIVE_EOF) {
      std::fprintf(stderr, "%s: %s\n", argv[i], archive_error_string(a));
      return 1;
    }
    archive_read_free(a);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  mg::Json out = {{"entries", entries}, {"ms", static_cast<int64_t>(seconds * 1000)}, {"max_rss_kb", MaxRssKb()}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s [--floor] LAYER...\n", argv[0]);
    return 2;
  }
  if (std::strcmp(argv[1], "--floor") == 0) return Floor(argc, argv);
  const auto start = std::chrono::steady_clock::now();
  mg::LayerScanner scanner;
  uint64_t compressed = 0;
  for (int i = 1; i < argc; ++i) {
    auto reader = mg::FileByteReader::Open(argv[i]);
    if (!reader.ok()) {
      std::fprintf(stderr, "%s\n", reader.status().ToString().c_str());
      return 1;
    }
    struct Counting : mg::ByteReader {
      mg::ByteReader* in;
      uint64_t* n;
      mg::Result<std::string_view> Read() override {
        auto r = in->Read();
        if (r.ok()) *n += r->size();
        return r;
      }
    } counting;
    counting.in = reader->get();
    counting.n = &compressed;
    mg::Status s = scanner.AddLayer(counting, argv[i]);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
  }
  auto result = scanner.Finish();
  if (!result.ok()) {
    std::fprintf(stderr, "%s\n", result.status().ToString().c_str());
    return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  mg::Json by_type = mg::Json::object();
  for (const mg::Package& p : result->packages) by_type[p.type] = by_type.value(p.type, 0) + 1;
  mg::Json out = {{"layers", result->layers},
                  {"entries", result->entries},
                  {"compressed_bytes", compressed},
                  {"bytes_parsed", result->bytes_parsed},
                  {"packages", result->packages.size()},
                  {"packages_by_type", by_type},
                  {"os", result->os.pretty_name},
                  {"warnings", result->warnings.size()},
                  {"ms", static_cast<int64_t>(seconds * 1000)},
                  {"max_rss_kb", MaxRssKb()}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
