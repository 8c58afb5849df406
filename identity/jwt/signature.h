#pragma once
// JWS signature verification with OpenSSL EVP only, for the algorithm the token names and
// only when the key allows it (VerificationKey::allows): RSASSA-PKCS1-v1_5 (RS256/384/512),
// RSASSA-PSS with SHA-256 (PS256), ECDSA with the JOSE raw r||s signature (ES256/384), Ed25519
// (EdDSA), and HMAC-SHA-256 (HS256, configured secret only) compared in constant time.
#include <string_view>

#include "identity/jwt/jose.h"
#include "identity/jwt/jwk.h"

namespace tollgate::identity::jwt {

bool verify_signature(Algorithm alg, const VerificationKey& key, std::string_view signing_input,
                      std::string_view signature);

}  // namespace tollgate::identity::jwt
