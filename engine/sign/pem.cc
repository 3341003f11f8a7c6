#include "sign/pem.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>
#include <memory>

#include "http/base64.h"
#include "sign/openssl_util.h"
#include "util/strings.h"

namespace mg {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";

using sign_internal::BioFree;

// What PEM_read_bio_ex hands back; PEM_FLAG_SECURE puts the decoded body on OpenSSL's secure heap
// (when one is set up), and it is wiped on release either way.
struct ReadBlock {
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  ~ReadBlock() {
    OPENSSL_secure_free(name);
    OPENSSL_secure_free(header);
    OPENSSL_secure_clear_free(data, static_cast<size_t>(len));
  }
};

// `line` without trailing blanks and CR, as PEM_FLAG_EAY_COMPATIBLE reads BEGIN/END lines.
std::string_view TrimRight(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

// The first "-----BEGIN <label>-----" line of `text` (the line PEM_read_bio_ex stopped at: it skips
// every line before it) as its offset and label; npos when there is none.
std::pair<size_t, std::string_view> FindBeginLine(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = TrimRight(text.substr(pos, end - pos));
    if (StartsWith(line, kBegin) && EndsWith(line, kDashes) && line.size() >= kBegin.size() + kDashes.size()) {
      return {pos, line.substr(kBegin.size(), line.size() - kBegin.size() - kDashes.size())};
    }
    pos = end + 1;
  }
  return {std::string_view::npos, {}};
}

// RFC 1421 headers as OpenSSL returns them ("Proc-Type: 4,ENCRYPTED\nDEK-Info: ...\n").
std::map<std::string, std::string> ParseHeaders(std::string_view header) {
  std::map<std::string, std::string> out;
  for (std::string_view line : Split(header, '\n')) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    out[std::string(Trim(line.substr(0, colon)))] = std::string(Trim(line.substr(colon + 1)));
  }
  return out;
}

// A message for a block OpenSSL refused: `consumed` is the text it read, from the end of the
// previous block through the line it failed on.
Status Refused(std::string_view source_name, std::string_view consumed, int reason) {
  auto [begin, label] = FindBeginLine(consumed);
  std::string where = std::string(source_name) + ": PEM block '" + std::string(label) + "'";
  if (reason == PEM_R_BAD_END_LINE) {
    std::string_view body = begin == std::string_view::npos ? consumed : consumed.substr(begin);
    bool has_end = body.find(std::string("\n") + std::string(kEnd)) != std::string_view::npos;
    return Status::InvalidArgument(where + (has_end ? " ends with a different END line"
                                                    : " has no END line (truncated file?)"));
  }
  if (reason == PEM_R_BAD_BASE64_DECODE) return Status::InvalidArgument(where + " is not valid base64");
  const char* why = reason != 0 ? ERR_reason_error_string(ERR_PACK(ERR_LIB_PEM, 0, reason)) : nullptr;
  return Status::InvalidArgument(where + " is malformed (" +
                                 (why != nullptr ? std::string(why) : "bad headers or an empty body") + ")");
}

}  // namespace

Result<std::vector<PemBlock>> ParsePem(std::string_view text, std::string_view source_name) {
  if (text.size() > static_cast<size_t>(INT_MAX)) {
    return Status::InvalidArgument(std::string(source_name) + ": too large for a PEM file");
  }
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (bio == nullptr) return Status::Internal("reading PEM: BIO_new_mem_buf failed");
  std::vector<PemBlock> blocks;
  for (;;) {
    const size_t start = text.size() - BIO_ctrl_pending(bio.get());
    ReadBlock read;
    ERR_clear_error();
    // EAY_COMPATIBLE: tolerate trailing blanks on BEGIN/END lines, as PEM_read_bio does.
    const int ok = PEM_read_bio_ex(bio.get(), &read.name, &read.header, &read.data, &read.len,
                                   PEM_FLAG_SECURE | PEM_FLAG_EAY_COMPATIBLE);
    const size_t end = text.size() - BIO_ctrl_pending(bio.get());
    const std::string_view consumed = text.substr(start, end - start);
    if (ok != 1) {
      const unsigned long err = ERR_peek_last_error();
      ERR_clear_error();
      const int reason = ERR_GET_LIB(err) == ERR_LIB_PEM ? ERR_GET_REASON(err) : 0;
      if (reason == PEM_R_NO_START_LINE) break;  // no further block: the rest is other text
      return Refused(source_name, consumed, reason);
    }
    PemBlock block;
    block.label = read.name;
    block.headers = ParseHeaders(read.header);
    block.der.assign(reinterpret_cast<const char*>(read.data), static_cast<size_t>(read.len));
    size_t begin = FindBeginLine(consumed).first;
    block.text = std::string(consumed.substr(begin == std::string_view::npos ? 0 : begin));
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
