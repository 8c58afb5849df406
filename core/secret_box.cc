#include "core/secret_box.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace tollgate::core {
namespace {

constexpr std::string_view kPrefix = "v1:";
constexpr int kNonceBytes = 12;
constexpr int kTagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext new_context() {
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("secret box: out of memory");
  return ctx;
}

std::string to_hex(const std::vector<unsigned char>& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0f]);
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::vector<unsigned char>> from_hex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<unsigned char> out(text.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int high = hex_digit(text[2 * i]);
    const int low = hex_digit(text[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return out;
}

}  // namespace

SecretBox::SecretBox(std::string_view salt_key) {
  if (salt_key.empty()) throw std::invalid_argument("secret box: the salt key is empty");
  SHA256(reinterpret_cast<const unsigned char*>(salt_key.data()), salt_key.size(), key_.data());
}

std::string SecretBox::seal(std::string_view plaintext) const {
  std::vector<unsigned char> out(kNonceBytes + plaintext.size() + kTagBytes);
  if (RAND_bytes(out.data(), kNonceBytes) != 1) throw std::runtime_error("secret box: no randomness available");
  auto ctx = new_context();
  int written = 0;
  int final_bytes = 0;
  unsigned char* body = out.data() + kNonceBytes;
  const bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), out.data()) == 1 &&
                  EVP_EncryptUpdate(ctx.get(), body, &written, reinterpret_cast<const unsigned char*>(plaintext.data()),
                                    static_cast<int>(plaintext.size())) == 1 &&
                  EVP_EncryptFinal_ex(ctx.get(), body + written, &final_bytes) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, body + plaintext.size()) == 1;
  if (!ok) throw std::runtime_error("secret box: encryption failed");
  return std::string(kPrefix) + to_hex(out);
}

std::optional<std::string> SecretBox::open(std::string_view sealed) const {
  if (sealed.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const auto bytes = from_hex(sealed.substr(kPrefix.size()));
  if (!bytes || bytes->size() < static_cast<std::size_t>(kNonceBytes + kTagBytes)) return std::nullopt;
  const int body_size = static_cast<int>(bytes->size()) - kNonceBytes - kTagBytes;
  const unsigned char* body = bytes->data() + kNonceBytes;
  std::vector<unsigned char> tag(body + body_size, body + body_size + kTagBytes);
  std::string plain(static_cast<std::size_t>(body_size), '\0');
  auto ctx = new_context();
  int written = 0;
  int final_bytes = 0;
  auto* plain_bytes = reinterpret_cast<unsigned char*>(plain.data());
  const bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), bytes->data()) == 1 &&
                  EVP_DecryptUpdate(ctx.get(), plain_bytes, &written, body, body_size) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
                  EVP_DecryptFinal_ex(ctx.get(), plain_bytes + written, &final_bytes) == 1;
  if (!ok) return std::nullopt;  // the tag did not match: another key, or altered text
  return plain;
}

}  // namespace tollgate::core
