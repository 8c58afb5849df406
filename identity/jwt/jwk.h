#pragma once
// Verification keys: from a JWKS document (RFC 7517) — RSA (≥ 2048 bits), EC P-256 / P-384
// and OKP Ed25519 public keys — or an HMAC secret from the config. Each key says which
// algorithms it may verify: its type decides, and a JWK's own `alg` narrows it to one. JWKS
// keys never verify HS256 (the HS/RS confusion: a public key used as an HMAC secret).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

#include "identity/jwt/jose.h"

namespace tollgate::identity::jwt {

enum class KeyType { rsa, ec_p256, ec_p384, ed25519, hmac };

struct VerificationKey {
  std::string kid;  // may be empty (a JWKS key without one, the configured secret)
  KeyType type = KeyType::rsa;
  std::optional<Algorithm> alg;          // the JWK's `alg`: when set, the only one allowed
  std::shared_ptr<EVP_PKEY> public_key;  // null for hmac
  std::string secret;                    // hmac only
  bool allows(Algorithm algorithm) const;
};

using KeySet = std::vector<VerificationKey>;

// The usable signing keys of a JWKS document: keys with `use` other than "sig", of an
// unsupported type or curve, too small or malformed are skipped (a JWKS may hold encryption
// keys too). nullopt when the document is not a JWKS at all.
std::optional<KeySet> parse_jwks(std::string_view document);

VerificationKey hmac_key(std::string secret);

}  // namespace tollgate::identity::jwt
