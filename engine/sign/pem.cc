#include "sign/pem.h"

#include <openssl/crypto.h>

#include "http/base64.h"
#include "util/strings.h"

namespace mg {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";

// The label of a "-----BEGIN <label>-----" / "-----END <label>-----" line, or "" when `line`
// is not one.
std::string_view Marker(std::string_view line, std::string_view prefix) {
  line = Trim(line);
  if (!StartsWith(line, prefix) || !EndsWith(line, kDashes)) return {};
  if (line.size() < prefix.size() + kDashes.size()) return {};
  return line.substr(prefix.size(), line.size() - prefix.size() - kDashes.size());
}

}  // namespace

Result<std::vector<PemBlock>> ParsePem(std::string_view text, std::string_view source_name) {
  std::vector<PemBlock> blocks;
  size_t pos = 0;
  auto next_line = [&](std::string_view* line, size_t* line_start) {
    if (pos >= text.size()) return false;
    *line_start = pos;
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    *line = text.substr(pos, end - pos);
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    return true;
  };

  std::string_view line;
  size_t line_start = 0;
  while (next_line(&line, &line_start)) {
    std::string_view label = Marker(line, kBegin);
    if (label.empty()) continue;
    PemBlock block;
    block.label = std::string(label);
    const size_t block_start = line_start;
    std::string body;
    bool in_headers = true;
    bool ended = false;
    while (next_line(&line, &line_start)) {
      std::string_view end_label = Marker(line, kEnd);
      if (!end_label.empty() || StartsWith(Trim(line), kEnd)) {
        if (end_label != label) {
          WipeString(&body);
          return Status::InvalidArgument(std::string(source_name) + ": PEM block '" + block.label +
                                         "' ends with a different END line");
        }
        ended = true;
        break;
      }
      std::string_view trimmed = Trim(line);
      if (in_headers) {
        size_t colon = trimmed.find(':');
        if (colon != std::string_view::npos) {
          block.headers[std::string(Trim(trimmed.substr(0, colon)))] =
              std::string(Trim(trimmed.substr(colon + 1)));
          continue;
        }
        in_headers = false;
        if (trimmed.empty()) continue;  // the blank line after the headers
      }
      body.append(trimmed);
    }
    if (!ended) {
      WipeString(&body);
      return Status::InvalidArgument(std::string(source_name) + ": PEM block '" + block.label +
                                     "' has no END line (truncated file?)");
    }
    std::optional<std::string> der = Base64Decode(body);
    WipeString(&body);
    if (!der) {
      return Status::InvalidArgument(std::string(source_name) + ": PEM block '" + block.label +
                                     "' is not valid base64");
    }
    block.der = std::move(*der);
    block.text = std::string(text.substr(block_start, pos - block_start));
    blocks.push_back(std::move(block));
  }
  return blocks;
}

std::string EncodePem(std::string_view label, std::string_view der) {
  std::string b64 = Base64Encode(der);
  std::string out;
  out.reserve(b64.size() + b64.size() / 64 + 2 * label.size() + 40);
  out.append(kBegin).append(label).append(kDashes).push_back('\n');
  for (size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out.push_back('\n');
  }
  out.append(kEnd).append(label).append(kDashes).push_back('\n');
  WipeString(&b64);
  return out;
}

void WipeString(std::string* s) {
  if (!s->empty()) OPENSSL_cleanse(s->data(), s->size());
  s->clear();
}

}  // namespace mg
