#pragma once
// The JWT path of authentication (general_settings.enable_jwt_auth): a bearer token that is a
// JWT is verified (jwt_verifier.h), its claims mapped to a role (core/jwt_roles.h) and to the
// team, user and organization they name (jwt_identity.h, on a store thread), and the result
// put in the key cache under the token's hash until the token expires — so the hot path
// verifies a signature once per token, not once per request.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "config/jwt_settings.h"
#include "core/jwt_roles.h"
#include "core/result.h"
#include "identity/jwt/jwt_verifier.h"
#include "identity/key_cache.h"

namespace tollgate::persistence {
class StorePool;
}

namespace tollgate::identity::jwt {

class JwtAuthenticator {
 public:
  using Done = std::function<void(core::Result<KeyIdentityPtr>)>;

  JwtAuthenticator(config::JwtAuthSettings settings, http::HttpClient& client, KeyCache& cache,
                   persistence::StorePool* pool);

  // For a token whose hash the cache does not hold. `done` runs once: 401 for any token that
  // is not genuine and valid, 503 when no signing keys could be fetched or the store is
  // unavailable, 403 when the token is genuine but names nobody the gateway may serve.
  void authenticate(std::string_view token, std::string hash, std::string request_id, Done done) const;

  // Whether a JWT caller may call `path`: team_allowed_routes, or admin_allowed_routes for the
  // admin roles.
  bool route_allowed(const KeyIdentity& identity, std::string_view path) const;

  const JwtVerifier& verifier() const { return verifier_; }

 private:
  void resolve(VerifiedToken token, std::string hash, std::string request_id, Done done) const;

  config::JwtAuthSettings settings_;
  core::JwtRolePolicy roles_;
  JwtVerifier verifier_;
  KeyCache& cache_;
  persistence::StorePool* pool_;
};

// The verifier's options from the config.
JwtVerifier::Options verifier_options(const config::JwtAuthSettings& settings);

}  // namespace tollgate::identity::jwt
