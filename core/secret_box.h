#pragma once
// Encryption at rest for the credentials the store keeps (provider API keys of models added
// through /model/new): AES-256-GCM through OpenSSL EVP, the key being SHA-256 of the operator's
// salt key (general_settings.salt_key, LITELLM_SALT_KEY or TOLLGATE_SALT_KEY). Each seal draws
// a fresh 96-bit nonce; the tag authenticates the ciphertext, so a changed byte or another salt
// key opens to nothing rather than to garbage.
//
// Sealed text: "v1:" + hex(nonce 12 bytes | ciphertext | tag 16 bytes).
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::core {

class SecretBox {
 public:
  // Throws std::invalid_argument for an empty salt key.
  explicit SecretBox(std::string_view salt_key);

  // Throws std::runtime_error if OpenSSL fails or no randomness is available.
  std::string seal(std::string_view plaintext) const;
  // nullopt when the text is not sealed text, was sealed under another salt key or was altered.
  std::optional<std::string> open(std::string_view sealed) const;

 private:
  std::array<unsigned char, 32> key_{};
};

}  // namespace tollgate::core
