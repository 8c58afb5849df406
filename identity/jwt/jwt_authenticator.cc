#include "identity/jwt/jwt_authenticator.h"

#include "identity/authenticator.h"
#include "identity/jwt/jwt_identity.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"

namespace tollgate::identity::jwt {

JwtVerifier::Options verifier_options(const config::JwtAuthSettings& settings) {
  JwtVerifier::Options options;
  options.claims.issuer = settings.issuer;
  options.claims.audiences = settings.audiences;
  options.claims.leeway_seconds = settings.leeway.count();
  options.hmac_secret = settings.hmac_secret;
  if (!settings.public_key_urls.empty()) {
    JwksCache::Options jwks;
    jwks.urls = settings.public_key_urls;
    jwks.allowed_jwks_hosts = settings.allowed_jwks_hosts;
    jwks.ttl = settings.public_key_ttl;
    jwks.refetch_interval = settings.jwks_refetch_interval;
    options.jwks = std::move(jwks);
  }
  return options;
}

JwtAuthenticator::JwtAuthenticator(config::JwtAuthSettings settings, http::HttpClient& client, KeyCache& cache,
                                   persistence::StorePool* pool)
    : settings_(std::move(settings)),
      roles_(role_policy(settings_)),
      verifier_(client, verifier_options(settings_)),
      cache_(cache),
      pool_(pool) {}

bool JwtAuthenticator::route_allowed(const KeyIdentity& identity, std::string_view path) const {
  const auto role = identity.jwt_role.value_or(core::JwtRole::team);
  const bool admin = role == core::JwtRole::proxy_admin || role == core::JwtRole::proxy_admin_viewer;
  return core::route_allowed(admin ? settings_.admin_allowed_routes : settings_.team_allowed_routes, path);
}

void JwtAuthenticator::authenticate(std::string_view token, std::string hash, std::string request_id, Done done) const {
  verifier_.verify(token, [this, hash = std::move(hash), request_id = std::move(request_id),
                           done = std::move(done)](VerifyOutcome outcome) mutable {
    if (!outcome.token) {
      if (outcome.failure == VerifyFailure::keys_unavailable) {
        auto error = core::service_unavailable(
            "JWT signing keys are unavailable: the identity provider's JWKS could not be fetched; try again shortly.");
        error.code = "jwks_unavailable";
        return done(std::move(error));
      }
      return done(core::unauthorized());
    }
    resolve(std::move(*outcome.token), std::move(hash), std::move(request_id), std::move(done));
  });
}

void JwtAuthenticator::resolve(VerifiedToken token, std::string hash, std::string request_id, Done done) const {
  JwtCallerFacts facts;
  facts.subject = read_subject(*token.claims, settings_);
  const auto role = core::decide_jwt_role(roles_, facts.subject.role_facts);
  if (!role) {
    return done(core::forbidden("The token's roles are not mapped to a gateway role (litellm_jwtauth.enforce_rbac)"));
  }
  facts.role = *role;
  facts.token_hash = std::move(hash);
  facts.usable_until_ms = token.usable_until_ms;
  if (pool_ == nullptr) return done(core::service_unavailable("The key store is unavailable; try again shortly."));
  const auto generation = cache_.generation();
  auto answer = std::make_shared<Done>(std::move(done));
  pool_->submit(
      [this, facts = std::move(facts), answer, generation](persistence::Store& store) {
        auto resolved = resolve_jwt_identity(store, facts, settings_);
        if (!resolved) return (*answer)(std::move(resolved).error());
        auto identity = std::make_shared<const KeyIdentity>(std::move(*resolved));
        cache_.put(facts.token_hash, identity, generation);
        (*answer)(KeyIdentityPtr(identity));
      },
      [answer, request_id = std::move(request_id)](persistence::JobFailure why, const std::string& error) {
        (*answer)(store_lookup_failure(why, error, request_id, "jwt_identity_lookup"));
      });
}

}  // namespace tollgate::identity::jwt
