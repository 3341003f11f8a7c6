#include "util/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace mg {
namespace {

// EVP SHA-256 only fails on allocation failure or a broken OpenSSL install; neither is a
// recoverable condition for a content-addressed engine.
[[noreturn]] void DigestFailure(const char* what) {
  std::fprintf(stderr, "mirrorgraph: OpenSSL SHA-256 failure in %s\n", what);
  std::abort();
}

void Init(EVP_MD_CTX* ctx) {
  if (EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) DigestFailure("EVP_DigestInit_ex");
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) DigestFailure("EVP_MD_CTX_new");
  Init(ctx_);
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

Sha256::Sha256(Sha256&& other) noexcept : ctx_(other.ctx_) { other.ctx_ = nullptr; }

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = other.ctx_;
    other.ctx_ = nullptr;
  }
  return *this;
}

void Sha256::Update(std::string_view data) {
  if (ctx_ == nullptr) {  // moved-from: behave like a fresh hasher
    ctx_ = EVP_MD_CTX_new();
    if (ctx_ == nullptr) DigestFailure("EVP_MD_CTX_new");
    Init(ctx_);
  }
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) DigestFailure("EVP_DigestUpdate");
}

std::string Sha256::FinishRaw() {
  Update({});
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_, md, &len) != 1) DigestFailure("EVP_DigestFinal_ex");
  Init(ctx_);
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string Sha256::FinishHex() { return HexEncode(FinishRaw()); }

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    DigestFailure("EVP_Digest");
  }
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string Sha256Digest(std::string_view data) { return "sha256:" + Sha256Hex(data); }

}  // namespace mg
