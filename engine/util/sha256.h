// SHA-256 digests (OpenSSL EVP), used for task keys, cache entries and OCI content addresses.
#pragma once

#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace mg {

// Lowercase hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// "sha256:<hex>": the OCI digest form.
std::string Sha256Digest(std::string_view data);

// Incremental SHA-256. Move-only. Not thread-safe: one instance per thread.
// After FinishHex() or FinishRaw() the object is reset and may hash a new message.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  std::string FinishHex();  // 64 lowercase hex characters
  std::string FinishRaw();  // 32 raw bytes

 private:
  evp_md_ctx_st* ctx_ = nullptr;
};

// Lowercase hex of arbitrary bytes.
std::string HexEncode(std::string_view bytes);

}  // namespace mg
