#pragma once
// One token from text to trusted claims: parse (jose.h), pick the key from the configuration
// — the HMAC secret for HS256, else the JWKS key with the token's kid that allows its
// algorithm — verify the signature (signature.h), then exp/nbf/iat/iss/aud (core/jwt_claims.h).
// Every refusal is the same `invalid` (the caller's one 401 body); only "no keys could be
// fetched at all" is different (`keys_unavailable`, a 503).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/jwt_claims.h"
#include "identity/jwt/jwks_cache.h"

namespace tollgate::identity::jwt {

struct VerifiedToken {
  std::shared_ptr<rapidjson::Document> claims;
  std::int64_t usable_until_ms = 0;  // (exp + leeway) in ms since the epoch
};

enum class VerifyFailure { invalid, keys_unavailable };

struct VerifyOutcome {
  std::optional<VerifiedToken> token;
  VerifyFailure failure = VerifyFailure::invalid;  // when !token
};

class JwtVerifier {
 public:
  struct Options {
    core::ClaimPolicy claims;
    std::string hmac_secret;                 // empty: HS256 refused
    std::optional<JwksCache::Options> jwks;  // nullopt: no JWKS (HS256 only)
  };
  using Done = std::function<void(VerifyOutcome)>;

  JwtVerifier(http::HttpClient& client, Options options);

  // `done` runs once, at once or (after a JWKS fetch) on an I/O thread.
  void verify(std::string_view token, Done done) const;

  const JwksCache* jwks() const { return jwks_.get(); }

 private:
  VerifyOutcome finish(const ParsedToken& token, const VerificationKey& key) const;

  core::ClaimPolicy claims_;
  std::optional<VerificationKey> hmac_;
  std::unique_ptr<JwksCache> jwks_;
};

}  // namespace tollgate::identity::jwt
