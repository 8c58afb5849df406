#include "identity/jwt/jwt_verifier.h"

#include <chrono>
#include <limits>

#include "identity/jwt/signature.h"
#include "telemetry/log.h"

namespace tollgate::identity::jwt {
namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

VerifyOutcome refused(std::string_view why) {
  // The reason is for the operator; the client sees the one 401 body.
  telemetry::log_info("jwt_refused", {{"reason", why}});
  return VerifyOutcome{};
}

std::int64_t usable_until_ms(const rapidjson::Value& claims, std::int64_t leeway_seconds) {
  const auto& exp = claims["exp"];  // present and numeric: check_claims passed
  const double seconds =
      (exp.IsInt64() ? static_cast<double>(exp.GetInt64()) : exp.GetDouble()) + static_cast<double>(leeway_seconds);
  const double ms = seconds * 1000.0;
  return ms >= 9.2e18 ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(ms);
}

}  // namespace

JwtVerifier::JwtVerifier(http::HttpClient& client, Options options) : claims_(std::move(options.claims)) {
  if (!options.hmac_secret.empty()) hmac_ = hmac_key(std::move(options.hmac_secret));
  if (options.jwks) jwks_ = std::make_unique<JwksCache>(client, std::move(*options.jwks));
}

VerifyOutcome JwtVerifier::finish(const ParsedToken& token, const VerificationKey& key) const {
  if (!verify_signature(token.alg, key, token.signing_input, token.signature)) return refused("bad_signature");
  const auto problem = core::check_claims(*token.claims, claims_, now_seconds());
  if (problem != core::ClaimProblem::none) return refused(core::claim_problem_name(problem));
  return VerifyOutcome{VerifiedToken{token.claims, usable_until_ms(*token.claims, claims_.leeway_seconds)}, {}};
}

void JwtVerifier::verify(std::string_view text, Done done) const {
  auto token = parse_token(text);
  if (!token) return done(refused("malformed_or_refused_header"));
  if (token->alg == Algorithm::hs256) {
    // Only ever the configured secret: a JWKS key is never an HMAC secret (HS/RS confusion).
    if (!hmac_) return done(refused("hs256_without_secret"));
    return done(finish(*token, *hmac_));
  }
  if (!jwks_) return done(refused("no_jwks_configured"));
  auto shared = std::make_shared<ParsedToken>(std::move(*token));
  const auto kid = shared->kid;
  jwks_->find(kid, shared->alg, [this, shared, done = std::move(done)](JwksCache::Answer answer) {
    switch (answer.status) {
      case JwksCache::Status::found: return done(finish(*shared, *answer.key));
      case JwksCache::Status::not_found: return done(refused("unknown_kid_or_key_type"));
      case JwksCache::Status::unavailable: return done(VerifyOutcome{std::nullopt, VerifyFailure::keys_unavailable});
    }
  });
}

}  // namespace tollgate::identity::jwt
