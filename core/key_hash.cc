#include "core/key_hash.h"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace tollgate::core {

namespace {

// Every request hashes its key. EVP_sha256() makes OpenSSL 3 look the implementation up in its
// provider store on every init (a lock and a hash table); fetched once, it is a pointer.
const EVP_MD* sha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

EVP_MD_CTX* thread_context() {
  thread_local DigestContext ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return ctx.get();
}

}  // namespace

std::string hash_key(std::string_view cleartext) {
  EVP_MD_CTX* ctx = thread_context();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (ctx == nullptr || sha256() == nullptr || EVP_DigestInit_ex(ctx, sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, cleartext.data(), cleartext.size()) != 1 || EVP_DigestFinal_ex(ctx, digest, &length) != 1) {
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
