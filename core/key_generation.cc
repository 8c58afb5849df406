#include "core/key_generation.h"

#include <openssl/rand.h>

#include <stdexcept>

namespace tollgate::core {

std::string generate_virtual_key() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    throw std::runtime_error("no randomness available for a new key");
  }
  std::string key = "sk-";
  for (std::size_t i = 0; i < sizeof bytes; i += 3) {
    const unsigned n = (unsigned{bytes[i]} << 16) | (unsigned{bytes[i + 1]} << 8) | bytes[i + 2];
    key += kAlphabet[(n >> 18) & 63];
    key += kAlphabet[(n >> 12) & 63];
    key += kAlphabet[(n >> 6) & 63];
    key += kAlphabet[n & 63];
  }
  return key;
}

}  // namespace tollgate::core
