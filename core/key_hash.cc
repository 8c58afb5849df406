#include "core/key_hash.h"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace tollgate::core {

std::string hash_key(std::string_view cleartext) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), cleartext.data(), cleartext.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

std::string key_display_name(std::string_view cleartext) {
  const std::size_t tail = cleartext.size() < 4 ? cleartext.size() : 4;
  return "sk-..." + std::string(cleartext.substr(cleartext.size() - tail));
}

}  // namespace tollgate::core
