#include "util/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace mg {
namespace {

// EVP SHA-256 only fails on allocation failure or a broken OpenSSL install; neither is a
// recoverable condition for a content-addressed engine.
[[noreturn]] void DigestFailure(const char* what) {
  std::fprintf(stderr, "mirrorgraph: OpenSSL SHA-256 failure in %s\n", what);
  std::abort();
}

// SHA-256 fetched once: EVP_sha256() makes OpenSSL 3 look the implementation up on every init.
const EVP_MD* Sha256Md() {
  static const std::unique_ptr<EVP_MD, void (*)(EVP_MD*)> md(EVP_MD_fetch(nullptr, "SHA256", nullptr), EVP_MD_free);
  return md != nullptr ? md.get() : EVP_sha256();
}

void Init(EVP_MD_CTX* ctx) {
  if (EVP_DigestInit_ex(ctx, Sha256Md(), nullptr) != 1) DigestFailure("EVP_DigestInit_ex");
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kHex[c >> 4];
    out[2 * i + 1] = kHex[c & 0xf];
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
  // One context per thread, reused: EVP_Digest() allocates and frees one per call, and the engine
  // hashes one key per task (100,000 on a large no-op).
  thread_local const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (ctx == nullptr) DigestFailure("EVP_MD_CTX_new");
  Init(ctx.get());
  if (EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1) DigestFailure("EVP_DigestUpdate");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), md, &len) != 1) DigestFailure("EVP_DigestFinal_ex");
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string Sha256Digest(std::string_view data) { return "sha256:" + Sha256Hex(data); }

}  // namespace mg
